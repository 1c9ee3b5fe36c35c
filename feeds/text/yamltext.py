"""YAML in which text stays text.

YAML 1.1 turns `title: 2024` into a number and `tags: [no, on]` into booleans,
and its full loaders can build arbitrary Python objects. Editors mean none of
that: they typed words. So documents are parsed with libyaml (or the pure
Python parser where libyaml is missing) without implicit typing, and its events
are turned into plain `str`, `list` and `dict` values here. Each field decides
itself whether it wants a number, a date or a flag.

Explicit tags other than the standard scalar/collection ones are refused, which
also refuses `!!python/...` object construction. Aliases are followed, but the
number of values built and the depth they nest to are bounded, so an alias bomb
cannot exhaust memory and no input can exhaust the stack: the values are built
from the parser's events with a stack of their own, never by recursion.

A key given twice is read as its last value, as YAML loaders and the site
generators (Jekyll, Hugo) read it, and reported as a `Duplicate` for a warning.
"""

from __future__ import annotations

import re
from functools import partial
from itertools import repeat
from operator import itemgetter
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    pass

MAX_VALUES = 10_000
"""Values one document may expand to; real front matter has a few dozen."""
MAX_DEPTH = 20
"""Levels lists and mappings may nest to, the top-level mapping being the first. Real
front matter and site.yaml use two or three; the bound keeps whatever walks the values
by recursion far from Python's recursion limit."""
MAX_KEY = 1024
"""Characters from the start of a plain key to its ':', YAML's limit on implicit keys
(libyaml refuses longer ones). The fast paths leave longer keys to libyaml."""


class Located(NamedTuple):
    """A top-level value and the 1-based line of the document it starts on.

    A named tuple: one is made per key of every post, and a tuple is the cheapest
    object to make."""

    value: Any
    line: int


TOO_DEEP = (
    f"the front matter nests deeper than {MAX_DEPTH} levels (lists and mappings inside "
    "each other); write it with fewer levels: two or three are all front matter needs"
)
"""The error for values nested deeper than MAX_DEPTH, in YAML or TOML front matter."""


class YamlTextError(ValueError):
    """The document is not usable; `line` is 1-based within the document, if known."""

    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


class Duplicate(NamedTuple):
    """A key given more than once in one mapping. Its last value is the one read, as YAML
    loaders and the site generators (Jekyll, Hugo) read it; the editor gets a warning."""

    key: str
    within: tuple[str, ...]
    """The keys of the mappings around it, outermost first; () at the top level."""
    lines: tuple[int, ...]
    """The document lines it is given on, in order."""

    def warning(self, first_line: int = 1) -> tuple[int, str]:
        """The line to report it on (its last, whose value is used) and the message, both
        as lines of the file in which the document's first line is `first_line`."""
        lines = [line + first_line - 1 for line in self.lines]
        last = lines[-1]
        where = f" in '{'.'.join(self.within)}'" if self.within else ""
        times = "twice" if len(lines) == 2 else f"{len(lines)} times"
        places = [str(line) for line in dict.fromkeys(lines)]  # in order, each once
        if len(places) == 1:
            place = f"on line {last}"
        else:
            place = f"on lines {', '.join(places[:-1])} and {last}"
        used = "the last one" if last in lines[:-1] else f"the one on line {last}"
        others = "the other" if len(lines) == 2 else "the others"
        return (
            last,
            f"'{self.key}' is given {times}{where}, {place}; {used} is used; delete {others}",
        )


def load_mapping(
    text: str,
    duplicates: list[Duplicate] | None = None,
    *,
    fast_paths: bool = True,
    plain: set[str] | None = None,
) -> dict[str, Located]:
    """Parse a document whose top level must be a mapping (front matter, site.yaml).

    Returns each key with its value as plain text/list/dict and the key's line,
    so that problems with a field can point at the line the editor wrote it on.
    Keys given more than once are appended to `duplicates`, if given, for warnings.
    The top-level keys whose values are plain scalars (written without quotes or a tag,
    which a YAML 1.1 loader types by their form: `2024-05-01 10:00:00` a timestamp)
    are added to `plain`, if given: the rest of feeds reads every scalar as text, but a
    generator's YAML loader may not (see `keys.psych_utc`).
    Raises YamlTextError. `fast_paths=False` reads every document with libyaml, which
    the fast paths must agree with wherever they answer (tests compare the two).
    """
    # YAML 1.1 counts NEL, U+2028 and U+2029 as line breaks, which would shift every
    # line number after them; in front matter they are never meant as such (a NEL is
    # mostly a Windows-1252 ellipsis read as Latin-1).
    for line_break in _YAML_ONLY_BREAKS:
        text = text.replace(line_break, " ")
    if fast_paths:
        simple = _flat_mapping(text, plain)
        if simple is None:
            simple = _block_mapping(text, plain)
        if simple is not None:
            return simple  # the fast paths decline keys given twice: no duplicates here
    from .yamlevents import composed_mapping  # only here: most front matter never needs it

    return composed_mapping(text, duplicates, plain)


