"""The client's package: its public names, where they come from, and what it imports."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import app.square

ROOT = Path(__file__).resolve().parents[2]
MODULES = sorted(info.name for info in pkgutil.iter_modules(app.square.__path__))


def _run(code: str) -> None:
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


def test_every_public_name_is_its_module_s_object() -> None:
    for name in MODULES:  # every module loaded first: none may shadow a public name
        importlib.import_module(f"app.square.{name}")
    homes = app.square._HOMES
    assert sorted(homes) == sorted(app.square.__all__)
    for name, home in homes.items():
        module = importlib.import_module(f"app.square.{home}")
        assert name in module.__all__, (name, home)
        assert getattr(app.square, name) is getattr(module, name), name
    assert callable(app.square.redact)  # the function, not the module that holds it


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'service'"):
        _ = app.square.service


def test_every_module_names_its_job_and_stays_small() -> None:
    for name in [*MODULES, "__init__"]:
        module = importlib.import_module(
            "app.square" if name == "__init__" else f"app.square.{name}"
        )
        first = (module.__doc__ or "").strip().splitlines()
        assert first and first[0].strip(), name
        lines = Path(module.__file__ or "").read_text(encoding="utf-8").count("\n")
        assert lines < 400, (name, lines)


def test_the_settings_load_without_the_client() -> None:
    """app.config redacts with app.square's redaction before the first frame: that loads
    neither httpx nor pydantic, and no import cycle through the client's core."""
    _run(
        "import sys, app.config;"
        "from app.square import redact; assert callable(redact);"
        "heavy = [m for m in ('httpx', 'pydantic', 'app.square.client', 'app.square.models')"
        " if m in sys.modules];"
        "assert not heavy, heavy"
    )


def test_the_client_imports_no_textual_and_no_other_layer() -> None:
    names = ", ".join(f"app.square.{name}" for name in MODULES)
    _run(
        f"import sys, {names};"
        "from app.square import SquareService;"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('textual', 'screens', 'widgets')"
        " or m.startswith(('app.directory', 'app.emulator', 'app.desk', 'app.tui'))];"
        "assert not bad, bad"
    )
