"""YAML where text stays text, and the fast path that must agree with libyaml exactly."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import Site
from hypothesis import example, given, settings
from hypothesis import strategies as st

from feeds.config import load_config
from feeds.model import Problem
from feeds.source.frontmatter import load_front_matter
from feeds.text import xml_safe
from feeds.text.yamlevents import composed_mapping
from feeds.text.yamltext import (
    MAX_DEPTH,
    MAX_KEY,
    MAX_VALUES,
    Duplicate,
    Located,
    YamlTextError,
    _block_mapping,
    _flat_mapping,
    load_mapping,
)

REPO = Path(__file__).resolve().parents[1]

TRICKY = [*list(":#'\"[]{},-?!&*|>%@`\\ \t/."), "\u2028", "\ufeff", "é", "日", "🎉"]
values = st.text(alphabet=st.sampled_from(TRICKY) | st.characters(codec="utf-8"), max_size=30)
keys = st.sampled_from(["title", "date", "tags", "a_b", "x-y", "Key9", "on", "#c", " k"])
words = st.text(alphabet=st.sampled_from([*"ab c", *TRICKY]), max_size=12)  # plain, mostly
flow_items = st.tuples(keys, st.sampled_from([": ", ":", ":  "]), words | values).map("".join)
flow_mappings = st.lists(flow_items, max_size=3).map(lambda items: "{" + ", ".join(items) + "}")
lines = st.tuples(keys, st.sampled_from([": ", ":", ":\t", ": [", ": {"]), values).map("".join)
lines |= st.tuples(keys, st.just(": "), flow_mappings).map("".join)


@settings(max_examples=600, deadline=None)
@given(
    st.lists(lines | values, min_size=1, max_size=6).map("\n".join)
    | st.tuples(st.just("title: "), flow_mappings).map("".join)
)
@example("title: a # comment")
@example('title: "a \\" b"\ntags: [x, y]')
@example("title: 'it''s'\ndate: 2024-05-01 10:00:00 -0700")
@example("title: a\x85b")  # YAML 1.1 breaks the line at a NEL
@example("news: {title: News, description: Reports on events that matter.}")
@example("a: {b: c d , e:  f}\ng: {}")
@example("a: {b: c: d}")  # a colon in a flow mapping's value
def test_the_fast_path_agrees_with_libyaml_whenever_it_answers(text: str) -> None:
    text = xml_safe(text)  # as every caller does first
    fast = _flat_mapping(text)
    if fast is None:
        return
    assert fast == composed_mapping(text)


indents = st.sampled_from(["", "", " ", "  ", "  ", "    ", "\t"])
nested_lines = st.one_of(
    st.tuples(indents, keys, st.sampled_from([":", ": ", ":  ", ":\t"])).map("".join),  # opens
    st.tuples(indents, lines).map("".join),  # key: value
    st.tuples(indents, st.sampled_from(["- ", "-  ", "-", "-\t", "- - "]), values).map("".join),
    st.tuples(indents, st.sampled_from(["# c", "", " "])).map("".join),
    st.tuples(indents, values).map("".join),  # a value continued, or any other text
)


@st.composite
def nested_documents(draw: st.DrawFn, depth: int = 0) -> str:
    """Well-formed nesting (so the block path answers often), values from `values`."""
    indent = "  " * depth
    parts = []
    for key in draw(st.lists(keys.filter(str.isidentifier), min_size=1, max_size=4, unique=True)):
        kind = draw(st.sampled_from(["value", "list", "compact list", "mapping"]))
        if kind == "value" or (kind == "mapping" and depth == 2):
            parts.append(f"{indent}{key}: {draw(values)}")
            continue
        parts.append(f"{indent}{key}:")
        if kind == "mapping":
            parts.append(draw(nested_documents(depth + 1)))
        else:
            item_indent = indent if kind == "compact list" else indent + "  "
            items = draw(st.lists(values, min_size=1, max_size=3))
            parts += [f"{item_indent}- {item}" for item in items]
    return "\n".join(parts)


@settings(max_examples=600, deadline=None)
@given(st.lists(nested_lines, min_size=1, max_size=8).map("\n".join) | nested_documents())
@example((REPO / "site.yaml").read_text())
@example("tags:\n- a\n- b\ntitle: x")  # a list level with its key
@example("a: x\n  y")  # a plain value continued on the next line
@example("a:\n- b\n  c")
@example("a:\n  b: c\n d: e")  # a key between two levels
@example("a:\n  b:\n  c: d")  # a key with nothing below it
@example("a:\n  b:\n- x")  # a list below its key's level
@example("a:\n- x\n  - y")  # an item deeper than the one before
@example("a:\n-\tx")  # a tab after the dash
@example("a:\n  b: x\x85y")  # YAML 1.1 breaks the line at a NEL
def test_the_nested_path_agrees_with_libyaml_whenever_it_answers(text: str) -> None:
    text = xml_safe(text)
    fast = _block_mapping(text)
    if fast is None:
        return
    assert fast == composed_mapping(text)


@pytest.mark.parametrize(
    "text",
    [
        (REPO / "site.yaml").read_text(),
        "title: x\ntags:\n  - may-day\n  - 'workers, united'\ncategories:\n- news\n",
        "authors:\n  jo:\n    name: Jo Doe\n    email: jo@example.org\nformats: [atom, rss]\n",
        "title: x\n\n# the feeds:\ncategories:\n\n  # first\n  news:\n    title: News\n",
        "categories:\n  news: {title: News, description: Reports on events that matter.}\n"
        "  reviews: Reviews\n",  # README's example
    ],
)
def test_nested_site_yaml_and_front_matter_need_no_libyaml(text: str) -> None:
    """site.yaml's categories and authors, front matter's `- item` tags: importing PyYAML
    for them was a sixth of a no-change cron run."""
    fast = _block_mapping(text)
    assert fast is not None
    assert fast == composed_mapping(text) == load_mapping(text)


@pytest.mark.parametrize(
    "text",
    [
        "title: 2024\ntags: [no, on, 1.5, ~, null, 0x1F, 1_000, 12:30]\ndraft: yes",
        "title: |\n  block\n  text\ntags:\n  - no\n  - on\n",
    ],
)
def test_text_stays_text(text: str) -> None:
    values = {key: located.value for key, located in load_mapping(text).items()}
    assert all(isinstance(v, str | list) for v in values.values())
    assert values["title"] in ("2024", "block\ntext\n")
    assert values["tags"][:2] == ["no", "on"]


def test_lines_are_reported_for_both_paths() -> None:
    flat = "\n# comment\ntitle: x\ndate: y\n"
    nested = flat + "author:\n  name: z\n"
    assert load_mapping(flat)["date"] == Located("y", 4)
    assert load_mapping(nested)["date"] == Located("y", 4)
    assert load_mapping(nested)["author"] == Located({"name": "z"}, 5)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: !!python/name:os.system x", "is not allowed"),
        ("a: !custom x", "the YAML tag '!custom' is not allowed"),
        ("- a\n- b", "expected 'key: value' lines"),
        ("a: [", "YAML syntax error"),
    ],
)
def test_refusals(text: str, message: str) -> None:
    with pytest.raises(YamlTextError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_mapping(text)


# --- The same answer on every path: limits, errors and their lines, keys given twice ------


def read_both(text: str) -> dict[str, Located]:
    """The document read with the fast paths and with libyaml alone, which must agree
    on the values and warnings, or on the error and its line (raised)."""
    answers: list[tuple[Any, ...]] = []
    for fast_paths in (True, False):
        duplicates: list[Duplicate] = []
        try:
            values = load_mapping(text, duplicates, fast_paths=fast_paths)
        except YamlTextError as error:
            answers.append(("error", error.message, error.line))
        else:
            answers.append(("values", list(values.items()), duplicates))
    assert answers[0] == answers[1]
    if answers[0][0] == "error":
        raise YamlTextError(answers[0][1], answers[0][2])
    return dict(answers[0][1])


def error_of(text: str) -> tuple[str, int | None]:
    with pytest.raises(YamlTextError) as raised:
        read_both(text)
    return raised.value.message, raised.value.line


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("a: &x 1\nb: &x 2\nc: *x\n", {"a": "1", "b": "2", "c": "2"}),
        ("a: &x [&x b, *x]\n", {"a": ["b", "b"]}),
        ("a: &x [&x [1], *x]\nb: *x\n", {"a": [["1"], ["1"]], "b": ["1"]}),
    ],
)
def test_an_anchor_given_again_names_the_later_value(text: str, values: dict[str, Any]) -> None:
    """As YAML 1.2 has it (PyYAML's composer refused the second anchor)."""
    assert {key: located.value for key, located in read_both(text).items()} == values


def nested_blocks(levels: int, last: str = "x: y") -> str:
    """`levels` mappings nested by indentation below the top level, `last` in the
    deepest: `levels + 1` levels in all."""
    return "".join("  " * i + f"k{i}:\n" for i in range(levels)) + "  " * levels + last + "\n"


def nested_lists(levels: int) -> str:
    """A flow list `levels` deep as a top-level value: `levels + 1` levels in all."""
    return "tags: " + "[" * levels + "x" + "]" * levels + "\n"


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("tags: &t [*t]\n", 1),
        ("title: x\nauthor: &m {name: [*m]}\n", 2),
        ("title: x\nauthor: &m\n  name: jo\n  again: *m\n", 4),
        ("tags: &l\n  - a\n  - *l\n", 3),
    ],
)
def test_an_alias_inside_the_value_it_names_is_an_error(text: str, line: int) -> None:
    """Once a traceback (RecursionError) before the value limit was checked."""
    message, at = error_of(text)
    assert re.fullmatch(
        r"the alias '\*(\w+)' is inside the value '&\1' names, so that value would contain "
        r"itself forever; write the values out instead",
        message,
    )
    assert at == line


