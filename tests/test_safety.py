"""Cron-proof and hostile-input-proof: each promise of the Safety section, tested.

Nothing lost, nothing half-written, nothing injected.
"""

from __future__ import annotations

import contextlib
import errno
import io
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
from pathlib import Path

import pytest
from conftest import BASIC_CONFIG, NOW, Site, check_all, feed_files, feed_paths
from lxml import etree

from feeds import build
from feeds import publish as publish_module
from feeds.cli import main
from feeds.publish import output_lock

FEEDS = str(Path(sys.executable).parent / "feeds")


def run(site: Site, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [FEEDS, "build", *args], cwd=site.root, capture_output=True, text=True, timeout=120
    )


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob(".feeds-tmp-*"))


# --- overlapping runs -----------------------------------------------------------------


def test_a_second_run_exits_75_while_the_first_holds_the_lock(site: Site) -> None:
    site.post("p")
    with output_lock(site.output):
        result = run(site)
    assert result.returncode == 75
    assert result.stderr.count("\n") == 1
    assert "another feeds run is writing here" in result.stderr
    assert feed_files(site.output) == {}


def test_wait_lets_the_second_run_go_when_the_first_finishes(site: Site) -> None:
    site.post("p")
    held = threading.Event()

    def hold_briefly() -> None:
        with output_lock(site.output):
            held.set()
            time.sleep(0.5)

    holder = threading.Thread(target=hold_briefly)
    holder.start()
    held.wait()
    result = run(site, "--wait", "10")
    holder.join()
    assert result.returncode == 0, result.stderr
    assert "atom.xml" in feed_files(site.output)


def test_a_lock_left_by_a_killed_process_does_not_block(site: Site) -> None:
    site.post("p")
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; from feeds.publish import output_lock\n"
            "with output_lock(Path(sys.argv[1])):\n    print('held', flush=True); time.sleep(60)",
            str(site.output),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline() == "held\n"
    assert run(site).returncode == 75
    holder.kill()
    holder.wait()
    assert (site.output / ".feeds.lock").exists()
    assert run(site).returncode == 0


# --- killed runs ------------------------------------------------------------------------


def make_large_site(site: Site, posts: int = 500) -> None:
    site.write_config(BASIC_CONFIG + "max_items: 100\n")
    body = "Paragraph with a [link](../other/) and *emphasis*.\n\n" * 30
    for index in range(posts):
        category = f"[c{index % 12}, d{index % 7}]"
        site.post(
            f"p{index:05d}",
            date=f"20{10 + index % 14}-0{1 + index % 9}-1{index % 10}",
            categories=category,
            body=body,
        )


def test_a_run_killed_at_any_moment_leaves_every_feed_whole(site: Site) -> None:
    """SIGKILL a rebuild at many moments: each feed is its old or its new version, whole."""
    make_large_site(site)
    assert run(site).returncode == 0
    old = feed_files(site.output)
    site.write_config(BASIC_CONFIG.replace("Test Site", "Renamed Site") + "max_items: 100\n")
    started = time.perf_counter()
    assert (
        subprocess.run(
            [FEEDS, "build", "--out", str(site.root / "probe")], cwd=site.root, capture_output=True
        ).returncode
        == 0
    )
    duration = time.perf_counter() - started
    new = feed_files(site.root / "probe")
    assert set(new) == set(old)
    assert all(new[k] != old[k] for k in new if k != "feed.css")  # the stylesheet stays
    seen_new = 0
    for attempt in range(16):
        process = subprocess.Popen([FEEDS, "build", "-q"], cwd=site.root)
        time.sleep(duration * (0.3 + attempt * 0.06))
        process.send_signal(signal.SIGKILL)
        process.wait()
        for name, data in feed_files(site.output).items():
            assert data in (old[name], new[name]), f"{name} is neither old nor new"
            if name.endswith(".xml"):
                etree.fromstring(data)  # well-formed, whole
            elif name.endswith(".json"):
                json.loads(data)
        seen_new += sum(feed_files(site.output)[k] == new[k] for k in new)
        if seen_new == len(new) and attempt > 4:
            break
    assert run(site).returncode == 0
    assert feed_files(site.output) == new
    assert leftovers(site.output) == []


