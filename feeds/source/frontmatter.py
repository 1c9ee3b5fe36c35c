"""Front matter: finding it in a post file, and reading it (YAML or TOML) into plain
values with the line of each top-level key."""

from __future__ import annotations

import re
from pathlib import Path

from ..model import Problem, Severity
from ..text import xml_safe
from ..text.yamltext import Duplicate, Located, YamlTextError, load_mapping
from .tomltext import load_toml_mapping

_FENCE = re.compile(r"(---|\+\+\+)([A-Za-z]*)[ \t]*(\n|$)")
_YAML_NAMES = ("", "yaml", "json")  # Eleventy's `---json`: JSON is YAML
_CLOSING_FENCES = {"---": ("\n---", "\n..."), "+++": ("\n+++",)}
_LEADING_TABS = re.compile(r"^\t+", re.MULTILINE)
_FIRST_LINE = 2
"""The file's line the front matter starts on, below the opening fence (post.py turns the
lines of YamlTextError and of the keys into the file's the same way)."""


def split_front_matter(document: str) -> tuple[str, int, str] | str:
    """The front matter text, the line the body starts on, and its fence: `---` for
    YAML, `+++` for TOML (Hugo, Zola); or why there is none."""
    opening = _FENCE.match(document)
    if opening is None:
        return (
            "no front matter; start the file with a line '---', then 'title: ...' and "
            "'date: ...', then a line '---'"
        )
    fence, language = opening.group(1), opening.group(2)
    if language.lower() not in (_YAML_NAMES if fence == "---" else ("", "toml")):
        return (
            f"front matter in {language!r} cannot be read; write it as YAML between "
            "'---' lines or as TOML between '+++' lines"
        )
    closing = _closing_line(document, opening.end(), fence)
    if closing is None or not opening.group(3):
        return f"the front matter has no closing '{fence}'; add a line '{fence}' after its last key"
    front = document[opening.end() : closing]
    return front, front.count("\n") + 3, fence


def _closing_line(document: str, start: int, fence: str) -> int | None:
    """Where the first line from `start` on that closes the front matter begins: the
    fence (YAML's also `...`) and nothing else but spaces and tabs. Found with
    `str.find`, which jumps from mark to mark, where a multi-line regular expression
    would try every character of the front matter in turn."""
    closing = len(document)  # the search for the next mark stops at the one found
    for mark in _CLOSING_FENCES[fence]:
        at = start - 1  # the newline ending the opening fence
        while (at := document.find(mark, at, closing)) != -1:
            rest = at + len(mark)
            end = document.find("\n", rest)
            if not document[rest : end if end != -1 else len(document)].strip(" \t"):
                closing = at
                break
            at = rest
    return closing + 1 if closing < len(document) else None


def load_front_matter(
    front: str, fence: str, path: str, problems: list[Problem], plain: set[str] | None = None
) -> dict[str, Located]:
    """The front matter's top-level keys, each with its plain value and line: TOML
    between `+++` fences, else YAML. YAML forbids tabs for indentation, yet editors type
    them: they are read as spaces, with a warning. A key given twice is read as its last
    value, with a warning. Warnings go to `problems`, at lines of the file (the front
    matter starts on its line 2); raises YamlTextError, whose line is the front
    matter's. The top-level keys whose values are plain YAML scalars (unquoted,
    untagged) are added to `plain`, if given (see `load_mapping`); TOML has none."""
    if fence == "+++":
        return load_toml_mapping(xml_safe(front))
    front = xml_safe(front)
    duplicates: list[Duplicate] = []
    try:
        values = load_mapping(front, duplicates, plain=plain)
    except YamlTextError:
        tab = _LEADING_TABS.search(front)
        if tab is None:
            raise
        values = load_mapping(_LEADING_TABS.sub(_as_spaces, front), duplicates, plain=plain)
        problems.append(
            Problem(
                Path(path),
                front.count("\n", 0, tab.start()) + _FIRST_LINE,  # the first line a tab indents
                "tabs in the front matter were read as two spaces each; indent with spaces",
                Severity.WARNING,
            )
        )
    for duplicate in duplicates:
        line, message = duplicate.warning(_FIRST_LINE)
        problems.append(Problem(Path(path), line, message, Severity.WARNING))
    return values


def _as_spaces(tabs: re.Match[str]) -> str:
    return "  " * len(tabs.group())
