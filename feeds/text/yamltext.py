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

from . import xml_safe

if TYPE_CHECKING:
    import yaml

MAX_VALUES = 10_000
"""Values one document may expand to; real front matter has a few dozen."""
MAX_DEPTH = 20
"""Levels lists and mappings may nest to, the top-level mapping being the first. Real
front matter and site.yaml use two or three; the bound keeps whatever walks the values
by recursion far from Python's recursion limit."""
MAX_KEY = 1024
"""Characters from the start of a plain key to its ':', YAML's limit on implicit keys
(libyaml refuses longer ones). The fast paths leave longer keys to libyaml."""

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
    return _composed_mapping(text, duplicates, plain)


def _composed_mapping(
    text: str, duplicates: list[Duplicate] | None = None, plain: set[str] | None = None
) -> dict[str, Located]:
    import yaml  # only here: most front matter never needs it

    builder = _Builder(text)
    loader: Any = None
    try:
        loader = getattr(yaml, "CBaseLoader", yaml.BaseLoader)(text)  # libyaml if available
        values = builder.read(loader)
    except yaml.MarkedYAMLError as error:
        raise builder.syntax_error(error) from None
    except yaml.YAMLError as error:
        raise YamlTextError(f"YAML error: {error}", None) from None
    except RecursionError:  # a last resort: neither the parsers nor the builder recurse
        raise YamlTextError(TOO_DEEP, None) from None
    finally:
        if loader is not None:
            loader.dispose()
    if duplicates is not None:
        duplicates += sorted(builder.duplicates, key=_last_line)
    if plain is not None:
        plain.update(builder.plain)
    return values


_OPENED_HERE = {
    "while scanning a quoted scalar": "the {quote} that starts a value on this line is not "
    "closed; end the value with {quote}",
    "while parsing a flow sequence": "the list opened with '[' on this line is not closed; end "
    "it with ']', and separate its items with ','",
    "while parsing a flow mapping": "the mapping opened with '{{' on this line is not closed; "
    "end it with '}}', and separate its 'key: value' pairs with ','",
    "while scanning a simple key": "this line has no ':' after its key; write 'key: value', "
    "or indent the line further to continue the value above it",
}
"""libyaml's contexts that name where something the editor opened began (a quote, a
bracket, a key), and what to say at that line (a `str.format` pattern). libyaml's problem
is found where reading gave up, often lines later (at the end, for an unclosed quote)."""
_LONG_KEY = (
    f"the key on this line is longer than {MAX_KEY} characters, which YAML does not allow; "
    "shorten it"
)


def _last_line(duplicate: Duplicate) -> int:
    return duplicate.lines[-1]


def _line(event: yaml.Event) -> int:
    mark = event.start_mark
    return mark.line + 1 if mark is not None else 1


class _Open:
    """A list or mapping being read: its values so far, and what reading on needs."""

    def __init__(
        self,
        mapping: dict[str, Any] | None,
        line: int,
        flow: bool,
        anchor: str | None,
        count: int,
        within: tuple[str, ...],
    ) -> None:
        self.mapping = mapping
        self.items: list[Any] = []  # a list's values (unused by a mapping)
        self.line = line
        self.flow = flow
        self.anchor = anchor
        self.definition = 0  # the number of its anchor's definition (`_Builder.latest`)
        self.count = count  # values counted before it
        self.within = within  # the keys of the mappings around it
        self.height = 1  # levels it spans, itself included
        self.key: str | None = None  # a mapping's key read, its value not yet
        self.key_line = 0
        self.lines: dict[str, list[int]] = {}  # a mapping's keys, and the lines of each
        self.repeats = False  # whether some key is given twice


