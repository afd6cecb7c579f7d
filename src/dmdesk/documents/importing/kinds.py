"""The import kinds, by the name the CLI and the wizard use."""

from __future__ import annotations

from dmdesk.documents.importing import kind_bom, kind_contacts, kind_counts, kind_products
from dmdesk.documents.importing.base import ImportKind
from dmdesk.domain.errors import ValidationError

KINDS: dict[str, ImportKind] = {k.name: k for k in (
    kind_products.KIND, kind_bom.KIND, kind_contacts.KIND, kind_counts.KIND)}


def get_kind(name: str) -> ImportKind:
    try:
        return KINDS[name]
    except KeyError:
        raise ValidationError(f"Unknown import kind {name!r}: choose one of "
                              f"{', '.join(KINDS)}.", field="kind") from None
