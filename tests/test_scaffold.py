"""`feeds init` and `feeds new`, as a user runs them: a new site that builds at once,
and draft posts whose front matter reads back exactly as given."""

from __future__ import annotations

import errno
import os
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import check_all, feed_files
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from feeds import cli, scaffold
from feeds.config import SiteConfig, load_config
from feeds.model import Post
from feeds.scaffold import ScaffoldError, init_site, new_post
from feeds.source.post import read_post
from feeds.text.yamltext import load_mapping

FEEDS = str(Path(sys.executable).parent / "feeds")
NOW = datetime(2026, 12, 4, 11, 0, 30, 123456, tzinfo=UTC)
DATED_NAME = re.compile(r"\d{4}-\d\d-\d\d-[a-z0-9]+(-[a-z0-9]+)*\.md")

HOSTILE_TITLES = [
    'He said "no"',
    "It's a 'quote'",
    "Key: value",
    "a:b and a: b",
    "- starts with a dash",
    "-5 reasons",
    "! starts with a bang",
    "& an anchor",
    "* an alias",
    "#hashtag",
    "a # not a comment",
    "ends with a colon:",
    "back\\slash and \\n and \\u0041",
    "[not a list]",
    "{not: a map}",
    "| pipe",
    "> folded",
    "% percent",
    "@at `tick`",
    "? question",
    "---",
    "...",
    "yes",
    "null",
    "~",
    "2024",
    "1e3",
    '""',
    "tab\tinside",
    "Révolution — 日本語のタイトル 🎉 ﬁ",
    "x" * 300,
    "word " * 100 + "end",
]


