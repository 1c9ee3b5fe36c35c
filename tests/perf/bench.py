#!/usr/bin/env python3
"""Benchmark `feeds build` against Hugo on the shared synthetic corpus, in one run.

    python tests/perf/bench.py [--posts 10000] [--reps 3] [--shared ../shared/bench]

feeds is timed as cron runs it: the `feeds` command of a venv (under --work)
holding this checkout installed as docs/deploy.md's "Compiled install" says (`--pure`: with
plain `pip install .`), reinstalled each time.
For each size: generate (or reuse) the corpus with the shared make_corpus.py,
lay it out for Hugo with the shared peers.py (both imported from --shared, not
copied), then per repetition time, for feeds and for Hugo:

- cold: no output, no cache (every file of the corpus read once just before, so both
  tools find the page cache warm);
- no-change: the same command again;
- one-edit: the newest post's body edited, then the command again (for feeds,
  also which files it rewrote: only the feeds that contain that post).

Prints medians, peak memory (feeds': the proportional set size of all its processes,
sampled every 50 ms, or its main process's maximum resident set where that is more;
Hugo's: its maximum resident set) and the ratio feeds/Hugo, checks after every run
that feeds' output is byte-identical to a cold build's, and writes a JSON
report. Not part of the test run: it takes minutes and needs Hugo
(`apt-get install hugo`; without it, feeds alone is timed).
"""

from __future__ import annotations

import argparse
import contextlib
import filecmp
import importlib.util
import json
import os
import shutil
import statistics
import subprocess
import sys
import threading
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

REPO = Path(__file__).resolve().parents[2]
SCENARIOS = ("cold", "no-change", "one-edit")


def load_peers(shared: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("peers", shared / "peers.py")
    if spec is None or spec.loader is None:
        sys.exit(f"cannot load {shared / 'peers.py'}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def newest_post(corpus: Path, stats: dict[str, Any]) -> Path:
    slug = stats["expected_latest20"]["all"][0]
    return next(corpus.joinpath("posts").rglob(f"{slug}.md"))


def install_feeds(work: Path, *, compiled: bool) -> Path:
    """The `feeds` command of a venv holding this checkout as README tells cron users to
    install it: not editable (an editable install's finder costs each run about 20 ms
    that production never pays), and `compiled` with mypyc. Built from a copy of the
    checkout's files, since hatch-mypyc leaves compiled modules beside its sources."""
    venv, source = work / "venv", work / "source"
    if not (venv / "bin" / "python").exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([venv / "bin" / "python", "-m", "pip", "install", "-q", REPO], check=True)
    shutil.rmtree(source, ignore_errors=True)
    listed = subprocess.run(
        ["git", "-C", REPO, "ls-files", "-z", "-co", "--exclude-standard"],
        check=True,
        capture_output=True,
    )
    for name in filter(None, listed.stdout.decode().split("\0")):
        if (REPO / name).is_file():  # not a file deleted but not yet committed
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, source / name)
    pip_install = [venv / "bin" / "python", "-m", "pip", "install", "-q"]
    env = {**os.environ, "HATCH_BUILD_HOOKS_ENABLE": "1" if compiled else "0"}
    subprocess.run([*pip_install, "--force-reinstall", "--no-deps", source], check=True, env=env)
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)  # else each run compiles feeds (~60 ms)
    return venv / "bin" / "feeds"


class PeakPss:
    """The peak proportional set size of this process's descendants while it runs, in MB:
    a build's worker processes share pages with it after fork, which the proportional
    size counts once, where summing their resident sizes would count them each time.
    Sampled every 50 ms from /proc (Linux); 0 where /proc cannot tell."""

    def __init__(self) -> None:
        self.peak_kb = 0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> PeakPss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        self._thread.join()

    @property
    def peak_mb(self) -> float:
        return self.peak_kb / 1024

    def _sample(self) -> None:
        me = os.getpid()
        while not self._done.wait(0.05):
            self.peak_kb = max(self.peak_kb, sum(map(_pss_kb, _descendants(me))))


def _descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            with contextlib.suppress(OSError, ValueError, IndexError):
                stat = Path(entry.path, "stat").read_text()
                parent = int(stat.rsplit(")", 1)[1].split()[1])
                children.setdefault(parent, []).append(int(entry.name))
    found, stack = [], list(children.get(root, []))
    while stack:
        pid = stack.pop()
        found.append(pid)
        stack += children.get(pid, [])
    return found


