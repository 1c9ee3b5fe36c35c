"""The fast paths and libyaml must give every front matter the same answer.

`load_mapping` reads most front matter with two fast paths (flat `key: value` lines,
nested blocks) and the rest with libyaml. Whichever path reads a document, the editor
must get the same values, the same warnings, or the same error at the same line. So a
seeded generator writes front matter of every kind editors write and break (flat keys,
quoting styles, flow lists and mappings, nested blocks, comments, keys given twice,
anchors and aliases, tabs, deep nesting, long keys, many values, unclosed quotes and
brackets, odd line breaks, ...) and each document is read with the fast paths on and
off (`fast_paths=False`: libyaml only), which must agree exactly.

The default run reads 6,000 documents, in about two seconds. To hunt for
disagreements, read more, or other ones:

    FEEDS_YAML_DOCUMENTS=400000 FEEDS_YAML_SEED=7 .venv/bin/python -m pytest \
        tests/test_yaml_differential.py

A disagreement is reported with the smallest document (by whole lines, then single
characters) that still shows it.
"""

from __future__ import annotations

import os
import random
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

from feeds.text.yamltext import (
    MAX_DEPTH,
    MAX_KEY,
    MAX_VALUES,
    Duplicate,
    YamlTextError,
    _block_mapping,
    _flat_mapping,
    load_mapping,
)

DOCUMENTS = int(os.environ.get("FEEDS_YAML_DOCUMENTS", "6000"))
SEED = int(os.environ.get("FEEDS_YAML_SEED", "22"))

Outcome = tuple[Any, ...]


def outcome(text: str, *, fast_paths: bool) -> Outcome:
    """What an editor gets: the values in order with their lines, the top-level keys
    whose values were plain scalars (unquoted: Jekyll's Psych types them) and the
    warnings, or the error and its line. Any other exception is a traceback the user
    would see: it fails the test."""
    duplicates: list[Duplicate] = []
    plain: set[str] = set()
    try:
        values = load_mapping(text, duplicates, fast_paths=fast_paths, plain=plain)
    except YamlTextError as error:
        return ("error", error.message, error.line)
    for located in values.values():
        check_plain(located.value, 2)
    listed = [(key, located.value, located.line) for key, located in values.items()]
    assert plain <= values.keys(), plain - values.keys()
    # Without asking, the same values: asking must change nothing else.
    assert load_mapping(text, fast_paths=fast_paths) == values
    return ("values", listed, [duplicate.warning() for duplicate in duplicates], sorted(plain))


def check_plain(value: Any, level: int) -> None:
    """Values are text, lists and mappings of them, no deeper than MAX_DEPTH."""
    if isinstance(value, str):
        return
    assert level <= MAX_DEPTH, f"a value nests {level} levels deep"
    assert isinstance(value, list | dict), type(value)
    for item in value.values() if isinstance(value, dict) else value:
        check_plain(item, level + 1)


def disagreement(text: str) -> tuple[Outcome, Outcome] | None:
    fast, composed = outcome(text, fast_paths=True), outcome(text, fast_paths=False)
    return None if fast == composed else (fast, composed)


def smallest(text: str, fails: Callable[[str], bool]) -> str:
    """`text` with as many of its lines, then characters (of a short one), removed as
    keeps it failing: runs of them halving in length, down to single ones; for at most
    half a minute, so that a failure is reported soon."""
    deadline = time.monotonic() + 30
    for unit in ("\n", "") if len(text) < 5000 else ("\n",):
        parts = text.split(unit) if unit else list(text)
        size = len(parts) // 2
        while size >= 1:
            index = 0
            while index < len(parts) and time.monotonic() < deadline:
                shorter = parts[:index] + parts[index + size :]
                if shorter and fails(unit.join(shorter)):
                    parts = shorter
                else:
                    index += size
            size //= 2
        text = unit.join(parts)
    return text


# --- The generator ------------------------------------------------------------------------

KEYS = ["title", "date", "tags", "author", "name", "a_b", "x-y", "Key9", "on", "draft", "_k"]
WORDS = [
    "hello",
    "Hello world",
    "2024-05-01",
    "2024-05-01 10:00:00 -0700",
    "2024-05-01 10:00:00",
    "09:00",
    "yes",
    "no",
    "~",
    "null",
    "1.5",
    "0x1F",
    "a-b",
    "it's",
    'say "hi"',
    "é",
    "日本",
    "🎉",
    "x\\y",
    "a/b",
    "http://example.org/a?b=c#d",
    "Jo Doe <jo@example.org>",
]
TRICKY = [
    "#hash",
    "a #c",
    "a\t#c",
    "a: b",
    "a:b",
    "a:",
    "-",
    "- x",
    "-x",
    "?",
    "? x",
    "!",
    "&",
    "*",
    "|",
    ">",
    "%",
    "@x",
    "`x",
    ",",
    "a, b",
    "[",
    "]",
    "{",
    "}",
    "",
    " ",
    "\t",
    "tab\there",
    "'",
    '"',
    "...",
    "---",
    "a\x85b",
    "a\u2028b",
    "\ufeff",
]
ESCAPES = ['\\"', "\\\\", "\\/", "\\n", "\\t", "\\e", "\\x41", "\\u263A", "\\q", "\\"]
BREAKS = ["\n"] * 40 + ["\r\n", "\r"]