def test_leftover_temporary_files_are_removed_by_the_next_run(site: Site) -> None:
    site.post("p", categories="[news]")
    assert run(site).returncode == 0
    (site.output / ".feeds-tmp-atom.xml.abc123.tmp").write_text("half a fee")
    (site.output / "categories/news/.feeds-tmp-rss.xml.zz.tmp").write_text("<rss")
    (site.output / ".keep-me.tmp").write_text("not ours")
    assert run(site).returncode == 0
    assert leftovers(site.output) == []
    assert (site.output / ".keep-me.tmp").exists()


# --- faults: disk full, read-only, vanished posts -------------------------------------


def built_site(site: Site) -> dict[str, bytes]:
    site.post("a", categories="[news]")
    site.post("b", categories="[reviews]", date="2024-06-01")
    assert build(site.config, now=NOW).published
    site.write_config(BASIC_CONFIG.replace("Test Site", "Changed"))
    return feed_files(site.output)


def invoke(site: Site, *args: str) -> tuple[int, str]:
    """`feeds build` in this process: its exit code, and what it printed to either stream."""
    output = io.StringIO()
    with contextlib.redirect_stdout(output), contextlib.redirect_stderr(output):
        try:
            exit_code = main(["build", "--config", str(site.config), *args])
        except SystemExit as stopped:
            exit_code = stopped.code if isinstance(stopped.code, int) else 1
    assert "Traceback" not in output.getvalue()
    return exit_code, output.getvalue()


@pytest.mark.parametrize(
    ("code", "message"),
    [
        (errno.ENOSPC, "the disk is full"),
        (errno.EROFS, "Read-only file system"),
        (errno.EACCES, "Permission denied"),
    ],
)
def test_write_failures_leave_every_old_feed_intact(
    site: Site, monkeypatch: pytest.MonkeyPatch, code: int, message: str
) -> None:
    old = built_site(site)
    calls = []

    def failing_fsync(descriptor: int) -> None:
        calls.append(descriptor)
        if len(calls) == 3:  # two feeds staged, the third fails
            raise OSError(code, os.strerror(code))

    monkeypatch.setattr(publish_module.os, "fsync", failing_fsync)
    exit_code, output = invoke(site)
    assert exit_code == 1
    lines = output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("feeds: ") and message in lines[0]
    assert feed_files(site.output) == old
    assert leftovers(site.output) == []


