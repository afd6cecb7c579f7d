"""What the installers rely on inside the app: the application icon, the DMDESK_SCREENSHOT
switch that packaging/smoke_test.sh uses on a built bundle, and finding migrations/ and
resources/ in a PyInstaller bundle's layout (packaging/dmdesk.spec).

The bundle itself is built and smoke-tested by .ci/run (packaging/build_linux.sh and
packaging/smoke_test.sh), which takes minutes, so not here.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtGui import QImage
from PySide6.QtSvg import QSvgRenderer
from pytestqt.qtbot import QtBot

from dmdesk import paths
from dmdesk.db.database import open_database
from dmdesk.gui.app import application, run
from dmdesk.gui.dialogs.welcome import WelcomeDialog
from tests.gui.support import after_app_run
from tests.helpers import REPO_ROOT


@pytest.fixture
def fresh_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A user with no dmdesk data yet: platformdirs and QSettings both under tmp_path."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    for name in ("XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CONFIG_HOME", "DMDESK_DB"):
        monkeypatch.delenv(name, raising=False)
    with after_app_run(tmp_path / "settings"):
        yield home


def _run_with_screenshot(monkeypatch: pytest.MonkeyPatch, shot: Path,
                         path: Path | None, explicit: bool) -> int:
    monkeypatch.setenv("DMDESK_SCREENSHOT", str(shot))
    return run(path, explicit=explicit)


def test_the_app_has_the_dmdesk_icon(qtbot: QtBot) -> None:
    app = application()
    icon = app.windowIcon()
    assert not icon.isNull()
    assert icon.pixmap(64, 64).width() == 64


def test_screenshot_switch_grabs_the_main_window_and_quits(
        qtbot: QtBot, tmp_path: Path, fresh_home: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    db_path = tmp_path / "shop.sqlite"
    open_database(db_path).close()
    shot = tmp_path / "main.png"
    assert _run_with_screenshot(monkeypatch, shot, db_path, explicit=True) == 0
    image = QImage(str(shot))
    assert image.width() >= 800 and image.height() >= 500  # the main window, not a dialog
    assert (fresh_home / ".local/state/dmdesk/log/dmdesk.log").is_file()


def test_screenshot_switch_on_a_first_run_grabs_the_welcome_and_creates_nothing(
        qtbot: QtBot, tmp_path: Path, fresh_home: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    shot = tmp_path / "welcome.png"
    default = paths.default_database_path()
    assert default.is_relative_to(fresh_home / ".local/share/dmdesk")
    assert _run_with_screenshot(monkeypatch, shot, None, explicit=False) == 0
    assert not QImage(str(shot)).isNull()
    assert not default.exists() and not default.with_name("demo.sqlite").exists()


def test_the_welcome_dialog_without_recent_files_hides_the_empty_list(qtbot: QtBot,
                                                                      tmp_path: Path) -> None:
    dialog = WelcomeDialog(tmp_path, [])
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert not dialog.recent.isVisible()  # it used to sit over the heading


def test_a_frozen_bundle_finds_migrations_and_resources(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    # The layout packaging/dmdesk.spec produces: _internal/dmdesk/{migrations,resources}.
    bundle = tmp_path / "_internal"
    (bundle / "dmdesk" / "migrations").mkdir(parents=True)
    (bundle / "dmdesk" / "migrations" / "env.py").write_text("")
    (bundle / "dmdesk" / "resources").mkdir()
    monkeypatch.setattr(sys, "_MEIPASS", str(bundle), raising=False)
    monkeypatch.setattr(paths, "_PACKAGE_DIR", tmp_path / "nowhere" / "dmdesk")
    assert paths.migrations_dir() == bundle / "dmdesk" / "migrations"
    assert paths.resources_dir() == bundle / "dmdesk" / "resources"


def test_the_icon_files_are_made_from_the_svg(qtbot: QtBot) -> None:
    svg = REPO_ROOT / "resources" / "icons" / "dmdesk.svg"
    assert QSvgRenderer(str(svg)).isValid()
    with Image.open(REPO_ROOT / "resources" / "icons" / "dmdesk.png") as png:
        assert png.size == (256, 256)
    with Image.open(REPO_ROOT / "packaging" / "icons" / "dmdesk.ico") as ico:
        assert {(16, 16), (32, 32), (48, 48), (256, 256)} <= set(ico.info["sizes"])
    with Image.open(REPO_ROOT / "packaging" / "icons" / "dmdesk.icns") as icns:
        assert icns.size == (1024, 1024)  # the largest size macOS asks for (512 @2x)