def _pss_kb(pid: int) -> int:
    with contextlib.suppress(OSError, ValueError):
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    return 0


def warm_page_cache(*folders: Path) -> None:
    """Read every file once. This VM drops its page cache within minutes, so the first
    tool timed after a pause paid for the disk: at 100,000 posts feeds read 600 MB from
    it and took 18.9 s, then 12.7 s in the next repetition, while Hugo, run just after,
    found the files cached."""
    for folder in folders:
        for directory, _, names in os.walk(folder):
            for name in names:
                with contextlib.suppress(OSError):
                    Path(directory, name).read_bytes()


def same_tree(left: Path, right: Path) -> bool:
    """Every feed file identical (the lock file aside)."""
    names = sorted(p.relative_to(left) for p in left.rglob("*.xml"))
    if names != sorted(p.relative_to(right) for p in right.rglob("*.xml")):
        return False
    return all(filecmp.cmp(left / n, right / n, shallow=False) for n in names)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--posts", "--sizes", dest="sizes", default="10000", help="comma-separated post counts"
    )
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared" / "bench")
    parser.add_argument("--work", type=Path, default=Path("/tmp/feeds-bench"))
    parser.add_argument("--hugo", default="hugo", help="Hugo binary")
    parser.add_argument("--json", type=Path, help="write the results here")
    parser.add_argument("--pure", action="store_true", help="time feeds without mypyc")
    args = parser.parse_args()

    args.feeds = install_feeds(args.work, compiled=not args.pure)
    peers = load_peers(args.shared)
    hugo = peers.Hugo(SimpleNamespace(hugo=args.hugo))
    have_hugo = hugo.available()
    if not have_hugo:
        print(f"note: {args.hugo} not found; timing feeds alone", file=sys.stderr)
    results: dict[str, Any] = {
        "feeds": _version(),
        "compiled": not args.pure,
        "hugo": hugo.version() if have_hugo else None,
        "sizes": {},
    }
    for size in (int(s) for s in args.sizes.split(",")):
        results["sizes"][size] = run_size(size, args, peers, hugo if have_hugo else None)
    print_table(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))


def run_size(size: int, args: argparse.Namespace, peers: ModuleType, hugo: Any) -> dict[str, Any]:
    args.work.mkdir(parents=True, exist_ok=True)
    corpus_dir, stats = peers.ensure_corpus(str(args.work), size, args.seed)
    corpus = Path(corpus_dir)
    logs = args.work / f"logs-{size}"
    logs.mkdir(exist_ok=True)
    out, reference = args.work / f"feeds-out-{size}", args.work / f"feeds-cold-{size}"
    feeds_cmd = [
        str(args.feeds),
        "build",
        "--config",
        str(corpus / "site.yaml"),
        "-v",
        "--out",
    ]
    hugo_site = args.work / f"hugo-{size}"
    if hugo is not None and not hugo_site.exists():
        hugo.layout(str(corpus), str(hugo_site))
    post = newest_post(corpus, stats)
    original = post.read_bytes()
    runs: dict[str, dict[str, list[dict[str, Any]]]] = {
        tool: {s: [] for s in SCENARIOS} for tool in ("feeds", "hugo")
    }
    try:
        for rep in range(args.reps):
            post.write_bytes(original)
            shutil.rmtree(out, ignore_errors=True)
            shutil.rmtree(corpus / ".feeds-cache", ignore_errors=True)
            if hugo is not None:
                hugo.clean(str(hugo_site))
            warm_page_cache(corpus, *([hugo_site] if hugo is not None else []))
            for scenario in SCENARIOS:
                if scenario == "one-edit":
                    post.write_bytes(original + f"\n\nEdited in repetition {rep}.\n".encode())
                tag = f"{scenario}-{rep}"
                with PeakPss() as pss:
                    run = peers.timed(
                        [*feeds_cmd, str(out)], str(logs), f"feeds-{tag}", str(logs), False
                    )
                # A run shorter than a sample interval is one process: its own peak.
                run["peak_pss_mb"] = max(pss.peak_mb, run["max_rss_mb"])
                log_text = (logs / f"feeds-{tag}.log").read_text()
                run["rewrote"] = sorted(
                    line.split(" ", 1)[1]
                    for line in log_text.splitlines()
                    if line.startswith("wrote ")
                )
                shutil.rmtree(reference, ignore_errors=True)
                subprocess.run(
                    [*feeds_cmd[:-2], "-q", "--no-cache", "--out", str(reference)],
                    check=True,
                )
                run["identical_to_cold"] = same_tree(out, reference)
                runs["feeds"][scenario].append(run)
                if hugo is not None:
                    runs["hugo"][scenario].append(
                        peers.timed(
                            hugo.command(str(corpus), str(hugo_site)),
                            str(logs),
                            f"hugo-{tag}",
                            str(hugo_site),
                            False,
                        )
                    )
                print(
                    f"{size} rep {rep} {scenario}: feeds {run['wall_s']:.2f} s"
                    + (f", hugo {runs['hugo'][scenario][-1]['wall_s']:.2f} s" if hugo else ""),
                    file=sys.stderr,
                )
    finally:
        post.write_bytes(original)
    results: dict[str, Any] = {
        tool: {s: summarize(r) for s, r in by_scenario.items() if r}
        for tool, by_scenario in runs.items()
    }
    # Each Hugo run right after feeds' on the same scenario: a pair shares the machine's
    # mood, which drifts by half between runs minutes apart.
    results["ratios"] = {
        scenario: [
            ours["wall_s"] / theirs["wall_s"]
            for ours, theirs in zip(runs["feeds"][scenario], runs["hugo"][scenario], strict=False)
        ]
        for scenario in SCENARIOS
        if runs["hugo"][scenario]
    }
    return results


