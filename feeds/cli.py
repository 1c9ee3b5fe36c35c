"""The `feeds` command: one parser, the library's results turned into lines and exit codes.

Exit codes: 0 success, 1 invalid input or output that cannot be written,
2 usage error (bad options, no config file), 75 (EX_TEMPFAIL) another run
holds the output folder.

The standard library's argparse, not a larger framework: cron runs `feeds build`
every few minutes, and a run that finds nothing changed should cost little more
than listing the posts.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import NamedTuple, NoReturn

from .model import BuildResult, ConfigNotFoundError, Problem, Severity, display_path

EXIT_INVALID = 1
EXIT_USAGE = 2
EXIT_BUSY = 75
DESCRIPTION = (
    "Publish RSS 2.0, Atom 1.0 and JSON Feed feeds from Markdown posts with YAML front matter."
)
SHOWN_OF_A_KIND = 5
"""Problems of one kind in one file printed before the rest are summed up in a line."""


def run() -> None:
    """The installed command: `main`, then the process ends without tearing the
    interpreter down object by object (the system takes the memory back at once).
    Every file was closed by then, and the output is flushed here."""
    code = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:
        sys.exit(code)
    os._exit(code)


def main(arguments: list[str] | None = None) -> int:
    """Run the command line `arguments` (default: the process's); the exit code. Usage
    errors, --help and --version end the process, as argparse has it."""
    parser = _parser()
    options, extra = parser.parse_known_args(sys.argv[1:] if arguments is None else arguments)
    if options.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    if extra:
        options.parser.error(f"unrecognized arguments: {' '.join(extra)}")
    command: Callable[[argparse.Namespace], int] = options.run
    return command(options)


def build_command(options: argparse.Namespace) -> int:
    started = time.perf_counter()
    previous = signal.signal(signal.SIGTERM, _exit_on_signal)  # so staged files are removed
    try:
        result = _built(
            options.config,
            output_dir=options.out,
            skip_invalid=options.skip_invalid,
            wait=options.wait,
            prune_stale=options.prune,
            use_cache=not options.no_cache,
            ping=options.ping,
            strict_ids=options.strict_ids,
        )
    finally:
        signal.signal(signal.SIGTERM, previous)
    if isinstance(result, int):
        return result
    elapsed = time.perf_counter() - started
    from .told import news

    untold = news(result.out_dir, result.problems)  # every build remembers what it told
    lines = build_lines(
        result._replace(problems=tuple(untold)) if options.quiet else result,
        quiet=options.quiet,
        verbose=options.verbose,
        elapsed=elapsed,
        skip_invalid=options.skip_invalid,
    )
    _print(lines)
    return EXIT_INVALID if result.has_errors else 0


def check_command(options: argparse.Namespace) -> int:
    result = _built(options.config, write=False)
    if isinstance(result, int):
        return result
    _print(problem_lines(result.problems, verbose=options.verbose))
    if result.has_errors:
        return EXIT_INVALID
    print(f"{count(result.posts, 'post')} OK -> {outputs(result)}")
    return 0


def init_command(options: argparse.Namespace) -> int:
    import shlex
    from datetime import UTC, datetime

    from .scaffold import ScaffoldError, init_site, local_timezone

    if options.from_site is not None:
        return _init_from(options)
    try:
        site = init_site(
            options.directory / options.config, datetime.now(UTC), timezone=local_timezone()
        )
    except ScaffoldError as error:
        print(f"feeds: {error}", file=sys.stderr)
        return EXIT_INVALID
    for folder in site.folders:
        print(f"created {display_path(folder)}{os.sep}")
    for path in (site.config, site.example):
        if path is not None:
            print(f"created {display_path(path)}")
    if site.kept is not None:
        print(f"feeds: {display_path(site.kept)}: exists already; kept it", file=sys.stderr)
    root, name = site.config.parent, site.config.name
    step = "feeds build" + ("" if name == "site.yaml" else f" --config {shlex.quote(name)}")
    if root != Path.cwd():
        step = f"cd {shlex.quote(display_path(root))} && {step}"
    print(f"Next: change the values marked CHANGE ME in {display_path(site.config)}, then: {step}")
    return 0


def _init_from(options: argparse.Namespace) -> int:
    """`feeds init --from DIR`: site.yaml for a generator's site, from its configuration."""
    import shlex

    from .migrate import MigrationError, write_site_yaml

    try:
        target, migration = write_site_yaml(options.from_site, options.config.name, url=options.url)
    except MigrationError as error:
        print(f"feeds: {error}", file=sys.stderr)
        return EXIT_INVALID
    print(f"created {display_path(target)} from {display_path(migration.source)}")
    for note in migration.notes:
        print(f"feeds: check: {note}", file=sys.stderr)
    step = "feeds build, then feeds compare <a saved copy of the site's feed>"
    if target.parent.absolute() != Path.cwd():
        step = f"cd {shlex.quote(display_path(target.parent))} && {step}"
    print(f"Next: {step}")
    return 0


def new_command(options: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from .config import load_config
    from .scaffold import ScaffoldError, new_post

    now = datetime.now(UTC)  # the clock, read once
    try:
        config, problems = load_config(options.config)
    except ConfigNotFoundError as error:
        print(f"feeds: {error}", file=sys.stderr)
        return EXIT_USAGE
    if config is None:
        for problem in problems:
            print(problem.format(), file=sys.stderr)
        return EXIT_INVALID
    try:
        path = new_post(config, options.title, now, options.category)
    except ScaffoldError as error:
        print(f"feeds: {error}", file=sys.stderr)
        return EXIT_INVALID
    print(display_path(path))
    print(
        "feeds: the post is a draft, in no feed; write it, then delete its 'draft: true' "
        "line to publish it",
        file=sys.stderr,
    )
    return 0


def compare_command(options: argparse.Namespace) -> int:
    """Each saved feed's entries against the posts as feeds would publish them: a line
    per entry whose id or link feeds changes or that feeds leaves out, then a summary
    per feed; exit 0 only when every entry keeps its id and link and feeds adds no post
    older than the feed's oldest entry (see `compare`). `--skip-invalid`: posts with
    errors count as not published, and do not fail the comparison by themselves."""
    from .compare import compare

    try:
        site, results = compare(options.config, options.feeds)
    except ConfigNotFoundError as error:
        print(f"feeds: {error}", file=sys.stderr)
        return EXIT_USAGE
    _print(problem_lines(site.problems, verbose=False))
    if not site.config_read:
        return EXIT_INVALID
    differs = site.has_errors and not options.skip_invalid
    for result in results:
        if result.unreadable is not None:
            where = display_path(result.feed)
            print(f"{where}: cannot read it as a feed ({result.unreadable})", file=sys.stderr)
            differs = True
            continue
        for finding in result.findings:
            print(finding.format(result.feed))
        for line in result.added_lines():
            print(line)
        print(result.summary())
        differs = differs or bool(result.findings) or bool(result.added)
    return EXIT_INVALID if differs else 0


class Line(NamedTuple):
    """One line for the terminal; problems and notices go to standard error."""

    text: str
    to_stderr: bool = False


def build_lines(
    result: BuildResult, *, quiet: bool, verbose: bool, elapsed: float, skip_invalid: bool
) -> list[Line]:
    """What `feeds build` prints: problems, then what it did, then one summary line.
    Under `quiet`, `result.problems` are those to tell (see `told`)."""
    lines = problem_lines(result.problems, verbose=verbose)
    lines += [
        Line(f"feeds: WebSub hub not told of {url}: {reason}; retrying next run", True)
        for url, reason in result.ping_failures.items()
    ]
    if result.report is not None and not quiet:
        for path in result.stale:
            if result.pruned:
                lines.append(Line(f"{path}: removed stale feed (no published posts)", True))
            else:
                lines.append(
                    Line(
                        f"{path}: stale feed kept: its category has no published posts any "
                        "more; remove it with --prune",
                        True,
                    )
                )
        if verbose:
            lines += [Line(f"wrote {path}") for path in result.report.written]
            lines += [Line(f"unchanged {path}") for path in result.report.unchanged]
            lines += [Line(f"pinged {url}") for url in result.pinged]
        lines.append(
            Line(
                f"{count(result.posts, 'post')} -> {outputs(result)} "
                f"({len(result.report.written)} written, {len(result.report.unchanged)} "
                f"unchanged) in {elapsed:.2f} s"
            )
        )
    if result.has_errors and result.report is None:
        from .ids import IdProblem

        # --skip-invalid leaves out invalid posts; it cannot help when site.yaml is wrong,
        # nor keep an id (see `ids`)
        helps = result.out_dir is not None and not any(
            isinstance(problem, IdProblem) for problem in result.problems
        )
        hint = _SKIP_INVALID_HINT if helps and not skip_invalid else ""
        lines.append(Line(f"feeds: nothing written; fix the errors above{hint}", True))
    return lines


_SKIP_INVALID_HINT = " (or use --skip-invalid to publish the valid posts)"


def problem_lines(problems: Iterable[Problem], *, verbose: bool) -> list[Line]:
    """The problems, but notes (files skipped) only when verbose. Unless verbose, a
    file's problems of one kind (the same message but for the names and numbers in it)
    are shown `SHOWN_OF_A_KIND` at a time, then counted: one post with thousands of
    unknown keys must not print thousands of lines."""
    shown = [problem for problem in problems if verbose or problem.severity is not Severity.NOTE]
    kinds = [(p.path, p.severity, _NAMES_AND_NUMBERS.sub("_", p.message)) for p in shown]
    totals = Counter(kinds)
    seen: Counter[tuple[Path, Severity, str]] = Counter()
    lines = []
    for problem, kind in zip(shown, kinds, strict=True):
        seen[kind] += 1
        if verbose or seen[kind] <= SHOWN_OF_A_KIND:
            lines.append(Line(problem.format(), True))
        if not verbose and seen[kind] == SHOWN_OF_A_KIND < totals[kind]:
            more = totals[kind] - SHOWN_OF_A_KIND
            noun = "errors" if problem.is_error else "warnings"
            where = display_path(problem.path)
            lines.append(
                Line(f"{where}: {more:,} more {noun} like these (-v lists them all)", True)
            )
    return lines


_NAMES_AND_NUMBERS = re.compile(r"'[^']*'|\d+")
"""What tells one problem of a kind from another: the quoted names, the numbers."""


def outputs(result: BuildResult) -> str:
    feeds = count(len(result.feeds), "feed")
    return f"{feeds} and {count(len(result.pages), 'page')}" if result.pages else feeds


def count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _built(config_path: Path, **options: object) -> BuildResult | int:
    """`build`'s result, or the exit code for an error it raised, having said what it is."""
    from .publish import BusyError, PublishError
    from .run import build

    codes = {ConfigNotFoundError: EXIT_USAGE, PublishError: EXIT_INVALID, BusyError: EXIT_BUSY}
    try:
        return build(config_path, **options)  # type: ignore[arg-type]
    except (ConfigNotFoundError, PublishError, BusyError) as error:
        print(f"feeds: {error}", file=sys.stderr)
        return codes[type(error)]


def _exit_on_signal(signum: int, _frame: object) -> None:
    sys.exit(128 + signum)


def _print(lines: list[Line]) -> None:
    for line in lines:
        print(line.text, file=sys.stderr if line.to_stderr else sys.stdout)


class _Parser(argparse.ArgumentParser):
    """Usage errors as `Usage: ...`, a pointer to --help, and what is wrong; exit 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(
            EXIT_USAGE,
            f"Usage: {self.prog} [OPTIONS]{' COMMAND [ARGS]...' if self._subparsers else ''}\n"
            f"Try '{self.prog} --help' for help.\n\nError: {_usage_error(message)}\n",
        )


def _usage_error(message: str) -> str:
    """argparse's message as a person would say it."""
    unknown = "unrecognized arguments: "
    if message.startswith(unknown):
        first = message[len(unknown) :].split()[0]
        if first.startswith("-"):
            return f"No such option '{first}'."
        return f"Got unexpected extra argument ({first})"
    if message.startswith("argument command: invalid choice: "):
        name = message.split("'")[1]
        return f"No such command '{name}'."
    if message.endswith(": expected one argument"):
        option = message.removeprefix("argument ").split(":")[0].split("/")[-1]
        return f"Option '{option}' requires an argument."
    if message.startswith("argument --"):
        option, _, problem = message.removeprefix("argument ").partition(": ")
        return f"Invalid value for '{option.split('/')[-1]}': {problem}."
    return message[0].upper() + message[1:] + ("" if message.endswith(".") else ".")


def _seconds(text: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not seconds >= 0:
        raise argparse.ArgumentTypeError(f"{seconds} is not in the range x>=0")
    return seconds


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="feeds", description=DESCRIPTION)
    parser.add_argument("--version", action=_Version, nargs=0, help="show the version and exit")
    commands = parser.add_subparsers(dest="command", title="commands", parser_class=_Parser)
    build = _command(
        commands,
        build_command,
        "Read the posts and write the feeds, changing only files whose bytes change.",
    )
    build.add_argument(
        "--out",
        type=Path,
        metavar="DIRECTORY",
        help="write feeds here instead of the config's 'output'",
    )
    build.add_argument(
        "--wait",
        type=_seconds,
        default=0.0,
        metavar="SECONDS",
        help="wait this long for another run to finish, else exit 75 (default: 0)",
    )
    for flags, meaning in _BUILD_FLAGS:
        build.add_argument(*flags, action="store_true", help=meaning)
    check = _command(commands, check_command, "Check site.yaml and every post; write nothing.")
    check.add_argument(
        "-v", "--verbose", action="store_true", help="list every file skipped and why"
    )
    init = _command(
        commands, init_command, "Start a new site: a commented site.yaml and an example post."
    )
    init.add_argument(
        "directory",
        nargs="?",
        type=Path,
        default=Path(),
        metavar="DIR",
        help="the site's folder, created if missing (default: this folder)",
    )
    init.add_argument(
        "--from",
        dest="from_site",
        type=Path,
        metavar="DIR",
        help="an existing Jekyll, Hugo, Zola or Eleventy site: write its site.yaml from "
        "the generator's own configuration, keeping links, ids and feed addresses",
    )
    init.add_argument(
        "--url",
        metavar="URL",
        help="with --from: the site's address, if its configuration has none",
    )
    config_option = init._option_string_actions["--config"]
    config_option.help = "the config file to create, in DIR (default: site.yaml)"
    new = _command(
        commands, new_command, "Start a draft post, dated now, in the site's posts folder."
    )
    new.add_argument(
        "title",
        metavar="TITLE",
        help="the post's title, in quotes; after -- if it starts with -: feeds new -- '-1 idea'",
    )
    new.add_argument(
        "--category",
        action="append",
        default=[],
        metavar="NAME",
        help="a category of the post, one site.yaml lists; repeat for more",
    )
    compare = _command(
        commands,
        compare_command,
        "Check a saved copy of the site's current feed against the posts: every entry "
        "must keep its id and link. Writes nothing.",
    )
    compare.add_argument(
        "feeds",
        nargs="+",
        type=Path,
        metavar="FEED",
        help="a feed file as the site publishes it today (Atom, RSS or JSON Feed)",
    )
    compare.add_argument(
        "--skip-invalid",
        action="store_true",
        help="compare with the valid posts; posts with errors count as not published",
    )
    return parser


_BUILD_FLAGS = (
    (("--skip-invalid",), "publish the valid posts even if others have errors (still exits 1)"),
    (("--prune",), "delete feeds of categories that no longer have published posts"),
    (("--no-cache",), "ignore the build cache: read and render everything, in one process"),
    (("--ping",), "tell the WebSub hub (websub_hub in site.yaml) which feeds changed"),
    (
        ("--strict-ids",),
        "publish nothing if a post's entry id would change (a renamed file): see README",
    ),
    (
        ("-q", "--quiet"),
        "print only errors, and each warning once: for cron (see README, Deploy)",
    ),
    (
        ("-v", "--verbose"),
        "list every feed file and what happened to it, and every file skipped and why",
    ),
)


def _command(
    commands: argparse._SubParsersAction[_Parser],
    run: Callable[[argparse.Namespace], int],
    description: str,
) -> argparse.ArgumentParser:
    """A command named after its function (`build_command` is `feeds build`), with the
    --config option every command takes."""
    name = run.__name__.removesuffix("_command")
    summary = description.rstrip(".")
    command = commands.add_parser(
        name, help=summary[0].lower() + summary[1:], description=description
    )
    command.set_defaults(run=run, parser=command)
    command.add_argument(
        "--config",
        type=Path,
        default=Path("site.yaml"),
        metavar="FILE",
        help="the site's config file; posts and output paths are relative to it "
        "(default: site.yaml)",
    )
    return command


class _Version(argparse.Action):
    """Looks the version up only when asked: the lookup costs more than a parse."""

    def __call__(self, parser: argparse.ArgumentParser, *_: object) -> None:
        from importlib.metadata import version

        print(f"feeds, version {version('feeds')}")
        parser.exit()
