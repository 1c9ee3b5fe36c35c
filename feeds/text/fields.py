"""Typed values from YAML text, shared by site.yaml and front matter.

`yamltext` hands over plain strings, lists and dicts; each field here decides
what it accepts and, when it refuses, says what to write instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from ..model import Person

_TRUE = frozenset({"true", "yes", "on"})
_FALSE = frozenset({"false", "no", "off"})
_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")
_NAME_AND_EMAIL = re.compile(r"^(?P<name>[^<>]+?)\s*<(?P<email>[^<>]+)>$")
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
_MARKDOWN_LINK = re.compile(r"\[([^\[\]]*)\]\([^()\s]*\)")
_PROFILE_KEYS = frozenset(
    {"url", "uri", "link", "website", "web", "twitter", "github", "mastodon", "avatar"}
    | {"image", "picture", "bio", "description", "handle"}
)
"""Keys generators' author records carry besides name and email; a feed has no use for them."""


class FieldError(ValueError):
    """A value of the wrong shape; the message is shown after `path:line:`."""


def text(key: str, value: Any, *, required: bool = False) -> str | None:
    """A single line or paragraph of text; lists and mappings are refused."""
    if isinstance(value, str):
        cleaned = value.strip()
        if cleaned or not required:
            return cleaned or None
        raise FieldError(f"'{key}' is empty; write some text after '{key}:'")
    raise FieldError(f"'{key}' must be text, not a {_shape(value)}; write {key}: some text")


def language(key: str, value: Any) -> str:
    """A language tag (BCP 47's shape: `en`, `de-AT`, `zh-Hant-TW`)."""
    written = text(key, value, required=True)
    assert written is not None
    if not _LANGUAGE.match(written):
        raise FieldError(f"'{key}' must be a language tag like en or en-GB, not {written!r}")
    return written


def flag(key: str, value: Any) -> bool:
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise FieldError(f"'{key}' must be true or false, not {_show(value)}")


def whole_number(key: str, value: Any, *, minimum: int, maximum: int) -> int:
    if type(value) is int:  # TOML's; YAML's are text
        value = str(value)
    if isinstance(value, str) and re.fullmatch(r"\s*\d+\s*", value):
        number = int(value)
        if minimum <= number <= maximum:
            return number
    raise FieldError(
        f"'{key}' must be a whole number from {minimum} to {maximum}, not {_show(value)}"
    )


NULL = frozenset({"", "~", "null", "Null", "NULL"})
"""YAML's ways of writing no value (`tags: ~`, `tags:`), which generators read as none.
The YAML reader hands every value over as text, so `'~'` quoted is no value either."""


def item_count(key: str, value: Any) -> int:
    """Entries per feed (`max_items`)."""
    return whole_number(key, value, minimum=1, maximum=100_000)


def byte_count(key: str, value: Any) -> int:
    """A feed file's size budget (`max_bytes`), in bytes: a plain number, as a size read
    in "KB" or "MB" could mean 1000 or 1024 of the unit below."""
    try:
        return whole_number(key, value, minimum=1024, maximum=1024**3)
    except FieldError:
        raise FieldError(
            f"'{key}' must be a whole number of bytes from 1024 to {1024**3}, like "
            f"{key.rpartition('.')[2]}: 1000000 for 1 MB; not {_show(value)}"
        ) from None


def is_null(value: Any) -> bool:
    """Whether `value` is YAML's null (see `NULL`)."""
    return isinstance(value, str) and value.strip() in NULL


def text_list(key: str, value: Any, *, split: bool = False) -> list[str]:
    """A list of terms, or one term written as plain text; with `split`, several terms
    separated by spaces (Jekyll's `tags: a b`). A null value is no term, and a null item
    of a list none either (`tags: [a, ~]` is `a`): Jekyll and Hugo drop YAML's nulls
    from the list rather than name a term `~`."""
    if isinstance(value, str):
        if is_null(value):
            return []
        if split:
            return value.split()
    items = value if isinstance(value, list) else [value]
    terms = []
    for item in items:
        if not isinstance(item, str):
            raise FieldError(
                f"'{key}' must be a list of words, e.g. {key}: [news, reviews]; "
                f"found a {_shape(item)} in it"
            )
        cleaned = item.strip()
        if cleaned not in NULL:
            terms.append(cleaned)
    return terms


def person(key: str, value: Any) -> Person:
    """`Name`, `Name <email>`, or a mapping with `name` and optional `email`.

    A whole string is one person, even with commas in it: "Jo Doe, editor" names
    a role far more often than a second author.
    """
    if isinstance(value, str):
        return _person_from_text(key, value)
    if isinstance(value, dict):
        unknown = sorted(set(value) - {"name", "email"} - _PROFILE_KEYS)
        if unknown:
            raise FieldError(f"'{key}' has unknown key '{unknown[0]}'; use name and email")
        name = text(f"{key}.name", value.get("name", ""), required=True)
        email = text(f"{key}.email", value.get("email", ""))
        if email is not None and not _EMAIL.match(email):
            raise FieldError(f"'{key}.email' is not an email address: {email!r}")
        assert name is not None
        return Person(name, email)
    raise FieldError(
        f"'{key}' must be a name, or name and email: {key}: {{name: Jo Doe, email: jo@example.org}}"
    )


@lru_cache(maxsize=1024)
def _person_from_text(key: str, value: str) -> Person:
    """Cached: a site's posts name the same few authors thousands of times.

    Markdown links (`[Jo](https://jo.example)`) are reduced to their text.
    """
    written = _MARKDOWN_LINK.sub(r"\1", value).strip()
    match = _NAME_AND_EMAIL.match(written)
    if match and _EMAIL.match(match["email"]):
        return Person(match["name"], match["email"])
    if written:
        return Person(written)
    raise FieldError(f"'{key}' is empty; write a name, or remove '{key}:'")


def people(key: str, value: Any) -> list[Person]:
    """`authors:`: a list of people as `person` reads them, or one person; null, as
    in `text_list`, is nobody."""
    if not isinstance(value, list):  # one person, as most posts have
        return [] if is_null(value) else [person(key, value)]
    return [person(key, item) for item in value if not is_null(item)]


def absolute_url(key: str, value: str) -> str:
    try:
        parts = urlsplit(value)
    except ValueError:  # e.g. "http://[x": an unclosed IPv6 host
        parts = urlsplit("")
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or any(c.isspace() for c in value)
    ):
        raise FieldError(
            f"'{key}' must be an absolute http(s) URL like https://example.org/, not {value!r}"
        )
    return value


def suggest(unknown: str, known: Iterable[str]) -> str:
    """' (did you mean 'x'?)' for a likely typo, else ''. Alike enough for a swapped,
    dropped or doubled letter (`tgas`: 0.75), not for another word that shares some
    letters (`colour` and `enclosure`: 0.67)."""
    import difflib  # only needed when something is misspelt

    close = difflib.get_close_matches(unknown, list(known), n=1, cutoff=0.7)
    return f" (did you mean '{close[0]}'?)" if close else ""


_SHAPES: dict[type, str] = {list: "list", dict: "mapping"}


def _shape(value: Any) -> str:
    return _SHAPES.get(type(value), "value")


def _show(value: Any) -> str:
    return repr(value) if isinstance(value, str) else f"a {_shape(value)}"
