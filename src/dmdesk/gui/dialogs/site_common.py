"""How a site's figures read in the Sites area and its forms: weekly capacity in hours, shares
(on time, scrap) in percent. Generic pieces live elsewhere: stored words in gui/formatting.py,
widgets in gui/widgets/, paged models in gui/models/."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import QCoreApplication

from dmdesk.domain.quantity import format_quantity


def tr(text: str) -> str:
    return QCoreApplication.translate("network", text)


def hours_label(value: Decimal) -> str:
    return tr("{0} h / week").format(format_quantity(value)) if value else tr("not set")


def percent_label(share: Decimal | None) -> str:
    return "—" if share is None else f"{share * 100:.1f} %"
