"""LibreOffice headless reading our .xlsx files back, every sheet to its own CSV file."""

from __future__ import annotations

import csv
import subprocess
from pathlib import Path

from tests.helpers import require_tool

# 44 = comma, 34 = double quote, 76 = UTF-8, 1 = first line; the last field -1: every sheet
ALL_SHEETS_CSV = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"


def sheets_as_csv(workbook: Path, work_dir: Path) -> dict[str, list[list[str]]]:
    """{sheet name: rows} as LibreOffice reads the workbook (values as it formats them)."""
    soffice = require_tool("soffice")
    out = work_dir / "csv"
    out.mkdir(exist_ok=True)
    profile = (work_dir / "lo-profile").as_uri()
    subprocess.run([soffice, f"-env:UserInstallation={profile}", "--headless",
                    "--convert-to", ALL_SHEETS_CSV, "--outdir", str(out), str(workbook)],
                   check=True, capture_output=True, timeout=240)
    sheets: dict[str, list[list[str]]] = {}
    prefix = f"{workbook.stem}-"
    for path in sorted(out.glob(f"{workbook.stem}-*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            sheets[path.stem[len(prefix):]] = list(csv.reader(handle))
    assert sheets, f"LibreOffice wrote no CSV for {workbook}: {sorted(out.iterdir())}"
    return sheets
