"""A generator's own configuration read into a site.yaml (`feeds init --from DIR`).

A site that switches its feeds from Jekyll, Hugo or Zola to feeds must keep every
post's link and entry id and every feed's address, or subscribers get broken links
and see old posts again as new. The generator's configuration says most of what
decides them (base URL, permalink pattern, time zone, content folder, feed names);
this reads it as the generator does and writes the site.yaml that reproduces them,
with `conventions:` and `id_scheme: generator`. Eleventy keeps its configuration in
JavaScript, which is not run: the user is asked for the URL instead.

What cannot be carried over is said in `Migration.notes`, for the user to check with
`feeds compare` against the site's current feed before switching.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple

from ..text.yamltext import YamlTextError, load_mapping
from .readers import ELEVENTY_FILES, READERS, read_eleventy


class MigrationError(Exception):
    """Why the folder's configuration cannot be read: `path: what; what to do`."""


class Migration(NamedTuple):
    """The site.yaml settings that reproduce a generator's site, in the order written,
    and notes on what the user must check or set by hand."""

    generator: str
    source: Path
    """The generator's configuration file it was read from."""
    settings: dict[str, Any]
    notes: list[str]


def read_site(folder: Path, *, url: str | None = None) -> Migration:
    """The settings for the generator site in `folder`, found by its configuration
    file. `url` overrides (or, for Eleventy, supplies) the site's address."""
    for name in _CONFIG_FILES:
        path = folder / name
        if path.is_file():
            values = _read_config(path)
            generator = _generator(name, values)
            if generator == "hugo":
                values = _case_folded(values)
            settings, notes = READERS[generator](folder, values)
            return _with_url(Migration(generator, path, settings, notes), url)
    eleventy = [folder / name for name in ELEVENTY_FILES if (folder / name).is_file()]
    if eleventy:
        settings, notes = read_eleventy(folder)
        return _with_url(Migration("eleventy", eleventy[0], settings, notes), url)
    raise MigrationError(
        f"{folder}: no Jekyll, Hugo, Zola or Eleventy configuration here "
        f"({', '.join(_CONFIG_FILES)}, {', '.join(ELEVENTY_FILES)}); give the generator "
        "site's own folder, or start a new site with feeds init"
    )


_CONFIG_FILES = (
    "_config.yml",
    "_config.yaml",
    "hugo.toml",
    "hugo.yaml",
    "hugo.json",
    "zola.toml",
    "config.toml",  # Hugo's older name, and Zola's
    "config.yaml",
    "config.json",
    "config/_default/hugo.toml",
    "config/_default/config.toml",
)


def _generator(name: str, values: Mapping[str, Any]) -> str:
    """Which generator a configuration file is for: by its name, and for `config.toml`,
    which Hugo and Zola both read, by Zola's `base_url` (Hugo's is `baseURL`)."""
    if name.startswith("_config."):
        return "jekyll"
    if name == "zola.toml" or "base_url" in values:
        return "zola"
    return "hugo"


def _read_config(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise MigrationError(f"{path}: cannot read it ({error})") from None
    try:
        if path.suffix == ".toml":
            return tomllib.loads(text)
        if path.suffix == ".json":
            data = json.loads(text)
            return data if isinstance(data, dict) else {}
        return {key: located.value for key, located in load_mapping(text).items()}
    except (tomllib.TOMLDecodeError, ValueError, YamlTextError) as error:
        raise MigrationError(f"{path}: cannot read it ({error})") from None


def _case_folded(values: Mapping[str, Any]) -> dict[str, Any]:
    """Hugo's keys are case-insensitive (`baseURL`, `baseurl`)."""
    return {
        key.lower(): _case_folded(value) if isinstance(value, Mapping) else value
        for key, value in values.items()
    }


def _with_url(migration: Migration, url: str | None) -> Migration:
    settings = dict(migration.settings)
    if url:
        settings["url"] = url if url.endswith("/") else url + "/"
    notes = list(migration.notes)
    if not settings.get("url"):
        settings["url"] = "https://example.org/"
        notes.insert(
            0,
            f"{migration.source.name} gives no site URL: pass --url https://your.site/ "
            "(links and ids start with it)",
        )
    return migration._replace(
        settings={k: v for k, v in settings.items() if v is not None}, notes=notes
    )


def site_yaml(migration: Migration) -> str:
    """The site.yaml text: the settings, with a header saying where they come from and
    what to check, and the notes as comments."""
    lines = [
        f"# Read from this {migration.generator.title()} site's {migration.source.name} by feeds",
        "# init --from: links, entry ids and feed addresses as its own feeds have them.",
        "# Before switching: feeds build, then feeds compare <a saved copy of its feed>.",
        *(f"# CHECK: {note}" for note in migration.notes),
        "",
    ]
    for key, value in migration.settings.items():
        lines += _yaml_lines(key, value, "")
    return "\n".join(lines) + "\n"


def _yaml_lines(key: str, value: Any, indent: str) -> list[str]:
    if isinstance(value, Mapping) and value:
        nested = [line for k, v in value.items() for line in _yaml_lines(k, v, indent + "  ")]
        return [f"{indent}{_yaml_scalar(key)}:", *nested]
    return [f"{indent}{_yaml_scalar(key)}: {_yaml_scalar(value)}"]


def _yaml_scalar(value: Any) -> str:
    from ..scaffold import yaml_quoted

    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_yaml_scalar(item) for item in value) + "]"
    if isinstance(value, Mapping):
        pairs = (f"{_yaml_scalar(k)}: {_yaml_scalar(v)}" for k, v in value.items())
        return "{" + ", ".join(pairs) + "}"
    text = str(value)
    return text if _PLAIN.fullmatch(text) else yaml_quoted(text)


_PLAIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_./-]*")
"""Text YAML reads back as the same text without quotes (feeds reads no numbers or flags
into text keys)."""


def write_site_yaml(
    folder: Path, config_name: str, *, url: str | None = None
) -> tuple[Path, Migration]:
    """Write `config_name` (site.yaml) in the generator site `folder` from its own
    configuration; never over a file. Raises MigrationError."""
    from ..model import display_path
    from ..publish import os_reason, write_new

    migration = read_site(folder, url=url)
    target = folder / config_name
    text = site_yaml(migration)
    try:
        written = write_new(target, text.encode("utf-8"))
    except OSError as error:
        raise MigrationError(
            f"{display_path(target)}: cannot write it ({os_reason(error)})"
        ) from None
    if not written:
        raise MigrationError(
            f"{display_path(target)}: exists already; move it away to write a new one, or edit it"
        )
    return target, migration
