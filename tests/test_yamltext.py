"""YAML where text stays text, and the fast path that must agree with libyaml exactly."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from feeds.text import xml_safe
from feeds.yamltext import (
    Located,
    YamlTextError,
    _composed_mapping,
    _flat_mapping,
    load_mapping,
)

TRICKY = [*list(":#'\"[]{},-?!&*|>%@`\\ \t/."), "\u2028", "\ufeff", "é", "日", "🎉"]
values = st.text(alphabet=st.sampled_from(TRICKY) | st.characters(codec="utf-8"), max_size=30)
keys = st.sampled_from(["title", "date", "tags", "a_b", "x-y", "Key9", "on", "#c", " k"])
lines = st.tuples(keys, st.sampled_from([": ", ":", ":\t", ": ["]), values).map("".join)


@settings(max_examples=600, deadline=None)
@given(st.lists(lines | values, min_size=1, max_size=6).map("\n".join))
@example("title: a # comment")
@example('title: "a \\" b"\ntags: [x, y]')
@example("title: 'it''s'\ndate: 2024-05-01 10:00:00 -0700")
def test_the_fast_path_agrees_with_libyaml_whenever_it_answers(text: str) -> None:
    text = xml_safe(text)  # as every caller does first
    fast = _flat_mapping(text)
    if fast is None:
        return
    assert fast == _composed_mapping(text)


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
