"""YAML where text stays text, and the fast path that must agree with libyaml exactly."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from feeds.text import xml_safe
from feeds.text.yamltext import (
    Located,
    YamlTextError,
    _block_mapping,
    _composed_mapping,
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
    assert fast == _composed_mapping(text)


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
    assert fast == _composed_mapping(text)


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
    assert fast == _composed_mapping(text) == load_mapping(text)


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
        ("a: 1\na: 2", "'a' is given twice; keep one of them"),
        ("a: !!python/name:os.system x", "is not allowed"),
        ("a: !custom x", "the YAML tag '!custom' is not allowed"),
        ("- a\n- b", "expected 'key: value' lines"),
        ("a: [", "YAML syntax error"),
    ],
)
def test_refusals(text: str, message: str) -> None:
    with pytest.raises(YamlTextError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_mapping(text)
