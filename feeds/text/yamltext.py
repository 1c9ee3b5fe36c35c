"""YAML in which text stays text.

YAML 1.1 turns `title: 2024` into a number and `tags: [no, on]` into booleans,
and its full loaders can build arbitrary Python objects. Editors mean none of
that: they typed words. So documents are composed with libyaml (or the pure
Python parser where libyaml is missing) without implicit typing, and the node
tree is turned into plain `str`, `list` and `dict` values here. Each field
decides itself whether it wants a number, a date or a flag.

Explicit tags other than the standard scalar/collection ones are refused, which
also refuses `!!python/...` object construction. Aliases are followed, but the
number of values built is bounded so an alias bomb cannot exhaust memory.
"""

from __future__ import annotations

import re
from functools import partial
from itertools import repeat
from operator import itemgetter
from typing import TYPE_CHECKING, Any, NamedTuple

from . import xml_safe

if TYPE_CHECKING:
    import yaml

MAX_VALUES = 10_000
"""Values one document may expand to; real front matter has a few dozen."""

_STANDARD_TAGS = frozenset(
    "tag:yaml.org,2002:" + name
    for name in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map", "binary")
)


class Located(NamedTuple):
    """A top-level value and the 1-based line of the document it starts on.

    A named tuple: one is made per key of every post, and a tuple is the cheapest
    object to make."""

    value: Any
    line: int


class YamlTextError(ValueError):
    """The document is not usable; `line` is 1-based within the document, if known."""

    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


def load_mapping(text: str) -> dict[str, Located]:
    """Parse a document whose top level must be a mapping (front matter, site.yaml).

    Returns each key with its value as plain text/list/dict and the key's line,
    so that problems with a field can point at the line the editor wrote it on.
    """
    # YAML 1.1 counts NEL, U+2028 and U+2029 as line breaks, which would shift every
    # line number after them; in front matter they are never meant as such (a NEL is
    # mostly a Windows-1252 ellipsis read as Latin-1).
    for line_break in _YAML_ONLY_BREAKS:
        text = text.replace(line_break, " ")
    simple = _flat_mapping(text)
    if simple is None:
        simple = _block_mapping(text)
    return simple if simple is not None else _composed_mapping(text)


