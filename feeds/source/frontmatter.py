"""Front matter: finding it in a post file, and reading it (YAML or TOML) into plain
values with the line of each top-level key."""

from __future__ import annotations

import re
from pathlib import Path

from ..model import Problem, Severity
from ..text import xml_safe
from ..text.yamltext import Located, YamlTextError, load_mapping
from .tomltext import load_toml_mapping

_FENCE = re.compile(r"(---|\+\+\+)([A-Za-z]*)[ \t]*(\n|$)")
_YAML_NAMES = ("", "yaml", "json")  # Eleventy's `---json`: JSON is YAML
_CLOSING_FENCES = {"---": ("\n---", "\n..."), "+++": ("\n+++",)}
_LEADING_TABS = re.compile(r"^\t+", re.MULTILINE)


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
    front: str, fence: str, path: str, problems: list[Problem]
) -> dict[str, Located]:
    """The front matter's top-level keys, each with its plain value and line: TOML
    between `+++` fences, else YAML. YAML forbids tabs for indentation, yet editors type
    them: they are read as spaces, with a warning. Raises YamlTextError."""
    if fence == "+++":
        return load_toml_mapping(xml_safe(front))
    front = xml_safe(front)
    try:
        return load_mapping(front)
    except YamlTextError:
        if "\t" not in front:
            raise
    values = load_mapping(_LEADING_TABS.sub(lambda m: "  " * len(m.group()), front))
    problems.append(
        Problem(
            Path(path),
            2,
            "tabs in the front matter were read as two spaces each; indent with spaces",
            Severity.WARNING,
        )
    )
    return values
