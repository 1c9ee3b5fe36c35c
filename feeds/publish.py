"""Writing feeds so that nobody ever reads half of one, and nothing is rewritten for nothing.

- A file whose bytes are already right is left alone: its mtime stays, so web
  servers keep answering readers' conditional requests with 304.
- Changed files are first all staged as temporary files in their own folders and
  flushed to disk; only when every one is staged are they renamed over the old
  ones (atomic for readers). A full disk or a read-only folder therefore fails
  before any feed changes, and a killed run leaves each feed old or new, whole.
- Temporary files carry a prefix of our own, so the next run can remove what a
  killed run left behind without touching anything else in the folder.
- An exclusive lock on a file in the output folder serialises overlapping runs;
  the kernel drops it when its process dies, so it can never go stale.
- A file's companions (`atom.xml.gz`, see `precompress`), which a web server sends in
  its place, never lag it and never outlive it: written just before it, removed just
  before it.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import re
import time
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from pathlib import Path, PurePosixPath

from .formats import FEED_HEAD, is_our_feed, is_our_index, output_patterns, split_outputs
from .model import PublishReport, display_path
from .precompress import ENCODINGS, SUFFIXES, compressed, holds, read_head

FILE_MODE = 0o644
"""Feeds are public: readable by the web server, whatever mkstemp's private default."""

LOCK_NAME = ".feeds.lock"
_TEMP_PREFIX = ".feeds-tmp-"
_LEFTOVER = re.compile(r"^\.feeds-tmp-.+\.tmp$")


class PublishError(Exception):
    """The output folder could not be written; the message names the file and the cause."""


class BusyError(Exception):
    """Another run holds the output folder's lock."""