TOO_DEEP = (
    f"the front matter nests deeper than {MAX_DEPTH} levels (lists and mappings inside each "
    "other); write it with fewer levels: two or three are all front matter needs"
)
ALIAS_CHAIN = "l0: &l0 [x]\n" + "".join(f"l{i}: &l{i} [*l{i - 1}]\n" for i in range(1, 25))
"""Each alias nests the value one level deeper than the last: l19 is 21 levels deep."""


@pytest.mark.parametrize(
    ("text", "line"),
    [
        (nested_lists(MAX_DEPTH), 1),
        ("title: x\n" + nested_lists(500), 2),  # once a RecursionError in the builder
        ("tags: " + "[" * 100_000, 1),
        ("a: " + "{a: " * 1000 + "x" + "}" * 1000, 1),
        (nested_blocks(MAX_DEPTH), MAX_DEPTH + 1),
        (nested_blocks(980), MAX_DEPTH + 1),  # once a RecursionError in the pure-Python parser
        (nested_blocks(5000), MAX_DEPTH + 1),
        (nested_blocks(MAX_DEPTH, "- a"), MAX_DEPTH + 1),
        (nested_blocks(MAX_DEPTH - 1, "k: [a]"), MAX_DEPTH),  # a flow list is one level more
        ("a:\n" + "- " * 900 + "x", 2),
        (ALIAS_CHAIN, 20),
    ],
)
def test_nesting_deeper_than_the_limit_is_an_error_on_every_path(text: str, line: int) -> None:
    assert error_of(text) == (TOO_DEEP, line)


