"""Contacts (organisations, people) and customer orders numbered with the local site code."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from dmdesk.db import models as m
from dmdesk.domain.errors import IllegalTransitionError, NotFoundError, ValidationError
from dmdesk.domain.kinds import CustomerOrderState
from dmdesk.services import contacts, customer_orders, products, sites
from dmdesk.services.context import ServiceContext
from tests.integration.support import Network, count_rows, snapshot_counts

Line = customer_orders.OrderLineSpec


def _contact(ctx: ServiceContext, contact_id: uuid.UUID) -> m.Contact:
    with ctx.db.read_session() as session:
        return session.get_one(m.Contact, contact_id)


# --- contacts --------------------------------------------------------------------------------


def test_organisation_and_person(ctx: ServiceContext, network: Network) -> None:
    org = contacts.create_contact(ctx, name="Metalurgia Norte", role="producer",
                                  site_id=network.mp, email="geral@mnorte.pt",
                                  capabilities="CNC, welding", hourly_rate="38.5",
                                  lead_time_days=4, latitude="41.15", longitude="-8.61")
    person = contacts.create_contact(ctx, kind="person", role="producer", name="Ana Silva",
                                     organisation_id=org)
    saved = _contact(ctx, org)
    assert (saved.kind, saved.role, saved.site_id) == ("organisation", "producer", network.mp)
    assert saved.capabilities == "cnc,welding"
    assert saved.hourly_rate == Decimal("38.5")
    assert _contact(ctx, person).organisation_id == org


def test_defaults_are_an_organisation_and_a_customer(ctx: ServiceContext) -> None:
    contact = _contact(ctx, contacts.create_contact(ctx, name="Casa Lda"))
    assert (contact.kind, contact.role, contact.archived) == ("organisation", "customer", False)


def test_a_person_cannot_be_an_organisation(ctx: ServiceContext) -> None:
    person = contacts.create_contact(ctx, kind="person", name="Rui")
    with pytest.raises(ValidationError, match="is a person, not an organisation") as caught:
        contacts.create_contact(ctx, kind="person", name="Eva", organisation_id=person)
    assert caught.value.field == "organisation_id"
    assert count_rows(ctx.db, "contact") == 1


def test_a_contact_cannot_belong_to_itself(ctx: ServiceContext) -> None:
    org = contacts.create_contact(ctx, name="Loop Lda")
    with pytest.raises(ValidationError, match="cannot belong to itself"):
        contacts.update_contact(ctx, org, organisation_id=org)
    assert _contact(ctx, org).organisation_id is None


@pytest.mark.parametrize(("values", "error", "field"), [
    ({"name": "X", "email": "not-an-address"}, ValidationError, "email"),
    ({"name": "X", "email": "a b@c.d"}, ValidationError, "email"),
    ({"name": ""}, ValidationError, "name"),
    ({"name": "X", "role": "boss"}, ValidationError, "role"),
    ({"name": "X", "lead_time_days": -1}, ValidationError, "lead_time_days"),
    ({"name": "X", "hourly_rate": 10.5}, ValidationError, "hourly_rate"),
    ({"name": "X", "longitude": 200}, ValidationError, "longitude"),
    ({"name": "X", "organisation_id": uuid.uuid4()}, NotFoundError, "organisation"),
    ({"name": "X", "site_id": uuid.uuid4()}, NotFoundError, "site"),
])
def test_invalid_contacts_are_refused(ctx: ServiceContext, values: dict[str, object],
                                      error: type[Exception], field: str) -> None:
    with pytest.raises(error) as caught:
        contacts.create_contact(ctx, **values)
    assert getattr(caught.value, "field", None) == field
    assert count_rows(ctx.db, "contact") == 0


def test_edit_and_archive_a_contact(ctx: ServiceContext) -> None:
    org = contacts.create_contact(ctx, name="Casa Lda")
    contacts.update_contact(ctx, org, phone="+351 210 000 000", notes="pays on time")
    contacts.set_contact_archived(ctx, org)
    contact = _contact(ctx, org)
    assert (contact.phone, contact.notes, contact.archived) == (
        "+351 210 000 000", "pays on time", True)
    contacts.set_contact_archived(ctx, org, archived=False)
    assert not _contact(ctx, org).archived


# --- customer orders ---------------------------------------------------------------------------


@pytest.fixture
def customer(ctx: ServiceContext) -> uuid.UUID:
    return contacts.create_contact(ctx, name="Hotel Avenida", address="Av. da Liberdade 1",
                                   latitude="38.72", longitude="-9.14")


def test_order_numbers_carry_the_local_site_code(ctx: ServiceContext, network: Network,
                                                 customer: uuid.UUID) -> None:
    lines = [Line(network.chair, 2)]
    numbers = [customer_orders.create_customer_order(ctx, customer, date(2030, 1, 1),
                                                     lines).number for _ in range(3)]
    assert numbers == ["HQ-CO-00001", "HQ-CO-00002", "HQ-CO-00003"]
    sites.set_local_site(ctx, "WH")
    assert customer_orders.create_customer_order(ctx, customer, "2030-01-01",
                                                 lines).number == "WH-CO-00001"
    sites.set_local_site(ctx, "HQ")  # back home: HQ's own counter continues
    assert customer_orders.create_customer_order(ctx, customer, "2030-01-01",
                                                 lines).number == "HQ-CO-00004"


def test_order_lines_prices_and_shipping_defaults(ctx: ServiceContext, network: Network,
                                                  customer: uuid.UUID) -> None:
    created = customer_orders.create_customer_order(
        ctx, customer, "2030-03-31",
        [Line(network.chair, 10), Line(network.frame, "2", unit_price="80.50")])
    with ctx.db.read_session() as session:
        order = session.get_one(m.CustomerOrder, created.id)
        lines = [(ln.line_no, ln.product_id, str(ln.quantity), str(ln.unit_price))
                 for ln in session.scalars(select(m.CustomerOrderLine).where(
                     m.CustomerOrderLine.order_id == created.id)
                     .order_by(m.CustomerOrderLine.line_no))]
    assert (order.state, order.due_date, order.ship_to) == (
        "open", date(2030, 3, 31), "Av. da Liberdade 1")
    assert order.ship_latitude == pytest.approx(38.72)
    assert lines == [(1, network.chair, "10.000", "249.0000"),
                     (2, network.frame, "2.000", "80.5000")]


def test_a_refused_order_uses_no_number(ctx: ServiceContext, network: Network,
                                        customer: uuid.UUID) -> None:
    products.set_product_archived(ctx, network.frame)
    before = snapshot_counts(ctx.db)
    with pytest.raises(ValidationError, match="FRAME is archived"):
        customer_orders.create_customer_order(
            ctx, customer, "2030-01-01", [Line(network.chair, 1), Line(network.frame, 1)])
    assert snapshot_counts(ctx.db) == before
    assert customer_orders.create_customer_order(
        ctx, customer, "2030-01-01", [Line(network.chair, 1)]).number == "HQ-CO-00001"


@pytest.mark.parametrize(("due", "lines_spec", "error"), [
    ("2030-02-30", "chair", ValidationError),
    ("soon", "chair", ValidationError),
    ("2030-01-01", "none", ValidationError),
    ("2030-01-01", "float", ValidationError),
    ("2030-01-01", "zero", ValidationError),
    ("2030-01-01", "unknown", NotFoundError),
])
def test_invalid_orders_are_refused(ctx: ServiceContext, network: Network, customer: uuid.UUID,
                                    due: str, lines_spec: str, error: type[Exception]) -> None:
    lines = {"chair": [Line(network.chair, 1)], "none": [],
             "float": [Line(network.chair, 1.0)],  # type: ignore[arg-type]
             "zero": [Line(network.chair, 0)],
             "unknown": [Line(uuid.uuid4(), 1)]}[lines_spec]
    with pytest.raises(error):
        customer_orders.create_customer_order(ctx, customer, due, lines)
    assert count_rows(ctx.db, "customer_order") == 0
    assert count_rows(ctx.db, "number_sequence") == 0


def test_archived_customer_cannot_order(ctx: ServiceContext, network: Network,
                                        customer: uuid.UUID) -> None:
    contacts.set_contact_archived(ctx, customer)
    with pytest.raises(ValidationError, match="archived"):
        customer_orders.create_customer_order(ctx, customer, "2030-01-01",
                                              [Line(network.chair, 1)])


def test_only_open_orders_change(ctx: ServiceContext, network: Network,
                                 customer: uuid.UUID) -> None:
    created = customer_orders.create_customer_order(ctx, customer, "2030-01-01",
                                                    [Line(network.chair, 1)])
    customer_orders.set_customer_order_state(ctx, created.id, CustomerOrderState.FULFILLED)
    with pytest.raises(IllegalTransitionError, match="only open orders"):
        customer_orders.set_customer_order_state(ctx, created.id, CustomerOrderState.CANCELLED)
    with ctx.db.read_session() as session:
        order = session.get_one(m.CustomerOrder, created.id)
    assert order.state == "fulfilled"
    assert count_rows(ctx.db, "customer_order_line") == 1


def test_counted_units_are_ordered_in_whole_numbers(ctx: ServiceContext, network: Network,
                                                    customer: uuid.UUID) -> None:
    """1.5 chairs cannot be made, stocked or shipped (the ledger refuses them): an order for
    them must be refused too."""
    with pytest.raises(ValidationError, match="whole number"):
        customer_orders.create_customer_order(ctx, customer, "2030-01-01",
                                              [Line(network.chair, "1.5")])
    created = customer_orders.create_customer_order(
        ctx, customer, "2030-01-01", [Line(network.steel, "1.5")])  # metres: fine
    assert created.number and count_rows(ctx.db, "customer_order_line") == 1
