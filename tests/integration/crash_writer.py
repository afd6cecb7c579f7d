"""Child process of test_crash.py: writes stock receipts in a loop until it is killed.

    python crash_writer.py DB_PATH PRODUCT_HEX LOCATION_HEX

Prints "ready" once the database is open, then, after each receipt has returned (so after its
transaction committed), one line with the receipt's move ids in hex. Nothing is printed before
the commit, so every id printed must be in the database, however the process dies.
"""

from __future__ import annotations

import sys
import uuid
from pathlib import Path

from dmdesk.db.database import open_database
from dmdesk.services import stock
from dmdesk.services.context import ServiceContext


def main(argv: list[str]) -> None:
    path, product_hex, location_hex = argv
    product, location = uuid.UUID(hex=product_hex), uuid.UUID(hex=location_hex)
    db = open_database(Path(path))
    ctx = ServiceContext(db, actor="crash-writer")
    print("ready", flush=True)
    counter = 0
    while True:
        counter += 1
        if counter % 3 == 0:  # a multi-line receipt: all of its moves or none
            result = stock.receive_many(ctx, [
                stock.ReceiptLine(product, location, "0.25"),
                stock.ReceiptLine(product, location, "1.5"),
                stock.ReceiptLine(product, location, 2),
            ])
        else:
            result = stock.receive(ctx, product, location, 1, note=f"crash loop {counter}")
        print(" ".join(move_id.hex for move_id in result.move_ids), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
