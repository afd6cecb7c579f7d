"""Top-level pytest configuration shared by the whole test suite.

Four concerns only (fixtures belong in the conftest.py of the folder that uses them):

* Qt runs headless: ``QT_QPA_PLATFORM=offscreen`` is set before anything imports Qt.
* dmdesk's cache folder (``DMDESK_CACHE_DIR``, see ``dmdesk.paths.cache_dir``) is a temporary
  folder for the session, so tests never read or fill the user's real cache.
* In CI (environment variable ``CI`` is ``true`` or ``1``) a skipped test fails the session:
  a test that cannot run there (missing tool, missing service) must be fixed, not hidden.
  On a developer's machine skips stay skips.
* The small demo is built once a session (``small_demo``), for the gui and integration tests
  that need a full database to look at: each takes its own copy of the file.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

# Before any import of PySide6 (pytest-qt imports it when its plugin loads, after this file).
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest


def in_ci() -> bool:
    """True when the environment variable CI says this run is CI ("true", "1" or "yes")."""
    return os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


class SkipsFailInCI:
    """Collects every skip; in CI, prints them and turns a passing session into a failure."""

    def __init__(self) -> None:
        self.skips: list[tuple[str, str]] = []

    def _record(self, report: pytest.TestReport | pytest.CollectReport) -> None:
        if not report.skipped or hasattr(report, "wasxfail"):  # an xfail is not a skip
            return
        longrepr = report.longrepr
        if isinstance(longrepr, tuple) and len(longrepr) == 3:  # (path, 0-based line, message)
            path, lineno, message = longrepr
            reason = f"{message.removeprefix('Skipped: ')} ({path}:{lineno + 1})"
        else:
            reason = str(longrepr)
        self.skips.append((report.nodeid or "<collection>", reason))

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        # Skip marks and pytest.skip() in a fixture report in setup; pytest.skip() in the test
        # itself reports in the call phase.
        self._record(report)

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        # Module-level skips: pytest.importorskip(), pytest.skip(allow_module_level=True).
        self._record(report)

    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        if self.skips and in_ci() and exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        if not self.skips or not in_ci():
            return
        terminalreporter.section("skips are failures in CI", sep="=", red=True, bold=True)
        for nodeid, reason in self.skips:
            terminalreporter.line(f"skips are failures in CI: {nodeid}: {reason}", red=True)
        terminalreporter.line(
            f"{len(self.skips)} skip(s) with CI={os.environ.get('CI')!r}: install what the tests "
            "need (see .ci/run) or remove the skip. This session fails."
        )


@pytest.fixture(scope="session", autouse=True)
def _temporary_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The session's own DMDESK_CACHE_DIR (also inherited by the processes tests start)."""
    folder = tmp_path_factory.mktemp("dmdesk-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DMDESK_CACHE_DIR", str(folder))
        yield folder


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(SkipsFailInCI(), "dmdesk-skips-fail-in-ci")


@dataclass(frozen=True)
class SmallDemo:
    """The small demo as built once for the session: its file (closed, checkpointed: one
    file, no WAL), what ``build_demo`` answered and the progress stages it reported."""

    path: Path
    summary: object  # dmdesk.demo.DemoSummary (not imported here: this file loads first)
    stages: frozenset[str]

    def copy_to(self, target: Path) -> Path:
        """A private copy, to open and change as a test likes."""
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(self.path, target)
        return target


@pytest.fixture(scope="session")
def small_demo(tmp_path_factory: pytest.TempPathFactory) -> SmallDemo:
    """Built on first use only; tests copy it (``copy_to``) and never open this file."""
    from dmdesk.db.database import open_database
    from dmdesk.demo import build_demo
    from dmdesk.services.context import ServiceContext

    path = tmp_path_factory.mktemp("small-demo") / "demo.sqlite"
    stages: set[str] = set()
    db = open_database(path)
    try:
        summary = build_demo(ServiceContext(db, actor="demo"), "small",
                             lambda _done, _total, stage: stages.add(stage))
    finally:
        db.close()  # the last connection checkpoints the WAL into the file
    assert not path.with_name(path.name + "-wal").exists()
    path.chmod(0o444)  # a test that wrote here by mistake would fail, not spoil the others
    return SmallDemo(path, summary, frozenset(stages))
