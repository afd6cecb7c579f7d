"""Small helpers for tests (import as ``from tests.helpers import require_tool``)."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


def require_tool(name: str) -> str:
    """Return the path of the executable ``name``, or skip the test with a clear reason.

    Looks on PATH, then next to the running Python (a virtualenv's or pyenv's ``bin/``, where
    pip puts console scripts even when that folder is not on PATH). In CI a skip fails the
    session (tests/conftest.py), so a tool missing there is an error in .ci/run.
    """
    found = shutil.which(name)
    if found:
        return found
    beside_python = shutil.which(name, path=str(Path(sys.executable).parent))
    if beside_python:
        return beside_python
    pytest.skip(
        f"{name} is not installed: not found on PATH nor beside {sys.executable} "
        "(`bash .ci/run --setup-only` installs the system tools, "
        "`pip install -e '.[test]'` the Python ones)"
    )


def require_module(name: str) -> None:
    """Skip the test with a clear reason unless the Python module ``name`` can be imported."""
    if importlib.util.find_spec(name) is None:
        pytest.skip(f"{name} is not installed for {sys.executable} (`pip install -e '.[test]'`)")
