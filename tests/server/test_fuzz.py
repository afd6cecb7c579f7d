"""The published OpenAPI, fuzzed with schemathesis against a real server: no 5xx, ever."""

from __future__ import annotations

import subprocess

import pytest

from tests.helpers import require_tool
from tests.sync_server_process import RunningServer


def fuzz(server: RunningServer, token: str) -> subprocess.CompletedProcess[str]:
    st = require_tool("st")
    command = [st, "run", f"{server.base_url}/openapi.json", "--checks", "not_a_server_error",
               "--max-examples", "50", "--seed", "5", "--workers", "1",
               "--generation-database", "none", "--no-color", "--request-timeout", "30"]
    # A valid token, schema and clock on every request, so that the fuzzed bodies and
    # parameters reach the handlers and the database (headers are fuzzed too, unless given).
    for name, value in server.headers(token).items():
        command += ["--header", f"{name}: {value}"]
    return subprocess.run(command, capture_output=True, text=True, timeout=600,
                          cwd=server.log_dir)


@pytest.mark.slow
@pytest.mark.parametrize("role", ["owner", "site"])
def test_fuzzing_the_openapi_gives_no_server_error(server: RunningServer, role: str) -> None:
    token = server.add_site("F1", role=role)
    result = fuzz(server, token)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert "No issues found" in result.stdout
    reader = server.add_site("ACC", role="accountant")
    stored = server.request("GET", "/v1/pull", reader)[1]["changes"]
    if role == "owner":
        # The fuzzer got past the checks: it pushed ops the server stored.
        assert stored, "the fuzzer never pushed a valid batch"
    log = sorted(server.log_dir.glob("server-*.log"))[-1].read_text()
    assert "Traceback" not in log, log[-4000:]