def summarize(runs: list[dict[str, Any]]) -> dict[str, Any]:
    walls = [r["wall_s"] for r in runs]
    summary = {
        "wall_s": statistics.median(walls),
        "min_s": min(walls),
        "max_s": max(walls),
        "cpu_s": statistics.median(r["user_s"] + r["sys_s"] for r in runs),
        "max_rss_mb": max(r["max_rss_mb"] for r in runs),
        "peak_pss_mb": max(r.get("peak_pss_mb", 0) for r in runs),
        "ok": all(r.get("exit", r.get("rc")) == 0 for r in runs),
    }
    if "rewrote" in runs[0]:
        summary["rewrote"] = runs[-1]["rewrote"]
        summary["identical_to_cold"] = all(r["identical_to_cold"] for r in runs)
    return summary


def print_table(results: dict[str, Any]) -> None:
    kind = "compiled with mypyc" if results["compiled"] else "plain Python"
    print(f"\nfeeds {results['feeds']} ({kind}); hugo: {results['hugo'] or 'not run'}\n")
    print(
        "| posts | scenario | feeds s | feeds CPU s | feeds MB (PSS, all processes) "
        "| hugo s | hugo MB | feeds/hugo | per run: median (range) | feeds files written "
        "| = cold build |"
    )
    print("|---:|---|---:|---:|---:|---:|---:|---:|---|---:|---|")
    for size, tools in results["sizes"].items():
        for scenario in SCENARIOS:
            ours, theirs = tools["feeds"].get(scenario), tools["hugo"].get(scenario)
            if ours is None:
                continue
            ratio = f"{ours['wall_s'] / theirs['wall_s']:.3f}" if theirs else "—"
            pairs = tools.get("ratios", {}).get(scenario)
            per_run = (
                f"{statistics.median(pairs):.3f} ({min(pairs):.3f}–{max(pairs):.3f})"
                if pairs
                else "—"
            )
            hugo_s = f"{theirs['wall_s']:.2f}" if theirs else "—"
            hugo_mb = f"{theirs['max_rss_mb']:.0f}" if theirs else "—"
            print(
                f"| {size} | {scenario} | {ours['wall_s']:.2f} ({ours['min_s']:.2f}–"
                f"{ours['max_s']:.2f}) | {ours['cpu_s']:.2f} | {ours['peak_pss_mb']:.0f} | "
                f"{hugo_s} | {hugo_mb} | {ratio} | {per_run} | {len(ours['rewrote'])} | "
                f"{'yes' if ours['identical_to_cold'] else 'NO'} |"
            )


def _version() -> str:
    from importlib.metadata import version

    return version("feeds")


if __name__ == "__main__":
    main()
