"""TOML front matter (Hugo, Zola) read into the same plain values as YAML's.

Fields decide for themselves what a value means (see `yamltext`), so TOML's
typed values are handed over as the text they stand for: a TOML date becomes
its ISO 8601 text, `true` becomes "true". Python's own `tomllib` parses.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Any

from ..text import xml_safe
from ..text.yamltext import MAX_DEPTH, TOO_DEEP, Located, YamlTextError

_KEY_LINE = re.compile(r"""^[ \t]*(?:"([^"]*)"|'([^']*)'|([A-Za-z0-9_-]+))[ \t]*[=.]""")
_TABLE_LINE = re.compile(r"""^[ \t]*\[\[?[ \t]*(?:"([^"]*)"|'([^']*)'|([A-Za-z0-9_-]+))""")
_ERROR_LINE = re.compile(r"\s*\(at (?:line (\d+), column \d+|end of document)\)$")
_STRING = re.compile(r"\"(?:[^\"\\]|\\.)*\"|'[^']*'")


def load_toml_mapping(text: str) -> dict[str, Located]:
    """Parse TOML front matter; each top-level key with its plain value and line."""
    import tomllib  # only sites with TOML front matter pay for loading it

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        found = _ERROR_LINE.search(str(error))
        message = _ERROR_LINE.sub("", str(error))
        raise YamlTextError(
            f"TOML syntax error: {message}", int(found[1]) if found and found[1] else None
        ) from None
    except RecursionError:  # tomllib recurses for each level: it fails at a few hundred
        raise YamlTextError(TOO_DEEP, _deep_line(text)) from None
    lines = _key_lines(text)
    values: dict[str, Located] = {}
    for key, value in data.items():
        line = lines.get(key, 1)
        try:
            values[key] = Located(_plain(value, 2), line)
        except YamlTextError:
            raise YamlTextError(TOO_DEEP, _deep_line(text) or line) from None
    return values


def _key_lines(text: str) -> dict[str, int]:
    """The line each top-level key (or table) is first written on."""
    lines: dict[str, int] = {}
    in_table = False
    for number, line in enumerate(text.split("\n"), start=1):
        table = _TABLE_LINE.match(line)
        if table:
            in_table = True
            lines.setdefault(next(g for g in table.groups() if g is not None), number)
            continue
        key = _KEY_LINE.match(line)
        if key and not in_table:
            lines.setdefault(next(g for g in key.groups() if g is not None), number)
    return lines


def _plain(value: Any, level: int) -> Any:
    """The value as YAML's are read (at `level`, the top-level table's being 1), with no
    more levels than YAML's may have."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, list | dict) and level > MAX_DEPTH:
        raise YamlTextError(TOO_DEEP, None)
    if isinstance(value, list):
        return [_plain(item, level + 1) for item in value]
    if isinstance(value, dict):
        return {str(key): _plain(item, level + 1) for key, item in value.items()}
    return xml_safe(str(value))  # escapes such as "\u0001" make control characters


def _deep_line(text: str) -> int | None:
    """The first line at which brackets, or the parts of a dotted key or table name, nest
    deeper than MAX_DEPTH (strings skipped, roughly: only to name a line)."""
    depth = 0
    for number, line in enumerate(text.split("\n"), start=1):
        code = _STRING.sub('""', line).split("#", 1)[0].strip()
        if depth == 0:  # a table's name is a level below the top; a dotted key's last part
            table = code.startswith("[")  # names the value, no level of its own
            name = code.strip("[]") if table else code.split("=", 1)[0]
            if name.count(".") + (2 if table else 1) > MAX_DEPTH:
                return number
        for character in code:
            depth += (character in "[{") - (character in "]}")
            if depth >= MAX_DEPTH:  # the top-level table is a level too
                return number
    return None
