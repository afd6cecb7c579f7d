"""`dmdesk trace`: a lot's genealogy as indented text, backward then forward."""

from __future__ import annotations

from dmdesk.domain.quantity import format_quantity
from dmdesk.queries.traceability import BackwardNode, ForwardNode, LotTrace, MoveRef


def _move(move: MoveRef) -> str:
    return (f"{move.at:%Y-%m-%d %H:%M} {move.reason} {format_quantity(move.quantity)} at "
            f"{move.site_code}/{move.location_code} ({move.reference})")


def _backward(node: BackwardNode, depth: int) -> list[str]:
    pad = "  " * depth
    used = f"{format_quantity(node.quantity)} of " if node.quantity is not None else ""
    lines = [f"{pad}{used}{node.lot.label} ({node.lot.product_name})"]
    if node.origin is not None:
        o = node.origin
        design = (f", design {o.design_name} sha256 {o.design_sha256}" if o.design_sha256
                  else ", no design file pinned")
        lines.append(f"{pad}  made by {o.number} at {o.site_code} ({o.site_name}){design}")
    for receipt in node.receipts:
        lines.append(f"{pad}  bought: {_move(receipt)}")
    for child in node.components:
        lines += _backward(child, depth + 1)
    return lines


def _forward(node: ForwardNode, depth: int) -> list[str]:
    pad = "  " * depth
    used = f"{format_quantity(node.quantity)} went into " if node.quantity is not None else ""
    lines = [f"{pad}{used}{node.lot.label}"]
    lines += [f"{pad}  {_move(move)}" for move in node.moves]
    lines += [f"{pad}  transfer {t.number}: {t.from_site} -> {t.to_site}, "
              f"{format_quantity(t.quantity)} ({t.state})" for t in node.transfers]
    for parent in node.used_in:
        lines += _forward(parent, depth + 1)
    return lines


def format_trace(trace: LotTrace) -> list[str]:
    return ["Backward (what it is made of):", *_backward(trace.backward, 1),
            "Forward (where it went):", *_forward(trace.forward, 1)]
