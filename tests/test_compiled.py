"""The optional compiled install (mypyc; docs/deploy.md, "Compiled install") runs compiled
modules, and a checkout runs its own sources."""

import importlib
import os
import tomllib
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"


def compiled_modules() -> list[str]:
    """The modules pyproject.toml has mypyc compile, by name (`feeds.source.post`)."""
    tool = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["tool"]
    hook = tool["hatch"]["build"]["targets"]["wheel"]["hooks"]["mypyc"]
    return [path.removesuffix(".py").replace("/", ".") for path in hook["include"]]


def is_extension(name: str) -> bool:
    return (importlib.import_module(name).__file__ or "").endswith(tuple(EXTENSION_SUFFIXES))


def test_the_modules_are_compiled_exactly_when_the_install_is() -> None:
    """.ci/run tests the compiled wheel with FEEDS_EXPECT_COMPILED=1: a wheel that fell
    back to plain Python would otherwise pass unnoticed. Without it (an editable install
    of a checkout), no module may be compiled: hatch-mypyc builds in place, and compiled
    modules it left beside the sources would run instead of the code being edited."""
    expected = os.environ.get("FEEDS_EXPECT_COMPILED") == "1"
    kinds = {name: is_extension(name) for name in compiled_modules()}
    assert kinds and kinds == dict.fromkeys(kinds, expected), (
        "compiled modules beside the sources shadow them: remove them with `git clean -fX feeds`"
        if not expected
        else "the compiled install holds plain modules: was it built with "
        "HATCH_BUILD_HOOKS_ENABLE=1?"
    )