@pytest.mark.parametrize(
    "text",
    [
        nested_lists(MAX_DEPTH - 1),
        nested_blocks(MAX_DEPTH - 1),
        nested_blocks(MAX_DEPTH - 1, "- a"),
        nested_blocks(MAX_DEPTH - 2, "k: [a]"),
        ALIAS_CHAIN.split("l19:")[0],
    ],
)
def test_nesting_up_to_the_limit_is_read_on_every_path(text: str) -> None:
    assert read_both(text)


def test_the_pure_python_parser_is_bounded_too(monkeypatch: pytest.MonkeyPatch) -> None:
    """Where libyaml is missing, PyYAML's own parser reads: once a RecursionError at
    ~330 nested lists or ~980 nested mappings."""
    monkeypatch.delattr(yaml, "CBaseLoader")
    for text, line in [(nested_lists(600), 1), (nested_blocks(1000), MAX_DEPTH + 1)]:
        assert error_of(text) == (TOO_DEEP, line)
    assert error_of("tags: &t [*t]\n")[1] == 1
    assert load_mapping("tags: [a, b]  # comment\n")["tags"] == Located(["a", "b"], 1)


@pytest.mark.parametrize(
    ("front", "line"),
    [
        ('title = "x"\ntags = ' + "[" * MAX_DEPTH + "]" * MAX_DEPTH + "\n", 2),
        ('title = "x"\ntags = ' + "[" * 5000 + "]" * 5000 + "\n", 2),  # once a RecursionError
        ('title = "x"\n[' + ".".join(["t"] * MAX_DEPTH) + "]\nk = 1\n", 2),
        ("tags = [\n" + "[\n" * 600 + "]\n" * 600 + "]\n", MAX_DEPTH),
    ],
)
def test_toml_front_matter_nests_no_deeper_than_yaml(front: str, line: int) -> None:
    with pytest.raises(YamlTextError) as raised:
        load_front_matter(front, "+++", "p.md", [])
    assert (raised.value.message, raised.value.line) == (TOO_DEEP, line)
    deepest = "tags = " + "[" * (MAX_DEPTH - 1) + "x = 1" + "]" * (MAX_DEPTH - 1)
    assert load_front_matter(deepest.replace("x = 1", '"x"'), "+++", "p.md", [])


