"""Benchmark of the moves export on a 1M-move database. A script, not a pytest test:

    python tests/benchmarks/export_bench.py [--db /tmp/bench2.sqlite] [--out-dir /tmp]

Two paths, each in its own fresh Python process (so each peak RSS is its own):

- ``dmdesk``: ``documents.excel.exports.export_workbook(db, "moves", ...)``: the whole export
  (About, Balances with opening/closing per product and site, every move with formats, widths,
  autofilter, temp file and rename);
- ``bare``: plain sqlite3 reading the same joined rows (same SQL shape, same order) and a bare
  openpyxl write-only workbook appending them as plain values (no styles, no balances sheet):
  the floor the export is measured against (target: dmdesk rows/s >= 0.8 x bare).

Reported: rows, seconds, rows/s, the ratio, and peak memory (max RSS of each process; target
<= 200 MB).
"""

from __future__ import annotations

import argparse
import json
import resource
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from datetime import datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
try:
    import dmdesk  # noqa: F401 - installed (pip install -e .)?
except ImportError:  # run from a checkout: use its sources
    sys.path.insert(0, str(REPO / "src"))

DEFAULT_DB = Path("/tmp/bench2.sqlite")
RATIO_TARGET, MEMORY_TARGET_MB = 0.8, 200

BARE_SQL = """
SELECT m.created_at, m.reference, m.reason, p.sku, s.code, l.code, lot.code, m.quantity,
       m.actor, m.note
FROM stock_move m JOIN product p ON p.id = m.product_id
JOIN location l ON l.id = m.location_id JOIN site s ON s.id = l.site_id
LEFT JOIN lot ON lot.id = m.lot_id ORDER BY m.id"""


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def run_dmdesk(db_path: Path, out: Path) -> dict[str, Any]:
    from dmdesk.db.database import open_database
    from dmdesk.documents.excel.exports import export_workbook

    db = open_database(db_path, create=False, upgrade=False)
    try:
        started = time.perf_counter()
        result = export_workbook(db, "moves", out)
        seconds = time.perf_counter() - started
    finally:
        db.close()
    # Every row written: the moves, plus the small balances sheet.
    return {"rows": result.rows, "seconds": seconds, "peak_mb": _peak_mb(),
            "size_mb": out.stat().st_size / 2**20}


def run_bare(db_path: Path, out: Path) -> dict[str, Any]:
    from openpyxl import Workbook

    started = time.perf_counter()
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Moves")
    sheet.append(["When (UTC)", "Reference", "Reason", "SKU", "Site", "Location", "Lot",
                  "Quantity", "By", "Note"])
    rows = 0
    with closing(sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)) as connection:
        cursor = connection.execute(BARE_SQL)
        while batch := cursor.fetchmany(5000):
            for when, ref, reason, sku, site, loc, lot, qty, actor, note in batch:
                sheet.append((datetime.fromisoformat(when), ref, reason, sku, site, loc,
                              lot or "", qty / 1000, actor, note))
            rows += len(batch)
    workbook.save(out)
    seconds = time.perf_counter() - started
    return {"rows": rows, "seconds": seconds, "peak_mb": _peak_mb(),
            "size_mb": out.stat().st_size / 2**20}


def _child(path: str, db: Path, out: Path) -> dict[str, Any]:
    result = subprocess.run([sys.executable, __file__, "--child", path, "--db", str(db),
                             "--out-dir", str(out)], check=True, capture_output=True, text=True)
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=DEFAULT_DB)
    parser.add_argument("--out-dir", type=Path, default=Path("/tmp"))
    parser.add_argument("--child", choices=("dmdesk", "bare"), default=None)
    args = parser.parse_args()
    if args.child:
        out = args.out_dir / f"export-bench-{args.child}.xlsx"
        runner = run_dmdesk if args.child == "dmdesk" else run_bare
        print(json.dumps(runner(args.db, out)))
        return 0
    if not args.db.exists():
        print(f"no database at {args.db} (build one: dmdesk demo --scale large --db PATH)")
        return 2
    figures = {name: _child(name, args.db, args.out_dir) for name in ("bare", "dmdesk")}
    for name, f in figures.items():
        f["rows_per_s"] = f["rows"] / f["seconds"]
        print(f"{name:7} {f['rows']:>9,} rows in {f['seconds']:7.1f} s = "
              f"{f['rows_per_s']:>9,.0f} rows/s, peak RSS {f['peak_mb']:6.0f} MB, "
              f"file {f['size_mb']:.0f} MB")
    ratio = figures["dmdesk"]["rows_per_s"] / figures["bare"]["rows_per_s"]
    peak = figures["dmdesk"]["peak_mb"]
    print(f"ratio dmdesk/bare: {ratio:.2f} (target >= {RATIO_TARGET}); dmdesk peak "
          f"{peak:.0f} MB (target <= {MEMORY_TARGET_MB} MB)")
    return 0 if ratio >= RATIO_TARGET and peak <= MEMORY_TARGET_MB else 1


if __name__ == "__main__":
    raise SystemExit(main())