def test_an_unwritable_output_folder_is_one_clear_line(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = built_site(site)

    def read_only(*args: object, **kwargs: object) -> None:
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr(tempfile, "mkstemp", read_only)  # publish imports it when it writes
    exit_code, output = invoke(site)
    assert exit_code == 1
    assert output.count("\n") == 1 and "cannot write (Read-only file system)" in output
    assert feed_files(site.output) == old


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores file permissions")
def test_a_read_only_output_folder_for_real(site: Site) -> None:
    old = built_site(site)
    site.output.chmod(0o555)
    try:
        result = run(site)
    finally:
        site.output.chmod(0o755)
    assert result.returncode == 1 and "cannot write" in result.stderr
    assert feed_files(site.output) == old


def test_a_vanished_posts_folder_changes_nothing(site: Site) -> None:
    old = built_site(site)
    for path in site.posts.iterdir():
        path.unlink()
    site.posts.rmdir()
    result = run(site)
    assert result.returncode == 1
    assert result.stderr.startswith("posts: the posts folder does not exist")
    assert feed_files(site.output) == old


# --- stale feeds ------------------------------------------------------------------------


def test_feeds_of_emptied_categories_are_kept_and_reported_until_pruned(site: Site) -> None:
    site.post("a", categories="[news]")
    gone = site.post("b", categories="[gone]")
    assert run(site).returncode == 0
    gone.unlink()
    result = run(site)
    assert result.returncode == 0
    assert "categories/gone/atom.xml: stale feed kept" in result.stderr
    assert "remove it with --prune" in result.stderr
    assert (site.output / "categories/gone/atom.xml").exists()
    assert run(site, "-q").stderr == ""
    result = run(site, "--prune")
    assert "categories/gone/rss.xml: removed stale feed" in result.stderr
    assert not (site.output / "categories/gone").exists()
    assert sorted(feed_files(site.output)) == feed_paths("", "categories/news/")


def test_prune_leaves_no_empty_folder_of_a_stale_feeds_archive(site: Site) -> None:
    site.write_config(BASIC_CONFIG + "archives: true\nmax_items: 1\n")
    site.post("a", categories="[news]")
    site.post("b", categories="[gone]", date="2024-05-02")
    gone = site.post("c", categories="[gone]", date="2024-05-03")
    assert run(site).returncode == 0
    assert (site.output / "categories/gone/archive/1/atom.xml").exists()
    gone.unlink()
    site.post("b", categories="[news]", date="2024-05-02")
    assert run(site, "--prune").returncode == 0
    assert not (site.output / "categories/gone").exists()
    assert (site.output / "categories/news/archive/1/atom.xml").exists()


# --- hostile input ----------------------------------------------------------------------


def errors_of(site: Site) -> list[str]:
    result = build(site.config, now=NOW)
    return [p.format(relative_to=site.root) for p in result.problems if p.is_error]


def test_a_small_alias_bomb_hits_the_value_limit(site: Site) -> None:
    """100,000 values: expands in well under a second even without a limit, so a missing
    limit fails this test quickly instead of hanging the larger one."""
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 5)]
    site.raw_post("bomb.md", "---\ntitle: t\ndate: 2024-01-01\n" + "\n".join(lines) + "\n---\n")
    assert "expands to more than 10000 values" in errors_of(site)[0]


def test_alias_bomb_is_rejected_fast_with_bounded_memory(site: Site) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 10)]
    site.raw_post("bomb.md", "---\ntitle: t\ndate: 2024-01-01\n" + "\n".join(lines) + "\n---\n")
    tracemalloc.start()
    started = time.perf_counter()
    found = errors_of(site)
    elapsed = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert found and "expands to more than 10000 values" in found[0]
    assert elapsed < 2 and peak < 50 * 1024 * 1024


