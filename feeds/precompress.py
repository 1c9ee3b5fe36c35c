"""Companions: each output file compressed beside it (`atom.xml.gz`, `atom.xml.br`), for
web servers that send such a file as it is to clients that accept its encoding
(nginx's `gzip_static` and `brotli_static`), instead of compressing on every request.

A companion is its file's bytes in another encoding and nothing else, made the same
way on every run (gzip with no name and no time in its header, fixed levels), so a
file that did not change keeps companions that did not change, and their mtimes: a
poll still gets its 304. How they are written and removed beside their file is
`publish`'s business.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

ENCODINGS = {"gzip": ".gz", "br": ".br"}
"""site.yaml's names of the encodings, in the order companions are written, and the
suffix of each one's companion (the names nginx's `gzip_static`/`brotli_static` look for)."""
SUFFIXES = tuple(ENCODINGS.values())
_GZIP_LEVEL = 9
_BROTLI_QUALITY = 11


def parse_precompress(key: str, value: Any) -> tuple[str, ...]:
    """`precompress:` as site.yaml writes it: some of `ENCODINGS` (none: `[]`), in their
    own order."""
    from .text.fields import FieldError, text_list

    chosen = text_list(key, value)
    unknown = [name for name in chosen if name not in ENCODINGS]
    if unknown:
        raise FieldError(
            f"'{key}' lists {unknown[0]!r}; it can list {' and '.join(ENCODINGS)}, "
            f"e.g. {key}: [gzip, br]"
        )
    return tuple(name for name in ENCODINGS if name in chosen)


def suffixes(encodings: Iterable[str]) -> tuple[str, ...]:
    """The companions' suffixes of these encodings (site.yaml's names)."""
    return tuple(ENCODINGS[name] for name in encodings)


def compressed(data: bytes, encoding: str) -> bytes:
    """`data` in `encoding`, the same bytes for the same data on every run."""
    if encoding == "gzip":
        import gzip

        return gzip.compress(data, compresslevel=_GZIP_LEVEL, mtime=0)
    import brotli

    return bytes(brotli.compress(data, mode=brotli.MODE_TEXT, quality=_BROTLI_QUALITY))


def holds(raw: bytes, data: bytes, encoding: str) -> bool:
    """Whether `raw` in `encoding` decompresses to exactly `data`, and to nothing more:
    the check costs a decompression, bounded by `data`'s size, whatever `raw` holds."""
    try:
        head, whole = _decompressed(raw, encoding, len(data) + 1)
    except ValueError:
        return False
    return whole and head == data


def read_head(path: Path, size: int, encoding: str | None) -> bytes:
    """Up to `size` bytes from the start of the file at `path`, decompressed from
    `encoding` (None: as it is), whatever the whole decompresses to. Raises OSError,
    and ValueError for a file that does not decompress."""
    with path.open("rb") as stream:
        raw = stream.read(size)
    return raw if encoding is None else _decompressed(raw, encoding, size)[0]


def _decompressed(raw: bytes, encoding: str, limit: int) -> tuple[bytes, bool]:
    """The start of `raw` decompressed from `encoding`, at most `limit` bytes, and
    whether that is all of it: the stream complete, checked, with nothing after it.
    Raises ValueError for bytes that are not such a stream."""
    if encoding == "gzip":
        import zlib

        inflater = zlib.decompressobj(wbits=31)  # gzip's header and trailer, checked
        try:
            head = inflater.decompress(raw, limit)
        except zlib.error as error:
            raise ValueError(f"not gzip: {error}") from error
        return head, inflater.eof and not inflater.unused_data
    import brotli

    decoder = brotli.Decompressor()
    try:
        head = bytes(decoder.process(raw, output_buffer_limit=limit))
    except brotli.error as error:
        raise ValueError(f"not brotli: {error}") from error
    return head[:limit], decoder.is_finished() and len(head) < limit
