"""The libyaml path of `yamltext.load_mapping`: any YAML document, read from the
parser's events into plain values with a stack of its own (never by recursion), its
limits (`MAX_VALUES`, `MAX_DEPTH`, `MAX_KEY`) checked as the events come, and syntax
errors placed at the line where the editor has to look. Imported only for documents
the fast paths in `yamltext` leave to it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import xml_safe
from .yamltext import (
    MAX_DEPTH,
    MAX_KEY,
    MAX_VALUES,
    TOO_DEEP,
    Duplicate,
    Located,
    YamlTextError,
)

if TYPE_CHECKING:
    import yaml

_STANDARD_TAGS = frozenset(
    "tag:yaml.org,2002:" + name
    for name in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map", "binary")
)


def composed_mapping(
    text: str, duplicates: list[Duplicate] | None = None, plain: set[str] | None = None
) -> dict[str, Located]:
    import yaml

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