def test_code_running_yaml_is_refused(site: Site, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    site.raw_post(
        "evil.md",
        f"---\ntitle: !!python/object/apply:os.system ['touch {marker}']\ndate: 2024-01-01\n---\n",
    )
    assert "is not allowed" in errors_of(site)[0]
    assert not marker.exists()


def test_oversized_posts_are_refused_without_reading_them_whole(site: Site) -> None:
    huge = site.posts / "huge.md"
    with huge.open("wb") as stream:  # 8 GiB, sparse: reading it whole would take minutes
        stream.write(b"---\ntitle: x\ndate: 2024-01-01\n---\n")
        stream.truncate(8 * 1024**3)
    started = time.perf_counter()
    found = errors_of(site)
    assert time.perf_counter() - started < 5
    assert found == [
        "posts/huge.md: the file is larger than max_post_bytes (1048576 bytes); "
        "shorten it, or raise max_post_bytes in site.yaml"
    ]
    huge.unlink()
    site.post("big", body="word " * 300_000)  # 1.5 MB
    assert "larger than max_post_bytes" in errors_of(site)[0]
    site.write_config(BASIC_CONFIG + "max_post_bytes: 4194304\n")
    assert errors_of(site) == []


def test_bom_crlf_and_tabs_just_work(site: Site) -> None:
    site.config.write_bytes("\ufeff".encode() + site.config.read_bytes())  # Notepad's habit
    site.raw_post("bom.md", "\ufeff---\r\ntitle: With BOM\r\ndate: 2024-01-01\r\n---\r\nBody\r\n")
    site.raw_post(
        "tabs.md",
        "---\ntitle:\tTabbed\ndate: 2024-01-02\ntags:\n\t- one\n\t- two\n---\nText\twith a tab.\n",
    )
    result = build(site.config, now=NOW)
    assert not result.has_errors
    assert [p.format(relative_to=site.root) for p in result.problems] == [
        "posts/tabs.md:5: warning: tabs in the front matter were read as two spaces each; "
        "indent with spaces"
    ]
    feed = check_all(site.files())["atom.xml"]
    assert feed.feed.title == "Test Site"  # site.yaml's first key read as `title`, BOM and all
    entries = feed.entries
    assert [e.title for e in entries] == ["Tabbed", "With BOM"]
    assert [t.term for t in entries[0].tags] == ["one", "two"]
    assert entries[1].content[0].value == "<p>Body</p>"


def test_control_characters_are_removed_everywhere(site: Site) -> None:
    site.raw_post(
        "c.md",
        '---\ntitle: "Bell\x07 and\x01 null\x00"\ndate: 2024-01-01\n'
        "summary: sum\x1bmary\x85\ncategories: [ne\x0bws]\n---\n"
        "Body\x0c with\x08 controls\ufffe.\n",
    )
    result = build(site.config, now=NOW)
    assert not result.has_errors, result.problems
    parsed = check_all(site.files())
    entry = parsed["categories/news/atom.xml"].entries[0]
    assert entry.title == "Bell and null"
    assert entry.summary == "summary"
    assert entry.content[0].value == "<p>Body with controls.</p>"


def test_html_in_titles_is_text_and_bodies_are_sanitized_in_the_feed(site: Site) -> None:
    site.post(
        "x",
        title="'<script>alert(1)</script>'",
        body="<script>alert(1)</script><img src=x onerror=alert(1)>"
        '<a href="javascript:alert(1)">a</a> <iframe src="//e.example"></iframe>\n',
    )
    build(site.config, now=NOW)
    files = site.files()
    parsed = check_all(files)
    entry = parsed["atom.xml"].entries[0]
    assert entry.title == "<script>alert(1)</script>"
    content = entry.content[0].value
    for bad in ("<script", "onerror", "javascript:", "<iframe"):
        assert bad not in content
    # The bytes themselves, not feedparser's (itself sanitizing) view of them.
    for name, element in (("atom.xml", b"content"), ("rss.xml", b"content:encoded")):
        raw = files[name].split(b"<" + element, 1)[1].split(b"</" + element, 1)[0]
        for bad in (b"script", b"onerror", b"javascript:", b"iframe"):
            assert bad not in raw
    assert b"<title>&lt;script&gt;" in files["rss.xml"]


@pytest.mark.parametrize(
    ("written", "folder"),
    [
        ("'../../etc'", "etc"),
        ("a/b", "a-b"),
        ("'  Spaced  Out '", "spaced-out"),
        ("Ünïcödé Nëws", "unicode-news"),
        ("'..'", None),
        ("'日本語'", None),
    ],
)
def test_term_text_always_becomes_a_safe_slug_or_an_error(
    site: Site, written: str, folder: str | None
) -> None:
    site.post("p", categories=f"[{written}]")
    found = errors_of(site)
    if folder is None:
        assert "has no letters or digits to make a path from" in found[0]
        return
    assert found == []
    assert sorted(site.files()) == feed_paths("", f"categories/{folder}/")


def test_slug_text_with_path_parts_is_refused(site: Site) -> None:
    site.post("p", slug="'../../x'")
    assert (
        "'slug' must be lower-case letters, digits and hyphens; write slug: x" in errors_of(site)[0]
    )


def test_symbolic_links_leading_out_of_posts_are_refused(site: Site, tmp_path: Path) -> None:
    outside = tmp_path / "secret.md"
    outside.write_text("---\ntitle: Secret\ndate: 2024-01-01\n---\nsecret\n")
    (tmp_path / "secrets").mkdir()
    (site.posts / "link.md").symlink_to(outside)
    (site.posts / "folder").symlink_to(tmp_path / "secrets")
    site.post("real")
    (site.posts / "alias.md").symlink_to(site.posts / "real.md")  # inside: allowed
    found = errors_of(site)
    assert found[0].startswith("posts/folder: symbolic link to ")
    assert found[1].startswith("posts/link.md: symbolic link to ")
    assert "outside the posts folder" in found[1]
    assert not any("Secret" in message for message in found)