@contextlib.contextmanager
def output_lock(out_dir: Path, wait: float = 0.0) -> Iterator[None]:
    """Hold the output folder's lock, waiting up to `wait` seconds for another run."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(out_dir / LOCK_NAME, os.O_RDWR | os.O_CREAT, FILE_MODE)
    except OSError as error:
        raise PublishError(
            f"{display_path(out_dir)}: cannot use the output folder ({os_reason(error)})"
        ) from error
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise BusyError(f"{display_path(out_dir)}: {_busy(wait)}") from None
                time.sleep(0.05)
        yield
    finally:
        os.close(descriptor)


def _busy(wait: float) -> str:
    if wait:
        return (
            f"another feeds run kept writing here for the {wait:g} s --wait allowed; "
            "try again later"
        )
    return "another feeds run is writing here; try again later or pass --wait SECONDS"


def publish(
    out_dir: Path, files: Mapping[str, bytes], precompress: Sequence[str] = ()
) -> PublishReport:
    """Bring each `relative path -> bytes` in `files` up to date below `out_dir` (see
    `Publication`), at once."""
    with Publication(out_dir, precompress) as publication:
        publication.stage(files)
        return publication.commit()


class Publication:
    """Files brought up to date below `out_dir`, each with a companion in each encoding
    `precompress` names (see `precompress`): staged batch by batch (`stage`), so that a
    build holds one batch's bytes at a time, then all renamed into place (`commit`).
    Leaving the `with` block without committing removes what was staged.

    Touches nothing else in the folder. Each file's companions are renamed into place
    just before it, so a server never sends an encoding older than the file: a run
    killed in between leaves a newer companion, and the next run the file to match.
    A companion that decompresses to its file's bytes is left alone: compressed here,
    it holds the very bytes compressing would give, and checking costs a
    decompression where brotli's best level compresses about 1 MB a second.
    The report names the files: one whose companion alone was replaced (deleted or
    damaged by hand) is unchanged for its readers, and no hub hears of it."""

    def __init__(self, out_dir: Path, precompress: Sequence[str] = ()) -> None:
        self.out_dir = out_dir
        self.precompress = precompress
        self.staged: list[tuple[str, str]] = []
        """Each staged file's path from `out_dir` and its temporary's name, in the order
        they are renamed: text, and the temporary's folder not again, as a build with
        archive pages stages hundreds of thousands."""
        self.renamed = 0
        """How many of `staged` are in place."""
        self.changed: list[str] = []
        self.unchanged: list[str] = []

    def __enter__(self) -> Publication:
        return self

    def __exit__(self, *exc: object) -> None:
        for relative, name in self.staged[self.renamed :]:  # leave no staged file behind
            with contextlib.suppress(OSError):
                os.unlink(self._temporary(relative, name))
        self.staged.clear()

    def stage(self, files: Mapping[str, bytes]) -> None:
        """Stage each file (and companion) whose bytes differ from what is there."""
        replaced: list[tuple[str, bytes]] = []
        for relative in sorted(files):
            target, data = self.out_dir / _safe_relative(relative), files[relative]
            for encoding in self.precompress:
                suffix = ENCODINGS[encoding]
                if not _holds(companion(target, suffix), data, encoding):
                    replaced.append((relative + suffix, compressed(data, encoding)))
            if _has_bytes(target, data):
                self.unchanged.append(relative)
            else:
                replaced.append((relative, data))
                self.changed.append(relative)
        current = self.out_dir
        try:
            for relative, data in replaced:
                current = self.out_dir / relative
                self.staged.append((relative, os.path.basename(_stage(current, data))))
        except OSError as error:
            raise PublishError(
                f"{display_path(current)}: cannot write ({os_reason(error)})"
            ) from error

    def commit(self) -> PublishReport:
        """Rename every staged file into place, and make the renames durable."""
        root = os.fspath(self.out_dir)
        folders = {os.path.dirname(os.path.join(root, relative)) for relative, _ in self.staged}
        target = root
        try:
            for relative, name in self.staged[self.renamed :]:
                target = os.path.join(root, relative)
                os.replace(self._temporary(relative, name), target)
                self.renamed += 1
        except OSError as error:
            raise PublishError(
                f"{display_path(Path(target))}: cannot write ({os_reason(error)})"
            ) from error
        for folder in sorted(folders):
            _sync_directory(Path(folder))
        return PublishReport(tuple(sorted(self.changed)), tuple(sorted(self.unchanged)))

    def _temporary(self, relative: str, name: str) -> str:
        return os.path.join(os.path.dirname(os.path.join(self.out_dir, relative)), name)


def companion(target: Path, suffix: str) -> Path:
    """The companion of the file at `target` with this suffix (see `precompress`)."""
    return target.with_name(target.name + suffix)


def stale_outputs(
    out_dir: Path,
    produced: Collection[str],
    index_page: str | None,
    *,
    prune_stale: bool,
    feed_globs: Sequence[str] = (),
    precompress: Sequence[str] = (),
) -> tuple[str, ...]:
    """Files of the output layout that this run no longer produces, such as the feeds
    of a category without posts; removed only with `prune_stale`, since a vanished feed
    would give its subscribers 404s. The index page counts only if feeds wrote it.

    `feed_globs` are the patterns of site.yaml's `feed_paths` (`formats.feed_globs`).
    Those are the site's own addresses, often in a folder that is the site's web root,
    where its old generator wrote (and may still write) feeds and other files: so with
    them, a feed file is stale only if feeds wrote it (`formats.is_our_feed`), at a
    configured path or at a default one (a feed moved by feed_paths leaves its old file
    there).

    Companions (see `precompress`) go with their file: a stale file's are kept and
    pruned with it, and the report names only the file. Those of a produced file in an
    encoding `precompress` does not name (it named it once, or a hand put it there) go
    at once, though: the server would send it instead of the file, a feed stuck in
    the past for every reader that accepts the encoding, while without it they get
    the file itself. One whose file is gone is stale in its own name."""
    patterns = [*output_patterns(own_index_page(out_dir, index_page)), *feed_globs]
    stale = find_stale(out_dir, produced, patterns)
    wanted = [ENCODINGS[encoding] for encoding in precompress]
    found = find_stale(
        out_dir,
        {path + suffix for path in produced for suffix in wanted},
        [pattern + suffix for pattern in patterns for suffix in SUFFIXES],
    )
    orphans: dict[str, tuple[str, str]] = {}  # companion -> its file, its encoding
    unwanted = []
    for path in found:
        plain, suffix = path.rsplit(".", 1)
        if plain in produced:
            unwanted.append(path)
        elif not os.path.lexists(out_dir / plain):
            orphans[path] = (plain, _ENCODING_OF[f".{suffix}"])
    prune(out_dir, unwanted)
    stale = tuple(sorted([*stale, *orphans]))
    if feed_globs:
        stale = tuple(path for path in stale if _written_by_us(out_dir, path, orphans.get(path)))
    if prune_stale:
        prune(out_dir, stale)
    return stale


def find_stale(
    out_dir: Path, produced: Collection[str], patterns: Iterable[str]
) -> tuple[str, ...]:
    """Files matching glob `patterns` that are not among those `produced`."""
    found = {
        path.relative_to(out_dir).as_posix()
        for pattern in patterns
        for path in out_dir.glob(pattern)
        if path.is_file() and not path.is_symlink()
    }
    return tuple(sorted(found - set(produced)))


def _written_by_us(out_dir: Path, relative: str, of: tuple[str, str] | None) -> bool:
    """Whether feeds wrote the file at `relative`: a page, or a feed by its head. `of`:
    the file and the encoding it is a companion of, read as that file."""
    plain, encoding = of or (relative, None)
    if split_outputs([plain])[1]:
        return True
    try:
        return is_our_feed(read_head(out_dir / relative, FEED_HEAD, encoding), plain)
    except (OSError, ValueError):
        return False


_ENCODING_OF = {suffix: encoding for encoding, suffix in ENCODINGS.items()}


def is_foreign_page(target: Path) -> bool:
    """A page of the site's own that an index page must not overwrite."""
    try:
        with target.open("rb") as page:
            return not is_our_index(page.read(2048))
    except FileNotFoundError:
        return False
    except OSError:
        return True