class Writer:
    """Writes one document: mostly front matter as editors write it (which the fast paths
    read, unless it holds one of the rarer things they leave to libyaml), otherwise
    anything, broken in every way."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.anchors: list[str] = []
        self.wild = False

    def chance(self, p: float) -> bool:
        """True with probability `p` in a wild document, a tenth of that in one as
        editors write it (what every document needs a share of calls `rng` itself)."""
        return self.rng.random() < (p if self.wild else p / 10)

    def pick(self, options: list[str]) -> str:
        return self.rng.choice(options)

    def word(self) -> str:
        return self.pick(TRICKY) if self.chance(0.15) else self.pick(WORDS)

    def key(self, used: list[str]) -> str:
        if used and self.rng.random() < 0.015:
            return self.pick(used)  # given twice
        if self.rng.random() < 0.005:
            return "k" * self.rng.randint(MAX_KEY - 3, MAX_KEY + 3)
        if self.chance(0.05):
            return self.pick(['"quoted key"', "'single'", "a b", "ключ", "1", "-x", "? q"])
        for _ in range(3):  # keys given twice by chance are rarer than that
            key = self.pick(KEYS) if self.rng.random() < 0.8 else f"k{self.rng.randint(0, 99)}"
            if key not in used:
                break
        return key

    def double_quoted(self) -> str:
        inside = "".join(
            self.pick(ESCAPES) if self.chance(0.1) else self.word().replace('"', "")
            for _ in range(self.rng.randint(0, 3))
        )
        return '"' + inside + ("" if self.chance(0.03) else '"')

    def single_quoted(self) -> str:
        inside = "".join(self.word().replace("'", "''") for _ in range(self.rng.randint(0, 3)))
        return "'" + inside + ("" if self.chance(0.03) else "'")

    def scalar(self) -> str:
        roll = self.rng.random()
        if roll < 0.7:
            return self.word()
        if roll < 0.82:
            return self.double_quoted()
        if roll < 0.92 or not self.wild:
            return self.single_quoted()
        if roll < 0.95 and self.anchors:
            return "*" + self.pick(self.anchors)
        if roll < 0.97:
            return self.pick(["!!str 12", "!custom x", "! x", "!!binary aGk=", "!!python/none x"])
        return "*undefined" if self.chance(0.5) else "&" + self.anchor() + " " + self.word()

    def anchor(self) -> str:
        name = self.pick(["a", "b", "t", "x1"])
        self.anchors.append(name)
        return name

    def flow(self, depth: int = 0) -> str:
        """A flow list or mapping, sometimes nested, sometimes unclosed."""
        mapping = self.chance(0.3)
        items = []
        for _ in range(self.rng.randint(0, 4)):
            if depth < 3 and self.chance(0.1):
                item = self.flow(depth + 1)
            else:
                item = self.scalar() if self.wild or self.rng.random() < 0.2 else self.word()
            if mapping:
                item = self.key([]) + self.pick([": ", ":", ":  "]) + item
            items.append(item)
        if self.chance(0.03):
            items.append("")  # a trailing comma
        separator = self.pick([", ", ",", " , "])
        opened, closed = ("{", "}") if mapping else ("[", "]")
        anchor = "&" + self.anchor() + " " if self.chance(0.03) else ""
        if anchor and self.rng.random() < 0.5:
            items.append("*" + self.anchors[-1])  # the alias inside the value it names
        return anchor + opened + separator.join(items) + ("" if self.chance(0.03) else closed)

    def deep_flow(self) -> str:
        levels = self.rng.choice([MAX_DEPTH - 2, MAX_DEPTH - 1, MAX_DEPTH, MAX_DEPTH + 1, 500])
        opened = self.pick(["[", "{a: "]) if self.chance(0.3) else "["
        closed = "]" if opened == "[" else "}"
        return opened * levels + "x" + closed * levels

    def value(self) -> str:
        if self.chance(0.02):
            return self.deep_flow()
        if self.chance(0.005):
            return "[" + ", ".join(["x"] * self.rng.choice([MAX_VALUES // 2, MAX_VALUES])) + "]"
        if self.chance(0.02):
            return ""
        return self.scalar() if self.rng.random() < 0.78 else self.flow()

    def mapping(self, indent: str, depth: int, lines: list[str]) -> None:
        """`key: value` lines at `indent`, some with a nested block below them."""
        used: list[str] = []
        for _ in range(self.rng.randint(1, 6 if depth == 1 else 3)):
            key = self.key(used)
            used.append(key)
            anchor = "&" + self.anchor() + " " if self.chance(0.02) else ""
            roll = self.rng.random()
            if roll < 0.75 or depth >= 4:
                colon = self.pick([": "] * 12 + [":", ":  ", ":\t", " : "]) if self.wild else ": "
                lines.append(indent + key + colon + anchor + self.value())
                if self.chance(0.03):
                    lines.append(indent + self.pick(["  ", " ", ""]) + self.word())  # goes on
                continue
            lines.append(indent + key + ":" + (" " + anchor.strip() if anchor else ""))
            if roll < 0.88:
                inner = indent + (self.pick(["  ", " ", "    ", "\t"]) if self.wild else "  ")
                if self.rng.random() < 0.05:
                    self.deep_block(inner, lines)
                else:
                    self.mapping(inner, depth + 1, lines)
            else:
                inner = indent + self.pick(["", "  ", "  ", " "])
                dash = self.pick(["- "] * 10 + ["-  ", "-\t", "- - ", "-"]) if self.wild else "- "
                for _ in range(self.rng.randint(1, 3)):
                    item = self.key([]) + ": " + self.word() if self.chance(0.1) else self.value()
                    lines.append(inner + dash + item)
            if self.chance(0.05):
                lines.append(self.pick(["", "# note", "  # indented note", "   "]))

    def deep_block(self, indent: str, lines: list[str]) -> None:
        levels = self.rng.choice([MAX_DEPTH - 3, MAX_DEPTH - 2, MAX_DEPTH - 1, MAX_DEPTH, 100])
        step = self.pick(["  ", " "])
        for level in range(levels):
            lines.append(indent + step * level + f"k{level}:")
        last = indent + step * levels
        if self.chance(0.5):
            lines += [last + "- a", last + "- [b, c]"]
        else:
            lines.append(last + "x: " + self.value())

    def document(self) -> str:
        self.anchors = []
        self.wild = self.rng.random() < 0.4
        lines: list[str] = []
        if self.chance(0.05):
            lines.append(self.pick(["# a comment", "", "---", "%YAML 1.1\n---"]))
        self.mapping("", 1, lines)
        if self.rng.random() < 0.005:  # many keys: more values than MAX_VALUES, or nearly
            lines += [f"k{i}: v" for i in range(self.rng.choice([MAX_VALUES // 2 - 5, 5001]))]
        if self.chance(0.03):
            lines.insert(self.rng.randint(0, len(lines)), self.word())  # a line without ':'
        if self.chance(0.02):
            lines.append(self.pick(["---", "...", "--- x: y", "... # end"]) + "\nmore: text")
        if self.chance(0.05):
            lines = [("\t" + line[2:] if line.startswith("  ") else line) for line in lines]
        text = self.pick(BREAKS).join(lines) + self.pick(["\n", "\n", "", "\n\n", "\n  "])
        for _ in range(self.rng.choice([0] * 12 + [1, 2]) if self.wild else 0):  # a slip
            at = self.rng.randint(0, len(text))
            text = text[:at] + self.pick(list(":'\"[]{}#-\t ,&*!|>\n")) + text[at + 1 :]
        return self.pick(["\ufeff", ""]) + text if self.chance(0.01) else text


def test_the_fast_paths_and_libyaml_give_every_document_the_same_answer() -> None:
    rng = random.Random(SEED)
    writer = Writer(rng)
    seen: Counter[str] = Counter()
    for number in range(DOCUMENTS):
        text = writer.document()
        try:
            fast, composed = outcome(text, fast_paths=True), outcome(text, fast_paths=False)
        except Exception as error:
            raise AssertionError(f"document {number} (seed {SEED}): {text[:2000]!r}") from error
        if fast != composed:
            small = smallest(text, lambda t: disagreement(t) is not None)
            fast, composed = disagreement(small) or (fast, composed)
            raise AssertionError(
                f"document {number} (seed {SEED}), reduced to {small!r}:\n"
                f"  fast paths: {fast}\n  libyaml:    {composed}"
            )
        seen.update(kinds(text, composed))
    # The generator must keep producing every kind of document, or the test proves little.
    floor = DOCUMENTS // 400
    wanted = [
        "fast path",
        "libyaml",
        "duplicate",
        "too deep",
        "too many values",
        "key too long",
        "alias inside itself",
        "syntax error",
    ]
    assert all(seen[kind] >= floor for kind in wanted), seen


def kinds(text: str, result: Outcome) -> list[str]:
    """What the document (read as `result`) exercised, for the coverage check."""
    normalized = text.replace("\x85", " ").replace("\u2028", " ").replace("\u2029", " ")
    fast = _flat_mapping(normalized) is not None or _block_mapping(normalized) is not None
    found = ["fast path" if fast else "libyaml"]
    if result[0] == "values":
        found += ["duplicate"] if result[2] else []
        return found
    message = result[1]
    for kind, mark in [
        ("too deep", "nests deeper than"),
        ("too many values", "values (nested aliases?)"),
        ("key too long", "longer than 1024 characters"),
        ("alias inside itself", "would contain itself"),
        ("syntax error", "YAML syntax error"),
    ]:
        if mark in message:
            found.append(kind)
    return found