def _composed_mapping(text: str) -> dict[str, Located]:
    import yaml  # only here: flat front matter never needs it

    loader = getattr(yaml, "CBaseLoader", yaml.BaseLoader)  # libyaml when available
    try:
        node = yaml.compose(text, Loader=loader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else None
        what = error.problem or error.context or "invalid YAML"
        raise YamlTextError(f"YAML syntax error: {what}", line) from None
    except yaml.YAMLError as error:
        raise YamlTextError(f"YAML error: {error}", None) from None
    if node is None:
        return {}
    if not isinstance(node, yaml.MappingNode):
        raise YamlTextError(
            "expected 'key: value' lines, found a single value or a list", node.start_mark.line + 1
        )
    builder = _Builder()
    result: dict[str, Located] = {}
    for key_node, value_node in node.value:
        key = builder.key(key_node)
        if key in result:
            raise YamlTextError(
                f"'{key}' is given twice; keep one of them",
                key_node.start_mark.line + 1,
            )
        result[key] = Located(builder.value(value_node), key_node.start_mark.line + 1)
    return result


class _Builder:
    """Turns composed nodes into plain values, counting them to stop alias bombs."""

    def __init__(self) -> None:
        import yaml  # imported already: only libyaml's nodes come here

        self.count = 0
        self.scalar, self.sequence = yaml.ScalarNode, yaml.SequenceNode

    def key(self, node: yaml.Node) -> str:
        if not isinstance(node, self.scalar):
            raise YamlTextError("a key must be a plain word", node.start_mark.line + 1)
        return str(self.value(node))

    def value(self, node: yaml.Node) -> Any:
        self.count += 1
        if self.count > MAX_VALUES:
            raise YamlTextError(
                f"the front matter expands to more than {MAX_VALUES} values "
                "(nested aliases?); write the values out instead",
                node.start_mark.line + 1,
            )
        if node.tag not in _STANDARD_TAGS:
            raise YamlTextError(
                f"the YAML tag '{node.tag}' is not allowed; remove it and write plain text",
                node.start_mark.line + 1,
            )
        if isinstance(node, self.scalar):
            return xml_safe(node.value)  # escapes such as "\e" make control characters
        if isinstance(node, self.sequence):
            return [self.value(item) for item in node.value]
        mapping: dict[str, Any] = {}
        for key_node, value_node in node.value:
            mapping[self.key(key_node)] = self.value(value_node)
        return mapping


# The fast paths. Nearly all front matter is flat `key: value` lines; reading those
# with a few regular expressions is several times cheaper than libyaml's node
# graph. Most of the rest, and most site.yaml files, nest mappings and `- item`
# lists by indentation, which a second path reads line by line, so that a run
# need not import PyYAML for them. Both accept only forms whose
# meaning is certain and return None for anything else (comments after values,
# escapes, block scalars, flow mappings of more than plain words, ...), which then
# goes through libyaml; tests check that each gives libyaml's result whenever it
# answers.
_YAML_ONLY_BREAKS = ("\x85", "\u2028", "\u2029")
_FLAT_LINES = re.compile(
    r"^(?:([A-Za-z_][A-Za-z0-9_-]*):[ \t]+(.*)|[ ]*|#.*|(.+))$",  # key: value | blank | comment
    re.MULTILINE,
)
"""One match per line: its key and value, or nothing for a blank line or a comment,
or (last group) any other line. One `findall` over the whole front matter, rather
than a match per line."""
_DOUBLE_QUOTED = re.compile(r'"((?:[^"\\]|\\["\\/])*)"')
_SINGLE_QUOTED = re.compile(r"'((?:[^']|'')*)'")
_ESCAPE = re.compile(r"\\(.)")
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")
_FLOW_UNSAFE = re.compile(r"[\[\]{}#:\t]")  # commas separate the items
_FLOW_PAIR = re.compile(r" *([A-Za-z_][A-Za-z0-9_-]*): +([^\[\]{}#:\t'\"]*?) *")
"""An item of a flow mapping, `key: value`, whose value is plain text without quotes,
brackets, colons or a comment mark (commas separate the items)."""
_SPACES = repeat(" ")
_first_character = itemgetter(0)
_located = partial(tuple.__new__, Located)
"""`Located(value, line)` from a pair, without the named tuple's Python-level __new__:
the fast path makes one per key of every post."""


def _flat_mapping(text: str) -> dict[str, Located] | None:
    if _has_other_breaks(text):
        return None
    lines = _FLAT_LINES.findall(text)
    if len(lines) != text.count("\n") + 1:
        return None  # not one match a line: the assumption above broke, so be safe
    result: dict[str, Located] = {}
    for number, (key, written, other) in enumerate(lines, start=1):
        if key:
            value = _flat_value(written.rstrip(" \t"))
            if value is None or key in result:
                return None
            result[key] = _located((value, number))
        elif other:
            return None
    return result


def _has_other_breaks(text: str) -> bool:
    """Whether YAML would break lines where `str.split("\n")` does not (or see a BOM,
    which is its own matter)."""
    return "\r" in text or "\ufeff" in text or any(b in text for b in _YAML_ONLY_BREAKS)


_BLOCK_LINE = re.compile(r"( *)(?:([A-Za-z_][A-Za-z0-9_-]*):(?:[ \t]+(.*))?|-[ ]+(.*)|#.*|)")
"""A line of nested front matter: its indentation, then `key:` (and its value, if
on the line), or a list item `- value`, or nothing (a blank line or a comment)."""

_Line = tuple[int, int, str | None, str | None, str | None]
"""A line of nested front matter with content: its number, indentation, and key and
value or item, as `_BLOCK_LINE` found them."""


def _block_mapping(text: str) -> dict[str, Located] | None:
    if _has_other_breaks(text):
        return None
    lines: list[_Line] = []
    for number, line in enumerate(text.split("\n"), start=1):
        match = _BLOCK_LINE.fullmatch(line)
        if match is None:
            return None
        indent, key, written, item = match.groups()
        if key is not None or item is not None:
            lines.append((number, len(indent), key, written, item))
    read = _block(lines, 0, 0, located=True)
    return None if read is None else read[0]


def _block(
    lines: list[_Line], start: int, indent: int, *, located: bool = False
) -> tuple[dict[str, Any], int] | None:
    """The mapping whose keys are the lines from `start` on at `indent`, and the index
    of the first line after it; its values `Located` if `located` (the top level)."""
    mapping: dict[str, Any] = {}
    index, count = start, len(lines)
    while index < count:
        number, at, key, written, _ = lines[index]
        if at < indent:
            break
        if at > indent or key is None or key in mapping:
            return None  # a continued value, a list where a key belongs, a key twice
        index += 1
        value: Any = None
        if written:
            value = _flat_value(written.rstrip(" \t"))
        elif index < count and lines[index][4] is not None and lines[index][1] >= indent:
            value, index = _items(lines, index)  # `- item` lines may sit level with the key
        elif index < count and lines[index][2] is not None and lines[index][1] > indent:
            nested = _block(lines, index, lines[index][1])
            if nested is None:
                return None
            value, index = nested
        if value is None:
            return None  # also `key:` with nothing below it: YAML's null
        mapping[key] = _located((value, number)) if located else value
    return mapping, index


def _items(lines: list[_Line], start: int) -> tuple[list[Any] | None, int]:
    """The `- item` lines from `start` on at its indentation (None if an item is not a
    value the flat path reads), and the index of the first line after them."""
    items: list[Any] = []
    index, indent = start, lines[start][1]
    while index < len(lines) and lines[index][1] == indent:
        item = lines[index][4]
        if item is None:
            break
        value = _flat_value(item.rstrip(" \t"))
        if value is None:
            return None, index
        items.append(value)
        index += 1
    return items, index


def _flat_value(written: str) -> str | list[str] | dict[str, str] | None:
    if not written:
        return None  # a nested block may follow
    first = written[0]
    if first == '"':
        if written.find('"', 1) == len(written) - 1 and "\\" not in written:
            return written[1:-1]  # the common case, without the regular expression's cost
        match = _DOUBLE_QUOTED.fullmatch(written)
        return _ESCAPE.sub(r"\1", match[1]) if match else None
    if first == "'":
        match = _SINGLE_QUOTED.fullmatch(written)
        return match[1].replace("''", "'") if match else None
    if first == "[":
        if written[-1] != "]":
            return None
        inside = written[1:-1]
        if not inside.strip(" "):
            return []
        if _FLOW_UNSAFE.search(inside):
            return None
        # C-level loops: a comprehension and a generator cost more than the list's terms.
        items = list(map(str.strip, inside.split(","), _SPACES))
        if "" in items or not _INDICATORS.isdisjoint(map(_first_character, items)):
            return None
        return items
    if first == "{":  # site.yaml's `news: {title: News, description: ...}`
        return _flow_mapping(written) if written[-1] == "}" else None
    if first in _INDICATORS or ": " in written or " #" in written or "\t#" in written:
        return None
    return None if written.endswith(":") or "\t" in written else written


def _flow_mapping(written: str) -> dict[str, str] | None:
    inside = written[1:-1]
    if not inside.strip(" "):
        return {}
    mapping: dict[str, str] = {}
    for item in inside.split(","):
        pair = _FLOW_PAIR.fullmatch(item)
        if pair is None:
            return None
        key, value = pair.groups()
        if not value or value[0] in _INDICATORS or key in mapping:
            return None
        mapping[key] = value
    return mapping
