"""Sites and locations: codes, default locations, the in-transit site, the local site."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from dmdesk.db import models as m
from dmdesk.db.database import Database
from dmdesk.domain.errors import DuplicateError, NotFoundError, ValidationError
from dmdesk.services import customer_orders, sites, stock
from dmdesk.services.context import ServiceContext
from tests.integration.support import Network, audit_entries, outbox_entities, snapshot_counts


def _site(db: Database, code: str) -> m.Site:
    with db.read_session() as session:
        return session.scalars(select(m.Site).where(m.Site.code == code)).one()


def _locations(db: Database, site_id: object) -> list[m.Location]:
    with db.read_session() as session:
        return list(session.scalars(select(m.Location).where(m.Location.site_id == site_id)))


def test_a_new_site_gets_a_stock_location(ctx: ServiceContext) -> None:
    site_id = sites.create_site(ctx, code="lis", name="Lisbon workshop", kind="own_workshop",
                                capabilities=["Welding", "cnc", "welding"],
                                weekly_capacity_hours="37.5", latitude="38.72")
    site = _site(ctx.db, "LIS")  # the code is stored upper-case
    assert site.id == site_id
    assert site.capabilities == "cnc,welding"  # sorted, lower-case, once each
    assert str(site.weekly_capacity_hours) == "37.500"
    assert site.latitude == pytest.approx(38.72)
    assert site.status == "active" and not site.archived
    [location] = _locations(ctx.db, site_id)
    assert (location.code, location.kind, location.archived) == ("STOCK", "internal", False)
    assert [(e.action, e.entity) for e in audit_entries(ctx.db)] == [
        ("create", "site"), ("create", "location")]
    assert outbox_entities(ctx.db) == [("site", "insert"), ("location", "insert")]


@pytest.mark.parametrize("code", ["HQ", "hq", " Hq "])
def test_duplicate_site_code_is_refused(ctx: ServiceContext, network: Network,
                                        code: str) -> None:
    before = snapshot_counts(ctx.db)
    with pytest.raises(DuplicateError, match="'HQ' is already taken") as caught:
        sites.create_site(ctx, code=code, name="Another", kind="warehouse")
    assert caught.value.field == "code"
    assert snapshot_counts(ctx.db) == before


def test_renaming_a_site_to_a_taken_code_is_refused(ctx: ServiceContext,
                                                    network: Network) -> None:
    sites.update_site(ctx, network.mp, code="MP1", name="CNC shop Porto")  # its own code: fine
    with pytest.raises(DuplicateError):
        sites.update_site(ctx, network.mp, code="wh")
    assert _site(ctx.db, "MP1").name == "CNC shop Porto"


@pytest.mark.parametrize(("values", "field"), [
    ({"code": "X", "name": "n", "kind": "warehouse"}, "code"),
    ({"code": "1AB", "name": "n", "kind": "warehouse"}, "code"),
    ({"code": "ABC", "name": "", "kind": "warehouse"}, "name"),
    ({"code": "ABC", "name": "n", "kind": "factory"}, "kind"),
    ({"code": "ABC", "name": "n", "kind": "warehouse", "latitude": 91}, "latitude"),
    ({"code": "ABC", "name": "n", "kind": "warehouse", "capabilities": "a b"}, "capabilities"),
    ({"code": "ABC", "name": "n", "kind": "warehouse", "weekly_capacity_hours": 1.5},
     "weekly_capacity_hours"),
])
def test_invalid_site_values_are_refused_naming_the_field(ctx: ServiceContext,
                                                          values: dict[str, object],
                                                          field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        sites.create_site(ctx, **values)
    assert caught.value.field == field
    assert snapshot_counts(ctx.db)["site"] == 0


def test_unknown_site_field_is_refused(ctx: ServiceContext) -> None:
    with pytest.raises(ValidationError, match="no field colour"):
        sites.create_site(ctx, code="ABC", name="n", kind="warehouse", colour="red")


def test_an_in_transit_site_gets_a_transit_location(ctx: ServiceContext) -> None:
    site_id = sites.create_site(ctx, code="TRANS", name="Carrier", kind="in_transit")
    [location] = _locations(ctx.db, site_id)
    assert (location.code, location.kind) == ("TRANSIT", "transit")


@pytest.mark.parametrize(("start", "to"), [("own_workshop", "in_transit"),
                                           ("in_transit", "warehouse")])
def test_a_site_cannot_become_or_stop_being_in_transit(ctx: ServiceContext, start: str,
                                                       to: str) -> None:
    site_id = sites.create_site(ctx, code="ABC", name="n", kind=start)
    with pytest.raises(ValidationError, match="in-transit"):
        sites.update_site(ctx, site_id, kind=to)
    assert _site(ctx.db, "ABC").kind == start


def test_other_kind_changes_are_allowed(ctx: ServiceContext) -> None:
    site_id = sites.create_site(ctx, code="ABC", name="n", kind="own_workshop")
    sites.update_site(ctx, site_id, kind="warehouse")
    assert _site(ctx.db, "ABC").kind == "warehouse"


def test_first_transfer_creates_one_in_transit_site_and_reuses_it(ctx: ServiceContext,
                                                                 network: Network) -> None:
    stock.receive(ctx, network.steel, network.hq_stock, 10)
    for _ in range(2):
        stock.ship_transfer(ctx, network.hq_stock, network.mp_stock,
                            [stock.TransferLineSpec(network.steel, 1)])
    with ctx.db.read_session() as session:
        transit_sites = list(session.scalars(select(m.Site).where(m.Site.kind == "in_transit")))
        transfers = list(session.scalars(select(m.Transfer)))
    assert [s.code for s in transit_sites] == ["TRN"]
    [transit_location] = _locations(ctx.db, transit_sites[0].id)
    assert transit_location.kind == "transit"
    assert {t.transit_location_id for t in transfers} == {transit_location.id}


def test_transfers_use_an_existing_in_transit_site(ctx: ServiceContext,
                                                   network: Network) -> None:
    carrier = sites.create_site(ctx, code="CARR", name="Carrier", kind="in_transit")
    [carrier_location] = _locations(ctx.db, carrier)
    stock.receive(ctx, network.steel, network.hq_stock, 10)
    stock.ship_transfer(ctx, network.hq_stock, network.wh_stock,
                        [stock.TransferLineSpec(network.steel, 4)])
    with ctx.db.read_session() as session:
        transfer = session.scalars(select(m.Transfer)).one()
        codes = set(session.scalars(select(m.Site.code)))
    assert transfer.transit_location_id == carrier_location.id
    assert "TRN" not in codes


def test_a_site_coded_trn_does_not_block_transfers(ctx: ServiceContext,
                                                   network: Network) -> None:
    """A workshop in Trondheim or Trento may well be coded TRN; when the in-transit site is
    made on the first transfer it must not collide with it."""
    trn = sites.create_site(ctx, code="TRN", name="Trento workshop", kind="own_workshop")
    stock.receive(ctx, network.steel, network.hq_stock, 10)
    result = stock.ship_transfer(ctx, network.hq_stock, _locations(ctx.db, trn)[0].id,
                                 [stock.TransferLineSpec(network.steel, 3)])
    assert len(result.move_ids) == 2
    with ctx.db.read_session() as session:
        kinds = sorted(session.scalars(select(m.Site.kind)))
    assert kinds.count("in_transit") == 1


def test_locations(ctx: ServiceContext, network: Network) -> None:
    shelf = sites.create_location(ctx, network.hq, "SHELF-A", name="Shelf A")
    assert {loc.code for loc in _locations(ctx.db, network.hq)} == {"STOCK", "SHELF-A"}
    with pytest.raises(ValidationError, match="already has a location 'SHELF-A'"):
        sites.create_location(ctx, network.hq, "SHELF-A")
    sites.create_location(ctx, network.mp, "SHELF-A")  # another site may use the same code
    sites.set_location_archived(ctx, shelf)
    with ctx.db.read_session() as session:
        location = session.get_one(m.Location, shelf)
    assert location.archived and location.name == "Shelf A"
    with pytest.raises(NotFoundError):
        sites.create_location(ctx, network.steel, "X")  # not a site id


def test_archive_and_restore_a_site(ctx: ServiceContext, network: Network) -> None:
    sites.set_site_archived(ctx, network.wh)
    assert _site(ctx.db, "WH").archived
    sites.set_site_archived(ctx, network.wh)  # already archived: nothing to record
    sites.set_site_archived(ctx, network.wh, archived=False)
    assert not _site(ctx.db, "WH").archived
    actions = [(e.action, e.entity_id) for e in audit_entries(ctx.db) if e.entity == "site"]
    assert actions[-2:] == [("archive", network.wh), ("restore", network.wh)]


def test_local_site_sets_the_numbering_code(ctx: ServiceContext, network: Network) -> None:
    customer = customer_orders_customer(ctx)
    line = [customer_orders.OrderLineSpec(network.chair, 1)]
    assert customer_orders.create_customer_order(ctx, customer, "2030-01-01", line).number \
        == "HQ-CO-00001"
    sites.set_local_site(ctx, "mp1")
    assert customer_orders.create_customer_order(ctx, customer, "2030-01-01", line).number \
        == "MP1-CO-00001"
    with pytest.raises(ValidationError, match="no site with code NOPE"):
        sites.set_local_site(ctx, "NOPE")


def customer_orders_customer(ctx: ServiceContext) -> object:
    from dmdesk.services import contacts

    return contacts.create_contact(ctx, name="Casa Lda", role="customer")


def test_a_code_already_used_in_document_numbers_cannot_change(ctx: ServiceContext,
                                                               network: Network) -> None:
    """Numbers are unique because each site numbers with its own code. If HQ, having issued
    HQ-MV-00001, became LIS, a new site could take the free code HQ and issue HQ-MV-00001
    again."""
    stock.receive(ctx, network.steel, network.hq_stock, 1)  # HQ-MV-00001
    before = snapshot_counts(ctx.db)
    with pytest.raises(ValidationError, match="document numbers") as caught:
        sites.update_site(ctx, network.hq, code="LIS")
    assert caught.value.field == "code"
    assert _site(ctx.db, "HQ").id == network.hq
    assert snapshot_counts(ctx.db) == before
    sites.update_site(ctx, network.wh, code="WH2")  # no documents numbered with WH: fine
    assert _site(ctx.db, "WH2").id == network.wh


def test_renaming_the_local_site_before_any_document_moves_the_numbering(
        ctx: ServiceContext, network: Network) -> None:
    sites.update_site(ctx, network.hq, code="LIS")
    customer = customer_orders_customer(ctx)
    created = customer_orders.create_customer_order(
        ctx, customer, "2030-01-01", [customer_orders.OrderLineSpec(network.chair, 1)])
    assert created.number == "LIS-CO-00001"