def new(*arguments: str) -> int:
    return cli.main(["new", *arguments])


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A site made by `feeds init` in tmp_path/site, the working folder."""
    root = tmp_path / "site"
    monkeypatch.setenv("TZ", "UTC")
    assert cli.main(["init", str(root)]) == 0
    monkeypatch.chdir(root)
    return root


def config_of(root: Path) -> SiteConfig:
    config, problems = load_config(root / "site.yaml")
    assert config is not None, problems
    return config


def read_back(path: Path, config: SiteConfig) -> Post:
    post, problems = read_post(path, config)
    assert post is not None, problems
    assert problems == [], problems
    return post


def build(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [FEEDS, "build"], cwd=root, capture_output=True, text=True, timeout=60, check=False
    )


def only_file(folder: Path, before: set[Path]) -> Path:
    (created,) = set(folder.iterdir()) - before
    return created


# init


def test_init_then_new_then_build_publishes_the_example_and_not_the_draft(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert cli.main(["init"]) == 0
    out = capsys.readouterr().out
    assert "created site.yaml\n" in out
    assert re.search(r"^created posts/\d{4}-\d\d-\d\d-welcome-to-your-feeds\.md$", out, re.M)
    assert out.splitlines()[-1] == (
        "Next: change the values marked CHANGE ME in site.yaml, then: feeds build"
    )
    assert new("A half-written post") == 0
    result = build(tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # no warnings
    files = feed_files(tmp_path / "public")
    parsed = check_all(files)
    for name in ("atom.xml", "rss.xml", "categories/news/atom.xml"):
        assert [e.title for e in parsed[name].entries] == ["Welcome to your feeds"], name
    assert [e.title for e in parsed["feed.json"].entries] == ["Welcome to your feeds"]
    assert not any(b"half-written" in data for data in files.values())


def test_init_with_a_folder_creates_it_and_its_parents(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert cli.main(["init", "a/b/my site"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[:3] == ["created a/", "created a/b/", "created a/b/my site/"]
    assert out[-1].endswith("then: cd 'a/b/my site' && feeds build")
    root = tmp_path / "a/b/my site"
    assert sorted(p.name for p in root.iterdir()) == ["posts", "site.yaml"]
    assert build(root).returncode == 0


def test_init_refuses_an_existing_site_yaml_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "site.yaml").write_text("title: Mine\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert cli.main(["init"]) == 1
    assert capsys.readouterr().err == (
        "feeds: site.yaml: exists already; run feeds init in a new folder, or edit that file\n"
    )
    assert (tmp_path / "site.yaml").read_text(encoding="utf-8") == "title: Mine\n"
    assert [p.name for p in tmp_path.iterdir()] == ["site.yaml"]


def test_init_leaves_existing_posts_alone(tmp_path: Path) -> None:
    posts = tmp_path / "posts"
    posts.mkdir()
    mine = posts / "2026-12-04-welcome-to-your-feeds.md"
    mine.write_text("mine", encoding="utf-8")
    other = posts / "other.md"
    other.write_text("other", encoding="utf-8")
    site = init_site(tmp_path / "site.yaml", NOW)
    assert (site.example, site.kept, site.folders) == (None, mine, ())
    assert mine.read_text(encoding="utf-8") == "mine"
    assert other.read_text(encoding="utf-8") == "other"
    assert sorted(p.name for p in posts.iterdir()) == [mine.name, other.name]
    assert (tmp_path / "site.yaml").exists()


def test_init_refuses_a_folder_that_is_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "taken").write_text("", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert cli.main(["init", "taken/site"]) == 1
    assert capsys.readouterr().err == (
        "feeds: taken: is a file, not a folder; choose another folder or move the file\n"
    )


def test_init_dates_the_example_in_the_site_time_zone(tmp_path: Path) -> None:
    site = init_site(tmp_path / "site.yaml", NOW, timezone="Pacific/Kiritimati")  # UTC+14
    assert site.example == tmp_path / "posts/2026-12-05-welcome-to-your-feeds.md"
    config = config_of(tmp_path)
    assert config.timezone == "Pacific/Kiritimati"
    post = read_back(site.example, config)
    assert "date: 2026-12-05T01:00:30+14:00\n" in site.example.read_text(encoding="utf-8")
    assert post.published == NOW.replace(microsecond=0)
    assert (post.draft, post.categories[0].slug, post.tags) == (False, "news", ("welcome",))
    assert post.summary


def test_init_names_the_machine_time_zone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    monkeypatch.chdir(tmp_path)
    assert cli.main(["init"]) == 0
    assert config_of(tmp_path).timezone == "Asia/Tokyo"


def test_the_config_init_writes_is_commented_and_marks_placeholders() -> None:
    text = scaffold.site_config("UTC")
    lines = text.splitlines()
    keys = [line for line in lines if re.match(r"[a-z_]+:", line)]
    assert [key.split(":")[0] for key in keys] == [
        *("title", "url", "description", "language", "timezone", "posts", "output"),
        "categories",
    ]
    for key in keys:  # each key has a comment of its own on the line before
        assert lines[lines.index(key) - 1].startswith("# ")
    for placeholder in ("title:", "url:", "description:"):
        line = next(i for i, line in enumerate(lines) if line.startswith(placeholder))
        assert "CHANGE ME" in lines[line - 1]


def test_init_and_new_help() -> None:
    for command, shown in (("init", "[DIR]"), ("new", "TITLE")):
        result = subprocess.run(
            [FEEDS, command, "--help"], capture_output=True, text=True, timeout=60, check=False
        )
        assert result.returncode == 0
        assert f"usage: feeds {command}" in result.stdout and shown in result.stdout


# new


@pytest.mark.parametrize("title", HOSTILE_TITLES)
def test_new_writes_a_draft_whose_title_reads_back_exactly(
    site: Path, capsys: pytest.CaptureFixture[str], title: str
) -> None:
    posts = site / "posts"
    before = set(posts.iterdir())
    capsys.readouterr()
    assert new("--", title) == 0
    path = only_file(posts, before)
    out, err = capsys.readouterr()
    assert out == f"posts/{path.name}\n"
    assert "delete its 'draft: true' line to publish it" in err
    assert DATED_NAME.fullmatch(path.name)
    post = read_back(path, config_of(site))
    assert post.title == title
    assert (post.draft, post.categories, post.tags, post.summary) == (True, (), (), None)


def test_new_strips_spaces_around_the_title(site: Path) -> None:
    assert new("  Hello  ") == 0
    (path,) = (site / "posts").glob("*-hello.md")
    assert read_back(path, config_of(site)).title == "Hello"


def test_new_dates_the_post_now_in_the_site_time_zone(tmp_path: Path) -> None:
    init_site(tmp_path / "site.yaml", NOW, timezone="America/New_York")
    late = datetime(2026, 12, 5, 3, 15, 9, tzinfo=UTC)  # still the 4th in New York
    config = config_of(tmp_path)
    path = new_post(config, "Late night", late)
    assert path == tmp_path / "posts/2026-12-04-late-night.md"
    text = path.read_text(encoding="utf-8")
    assert "\ndate: 2026-12-04T22:15:09-05:00\n" in text
    post = read_back(path, config)
    assert post.published == late
    assert post.id.endswith(",2026-12-04:2026-12-04-late-night")


def test_new_refuses_to_overwrite_a_post(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert new("Hello") == 0
    path = site / capsys.readouterr().out.strip()
    path.write_text("edited", encoding="utf-8")
    assert new("Hello!") == 1  # another title, the same name
    assert capsys.readouterr().err == (
        f"feeds: posts/{path.name}: exists already; choose another title or edit that file\n"
    )
    assert path.read_text(encoding="utf-8") == "edited"
    assert not [p for p in (site / "posts").iterdir() if p.name.startswith(".")]


def test_new_refuses_through_a_file_system_without_hard_links(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_links(*_: object) -> None:
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    config = config_of(site)
    path = new_post(config, "Hello", NOW)
    assert read_back(path, config).title == "Hello"
    with pytest.raises(ScaffoldError, match="exists already"):
        new_post(config, "Hello", NOW)
    assert read_back(path, config).title == "Hello"
    assert not [p for p in (site / "posts").iterdir() if p.name.startswith(".")]


def test_a_title_without_letters_or_digits_gets_a_name_of_its_own(site: Path) -> None:
    config = config_of(site)
    first, second = (new_post(config, "¿¡!?", NOW) for _ in range(2))
    assert (first.name, second.name) == ("2026-12-04-post.md", "2026-12-04-post-2.md")
    assert read_back(second, config).title == "¿¡!?"


@pytest.mark.parametrize(
    ("title", "message"),
    [
        ("", 'feeds: the title is empty; give the post a title: feeds new "My title"\n'),
        (" \t ", 'feeds: the title is empty; give the post a title: feeds new "My title"\n'),
        (
            "two\nlines",
            "feeds: the title has a line break or control character (U+000A); "
            "write it as one line of text\n",
        ),
        (
            "bell\x07",
            "feeds: the title has a line break or control character (U+0007); "
            "write it as one line of text\n",
        ),
    ],
)
def test_new_refuses_a_title_that_would_not_read_back(
    site: Path, capsys: pytest.CaptureFixture[str], title: str, message: str
) -> None:
    before = set((site / "posts").iterdir())
    assert new("--", title) == 1
    assert capsys.readouterr().err == message
    assert set((site / "posts").iterdir()) == before


def test_new_takes_categories_site_yaml_lists(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert new("Filed", "--category", "News", "--category", "news") == 0
    path = site / capsys.readouterr().out.strip()
    assert "\ncategories: [news]\n" in path.read_text(encoding="utf-8")
    assert [c.slug for c in read_back(path, config_of(site)).categories] == ["news"]


def test_new_refuses_a_category_site_yaml_does_not_list(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = set((site / "posts").iterdir())
    assert new("Filed", "--category", "newz") == 1
    assert capsys.readouterr().err == (
        "feeds: site.yaml: has no category 'newz' (did you mean 'news'?); use one of news, "
        "or add it under 'categories:' there\n"
    )
    assert set((site / "posts").iterdir()) == before


def test_new_takes_any_category_when_site_yaml_lists_none(tmp_path: Path) -> None:
    (tmp_path / "site.yaml").write_text(
        "title: T\nurl: https://example.org/\ndescription: D.\ntimezone: Europe/Berlin\n",
        encoding="utf-8",
    )
    config = config_of(tmp_path)
    names = ["Machine Learning", "C++", "a: b", "#1", '"quoted"', "Révolution"]
    path = new_post(config, "Filed", NOW, names)
    assert path.parent == tmp_path / "posts"  # created
    assert [c.name for c in read_back(path, config).categories] == names
    with pytest.raises(ScaffoldError, match="has no letters or digits"):
        new_post(config, "Other", NOW, ["!!!"])
    with pytest.raises(ScaffoldError, match="YAML's word for no value"):
        new_post(config, "Other", NOW, ["null"])


def test_new_with_config_from_another_folder(
    site: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(site.parent)
    assert new("Elsewhere", "--config", "site/site.yaml") == 0
    assert re.fullmatch(r"site/posts/\d{4}-\d\d-\d\d-elsewhere\.md\n", capsys.readouterr().out)


def test_new_without_site_yaml_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert new("Hello") == 2
    assert capsys.readouterr().err == (
        "feeds: site.yaml: no such file; create it or pass --config\n"
    )
    assert list(tmp_path.iterdir()) == []


def test_new_with_a_bad_site_yaml_exits_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "site.yaml").write_text("title: T\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert new("Hello") == 1
    assert "site.yaml:1: 'url' is required" in capsys.readouterr().err
    assert [p.name for p in tmp_path.iterdir()] == ["site.yaml"]


def test_the_installed_command(tmp_path: Path) -> None:
    def run(*arguments: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [FEEDS, *arguments], cwd=tmp_path, capture_output=True, text=True, timeout=60
        )

    assert run("init", "blog").returncode == 0
    made = run("new", "--config", "blog/site.yaml", "--", '-1: a "title" #')
    assert made.returncode == 0, made.stderr
    again = run("new", "--config", "blog/site.yaml", "--", '-1: a "title" #')
    assert again.returncode == 1
    assert again.stderr == (
        f"feeds: {made.stdout.strip()}: exists already; choose another title or edit that file\n"
    )
    assert run("new", "x").returncode == 2
    assert run("init", "blog").returncode == 1


# properties


@pytest.fixture(scope="module")
def open_site(tmp_path_factory: pytest.TempPathFactory) -> SiteConfig:
    """A site whose config lists no categories, so that any may be given."""
    root = tmp_path_factory.mktemp("any")
    (root / "site.yaml").write_text(
        "title: T\nurl: https://example.org/\ndescription: D.\n", encoding="utf-8"
    )
    return config_of(root)


def _refused(text: str) -> bool:
    """Whether `feeds new` should refuse this text: nothing in it, or a line break or a
    character no feed can carry."""
    return not text.strip() or any(
        c in "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
        or 0xD800 <= ord(c) <= 0xDFFF
        or c in "\ufffe\uffff"
        or (ord(c) < 0x20 and c != "\t")
        or 0x7F <= ord(c) <= 0x9F
        for c in text.strip()
    )


TEXTS = st.one_of(
    st.text(),  # anything, control characters and line breaks too
    st.text(st.characters(exclude_categories=("Cc", "Cs", "Zl", "Zp"))),  # one line
    st.text(":-?'\"\\#&*!|>%@`[]{},~ \tab1", min_size=1),  # YAML's marks
)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=TEXTS, category=TEXTS)
@example(title="\ufeffBOM", category="\ufeff")
@example(title="a\u00a0b\u200d", category="x\u3000")
@example(title=": - ? ' \" \\ # & * ! | > % @ `", category="- x")
def test_any_title_and_category_round_trip(
    open_site: SiteConfig, title: str, category: str
) -> None:
    try:
        path = new_post(open_site, title, NOW, [category])
    except ScaffoldError:
        event("refused")
        assert (
            _refused(title)
            or _refused(category)
            or not scaffold.term_slug(category.strip())
            or category.strip() in ("null", "Null", "NULL")
        )
        return
    try:
        assert not _refused(title) and not _refused(category)
        assert DATED_NAME.fullmatch(path.name)
        post = read_back(path, open_site)
        assert post.title == title.strip()
        assert [c.name for c in post.categories] == [category.strip()]
        assert post.draft
        event("written")
    finally:
        path.unlink()


@settings(max_examples=500, deadline=None)
@given(
    st.text(
        st.characters(blacklist_categories=["Cs", "Cc"]) | st.sampled_from("\t\n\r\u2028\u2029")
    )
)
def test_quoted_yaml_reads_back_as_written(text: str) -> None:
    """Any text feeds keeps (it drops control characters) survives site.yaml and posts."""
    assert load_mapping(f"a: {scaffold.yaml_quoted(text)}\n")["a"].value == text
