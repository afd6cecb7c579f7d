"""The code-quality gates as tests: ruff, mypy (strict), the import-linter contracts and
vulture (dead code).

Each tool runs as a subprocess from the repository root with the configuration in
pyproject.toml; a failure shows the tool's own output.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.helpers import REPO_ROOT, require_module, require_tool


def _run(
    args: list[str], timeout: float, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args,
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def _assert_clean(name: str, result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode == 0, (
        f"{name} failed with exit code {result.returncode}:\n"
        f"{result.stdout}\n{result.stderr}".rstrip()
    )


def test_ruff_check() -> None:
    require_module("ruff")
    _assert_clean("ruff check", _run([sys.executable, "-m", "ruff", "check", "src", "tests"], 300))


@pytest.mark.slow
def test_mypy_strict() -> None:
    require_module("mypy")
    # No file arguments: pyproject's [tool.mypy] names them (files = src/dmdesk), strict mode.
    _assert_clean("mypy", _run([sys.executable, "-m", "mypy"], 900))


def test_import_contracts() -> None:
    lint_imports = require_tool("lint-imports")
    # Check the source tree, not whatever copy of dmdesk is installed: src/ goes first on the path.
    pythonpath = os.pathsep.join(
        filter(None, [str(REPO_ROOT / "src"), os.environ.get("PYTHONPATH")])
    )
    env = {**os.environ, "PYTHONPATH": pythonpath}
    _assert_clean("lint-imports", _run([lint_imports], 300, env))


def test_no_dead_code() -> None:
    require_module("vulture")
    # Paths and confidence come from pyproject's [tool.vulture]; the whitelist names what is
    # used where vulture cannot see it, each group with its reason.
    _assert_clean("vulture", _run([sys.executable, "-m", "vulture"], 300))
