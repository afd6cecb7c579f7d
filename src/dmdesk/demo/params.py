"""How big a demo is: the two presets and the knobs a test may turn down."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from dmdesk.domain.errors import ValidationError

Scale = Literal["small", "large"]


@dataclass(frozen=True)
class ScaleParams:
    """Sizes of a demo.

    The bulk path (large) meets ``moves`` exactly and ``work_orders`` exactly unless the
    customer orders alone need more. The service path (small) is driven by customer demand:
    its work orders follow from ``customer_orders`` (``work_orders`` is not used there), and
    its moves are topped up to at least ``moves`` if the story made fewer."""

    products: int
    moves: int
    work_orders: int
    customers: int
    customer_orders: int
    days: int = 182  # about six months of history, ending now

    def __post_init__(self) -> None:
        if self.products < 60:
            raise ValidationError("A demo needs at least 60 products (raw materials and one "
                                  "product of each family).", field="products")
        if self.days < 30:
            raise ValidationError("A demo needs at least 30 days of history.", field="days")
        if min(self.moves, self.work_orders, self.customers, self.customer_orders) < 1:
            raise ValidationError("Every size of a demo must be at least 1.")


SMALL = ScaleParams(products=200, moves=5_200, work_orders=150, customers=24,
                    customer_orders=70)
LARGE = ScaleParams(products=20_000, moves=1_000_000, work_orders=50_000, customers=300,
                    customer_orders=5_000)
PRESETS: dict[Scale, ScaleParams] = {"small": SMALL, "large": LARGE}