def own_index_page(out_dir: Path, index_page: str | None) -> str | None:
    """The index page feeds writes, unless the page there is the site's own."""
    return index_page if index_page and not is_foreign_page(out_dir / index_page) else None


def prune(out_dir: Path, stale: Iterable[str]) -> None:
    """Remove stale feeds, each after its companions, and their folders once they are
    empty (an archive page's `archive/<n>/`, then `archive/`, then the category's)."""
    for relative in stale:
        target = out_dir / _safe_relative(relative)
        try:
            for suffix in SUFFIXES:
                companion(target, suffix).unlink(missing_ok=True)
            target.unlink(missing_ok=True)
            remove_leftovers(target.parent)
            folder = target.parent  # and each folder above it left empty, below out_dir
            while folder != out_dir and folder.is_relative_to(out_dir):
                if any(folder.iterdir()):
                    break
                folder.rmdir()
                folder = folder.parent
        except OSError as error:
            raise PublishError(
                f"{display_path(target)}: cannot remove ({os_reason(error)})"
            ) from error


def remove_all_leftovers(out_dir: Path, relatives: Iterable[str]) -> None:
    """Delete what killed runs left in the folders of these output files."""
    for folder in sorted({(out_dir / _safe_relative(r)).parent for r in relatives}):
        remove_leftovers(folder)


def remove_leftovers(folder: Path) -> None:
    """Delete temporary files a killed run left in `folder` (only ours, by their prefix)."""
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for name in names:
        if _LEFTOVER.match(name):
            with contextlib.suppress(OSError):
                os.unlink(folder / name)


def _safe_relative(relative: str) -> PurePosixPath:
    path = PurePosixPath(relative)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise ValueError(f"output path {relative!r} would leave the output folder")
    return path


def _has_bytes(target: Path, data: bytes) -> bool:
    try:
        if target.stat().st_size != len(data):
            return False
        return target.read_bytes() == data
    except OSError:
        return False


def _holds(target: Path, data: bytes, encoding: str) -> bool:
    try:
        return holds(target.read_bytes(), data, encoding)
    except OSError:
        return False


def write_atomically(
    target: Path, data: bytes | Iterable[bytes], *, mode: int, durable: bool
) -> None:
    """Replace the file whole (`data`: its bytes, or their pieces in order): a reader sees
    the old bytes or the new, never a part. `durable`: flushed to disk first, so a power
    cut cannot leave it empty."""
    temporary = _stage(target, data, mode=mode, durable=durable)
    try:
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def write_new(target: Path, data: bytes) -> bool:
    """Create `target` whole, never over another file: staged, then linked to its name,
    which fails if the name is taken (False: nothing written). Where the file system has
    no hard links, an exclusive create, which a crash could leave part-written."""
    temporary = _stage(target, data)
    try:
        os.link(temporary, target)
    except FileExistsError:
        return False
    except OSError as error:
        if error.errno not in _NO_LINKS:
            raise
        try:
            with open(target, "xb") as stream:
                stream.write(data)
        except FileExistsError:
            return False
    finally:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
    _sync_directory(target.parent)
    return True


_NO_LINKS = frozenset({errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.ENOSYS})
"""What `link` fails with on file systems without hard links (FAT, some network ones)."""


def _stage(
    target: Path, data: bytes | Iterable[bytes], *, mode: int = FILE_MODE, durable: bool = True
) -> str:
    """Write `data` (bytes, or their pieces) beside `target` under a temporary name of
    ours (see `remove_leftovers`)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    import tempfile  # only for a run that writes

    descriptor, temporary = tempfile.mkstemp(
        prefix=f"{_TEMP_PREFIX}{target.name}.", suffix=".tmp", dir=target.parent
    )
    try:
        with os.fdopen(descriptor, "wb") as stream:
            if isinstance(data, bytes):
                stream.write(data)
            else:
                stream.writelines(data)
            if durable:
                stream.flush()
                os.fsync(stream.fileno())
        os.chmod(temporary, mode)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    return temporary


def _sync_directory(directory: Path) -> None:
    """Make the renames durable, so a power cut cannot bring an old feed back."""
    with contextlib.suppress(OSError):
        descriptor = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def os_reason(error: OSError) -> str:
    if error.errno == errno.ENOSPC:
        return "the disk is full"
    return error.strerror or str(error)