TOO_MANY = (
    f"the front matter expands to more than {MAX_VALUES} values (nested aliases?); "
    "write the values out instead"
)


def test_the_value_limit_holds_on_every_path() -> None:
    """Each key, list and text counts; the top-level mapping does not."""
    assert len(read_both("tags: [" + ", ".join(["x"] * (MAX_VALUES - 2)) + "]")["tags"].value)
    assert error_of("tags: [" + ", ".join(["x"] * (MAX_VALUES - 1)) + "]") == (TOO_MANY, 1)
    flat = "".join(f"k{i}: v\n" for i in range(MAX_VALUES // 2))
    assert len(read_both(flat)) == MAX_VALUES // 2
    assert error_of(flat + "last: v\n") == (TOO_MANY, MAX_VALUES // 2 + 1)
    nested = "tags:\n" + "".join(f"  - v{i}\n" for i in range(MAX_VALUES))
    assert error_of(nested) == (TOO_MANY, MAX_VALUES)  # the line of item 9,999


LONG_KEY = (
    f"the key on this line is longer than {MAX_KEY} characters, which YAML does not allow; "
    "shorten it"
)


@pytest.mark.parametrize(
    ("template", "line"),
    [
        ("{key}: v\n", 1),
        ("title: x\n{key}: v\n", 2),
        ("author:\n  {key}: v\n", 2),
        ("author:\n  name: jo\n  {key}: v\n", 3),
        ("title: x\nauthor: {{name: jo, {key}: v}}\n", 2),
    ],
)
def test_yaml_s_limit_on_implicit_keys_holds_on_every_path(template: str, line: int) -> None:
    """libyaml refuses a plain key longer than 1024 characters; the fast paths read
    anything else as it does, and leave those to it."""
    assert read_both(template.format(key="k" * MAX_KEY))
    assert error_of(template.format(key="k" * (MAX_KEY + 1))) == (LONG_KEY, line)


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (
            "title: x\njunk line\ndate: y\n",
            2,
            "this line has no ':' after its key; write 'key: value', or indent the line "
            "further to continue the value above it",
        ),
        ("title: x\njunk line", 2, "this line has no ':' after its key"),
        (
            'title: "unclosed\n' + "".join(f"k{i}: v\n" for i in range(18)),
            1,
            "the '\"' that starts a value on this line is not closed; end the value with '\"'",
        ),
        (
            "title: x\nsummary: 'unclosed\n\n\ndate: y\n",
            2,
            'the "\'" that starts a value on this line is not closed; end the value with "\'"',
        ),
        (
            "title: x\ntags: [a, b\ndate: y\nlast: z\n",
            2,
            "the list opened with '[' on this line is not closed; end it with ']', and "
            "separate its items with ','",
        ),
        ("title: x\ntags: [a, [b, c]\n", 2, "the list opened with '['"),
        ("title: x\ntags: [a,\n\n\n", 2, "the list opened with '['"),
        ("title: x\ntags: [a, {b: c\n", 2, "the mapping opened with '{'"),
        (
            "title: x\nauthor: {name: a\ndate: y\n",
            2,
            "the mapping opened with '{' on this line is not closed; end it with '}', and "
            "separate its 'key: value' pairs with ','",
        ),
        ("title: x\n  bad: indent\n", 2, "mapping values are not allowed"),
        ("title: x\ntags: *nothing\n", 2, "the alias '*nothing' comes before any '&nothing'"),
        ("title: x\n---\ndate: y\n", 2, "a second document starts here"),
        ('title: "a\\qb"\n', 1, "found unknown escape character"),
    ],
)
def test_syntax_errors_name_the_line_to_look_at(text: str, line: int, message: str) -> None:
    """Where the quote, bracket or key never closed was opened, not where libyaml gave
    up looking for its end (once one to eighteen lines later)."""
    found, at = error_of(text)
    assert found.startswith("YAML syntax error: " + message)
    assert at == line


def test_a_key_given_twice_is_a_warning_and_the_last_value_wins() -> None:
    text = "title: first\ndate: 2024-05-01\ntitle: second\n"
    duplicates: list[Duplicate] = []
    values = load_mapping(text, duplicates)
    assert list(values.items()) == [
        ("title", Located("second", 3)),  # in the first one's place, the last one's line
        ("date", Located("2024-05-01", 2)),
    ]
    assert duplicates == [Duplicate("title", (), (1, 3))]
    assert duplicates[0].warning() == (
        3,
        "'title' is given twice, on lines 1 and 3; the one on line 3 is used; delete the other",
    )
    assert duplicates[0].warning(first_line=2)[0] == 4  # front matter starts on line 2
    assert "on lines 2 and 4; the one on line 4 is used" in duplicates[0].warning(2)[1]
    read_both(text)


@pytest.mark.parametrize(
    ("text", "values", "warnings"),
    [
        (
            "author:\n  name: a\n  email: e\n  name: b\n",
            {"author": {"name": "b", "email": "e"}},
            [(4, "'name' is given twice in 'author', on lines 2 and 4; the one on line 4 is used")],
        ),
        (
            "categories:\n  news:\n    title: A\n    title: B\n",
            {"categories": {"news": {"title": "B"}}},
            [(4, "'title' is given twice in 'categories.news', on lines 3 and 4")],
        ),
        (
            "authors:\n  - name: a\n    name: b\n",
            {"authors": [{"name": "b"}]},
            [(3, "'name' is given twice in 'authors', on lines 2 and 3")],
        ),
        (
            "author: {name: a, name: b}\n",
            {"author": {"name": "b"}},
            [(1, "'name' is given twice in 'author', on line 1; the last one is used")],
        ),
        (
            "tags: [a]\ntags: [b]\ntags: [c]\n",
            {"tags": ["c"]},
            [
                (
                    3,
                    "'tags' is given 3 times, on lines 1, 2 and 3; the one on line 3 is used; "
                    "delete the others",
                )
            ],
        ),
        (
            "b: 1\na:\n  x: 1\n  x: 2\nb: 2\n",
            {"b": "2", "a": {"x": "2"}},
            [(4, "'x' is given twice in 'a'"), (5, "'b' is given twice, on lines 1 and 5")],
        ),
    ],
)
def test_keys_given_twice_at_any_level(
    text: str, values: dict[str, Any], warnings: list[tuple[int, str]]
) -> None:
    read = read_both(text)
    assert {key: located.value for key, located in read.items()} == values
    duplicates: list[Duplicate] = []
    load_mapping(text, duplicates)
    found = [duplicate.warning() for duplicate in duplicates]
    assert len(found) == len(warnings)
    for (line, message), (want_line, want) in zip(found, warnings, strict=True):
        assert line == want_line and message.startswith(want), (line, message)


# --- Through the callers: file lines -------------------------------------------------------


def test_front_matter_warnings_name_lines_of_the_file() -> None:
    """The front matter starts on the file's line 2, below its opening fence."""
    problems: list[Problem] = []
    front = "title: a\ndate: 2024-05-01\ntags:\n\t- x\n\t- y\ntitle: b\n"
    values = load_front_matter(front, "---", "posts/p.md", problems)
    assert values["title"] == Located("b", 6) and values["tags"].value == ["x", "y"]
    assert [problem.format() for problem in problems] == [
        "posts/p.md:5: warning: tabs in the front matter were read as two spaces each; "
        "indent with spaces",
        "posts/p.md:7: warning: 'title' is given twice, on lines 2 and 7; the one on line 7 "
        "is used; delete the other",
    ]


def test_site_yaml_warns_of_a_setting_given_twice(tmp_path: Path) -> None:
    config = tmp_path / "site.yaml"
    config.write_text(
        "title: One\nurl: https://example.org/\ndescription: d\ntitle: Two\n", encoding="utf-8"
    )
    loaded, problems = load_config(config)
    assert loaded is not None and loaded.title == "Two"
    assert [problem.format(relative_to=tmp_path) for problem in problems] == [
        "site.yaml:4: warning: 'title' is given twice, on lines 1 and 4; the one on line 4 is "
        "used; delete the other"
    ]


FEEDS = str(Path(sys.executable).parent / "feeds")


def feeds_check(site: Site) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [FEEDS, "check"], cwd=site.root, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize(
    ("front", "expected"),
    [
        ("tags: &t [*t]\n", "posts/p.md:4: the alias '*t' is inside the value '&t' names"),
        ("tags: " + "[" * 600 + "]" * 600 + "\n", f"posts/p.md:4: {TOO_DEEP}"),
        (nested_blocks(1000), f"posts/p.md:{MAX_DEPTH + 4}: {TOO_DEEP}"),
        ("summary: 'unclosed\n" + "a: b\n" * 18, 'posts/p.md:4: YAML syntax error: the "\'"'),
        ("note this\nsummary: x\n", "posts/p.md:4: YAML syntax error: this line has no ':'"),
        ("k" * 1100 + ": v\n", f"posts/p.md:4: {LONG_KEY}"),
    ],
)
def test_feeds_check_reports_the_line_and_exits_1(site: Site, front: str, expected: str) -> None:
    site.raw_post("p.md", "---\ntitle: x\ndate: 2024-05-01\n" + front + "---\nText.\n")
    result = feeds_check(site)
    assert result.returncode == 1, result
    assert result.stderr.startswith(expected), result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_feeds_check_reports_toml_nested_too_deep(site: Site) -> None:
    site.raw_post(
        "p.md", '+++\ntitle = "x"\ndate = 2024-05-01\ntags = ' + "[" * 3000 + "\n+++\nText.\n"
    )
    result = feeds_check(site)
    assert (result.returncode, result.stderr) == (1, f"posts/p.md:4: {TOO_DEEP}\n")


def test_feeds_check_warns_of_a_key_given_twice_and_uses_the_last(site: Site) -> None:
    site.raw_post("p.md", "---\ntitle: First\ndate: 2024-05-01\ntitle: Second\n---\nText.\n")
    result = feeds_check(site)
    assert result.returncode == 0, result
    assert result.stderr == (
        "posts/p.md:4: warning: 'title' is given twice, on lines 2 and 4; the one on line 4 "
        "is used; delete the other\n"
    )
    assert load_front_matter("title: First\ntitle: Second\n", "---", "p.md", [])["title"] == (
        Located("Second", 2)
    )


@pytest.mark.parametrize(
    ("text", "plain"),
    [
        # The flat path.
        ("a: 2024-05-01 10:00:00\nb: \"2024-05-01 10:00:00\"\nc: 'x'\nd: [x]\ne: {x: y}\n", {"a"}),
        # The block path: nested values are no scalars.
        ("a: x\nb:\n  c: y\nd:\n  - z\ne: 'q'\n", {"a"}),
        # libyaml: tags, aliases and block scalars are not plain; `~` and nothing are.
        ("a: !!str x\nb: &n y\nc: *n\nd: |\n  z\ne: ~\nf:\ng: ! x\n", {"b", "e", "f"}),
        # A key given twice: its last value counts.
        ('a: x\na: "y"\nb: "x"\nb: y\n', {"b"}),
    ],
)
@pytest.mark.parametrize("fast_paths", [True, False])
def test_plain_top_level_scalars_are_reported(text: str, plain: set[str], fast_paths: bool) -> None:
    found: set[str] = set()
    values = load_mapping(text, [], fast_paths=fast_paths, plain=found)
    assert found == plain
    assert load_mapping(text, [], fast_paths=fast_paths) == values


def test_front_matter_reports_plain_scalars_with_tabs_read_as_spaces() -> None:
    plain: set[str] = set()
    problems: list[Problem] = []
    load_front_matter("date: 2024-05-01 10:00:00\nx:\n\t- y\n", "---", "p.md", problems, plain)
    assert plain == {"date"} and len(problems) == 1
    toml: set[str] = set()
    load_front_matter("date = 2024-05-01T10:00:00\n", "+++", "p.md", [], toml)
    assert toml == set()