class _Builder:
    """Turns the parser's events into plain values with a stack of its own (so that no
    nesting reaches Python's recursion limit), counting them to stop alias bombs and
    bounding how deep they nest."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.count = 0
        self.stack: list[_Open] = []
        self.anchors: dict[str, tuple[Any, int, int]] = {}
        """Each anchor's value, the values it counts as, and the levels it spans."""
        self.unfinished: set[str] = set()
        """Anchors last given to a list or mapping still being read: an alias to one is
        inside it. (An anchor given again names the later value, as in YAML 1.2.)"""
        self.defined = 0
        """Anchors given so far, which numbers each (`latest`)."""
        self.latest: dict[str, int] = {}
        """The number of each anchor's latest definition."""
        self.duplicates: list[Duplicate] = []
        self.plain: set[str] = set()
        """The top-level keys whose (last) values are plain scalars: no quotes, no tag."""

    def read(self, loader: Any) -> dict[str, Located]:
        from yaml import events

        loader.get_event()  # the stream's start
        if isinstance(loader.get_event(), events.StreamEndEvent):
            return {}  # blank, or only comments
        event = loader.get_event()  # the first node of the document just started
        if not isinstance(event, events.MappingStartEvent):
            # A syntax error further on is what to fix first (a key too long to be one
            # makes its line a single value, for one): read to the end to find it.
            while not isinstance(loader.get_event(), events.StreamEndEvent):
                pass
            raise YamlTextError(
                "expected 'key: value' lines, found a single value or a list", _line(event)
            )
        self.check_tag(event.tag, _line(event))
        top = self.push(event, {}, (), 0)
        while self.stack:
            event = loader.get_event()
            if isinstance(event, events.ScalarEvent):
                line = _line(event)
                self.counted(1, line)
                self.check_tag(event.tag, line)
                value = xml_safe(event.value)  # escapes such as "\e" make control characters
                if event.anchor is not None:
                    self.define(event.anchor)
                    self.anchors[event.anchor] = (value, 1, 0)
                # Plain and untagged (libyaml's style is '' for plain, PyYAML's None).
                self.add(value, 0, line, event.tag is None and event.implicit[0])
            elif isinstance(event, events.CollectionEndEvent):
                self.pop()
            elif isinstance(event, events.MappingStartEvent):
                self.start(event, {})
            elif isinstance(event, events.SequenceStartEvent):
                self.start(event, None)
            elif isinstance(event, events.AliasEvent):
                self.alias(event.anchor or "", _line(event))
        loader.get_event()  # the document's end
        event = loader.get_event()
        if not isinstance(event, events.StreamEndEvent):
            raise YamlTextError(
                "YAML syntax error: a second document starts here; remove the '---' or '...' "
                "line above it, so that all 'key: value' lines are one document",
                _line(event),
            )
        assert top.mapping is not None
        return top.mapping

    def counted(self, values: int, line: int) -> None:
        self.count += values
        if self.count > MAX_VALUES:
            raise YamlTextError(
                f"the front matter expands to more than {MAX_VALUES} values "
                "(nested aliases?); write the values out instead",
                line,
            )

    @staticmethod
    def check_tag(tag: str | None, line: int) -> None:
        # No tag and `!` (YAML's "not specific") both mean the plain kind of node.
        if tag is not None and tag != "!" and tag not in _STANDARD_TAGS:
            raise YamlTextError(
                f"the YAML tag '{tag}' is not allowed; remove it and write plain text", line
            )

    def start(self, event: yaml.CollectionStartEvent, mapping: dict[str, Any] | None) -> None:
        line = _line(event)
        parent = self.stack[-1]
        within = parent.within
        if parent.mapping is not None:
            if parent.key is None:
                raise YamlTextError("a key must be a plain word", line)
            within = (*within, parent.key)
        before = self.count
        self.counted(1, line)
        self.check_tag(event.tag, line)
        if len(self.stack) >= MAX_DEPTH:  # checked as each level opens: never built deeper
            raise YamlTextError(TOO_DEEP, line)
        self.push(event, mapping, within, before)

    def push(
        self,
        event: yaml.CollectionStartEvent,
        mapping: dict[str, Any] | None,
        within: tuple[str, ...],
        before: int,
    ) -> _Open:
        anchor = event.anchor
        opened = _Open(mapping, _line(event), bool(event.flow_style), anchor, before, within)
        if anchor is not None:
            opened.definition = self.define(anchor)
            self.unfinished.add(anchor)
        self.stack.append(opened)
        return opened

    def define(self, anchor: str) -> int:
        self.defined += 1
        self.latest[anchor] = self.defined
        self.unfinished.discard(anchor)
        return self.defined

    def pop(self) -> None:
        done = self.stack.pop()
        value: Any = done.items if done.mapping is None else done.mapping
        if done.repeats:
            for key, lines in done.lines.items():
                if len(lines) > 1:
                    self.duplicates.append(Duplicate(key, done.within, tuple(lines)))
        if done.anchor is not None and self.latest[done.anchor] == done.definition:
            self.unfinished.discard(done.anchor)
            self.anchors[done.anchor] = (value, self.count - done.count, done.height)
        if self.stack:
            self.add(value, done.height, done.line)

    def alias(self, name: str, line: int) -> None:
        if name in self.unfinished:
            raise YamlTextError(
                f"the alias '*{name}' is inside the value '&{name}' names, so that value "
                "would contain itself forever; write the values out instead",
                line,
            )
        anchored = self.anchors.get(name)
        if anchored is None:
            raise YamlTextError(
                f"YAML syntax error: the alias '*{name}' comes before any '&{name}'; write "
                f"the value out, or mark the value it repeats with '&{name}' first",
                line,
            )
        value, values, height = anchored
        self.counted(values, line)
        if len(self.stack) + height > MAX_DEPTH:
            raise YamlTextError(TOO_DEEP, line)
        self.add(value, height, line)  # shared, not copied: values are never changed

    def add(self, value: Any, height: int, line: int, plain: bool = False) -> None:
        """Put a value read (its levels `height`) into the list or mapping being read;
        `plain`: a scalar written without quotes or a tag (an alias's value is not)."""
        into = self.stack[-1]
        mapping = into.mapping
        if mapping is None:
            into.items.append(value)
        elif into.key is None:
            if not isinstance(value, str):
                raise YamlTextError("a key must be a plain word", line)
            into.key, into.key_line = value, line
            return
        else:
            key, key_line = into.key, into.key_line
            into.key = None
            lines = into.lines.get(key)
            if lines is None:
                into.lines[key] = [key_line]
            else:
                lines.append(key_line)  # the last value wins, as in YAML loaders
                into.repeats = True
            if len(self.stack) == 1:
                mapping[key] = Located(value, key_line)
                if plain:
                    self.plain.add(key)
                else:
                    self.plain.discard(key)  # given twice, the last value counts
            else:
                mapping[key] = value
        if height >= into.height:
            into.height = height + 1

    def syntax_error(self, error: yaml.MarkedYAMLError) -> YamlTextError:
        """libyaml's error, at the line the editor has to look at: where the quote,
        bracket or key that was never closed was opened, rather than where libyaml
        gave up looking for its end."""
        problem, context = error.problem, error.context
        opened, at = error.context_mark, error.problem_mark
        if at is not None:
            if problem == "exceeded maximum nesting depth":  # libyaml's own bound, 1000
                return YamlTextError(TOO_DEEP, at.line + 1)
            if self.key_ends_long(at):
                return YamlTextError(_LONG_KEY, at.line + 1)
        if opened is not None and context is not None and context in _OPENED_HERE:
            if context == "while scanning a simple key" and self.key_runs_on(opened):
                return YamlTextError(_LONG_KEY, opened.line + 1)
            message = _OPENED_HERE[context].format(quote=self.quote(opened))
            return YamlTextError(f"YAML syntax error: {message}", opened.line + 1)
        flows = [opened for opened in self.stack if opened.flow]
        if at is not None and flows and self.at_end(at):  # ran off the end: never closed
            innermost = flows[-1]
            message = _OPENED_HERE[
                "while parsing a flow sequence"
                if innermost.mapping is None
                else "while parsing a flow mapping"
            ].format()
            return YamlTextError(f"YAML syntax error: {message}", innermost.line)
        mark = at or opened
        line = mark.line + 1 if mark is not None else None
        return YamlTextError(f"YAML syntax error: {problem or context or 'invalid'}", line)

    def line_text(self, mark: yaml.Mark) -> str:
        lines = self.text.split("\n")
        return lines[mark.line] if mark.line < len(lines) else ""

    def quote(self, mark: yaml.Mark) -> str:
        """The quote that starts the quoted value at `mark`, quoted for a message."""
        text = self.line_text(mark)
        return '"\'"' if text[mark.column : mark.column + 1] == "'" else "'\"'"

    def key_runs_on(self, mark: yaml.Mark) -> bool:
        """Whether the key that starts at `mark` has its ':' further on its line than
        YAML allows."""
        text = self.line_text(mark)
        colon = text.find(":", mark.column)
        return colon - mark.column > MAX_KEY

    def key_ends_long(self, mark: yaml.Mark) -> bool:
        """Whether `mark` is at a ':' ending a key longer than YAML allows (the key starts
        after the indentation, or after the last `,`, `[` or `{` before it)."""
        text = self.line_text(mark)
        if text[mark.column : mark.column + 1] != ":":
            return False
        start = max(text.rfind(separator, 0, mark.column) for separator in ",[{") + 1
        key = text[start : mark.column]
        return len(key.lstrip(" ")) > MAX_KEY

    def at_end(self, mark: yaml.Mark) -> bool:
        """Whether `mark` is at or after the end of the text's last word."""
        content = self.text.rstrip()
        last_line = content.count("\n")
        return (mark.line, mark.column) >= (last_line, len(content) - content.rfind("\n") - 1)


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