# The fast paths. Nearly all front matter is flat `key: value` lines; reading those
# with a few regular expressions is several times cheaper than libyaml's events.
# Most of the rest, and most site.yaml files, nest mappings and `- item`
# lists by indentation, which a second path reads line by line, so that a run
# need not import PyYAML for them. Both accept only forms whose
# meaning is certain and return None for anything else (comments after values,
# escapes, block scalars, flow mappings of more than plain words, ...), which then
# goes through libyaml; tests check that each gives libyaml's result whenever it
# answers. So that the answer never depends on the path, they also leave to libyaml
# everything libyaml refuses or warns about: keys given twice, keys longer than
# MAX_KEY (by the length their regular expressions allow), documents that may hold
# more than MAX_VALUES values, and nesting near MAX_DEPTH. They raise no errors.
_YAML_ONLY_BREAKS = ("\x85", "\u2028", "\u2029")
_KEY = rf"[A-Za-z_][A-Za-z0-9_-]{{0,{MAX_KEY - 1}}}"
"""A key the fast paths read: a plain word, at most MAX_KEY characters long."""
_FLAT_LINES = re.compile(
    rf"^(?:({_KEY}):[ \t]+(.*)|[ ]*|#.*|(.+))$",  # key: value | blank | comment | other
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
_FLOW_PAIR = re.compile(rf" *({_KEY}): +([^\[\]{{}}#:\t'\"]*?) *")
"""An item of a flow mapping, `key: value`, whose value is plain text without quotes,
brackets, colons or a comment mark (commas separate the items)."""
_NOT_PLAIN = frozenset("'\"[{")
"""The first characters of the values the fast paths read that are no plain scalars
(quoted text, flow lists and mappings); they decline the other indicators."""
_SPACES = repeat(" ")
_first_character = itemgetter(0)
_located = partial(tuple.__new__, Located)
"""`Located(value, line)` from a pair, without the named tuple's Python-level __new__:
the fast path makes one per key of every post."""


def _flat_mapping(text: str, plain: set[str] | None = None) -> dict[str, Located] | None:
    if not _may_be_fast(text):
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
    if plain is not None:  # a second loop, so that callers who do not ask pay nothing
        plain.update(key for key, written, _ in lines if key and written[0] not in _NOT_PLAIN)
    return result


def _may_be_fast(text: str) -> bool:
    """Whether the fast paths may read the text: YAML breaks lines only where
    `str.split("\n")` does (and sees no BOM, which is its own matter), and the text is too
    short to hold more than MAX_VALUES values (each value they read takes a character of
    its own: a key its first, a list its `[` or its key's `:`, ...)."""
    return (
        len(text) <= MAX_VALUES
        and "\r" not in text
        and "\ufeff" not in text
        and not any(b in text for b in _YAML_ONLY_BREAKS)
    )


_BLOCK_LINE = re.compile(rf"( *)(?:({_KEY}):(?:[ \t]+(.*))?|-[ ]+(.*)|#.*|)")
"""A line of nested front matter: its indentation, then `key:` (and its value, if
on the line), or a list item `- value`, or nothing (a blank line or a comment)."""

_Line = tuple[int, int, str | None, str | None, str | None]
"""A line of nested front matter with content: its number, indentation, and key and
value or item, as `_BLOCK_LINE` found them."""


def _block_mapping(text: str, plain: set[str] | None = None) -> dict[str, Located] | None:
    if not _may_be_fast(text):
        return None
    lines: list[_Line] = []
    for number, line in enumerate(text.split("\n"), start=1):
        match = _BLOCK_LINE.fullmatch(line)
        if match is None:
            return None
        indent, key, written, item = match.groups()
        if key is not None or item is not None:
            lines.append((number, len(indent), key, written, item))
    read = _block(lines, 0, 0, 1, located=True)
    if read is None:
        return None
    if plain is not None:  # the top-level keys, with their values on their lines
        plain.update(
            key
            for _, indent, key, written, _ in lines
            if indent == 0 and key is not None and written and written[0] not in _NOT_PLAIN
        )
    return read[0]


_FAST_DEPTH = MAX_DEPTH - 2
"""The deepest level at which the block path reads a mapping: a list in it is one level
deeper, and a flow list or mapping as an item of that list another."""


def _block(
    lines: list[_Line], start: int, indent: int, depth: int, *, located: bool = False
) -> tuple[dict[str, Any], int] | None:
    """The mapping whose keys are the lines from `start` on at `indent`, and the index
    of the first line after it; its values `Located` if `located` (the top level).
    `depth` is its level, the top level's 1; deeper than _FAST_DEPTH, libyaml reads (and
    reports) the document."""
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
            if depth == _FAST_DEPTH:
                return None
            nested = _block(lines, index, lines[index][1], depth + 1)
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
