"""Property-based tests: whatever editors write, a build either succeeds with valid feeds or
says what is wrong, where, and writes nothing.

Sites are made in throwaway folders inside each example (not in pytest's function-scoped
`tmp_path`, which hypothesis would share between examples). Set FEEDS_PROPERTY_SCALE=10 to
run ten times as many examples when hunting for bugs.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta, timezone
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import yaml
from conftest import BASIC_CONFIG, NOW, Site, check_all, feed_files
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from lxml import etree

from feeds import build
from feeds.config import load_config
from feeds.dates import DateError, instant, parse_date, rfc2822_date
from feeds.model import Category, Post, Problem, display_path
from feeds.plan.streams import plan_streams
from feeds.source.frontmatter import split_front_matter
from feeds.source.keys import READ_KEYS as KNOWN_KEYS
from feeds.source.listing import _post_matcher, list_posts
from feeds.source.post import read_post
from feeds.source.reading import read_posts
from feeds.text import slugify, term_key, term_slug, xml_safe
from feeds.text.fields import NULL

SCALE = max(1, int(os.environ.get("FEEDS_PROPERTY_SCALE", "1")))
ATOM = "{http://www.w3.org/2005/Atom}"
CONTENT_ENCODED = "{http://purl.org/rss/1.0/modules/content/}encoded"


def budget(examples: int) -> settings:
    """Few examples by default (the whole file must stay fast), no per-example deadline."""
    return settings(
        max_examples=examples * SCALE,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.large_base_example],
    )


@contextmanager
def new_site(config: str = BASIC_CONFIG) -> Iterator[Site]:
    with tempfile.TemporaryDirectory(prefix="feeds-property-") as folder:
        site = Site(Path(folder))
        site.write_config(config)
        yield site


def write_post(site: Site, name: str, front: str, body: str = "Some text.\n") -> Path:
    return site.raw_post(f"{name}.md", "---\n" + front + "---\n" + body)


# --- Strategies: text, dates, YAML values -------------------------------------------------

TRICKY_TEXT = st.sampled_from(
    [
        "",
        " ",
        "a: b",
        "#",
        "# not a comment",
        "&anchor",
        "*alias",
        "!tag",
        "%",
        "@",
        "`",
        "|",
        ">",
        "-",
        "---",
        "...",
        "? q",
        ",",
        "[",
        "}",
        "'",
        '"',
        "\\",
        "<b>bold</b>",
        "]]>",
        "<![CDATA[x]]>",
        "&amp;",
        "&#1;",
        "😀",
        "👩🏽\u200d💻",
        "\u202eRTL",
        "שלום עולם",
        "مرحبا",
        "\x00",
        "\x07",
        "\x1b[31m",
        "\x7f",
        "\x85",
        "\u2028",
        "\u2029",
        "\ufeff",
        "\ufffe",
        "\U0001fffe",
        "\t",
        "a\nb",
        "a\r\nb",
        "yes",
        "no",
        "null",
        "~",
        "0x1F",
        "1_000",
        "12:30",
        ".inf",
        "1e3",
        "x" * 300,
    ]
)
ANY_TEXT = st.lists(st.one_of(TRICKY_TEXT, st.text(max_size=12)), max_size=4).map("".join)

# Offsets Python accepts: up to a day, with seconds and microseconds.
ANY_OFFSET = st.timedeltas(
    min_value=-timedelta(hours=23, minutes=59), max_value=timedelta(hours=23, minutes=59)
).map(timezone)
# Offsets RFC 3339 and XML Schema agree on: whole minutes, at most 14 hours.
FEED_OFFSET = st.integers(-14 * 60, 14 * 60).map(lambda m: timezone(timedelta(minutes=m)))
ANY_MOMENT = st.datetimes(
    min_value=datetime(1850, 1, 1),
    max_value=datetime(9999, 12, 31, 23, 59, 59),
    timezones=st.one_of(st.none(), st.just(UTC), FEED_OFFSET, ANY_OFFSET),
)
PAST_MOMENT = st.datetimes(
    min_value=datetime(1900, 1, 2),
    max_value=datetime(2024, 12, 30),
    timezones=st.one_of(st.none(), st.just(UTC), FEED_OFFSET),
)

DATE_SHAPES: list[Callable[[datetime], str]] = [
    lambda m: m.isoformat(),
    lambda m: m.isoformat(" "),
    lambda m: m.isoformat(timespec="minutes"),
    lambda m: m.date().isoformat(),
    lambda m: m.strftime("%Y-%m"),
    lambda m: m.strftime("%B %Y"),
    lambda m: m.strftime("%B %d, %Y"),
    lambda m: m.strftime("%d %b %Y %H:%M %z"),
    lambda m: m.strftime("%a, %d %b %Y %H:%M:%S %z"),
    lambda m: m.strftime("%Y/%m/%d %H:%M"),
    lambda m: m.strftime("%Y-%m-%d %H:%M") + " UTC",
    lambda m: m.strftime("%Y-%m-%d %H:%M") + " CEST",
    lambda m: m.strftime("%Y%m%dT%H%M%S"),
    lambda m: m.strftime("%H:%M"),
    lambda m: str(m.year),
]
GARBAGE_DATES = st.sampled_from(
    [
        "2024-13-01",
        "2024-02-30",
        "0000-01-01",
        "1899-12-31",
        "10000-01-01",
        "2024-05-01T25:00",
        "2024-05-01T09:00:00+24:00",
        "2024-05-01 10:00 +9999",
        "99999999999999999999",
        "today",
        "yesterday at noon",
        "2024-05-01 10:00:60",
        "May 32, 2024",
        "2024-W01-1",
        "2024-123",
        "1e3",
    ]
)


def date_texts(moments: st.SearchStrategy[datetime] = ANY_MOMENT) -> st.SearchStrategy[str]:
    return st.builds(lambda m, shape: shape(m), moments, st.sampled_from(DATE_SHAPES))


SCALARS = st.one_of(
    ANY_TEXT,
    date_texts(),
    GARBAGE_DATES,
    st.integers(),
    st.floats(),
    st.booleans(),
    st.none(),
    st.dates(min_value=date(1800, 1, 1)),
    ANY_MOMENT,  # safe_dump writes these as YAML timestamps
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(ANY_TEXT, inner, max_size=3)
    ),
    max_leaves=8,
)
KEYS = st.one_of(st.sampled_from(KNOWN_KEYS), ANY_TEXT)

# A post that can build: half the generated front matter starts from one, so that the
# valid path (and the feeds it writes) is exercised as well as the error paths.
PLAUSIBLE = st.fixed_dictionaries(
    {"title": st.one_of(ANY_TEXT, st.text(min_size=1)), "date": date_texts(PAST_MOMENT)}
)


@st.composite
def dumped_front_matter(draw: st.DrawFn) -> str:
    """A mapping serialized by PyYAML: always valid YAML, any values."""
    mapping: dict[str, object] = draw(st.one_of(PLAUSIBLE, st.just({})))
    mapping = dict(mapping)
    for key, value in draw(st.lists(st.tuples(KEYS, VALUES), max_size=5)):
        mapping[key] = value
    return yaml.safe_dump(
        mapping,
        allow_unicode=True,
        sort_keys=draw(st.booleans()),
        default_flow_style=False,  # block style at the top: one key per line
        width=draw(st.sampled_from([20, 80, 1000])),
    )


ONE_LINE = ANY_TEXT.map(lambda s: s.replace("\n", " ").replace("\r", " "))
RAW_KEYS = st.one_of(
    st.sampled_from(KNOWN_KEYS), st.from_regex(r"[A-Za-z_][A-Za-z0-9_-]{0,8}", fullmatch=True)
)
RAW_VALUES = st.one_of(
    ONE_LINE,  # unquoted: may well not be YAML
    date_texts(),
    GARBAGE_DATES,
    st.lists(ONE_LINE, max_size=3).map(lambda xs: "[" + ", ".join(xs) + "]"),
    st.lists(ONE_LINE, max_size=3).map(lambda xs: "".join("\n- " + x for x in xs)),
    st.sampled_from(
        [
            "|\n  literal\n  text",
            ">\n  folded\n  text",
            "{name: Jo Doe, email: jo@example.org}",
            "Jo Doe <jo@example.org>",
            "{name: Jo, email: not-an-email}",
            "&a anchored",
            "*a",
            "*undefined",
            "!!python/object/apply:os.system [echo hi]",
            "!!str 12",
            "!!binary aGVsbG8=",
            "!custom x",
            "'single ''quoted'''",
            '"double \\" quoted \\u263A \\x07"',
            "[yes, no, on, off, ~]",
            "true",
            "no",
            "http://[x",
            "https://example.org/elsewhere/",
            "tag:example.org,2024:x",
            "javascript:alert(1)",
            "relative/path with space",
        ]
    ),
)
ALIAS_BOMB = "".join(
    f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 4 if i else ["x"] * 4) + "]\n" for i in range(8)
)


@st.composite
def raw_front_matter(draw: st.DrawFn) -> str:
    """Hand-written YAML: unquoted scalars, repeated keys, anchors, tags, broken syntax."""
    lines = []
    if draw(st.booleans()):
        plausible = draw(PLAUSIBLE)
        lines += [f"title: {plausible['title']}".replace("\n", " "), f"date: {plausible['date']}"]
    lines += [f"{k}: {v}" for k, v in draw(st.lists(st.tuples(RAW_KEYS, RAW_VALUES), max_size=6))]
    lines = draw(st.permutations(lines))
    if draw(st.integers(0, 20)) == 0:
        lines.append(ALIAS_BOMB)
    return "".join(line + "\n" for line in lines)


FRONT_MATTER = st.one_of(dumped_front_matter(), raw_front_matter())
POST_NAMES = ["post", "POST", "second-post", "Third Post", "日本", "émile", "2024-05-01-a"]
CONFIGS = [
    BASIC_CONFIG,
    BASIC_CONFIG
    + "timezone: Asia/Kathmandu\npermalink: /{category}/{year}/{month}/{day}/{slug}/\n",
    BASIC_CONFIG + "categories:\n  news: News\n  reviews:\n    title: Reviews\n",
    BASIC_CONFIG + "summary_only: true\nmax_items: 2\nauthor: Jo Doe <jo@example.org>\n",
]

# --- Checking problems --------------------------------------------------------------------

PROBLEM = re.compile(
    r"(?P<path>posts/[^\n]+?\.md)(?::(?P<line>\d+))?: (?P<warning>warning: )?(?P<message>.+)",
    re.DOTALL,
)
FIELD_MESSAGE = re.compile("'(?P<key>" + "|".join(KNOWN_KEYS) + r")(\.\w+)?'")
TWICE = re.compile(r"'(?P<key>[A-Za-z_][\w-]*)' is given twice, on lines (?P<first>\d+) and")
CLOSING_FENCE = re.compile(r"^(---|\.\.\.)[ \t]*$")


def check_problem(problem: Problem, site: Site, texts: dict[str, str]) -> None:
    """`path:line: message`, the line pointing into the front matter at what it blames."""
    shown = problem.format(relative_to=site.root)
    match = PROBLEM.fullmatch(shown)
    assert match, shown
    assert match["path"] in texts, shown
    # Every problem here is about one file's content, so it must name a line.
    assert match["line"] is not None, shown
    line = int(match["line"])
    lines = texts[match["path"]].split("\n")
    closing = next(i for i in range(1, len(lines)) if CLOSING_FENCE.match(lines[i]))
    # Line 1 (the opening fence) is for what is missing; otherwise a front matter line, or
    # the closing fence for YAML that ends too soon (an unclosed bracket or quote).
    last = closing + 1 if match["message"].startswith("YAML syntax error") else closing
    assert 1 <= line <= max(1, last), f"{shown}\n(front matter is lines 2-{closing})"
    field = FIELD_MESSAGE.match(match["message"])
    if field and line != 1:
        assert lines[line - 1].startswith(field["key"] + ":"), (shown, lines[line - 1])
    twice = TWICE.match(match["message"])
    if twice:
        for number in (line, int(twice["first"])):
            assert lines[number - 1].startswith(twice["key"] + ":"), (shown, lines[number - 1])


# --- 1. Front matter ----------------------------------------------------------------------


def one_post(front: str, config: str = BASIC_CONFIG) -> example:
    """An explicit example for the front matter property: one post, skip_invalid off."""
    return example(posts=[("post", front)], config=config, skip_invalid=False)


# Failures found by this property, pinned so they fail first and fast until fixed:
@one_post("title: T\ndate: 2024-05-01\nupdated: 9999-12-31T23:00:00-05:00\n")  # OverflowError
@one_post("title: T\ndate: 2024-05-01\nlink: 'http://[x'\n")  # ValueError: Invalid IPv6 URL
@one_post('title: "\\e"\ndate: 2024-05-01\n')  # a YAML escape makes a control character
@one_post("title: T\ndate: 2024-05-01\ncategories: [" + "x" * 256 + "]\n")  # PublishError
@one_post("title: T\ndate: 2024-05-01T09:00:00+02:00:30\n")  # Atom date not xsd:dateTime
@one_post("title: T\ndate: 1919-01-01\n", BASIC_CONFIG + "timezone: Asia/Kathmandu\n")  # LMT
@one_post("title: T\ndate: 2024-05-01T09:00:00+15:00\n")  # beyond xsd:dateTime's +-14:00
@one_post("title: a\ntitle: b\ndate: 2024-05-01\n")  # "first on line 1": it is line 2
@one_post('title: "a\u2028b"\ndate: []\n')  # U+2028 shifts YAML's line numbers
@budget(300)
@given(
    posts=st.lists(
        st.tuples(st.sampled_from(POST_NAMES), FRONT_MATTER),
        min_size=1,
        max_size=3,
        unique_by=lambda post: post[0],
    ),
    config=st.sampled_from(CONFIGS),
    skip_invalid=st.booleans(),
)
def test_any_front_matter_builds_valid_feeds_or_reports_where(
    posts: list[tuple[str, str]], config: str, skip_invalid: bool
) -> None:
    """Editors write anything between the fences. Whatever it is, the build must not crash;
    it either reports errors as `path:line: message` (the line pointing into the front
    matter, at the key blamed) and writes nothing, or writes feeds that validate.
    """
    with new_site(config) as site:
        texts = {}
        for name, front in posts:
            path = write_post(site, name, front)
            texts[path.relative_to(site.root).as_posix()] = path.read_text(encoding="utf-8")
        result = build(site.config, now=NOW, skip_invalid=skip_invalid)
        for problem in result.problems:
            check_problem(problem, site, texts)
        if result.has_errors and not skip_invalid:
            assert not result.published
            assert not site.output.exists()
            return
        files = feed_files(site.output)
        assert set(result.feeds) <= set(files)
        if files:
            check_all(files)


# --- 2. Bodies ----------------------------------------------------------------------------

BODY_BITS = st.sampled_from(
    [
        "<script>alert(1)</script>",
        "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
        '<iframe src="https://evil.example/"></iframe>',
        "<img src=x onerror=alert(1)>",
        '<a href="javascript:alert(1)">click</a>',
        '<a onclick="alert(1)" href="/ok">ok</a>',
        '<a href="jav&#x09;ascript:alert(1)">tab</a>',
        '<a href=" JaVaScRiPt:alert(1)">case</a>',
        '<a href="data:text/html,<script>x</script>">data</a>',
        "[js](javascript:alert(1))",
        "[rel](../other/)",
        "[root](/about/)",
        "[q](?page=2#top)",
        "![img](pics/a.png)",
        "<div style=\"color:red\" onmouseover='alert(1)'>hover</div>",
        "<svg onload=alert(1)><circle/></svg>",
        "<object data=x></object>",
        "<embed src=x>",
        "<style>body{}</style>",
        "<form action=javascript:alert(1)><input><button>b</button></form>",
        "<details><summary>s</summary>x</details>",
        "<!--more-->",
        "<!-- more -->",
        "<!-- a comment -->",
        "]]>",
        "<![CDATA[",
        "\x00",
        "\x01",
        "\x0b",
        "\x1b",
        "\x7f",
        "\ufffe",
        "&#0;",
        "&#1;",
        "&#x1F;",
        "&#127;",
        "&#xD800;",
        "&#xFFFE;",
        "&#xFFFF;",
        "&#x10FFFF;",
        "&amp;",
        "&lt;script&gt;",
        "&#x26;#x3C;script",
        "# Heading",
        "* item",
        "1. one",
        "> quote",
        "```\ncode <script>alert(1)</script>\n```",
        "    indented <script>",
        "| a | b |\n|---|---|\n| 1 | 2 |",
        "~~strike~~",
        "**bold** _em_ `code`",
        "x" * 500,
        "😀",
        "\u202e",
        "---",
        "...",
        "\r\n",
        "\r",
        "\u2028",
    ]
)
SEPARATORS = st.sampled_from(["", " ", "\n", "\n\n"])
BODIES = st.lists(
    st.tuples(st.one_of(BODY_BITS, st.text(max_size=20)), SEPARATORS), max_size=12
).map(lambda parts: "".join(bit + sep for bit, sep in parts))
URL_ATTRIBUTES = frozenset(
    {"href", "src", "cite", "action", "formaction", "data", "poster", "background", "srcset"}
)
UNSAFE_TAGS = frozenset(
    {"script", "iframe", "object", "embed", "style", "form", "input", "button", "base", "meta"}
)


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


def check_safe_html(markup: str) -> None:
    """No script can run from this HTML, and every link and image is absolute.

    Text may mention `javascript:` or `onclick` (a post about them must be able to);
    what must not survive is a tag, an event handler attribute or a `javascript:` URL.
    """
    assert "<script" not in markup.lower(), markup
    parser = _Tags()
    parser.feed(markup)
    parser.close()
    for tag, attributes in parser.tags:
        assert tag not in UNSAFE_TAGS, markup
        for name, value in attributes:
            assert not name.startswith("on"), markup
            if name in URL_ATTRIBUTES or "href" in name:
                squeezed = "".join(c for c in value or "" if c.isprintable() and not c.isspace())
                assert not squeezed.lower().startswith(("javascript:", "data:")), markup
                assert urlsplit(value or "").scheme in ("http", "https", "mailto"), markup


@example(body="&#1;", summary_only=False)  # ValueError from lxml: control character
@example(body="&#xFFFE;", summary_only=False)  # UnicodeDecodeError inside cmarkgfm
@budget(200)
@given(body=BODIES, summary_only=st.booleans())
def test_any_body_builds_valid_and_safe_feeds(body: str, summary_only: bool) -> None:
    """Bodies are written by people pasting from anywhere. With valid front matter, any body
    must give feeds that validate, whose HTML content runs no script, and whose links work
    away from the site; an RSS description beside the content is the summary as text.
    """
    config = BASIC_CONFIG + ("summary_only: true\n" if summary_only else "excerpt_words: 7\n")
    with new_site(config) as site:
        write_post(site, "post", "title: Body test\ndate: 2024-05-01T09:00:00+02:00\n", body)
        result = build(site.config, now=NOW)
        assert not result.problems, [p.format() for p in result.problems]
        files = site.files()
        parsed = check_all(files)
        atom = etree.fromstring(files["atom.xml"])
        for content in atom.iter(f"{ATOM}content"):
            assert content.get("type") == "html"
            check_safe_html(content.text or "")
        for entry in parsed["atom.xml"].entries:
            for content in entry.get("content", []):
                check_safe_html(content.value)
        rss = etree.fromstring(files["rss.xml"])
        for item in rss.iter("item"):
            encoded = item.findtext(CONTENT_ENCODED)
            description = item.findtext("description")
            if encoded is not None:
                check_safe_html(encoded)
            if description is not None:
                # HTML by convention: the escaped summary, or the content when there is none.
                check_safe_html(description)
                if encoded is not None:
                    assert "<" not in description, description


# --- 3. Determinism -----------------------------------------------------------------------

# Texts without the characters XML forbids: what those do is the first property's business,
# and a crash found here would only hide what these tests are about.
PLAIN_TEXT = st.lists(
    st.one_of(
        st.sampled_from([": ", "#", "&", "<b>", "]]>", "'", '"', "😀", "\u202eRTL", "\u2028"]),
        st.text(
            st.characters(exclude_categories=("Cs", "Cc"), exclude_characters="\ufffe\uffff"),
            max_size=12,
        ),
    ),
    max_size=4,
).map("".join)
OPTIONAL_FIELDS = st.fixed_dictionaries(
    {},
    optional={
        "updated": date_texts(PAST_MOMENT),
        "tags": st.lists(PLAIN_TEXT, max_size=3),
        "categories": st.lists(st.sampled_from(["News", "news", "Reviews", "Café"]), max_size=2),
        "author": st.sampled_from(["Jo Doe", "Jo Doe <jo@example.org>", "Ann <ann@example.org>"]),
        "summary": PLAIN_TEXT,
        "draft": st.sampled_from(["true", "false", "yes"]),
    },
)
# Posts with problems, so that the order and wording of messages are compared too.
BROKEN_FRONT_MATTER = st.sampled_from(
    [
        "title: No date\n",
        "title: Vague\ndate: May 2024\n",
        "title: Typo\ndate: 2024-05-01\ncatgories: [news]\n",
        "title: [unclosed\n",
        "title: Same slug\ndate: 2024-05-01\nslug: same\n",
        "title: Same id\ndate: 2024-05-01\nid: tag:example.org,2024:same\n",
    ]
)
SITE_POSTS = st.lists(
    st.tuples(
        st.from_regex(r"[a-z][a-z0-9]{0,10}", fullmatch=True),
        st.fixed_dictionaries({"title": PLAIN_TEXT, "date": date_texts(PAST_MOMENT)}),
        OPTIONAL_FIELDS,
    ),
    min_size=1,
    max_size=5,
    unique_by=lambda post: post[0],
).map(
    lambda posts: [
        (name, yaml.safe_dump({**required, **optional}, allow_unicode=True))
        for name, required, optional in posts
    ]
)
SITE_ZONES = st.sampled_from(
    ["", "timezone: Europe/Berlin\n", "timezone: Asia/Kathmandu\n", "timezone: America/St_Johns\n"]
)


def built_tree(site: Site, out: Path) -> tuple[list[str], dict[str, bytes]]:
    """Messages (with the site folder's name taken out) and files of one in-process build."""
    result = build(site.config, output_dir=out, now=NOW, skip_invalid=True)
    # A message naming another file shows it as users see it: relative when the
    # site is below the working folder (a run from /tmp), else whole.
    shown = {str(site.root), display_path(site.root)}
    messages = [p.format(relative_to=site.root) for p in result.problems]
    for root in sorted(shown, key=len, reverse=True):  # the whole path before its tail
        messages = [message.replace(root, "<root>") for message in messages]
    return messages, feed_files(out)


@budget(60)
@given(
    posts=SITE_POSTS,
    broken=st.lists(BROKEN_FRONT_MATTER, max_size=3),
    data=st.data(),
)
def test_same_posts_give_the_same_bytes_whatever_the_file_order(
    posts: list[tuple[str, str]], broken: list[str], data: st.DataObject
) -> None:
    """Cron rebuilds must not rewrite unchanged feeds (readers would refetch them), so equal
    input must give equal bytes and equal messages: built twice, and built from files
    created in another order (directory listings follow creation order on some file systems).
    """
    posts = posts + [(f"broken-{i}", front) for i, front in enumerate(broken)]
    shuffled = data.draw(st.permutations(posts))
    with new_site() as first, new_site() as second:
        for name, front in posts:
            write_post(first, name, front)
        for name, front in shuffled:
            write_post(second, name, front)
        once = built_tree(first, first.root / "out-1")
        twice = built_tree(first, first.root / "out-2")
        other_order = built_tree(second, second.root / "out")
    assert once == twice
    assert once == other_order


def run_cli(config: Path, out: Path, zone: str) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "feeds", "build", "--config", str(config), "--out", str(out)]
    return subprocess.Popen(
        [*command, "--quiet"],
        env={**os.environ, "TZ": zone},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


# POSIX TZ strings need no zone database; CEST-2 also makes "CEST" this machine's name.
MACHINE_ZONES = ("UTC0", "CEST-2", "NPT-5:45", "NST3:30NDT,M3.2.0,M11.1.0")


@budget(8)
@given(posts=SITE_POSTS, zone=SITE_ZONES, dates=st.lists(date_texts(PAST_MOMENT), max_size=3))
def test_machine_time_zone_changes_nothing(
    posts: list[tuple[str, str]], zone: str, dates: list[str]
) -> None:
    """The same site built on machines in different time zones (TZ) gives the same messages
    and the same bytes. The CLI reads the real clock, so every date is before 2025.
    """
    posts = posts + [(f"dated-{i}", f"title: Dated\ndate: {d}\n") for i, d in enumerate(dates)]
    with new_site(BASIC_CONFIG + zone) as site:
        for name, front in posts:
            write_post(site, name, front)
        runs = [
            run_cli(site.config, site.root / f"out-{i}", z) for i, z in enumerate(MACHINE_ZONES)
        ]
        outcomes = []
        try:
            for i, process in enumerate(runs):
                _, stderr = process.communicate(timeout=60)
                outcomes.append((process.returncode, stderr, feed_files(site.root / f"out-{i}")))
        finally:
            for process in runs:
                if process.poll() is None:
                    process.kill()
                    process.wait()
        in_process = built_tree(site, site.root / "in-process")[1]
    assert all(outcome == outcomes[0] for outcome in outcomes[1:]), MACHINE_ZONES
    returncode, stderr, files = outcomes[0]
    assert returncode in (0, 1) and "Traceback" not in stderr, stderr
    if returncode == 0:
        assert files == in_process


# Posts around NOW, some scheduled, so that time passing between builds changes the feeds.
CACHE_FRONT_MATTER = st.one_of(
    st.builds(
        lambda title, hours, offset, extra: (
            f"title: {title}\ndate: {(NOW + timedelta(hours=hours)).astimezone(offset).isoformat()}"
            f"\n{extra}"
        ),
        st.from_regex(r"[A-Z][a-z]{0,8}", fullmatch=True),
        st.integers(-24 * 30, 24 * 30),
        FEED_OFFSET,
        st.sampled_from(["", "categories: [news]\n", "categories: [reviews]\n", "draft: true\n"]),
    ),
    BROKEN_FRONT_MATTER,
)
CACHE_BODIES = st.sampled_from(["Some text.\n", "Other text.\n", "", "# Head\n\n[rel](x/)\n"])
EDITS = st.one_of(
    st.tuples(st.just("rewrite"), st.integers(0, 9), CACHE_FRONT_MATTER, CACHE_BODIES),
    st.tuples(st.just("same size, same mtime"), st.integers(0, 9)),
    st.tuples(st.just("delete"), st.integers(0, 9)),
    st.tuples(st.just("add"), st.from_regex(r"[a-z]{1,6}", fullmatch=True), CACHE_FRONT_MATTER),
    st.tuples(st.just("age"), st.integers(0, 9)),
)


def age(path: Path) -> None:
    """Date a file an hour back, so the cache trusts its stat (it re-reads fresh files)."""
    past = time.time_ns() - 3600 * 10**9
    os.utime(path, ns=(past, past))


def apply_edit(site: Site, edit: tuple) -> None:
    posts = sorted(site.posts.glob("*.md"))
    if edit[0] == "add":
        age(write_post(site, edit[1], edit[2]))
        return
    if not posts:
        return
    path = posts[edit[1] % len(posts)]
    if edit[0] == "rewrite":
        write_post(site, path.stem, edit[2], edit[3])
    elif edit[0] == "same size, same mtime":
        # What `cp -p`, `rsync -t` or `touch -r` do: new bytes, old size and mtime.
        status = path.stat()
        data = bytearray(path.read_bytes())
        data[-2] = ord("x") if data[-2] != ord("x") else ord("y")
        path.write_bytes(bytes(data))
        os.utime(path, ns=(status.st_atime_ns, status.st_mtime_ns))
    elif edit[0] == "delete":
        path.unlink()
    else:
        age(path)


@budget(40)
@given(
    posts=st.lists(
        st.tuples(st.from_regex(r"[a-z]{1,6}", fullmatch=True), CACHE_FRONT_MATTER),
        max_size=6,
        unique_by=lambda post: post[0],
    ),
    steps=st.lists(
        st.tuples(st.lists(EDITS, max_size=3), st.integers(0, 24 * 20)), min_size=1, max_size=3
    ),
)
def test_cached_builds_equal_cold_builds(
    posts: list[tuple[str, str]], steps: list[tuple[list[tuple], int]]
) -> None:
    """The build cache may save work, never change a result: after any edits (also ones that
    keep a file's size and mtime), and as time passes and scheduled posts fall due, a build
    that uses the cache (twice: the second one replays) reports and writes exactly what a
    cold build does in a copy of the output folder as that build found it (which holds
    the feeds subscribers have, that the new ones are checked against).
    """
    with new_site() as site:
        for name, front in posts:
            age(write_post(site, name, front))
        now = NOW - timedelta(days=10)
        for step, (edits, hours) in enumerate(steps):
            for edit in edits:
                apply_edit(site, edit)
            now += timedelta(hours=hours)
            warm_dir = site.root / "warm"
            for run in ("cached", "replayed"):
                cold_dir = site.root / f"cold-{step}-{run}"
                if warm_dir.exists():
                    shutil.copytree(warm_dir, cold_dir)
                outcomes = []
                for out, use_cache in ((warm_dir, True), (cold_dir, False)):
                    result = build(
                        site.config,
                        output_dir=out,
                        now=now,
                        skip_invalid=True,
                        prune_stale=True,
                        use_cache=use_cache,
                    )
                    messages = [p.format(relative_to=site.root) for p in result.problems]
                    outcomes.append((messages, result.feeds, result.posts, feed_files(out)))
                assert outcomes[0] == outcomes[1], f"step {step}: {run} build differs from cold"


# Category lists and authors as editors write them: the same ones many times over, some
# with problems (unknown, no letters, not text), some empty or spelt differently.
REPEATED_TERMS = st.sampled_from(["news", "News", "reviews", "x", "nope", "!!!", "", " news "])
REPEATED_VALUES = st.one_of(
    REPEATED_TERMS.map(lambda term: f"'{term}'"),
    st.lists(REPEATED_TERMS, max_size=3).map(lambda terms: repr(terms).replace('"', "'")),
    st.just("{name: x}"),
    st.just("[[a], b]"),
)
PADDING = ["summary: s\n", "tags: [t]\n"]
REPEATED_AUTHORS = st.sampled_from(
    ["jo", "Jo Doe <jo@example.org>", "''", "[jo, Al]", "[jo, {name: Al}]", "{email: x}", "[[x]]"]
)


@example([("'nope'", "jo", "")] * 2)  # a problem is never reused for another post
@example([("news", "jo", ""), ("news", "jo", "categories: [reviews]\n")])  # two keys: merged
@budget(60)
@given(
    st.lists(
        st.tuples(REPEATED_VALUES, REPEATED_AUTHORS, st.sampled_from(["", "categories: [x]\n"])),
        min_size=1,
        max_size=8,
    )
)
def test_a_run_checks_repeated_values_once_with_the_same_outcome(
    posts: list[tuple[str, str, str]],
) -> None:
    """Posts of one run that write the same category list or author are checked once
    (see source.keys.Key); every post still gets exactly the post and the problems it
    would get read on its own, problems on its own line included."""
    config = BASIC_CONFIG + "categories:\n  news: {title: News}\n  reviews: {title: Reviews}\n"
    config += "  x: {title: X}\n"
    config += "authors:\n  jo: {name: Jo Doe}\n"
    with new_site(config) as site:
        for number, (category, author, categories) in enumerate(posts):
            padding = "".join(PADDING[: number % 3])  # the same values on other lines
            front = f"title: T{number}\ndate: 2024-05-01\n{padding}category: {category}\n"
            write_post(site, f"p{number}", front + f"{categories}author: {author}\n")
        loaded, _ = load_config(site.config)
        assert loaded is not None
        together = read_posts(loaded)  # one run: what one post checked, the next reuses
        alone = [read_post(post_file.path, loaded) for post_file in list_posts(loaded).files]
    assert [post for post, _ in alone if post is not None] == list(together.posts)
    assert [p.format() for _, problems in alone for p in problems] == [
        p.format() for p in together.problems
    ]


# --- 4. Ordering and limits ---------------------------------------------------------------

INSTANTS = st.one_of(
    st.sampled_from(
        [
            NOW,
            NOW - timedelta(seconds=1),
            NOW + timedelta(seconds=1),
            NOW - timedelta(days=1),
            NOW + timedelta(days=400),
            datetime(2020, 2, 29, 12, tzinfo=UTC),
            datetime(1999, 12, 31, 23, 59, 59, tzinfo=UTC),
        ]
    ),
    st.datetimes(
        min_value=datetime(1901, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(UTC)
    ),
)


@st.composite
def timed_posts(draw: st.DrawFn) -> list[dict[str, object]]:
    slugs = draw(
        st.lists(st.from_regex(r"[a-z][a-z0-9]{0,4}", fullmatch=True), max_size=12, unique=True)
    )
    posts = []
    for slug in slugs:
        instant = draw(INSTANTS)
        offset = draw(st.one_of(st.none(), FEED_OFFSET))  # None: no offset, site zone UTC
        written = (
            instant.replace(tzinfo=None).isoformat()
            if offset is None
            else instant.astimezone(offset).isoformat()
        )
        posts.append(
            {
                "slug": slug,
                "instant": instant,
                "date": written,
                "draft": draw(st.sampled_from([None, "false", "true", "yes", "on"])),
                "category": draw(st.sampled_from([None, "news", "reviews"])),
            }
        )
    return posts


@budget(100)
@given(posts=timed_posts(), max_items=st.integers(1, 15))
def test_feeds_hold_the_newest_published_posts_in_order(
    posts: list[dict[str, object]], max_items: int
) -> None:
    """Each feed holds exactly min(max_items, published) entries, newest instant first and
    equal instants (whatever offset they were written in) by slug; drafts and posts dated
    after now never appear. Readers show entries in feed order and drop what falls off.
    """
    with new_site(BASIC_CONFIG + f"max_items: {max_items}\n") as site:
        for post in posts:
            front = f"title: {post['slug']}\ndate: {post['date']}\n"
            if post["draft"]:
                front += f"draft: {post['draft']}\n"
            if post["category"]:
                front += f"categories: [{post['category']}]\n"
            write_post(site, str(post["slug"]), front)
        result = build(site.config, now=NOW)
        assert not result.problems, [p.format() for p in result.problems]
        files = site.files()

    visible = sorted(
        (p for p in posts if p["draft"] in (None, "false") and p["instant"] <= NOW),
        key=lambda p: (-p["instant"].timestamp(), p["slug"]),
    )
    expected = {"": [p["slug"] for p in visible][:max_items]}
    for category in ("news", "reviews"):
        members = [p["slug"] for p in visible if p["category"] == category]
        if members:
            expected[f"categories/{category}/"] = members[:max_items]
    atom_feeds = sorted(name for name in files if name.endswith("atom.xml"))
    if not visible:
        assert atom_feeds == [] and result.feeds == ()
        return
    parsed = check_all(files)
    assert atom_feeds == sorted(directory + "atom.xml" for directory in expected)
    for directory, slugs in expected.items():
        for name in ("atom.xml", "rss.xml"):
            assert [e.title for e in parsed[directory + name].entries] == slugs, directory + name


SPELLINGS = st.sampled_from(["iOS", "ios", "i-OS", "News", "news", "Big Ideas", "big-ideas"])


@budget(150)
@given(st.lists(st.tuples(st.lists(SPELLINGS, max_size=3), st.lists(SPELLINGS, max_size=3))))
def test_term_feeds_hold_every_spelling_under_the_most_common_one(
    terms: list[tuple[list[str], list[str]]],
) -> None:
    """A category or tag written several ways (`iOS`, `ios`, `i-OS`) is one feed: it holds
    every post that names it in any spelling, newest first, at the slug and under the
    name most of those posts use (ties: alphabetically first). Checked against counting
    post by post."""
    with new_site(BASIC_CONFIG + "tag_feeds: true\nmax_items: 100\n") as site:
        config, _ = load_config(site.config)
    assert config is not None
    posts = []
    for number, (category_names, tags) in enumerate(terms):
        moment = NOW - timedelta(days=number)
        categories: dict[str, Category] = {}  # as the reader keeps them: first spelling
        for name in category_names:
            categories.setdefault(term_key(name), Category(term_slug(name), name))
        slug = f"post-{number}"
        posts.append(
            Post(
                *(f"{slug}.md", (0, 0, 0, 0), slug, f"tag:x,2024:{slug}", slug, slug),
                *(moment, instant(moment), moment, tuple(categories.values())),
                *(tuple(dict.fromkeys(tags)), None, None, 4),
            )
        )
    streams = {s.directory: s for s in plan_streams(posts, config, NOW).feeds}
    expected = {}
    for section, terms_of in (
        ("categories", lambda post: [(c.slug, c.name) for c in post.categories]),
        ("tags", lambda post: [(term_slug(tag), tag) for tag in post.tags]),
    ):
        members: dict[str, list[str]] = {}
        names: dict[str, Counter[str]] = {}
        slugs: dict[str, Counter[str]] = {}
        for post in posts:  # newest first already
            for key, (slug, name) in {term_key(s): (s, n) for s, n in terms_of(post)}.items():
                members.setdefault(key, []).append(post.slug)
                names.setdefault(key, Counter())[name] += 1
                slugs.setdefault(key, Counter())[slug] += 1
        for key, posts_of_term in members.items():
            slug = min(slugs[key], key=lambda s, key=key: (-slugs[key][s], s))
            name = min(names[key], key=lambda n, key=key: (-names[key][n], n))
            title = name if section == "categories" else f"#{name}"
            expected[f"{section}/{slug}/"] = (f"Test Site: {title}", posts_of_term)
    found = {
        directory: (stream.title, [post.slug for post in stream.posts])
        for directory, stream in streams.items()
        if directory
    }
    assert found == expected


@budget(100)
@given(count=st.integers(0, 50), size=st.integers(1, 7), archives=st.booleans())
def test_archive_pages_hold_every_older_post_once_oldest_first(
    count: int, size: int, archives: bool
) -> None:
    """RFC 5005 pages, made one at a time from a stream's `Archive`: page k holds posts
    (k-1)N+1..kN counted from the oldest, pages chain by prev/next-archive, and the
    subscription feed links to the newest, holding every post no full page holds yet."""
    config_text = BASIC_CONFIG + f"max_items: {size}\narchives: {str(archives).lower()}\n"
    with new_site(config_text) as site:
        config, _ = load_config(site.config)
    assert config is not None
    posts = []
    for number in range(count):  # oldest first
        moment, slug = NOW - timedelta(days=count - number), f"post-{number}"
        posts.append(
            Post(
                *(f"{slug}.md", (0, 0, 0, 0), slug, f"tag:x,2024:{slug}", slug, slug),
                *(moment, instant(moment), moment, ()),
                *((), None, None, 4),
            )
        )
    planned = plan_streams(posts, config, NOW)
    if not count:
        assert planned.feeds == [] and planned.archives == []
        return
    (feed,) = planned.feeds
    pages = [page for archive in planned.archives for page in archive.pages()]
    assert len(pages) == (count // size if archives else 0)
    assert [[post.slug for post in page.posts[::-1]] for page in pages] == [
        [f"post-{n}" for n in range(k * size, (k + 1) * size)] for k in range(len(pages))
    ]
    directories = [None, *(page.directory for page in pages), None]
    for number, page in enumerate(pages, 1):
        assert page.directory == f"archive/{number}/" and page.current == ""
        assert (page.prev_archive, page.next_archive) == (
            directories[number - 1],
            directories[number + 1],
        )
    assert [post.slug for post in feed.posts] == [f"post-{n}" for n in range(count)][::-1][:size]
    assert feed.prev_archive == directories[-2]
    on_pages = {post.slug for page in pages for post in page.posts}
    assert {post.slug for a in planned.archives for post in a.archived} == on_pages
    unpaged = [post for post in posts if post.slug not in on_pages]
    assert feed.min_items == (max(1, len(unpaged)) if archives else 1)
    assert not archives or set(map(id, unpaged)) <= set(map(id, feed.posts))


# --- 5. Text stays text -------------------------------------------------------------------

YAML_11_LOOKALIKES = st.one_of(
    st.sampled_from(
        [
            "2024",
            "1.5",
            "yes",
            "no",
            "on",
            "off",
            "y",
            "n",
            "Yes",
            "NO",
            "Off",
            "true",
            "False",
            "null",
            "Null",
            "~",
            "0x1F",
            "0o17",
            "0b1010",
            "017",
            "1_000",
            "12:30",
            "190:20:30",
            "+12",
            "-0",
            ".5",
            "1e3",
            "6.8523015e+5",
            ".inf",
            "-.Inf",
            ".NaN",
            "2024-05-01",
            "2001-12-14t21:59:43.10-05:00",
            "=",
            "<<",
        ]
    ),
    st.integers().map(str),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.from_regex(r"[1-9][0-9]?(:[0-5][0-9]){1,2}", fullmatch=True),
)


@budget(60)
@given(
    title=YAML_11_LOOKALIKES,
    tags=st.lists(YAML_11_LOOKALIKES, max_size=4, unique=True),
    category=YAML_11_LOOKALIKES.filter(lambda name: slugify(name) != "" and name not in NULL),
)
def test_title_tags_and_categories_stay_as_typed(
    title: str, tags: list[str], category: str
) -> None:
    """`title: 2024` is the title "2024" and `tags: [no, on]` are the tags "no" and "on":
    what YAML 1.1 would read as numbers, booleans, nulls, dates or sexagesimals appears in
    every feed exactly as typed, unquoted; but a null among the tags is none, as
    generators read it (test_real_sites_input.py).
    """
    front = f"title: {title}\ndate: 2024-05-01\ncategory: {category}\n"
    front += "tags:\n" + "".join(f"- {tag}\n" for tag in tags) if tags else ""
    with new_site() as site:
        write_post(site, "post", front)
        result = build(site.config, now=NOW)
        assert not result.problems, [p.format() for p in result.problems]
        files = site.files()
    parsed = check_all(files)
    slug = slugify(category)
    terms = [tag for tag in tags if tag not in NULL]
    # The XML itself, not feedparser's view of it (feedparser merges repeated terms).
    (entry,) = etree.fromstring(files["atom.xml"]).iter(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}title") == title
    assert [(c.get("term"), c.get("label")) for c in entry.iter(f"{ATOM}category")] == [
        (slug, category),
        *((tag, None) for tag in terms),
    ]
    (item,) = etree.fromstring(files["rss.xml"]).iter("item")
    assert item.findtext("title") == title
    assert [c.text for c in item.iter("category")] == [category, *terms]
    for name in ("atom.xml", "rss.xml", f"categories/{slug}/atom.xml"):
        assert [e.title for e in parsed[name].entries] == [title]
    assert parsed[f"categories/{slug}/atom.xml"].feed.title == f"Test Site: {category}"


# --- 6. Free-form dates mean what their ISO form means --------------------------------------

ZONES = st.sampled_from(["UTC", "Europe/Berlin", "America/New_York", "Asia/Kathmandu"])


def _offset_text(offset: timedelta, colon: bool) -> str:
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    hours, minutes = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}{':' if colon else ''}{minutes:02d}"


@example(  # read as UTC, not as the site's zone
    moment=datetime(2024, 5, 1, 9, 0),
    offset=None,
    zone="Europe/Berlin",
    shape="{m:%B} {m.day}, {m.year} {m:%H:%M}{z}",
    colon=False,
)
@example(  # "UTC+3" read as -03:00 (dateutil's POSIX sign), six hours off
    moment=datetime(2024, 5, 1, 9, 0),
    offset=timedelta(hours=3),
    zone="UTC",
    shape="{m:%Y-%m-%d} {m:%H:%M}{utc}",
    colon=False,
)
@budget(300)
@given(
    moment=st.datetimes(min_value=datetime(1950, 1, 1), max_value=datetime(2030, 12, 31)).map(
        lambda m: m.replace(second=0, microsecond=0)
    ),
    offset=st.one_of(st.none(), st.integers(-14 * 60, 14 * 60).map(lambda m: timedelta(minutes=m))),
    zone=ZONES,
    shape=st.sampled_from(
        [
            "{m:%B} {m.day}, {m.year} {m:%H:%M}{z}",
            "{m.day} {m:%b} {m.year} {m:%H:%M:%S}{z}",
            "{m:%a}, {m:%d} {m:%b} {m.year} {m:%H:%M:%S}{z}",
            "{m.year}/{m:%m}/{m:%d} {m:%H:%M}{z}",
            "{m:%Y-%m-%d} {m:%H:%M}{utc}",
        ]
    ),
    colon=st.booleans(),
)
def test_free_form_dates_mean_the_instant_their_iso_form_means(
    moment: datetime, offset: timedelta | None, zone: str, shape: str, colon: bool
) -> None:
    """A date like `May 1, 2024 09:00` is accepted, so it must mean what
    `2024-05-01T09:00` means: with no offset, the site's time zone; with one, that offset.
    Either form being read differently moves the post in every feed without a warning.
    """
    tz = ZoneInfo(zone)
    iso = moment.isoformat() + ("" if offset is None else _offset_text(offset, colon=True))
    z = "" if offset is None else " " + _offset_text(offset, colon)
    utc = z
    if offset == timedelta(0):
        utc = " UTC"
    elif offset is not None and offset % timedelta(hours=1) == timedelta(0):
        # "UTC+3" is how people write +03:00 (e.g. "Moscow is UTC+3"), for whole hours.
        utc = f" UTC{offset // timedelta(hours=1):+d}"
    free = shape.format(m=moment, z=z, utc=utc)
    expected = parse_date(iso, tz)
    try:
        parsed = parse_date(free, tz)
    except DateError:
        return  # refusing is fine; meaning something else is not
    assert (parsed.moment, parsed.written) == (expected.moment, expected.written), (free, iso)


@budget(300)
@given(
    moment=st.datetimes(min_value=datetime(1900, 1, 2), max_value=datetime(9999, 12, 30)),
    offset_minutes=st.integers(-14 * 60, 14 * 60),
)
def test_rfc2822_dates_are_what_the_standard_library_writes(
    moment: datetime, offset_minutes: int
) -> None:
    """OPML's dateCreated is written without email.utils: it must still be the RFC 2822
    date, in GMT, whatever the moment's own offset."""
    from email.utils import format_datetime, parsedate_to_datetime

    aware = moment.replace(tzinfo=timezone(timedelta(minutes=offset_minutes)))
    written = rfc2822_date(aware)
    assert written == format_datetime(aware.astimezone(UTC), usegmt=True)
    assert parsedate_to_datetime(written) == aware.replace(microsecond=0)


def closing_line_by_definition(document: str, start: int, fence: str) -> int | None:
    """The rule, line by line: the first line from `start` on that is the fence (YAML's
    also `...`) with nothing after it but spaces and tabs."""
    marks = ("---", "...") if fence == "---" else ("+++",)
    at = start
    for line in document[start:].split("\n"):
        if line.rstrip(" \t") in marks:
            return at
        at += len(line) + 1
    return None


FENCE_PIECES = st.sampled_from(["---", "...", "+++", "----", "-- -", " ---", "\t", " ", "x", ":"])


@budget(300)
@given(
    fence=st.sampled_from(["---", "+++"]),
    lines=st.lists(
        st.lists(FENCE_PIECES | st.text(max_size=3), max_size=4).map("".join), max_size=8
    ),
    trailing_newline=st.booleans(),
)
def test_the_front_matter_ends_at_the_first_closing_line(
    fence: str, lines: list[str], trailing_newline: bool
) -> None:
    document = fence + "\n" + "\n".join(lines) + ("\n" if trailing_newline else "")
    closing = closing_line_by_definition(document, len(fence) + 1, fence)
    parts = split_front_matter(document)
    if closing is None:
        assert isinstance(parts, str) and "no closing" in parts
    else:
        assert not isinstance(parts, str)
        assert parts[0] == document[len(fence) + 1 : closing]


XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


@budget(300)
@given(
    st.text(
        alphabet=st.characters(codec=None)
        | st.sampled_from(["\n", "\t", "\r", "\x00", "\x1f", "\x7f", "\x85", "\xa0", "\u2028"])
        | st.sampled_from(["\ud800", "\udfff", "\ufffe", "\uffff", "\u00ad", "\U0001f389"])
    )
)
def test_xml_safe_removes_exactly_what_xml_cannot_carry(text: str) -> None:
    """The quick path for printable text must never keep a character XML 1.0 forbids."""
    assert xml_safe(text) == XML_FORBIDDEN.sub("", text)


NAME_GLOB = (
    st.lists(st.sampled_from(["*", "?", "a", "b", ".", "-", ".md"]), min_size=1, max_size=4)
    .map("".join)
    .filter(lambda name: "**" not in name)  # `**` is a folder's, on its own
)
GLOB_SEGMENT = st.one_of(st.just("**"), NAME_GLOB)
LISTED_PATH = st.lists(
    st.sampled_from(["a", "b", "ab", ".h", "a.md", ".a.md", "b-a.md"]), min_size=1, max_size=4
).map("/".join)


def documented_glob(pattern: str) -> re.Pattern[str]:
    """README's rule for `posts_glob`, written out: `*` and `?` stay within a folder, a
    `**/` spans any number of folders (none too), names with a dot are files like any
    other, and anything else stands for itself."""
    regex = ""
    for segment in pattern.split("/")[:-1]:
        if segment == "**":
            regex += "(?:[^/]+/)*"
        else:
            regex += re.escape(segment).replace(r"\*", "[^/]*").replace(r"\?", "[^/]") + "/"
    name = pattern.split("/")[-1]
    return re.compile(regex + re.escape(name).replace(r"\*", "[^/]*").replace(r"\?", "[^/]"))


@settings(max_examples=300, deadline=None)
@given(st.lists(GLOB_SEGMENT, max_size=2), NAME_GLOB, st.lists(LISTED_PATH))
def test_posts_glob_matches_as_readme_says(folders: list[str], name: str, paths: list[str]) -> None:
    pattern = "/".join([*folders, name])
    if any(segment in (".", "..") for segment in pattern.split("/")):
        return  # `.` and `..` name folders, never files
    matches = _post_matcher([pattern])
    expected = documented_glob(pattern)
    for path in paths:
        assert bool(matches(path)) == bool(expected.fullmatch(path)), (pattern, path)
