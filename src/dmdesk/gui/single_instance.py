"""One window per database: a second start on the same file brings the first window forward.

The first instance listens on a local socket named after the database path; a later one
connects, asks it to come forward, and exits.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtNetwork import QLocalServer, QLocalSocket

RAISE_MESSAGE = b"raise\n"


def server_name(db_path: Path) -> str:
    digest = hashlib.sha256(str(db_path.resolve()).encode()).hexdigest()[:16]
    return f"dmdesk-{digest}"


def ask_running_instance(db_path: Path, timeout_ms: int = 500) -> bool:
    """True if another instance has this database open (it was asked to come forward)."""
    socket = QLocalSocket()
    socket.connectToServer(server_name(db_path))
    if not socket.waitForConnected(timeout_ms):
        return False
    socket.write(RAISE_MESSAGE)
    socket.waitForBytesWritten(timeout_ms)
    socket.disconnectFromServer()
    return True


class InstanceServer(QObject):
    def __init__(self, db_path: Path, on_raise: Callable[[], None],
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._on_raise = on_raise
        self.server = QLocalServer(self)
        name = server_name(db_path)
        QLocalServer.removeServer(name)  # a stale socket from a crashed run
        self.server.listen(name)
        self.server.newConnection.connect(self._accept)

    def _accept(self) -> None:
        while self.server.hasPendingConnections():
            socket = self.server.nextPendingConnection()
            socket.readyRead.connect(lambda s=socket: self._read(s))

    def _read(self, socket: QLocalSocket) -> None:
        if bytes(socket.readAll().data()).startswith(RAISE_MESSAGE.strip()):
            self._on_raise()
        socket.disconnectFromServer()
