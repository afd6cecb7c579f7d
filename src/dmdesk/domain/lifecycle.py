"""Who may act on a work order's lifecycle: exactly one holder per order.

The lifecycle (release, start, report progress, complete, hold, resume, cancel) of a work order
is taken by one side of the network only, so that two sites never release or complete one order
at once while offline (two sets of materials, two outputs):

- the making site, when it runs dmdesk and reports its own progress (``site.reports_progress``);
- otherwise the owner, on that site's behalf.

The app offers the actions only to the holder, its services refuse them elsewhere, and the sync
server refuses the lifecycle fields of an order from anyone but its holder
(``domain/write_rules.py``). A reroute of an order held elsewhere never takes it from under its
holder: it splits it (``services/rerouting.py``).

Pure rules, standard library only.
"""

from __future__ import annotations

from dataclasses import dataclass

OWNER = "owner"  # the holder when the making site does not report its own progress

# The fields of a work order and of its children that its lifecycle writes. Everything else on
# a work order (product, quantity, site, due date, priority, order line, number, where it was
# moved) is planning, which belongs to the owner (or to the site that planned the order).
WORK_ORDER_LIFECYCLE = frozenset({
    "state", "held_from", "good_qty", "scrap_qty", "released_at", "started_at",
    "completed_at", "bom_hash", "design_file_id", "design_sha256", "override_reason"})
MATERIAL_LIFECYCLE = frozenset({"consumed"})
OPERATION_LIFECYCLE = frozenset({"good_qty", "scrap_qty", "started_at", "finished_at"})
LIFECYCLE_FIELDS: dict[str, frozenset[str]] = {
    "work_order": WORK_ORDER_LIFECYCLE,
    "wo_material": MATERIAL_LIFECYCLE,
    "wo_operation": OPERATION_LIFECYCLE,
}


@dataclass(frozen=True)
class Actor:
    """The side of the network a database is: its site code and its sync role.

    ``role`` is the role of the token the database syncs with; a database that has never been
    set up for sync is the whole network on its own, so it acts as the owner."""

    site_code: str
    role: str = ""

    @property
    def is_owner(self) -> bool:
        return self.role in ("", OWNER)


def holder(making_site_code: str, reports_progress: bool) -> str:
    """The site code that holds an order made at ``making_site_code``, or ``OWNER``."""
    return making_site_code if reports_progress else OWNER


def may_act(actor: Actor, making_site_code: str, reports_progress: bool) -> bool:
    """Whether ``actor`` holds the lifecycle of an order made at that site."""
    held_by = holder(making_site_code, reports_progress)
    if held_by == OWNER:
        return actor.is_owner
    return actor.site_code == held_by


def why_not(actor: Actor, number: str, making_site_code: str, reports_progress: bool) -> str:
    """The sentence shown when ``actor`` may not act on the order (empty when it may)."""
    if may_act(actor, making_site_code, reports_progress):
        return ""
    if holder(making_site_code, reports_progress) == OWNER:
        return (f"{number} is made at {making_site_code}, which does not report its own "
                "progress: the owner records it on its behalf.")
    return (f"{number} is made at {making_site_code}, which reports its own progress: only "
            f"{making_site_code} releases, starts, reports, completes, holds or cancels it.")
