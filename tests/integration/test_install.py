"""A non-editable install works outside the source tree: `pip install <repo>` into a fresh
virtual environment, then `dmdesk demo` and `dmdesk db check` from a folder elsewhere. This
proves the migrations (and resources) are shipped inside the package and found from there.

The venv sees the system site-packages, so the runtime dependencies are already satisfied and
nothing but the build needs fetching. The build backend (hatchling) is taken from the running
Python when it has it (--no-build-isolation: fast, works offline); otherwise pip's isolated
build fetches it from the configured index, as it would for a user.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import REPO_ROOT

pytestmark = pytest.mark.slow


def _clean_env(venv: Path) -> dict[str, str]:
    """The environment of a user's shell with the venv activated: no PYTHONPATH pointing at
    the source tree, no database chosen for them."""
    env = {k: v for k, v in os.environ.items()
           if k not in {"PYTHONPATH", "PYTHONHOME", "DMDESK_DB", "VIRTUAL_ENV"}}
    env["VIRTUAL_ENV"] = str(venv)
    env["PATH"] = os.pathsep.join([str(venv / "bin"), env.get("PATH", "")])
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


def _run(args: list[str | Path], cwd: Path, env: dict[str, str],
         timeout: float) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True,
                            text=True, timeout=timeout, check=False)
    assert result.returncode == 0, (
        f"{' '.join(map(str, args))} exited {result.returncode}:\n"
        f"{result.stdout}\n{result.stderr}")
    return result


def test_installed_package_finds_its_migrations(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    elsewhere = tmp_path / "somewhere-else"
    elsewhere.mkdir()
    _run([sys.executable, "-m", "venv", "--system-site-packages", venv], elsewhere,
         dict(os.environ), 300)
    python, dmdesk_cmd = venv / "bin" / "python", venv / "bin" / "dmdesk"
    env = _clean_env(venv)

    install = [python, "-m", "pip", "install", "--quiet", REPO_ROOT]
    if importlib.util.find_spec("hatchling") is not None:
        install.insert(-1, "--no-build-isolation")
    _run(install, elsewhere, env, 900)

    where = _run([python, "-c", "import dmdesk, dmdesk.paths as p; print(dmdesk.__file__); "
                  "print(p.migrations_dir())"], elsewhere, env, 120).stdout.split("\n")
    package_file, migrations = Path(where[0]), Path(where[1])
    assert package_file.is_relative_to(venv), package_file
    assert not package_file.is_relative_to(REPO_ROOT)
    assert migrations.is_relative_to(venv) and (migrations / "env.py").is_file()
    assert list((migrations / "versions").glob("*.py"))
    resources = package_file.parent / "resources"
    assert resources.is_dir()

    database = tmp_path / "d.sqlite"
    _run([dmdesk_cmd, "demo", "--db", database], elsewhere, env, 600)
    assert database.is_file()
    check = _run([dmdesk_cmd, "db", "check", "--db", database], elsewhere, env, 300)
    assert check.stdout.startswith("OK:"), check.stdout
    assert not (REPO_ROOT / "src" / "dmdesk" / "migrations").exists()  # nothing copied back
