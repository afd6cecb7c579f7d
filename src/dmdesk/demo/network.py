"""The demo's network: a central warehouse, three own workshops and six micro-producers in real
Portuguese towns, the in-transit site, and the people and customers around them.

Both demo sizes build the network through the services (it is a few dozen rows), so sites,
locations and contacts get the same validation, audit and outbox as a user's.
"""

from __future__ import annotations

import math
import random
import uuid
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select

from dmdesk.db import models as m
from dmdesk.domain.kinds import ContactKind, ContactRole, SiteKind
from dmdesk.domain.progress import Progress
from dmdesk.services import contacts, sites
from dmdesk.services.context import ServiceContext


@dataclass(frozen=True)
class SiteSpec:
    code: str
    name: str
    kind: SiteKind
    address: str
    latitude: float
    longitude: float
    capabilities: tuple[str, ...]
    # Besides the STOCK location every site gets: (code, name); the first is where bought
    # material is received, the second where output and finished goods are put.
    locations: tuple[tuple[str, str], ...]
    company: str = ""  # a micro-producer's business name (its organisation contact)


WAREHOUSE = "WH"
SITES: tuple[SiteSpec, ...] = (
    SiteSpec("WH", "Central warehouse", SiteKind.WAREHOUSE,
             "Zona Industrial da Cova das Faias, Lote 14, 2415-017 Leiria", 39.7436, -8.8071,
             (), (("A01", "Aisle A · materials"), ("B01", "Aisle B · finished goods"),
                  ("DOCK", "Dispatch dock"))),
    SiteSpec("LIS", "Lisbon workshop", SiteKind.OWN_WORKSHOP,
             "Rua do Açúcar 92, 1950-010 Lisboa", 38.7436, -9.1024,
             ("assembly", "finishing", "upholstery", "woodwork"),
             (("RAW", "Raw materials"), ("FG", "Finished goods"), ("WIP", "Work in progress"))),
    SiteSpec("POR", "Porto workshop", SiteKind.OWN_WORKSHOP,
             "Rua de Cervantes 140, 4050-179 Porto", 41.1621, -8.6219,
             ("assembly", "cnc", "painting", "welding"),
             (("RAW", "Raw materials"), ("FG", "Finished goods"))),
    SiteSpec("BRG", "Braga workshop", SiteKind.OWN_WORKSHOP,
             "Rua do Raio 250, 4710-923 Braga", 41.5518, -8.4229,
             ("assembly", "finishing", "sewing", "woodwork"),
             (("RAW", "Raw materials"), ("FG", "Finished goods"), ("WIP", "Work in progress"))),
    SiteSpec("AVCNC", "Aveiro CNC shop", SiteKind.MICRO_PRODUCER,
             "Rua da Pega 31, 3800-243 Aveiro", 40.6405, -8.6538,
             ("cnc", "finishing", "laser-cut"), (("RAW", "Sheet and board"), ("OUT", "Cut parts")),
             company="Oficina CNC da Ria, Lda."),
    SiteSpec("CBR3D", "Coimbra 3D-print farm", SiteKind.MICRO_PRODUCER,
             "Rua da Sofia 77, 3000-389 Coimbra", 40.2033, -8.4103,
             ("3d-print", "finishing"), (("RAW", "Filament store"), ("OUT", "Printed parts")),
             company="Mondego Print Farm"),
    SiteSpec("GMRUPH", "Guimarães upholsterer", SiteKind.MICRO_PRODUCER,
             "Rua de Santa Maria 18, 4810-443 Guimarães", 41.4425, -8.2918,
             ("sewing", "upholstery"), (("RAW", "Fabric and foam"), ("OUT", "Upholstered parts")),
             company="Estofos Afonso Henriques"),
    SiteSpec("SETWLD", "Setúbal welder", SiteKind.MICRO_PRODUCER,
             "Rua da Fábrica 5, 2900-330 Setúbal", 38.5244, -8.8882,
             ("painting", "welding"), (("RAW", "Steel rack"), ("OUT", "Welded frames"),
                                       ("PAINT", "Paint booth")),
             company="Serralharia do Sado"),
    SiteSpec("CVLSEW", "Covilhã sewing atelier", SiteKind.MICRO_PRODUCER,
             "Rua Comendador Campos Melo 12, 6200-065 Covilhã", 40.2810, -7.5045,
             ("sewing", "upholstery"), (("RAW", "Wool store"), ("OUT", "Covers and cushions")),
             company="Atelier Lã da Serra"),
    SiteSpec("FAR", "Faro makers", SiteKind.MICRO_PRODUCER,
             "Rua do Alportel 48, 8000-293 Faro", 37.0194, -7.9322,
             ("assembly", "cnc", "finishing", "woodwork"),
             (("RAW", "Materials"), ("OUT", "Finished pieces")),
             company="Oficina Algarve Makers"),
)

TOWNS: tuple[tuple[str, str, float, float, int], ...] = (
    # town, postcode, latitude, longitude, weight (how many customers are there)
    ("Lisboa", "1100-148", 38.7223, -9.1393, 6), ("Porto", "4000-322", 41.1579, -8.6291, 5),
    ("Braga", "4700-325", 41.5454, -8.4265, 2), ("Coimbra", "3000-141", 40.2033, -8.4103, 2),
    ("Aveiro", "3800-200", 40.6405, -8.6538, 1), ("Faro", "8000-138", 37.0194, -7.9322, 2),
    ("Évora", "7000-508", 38.5714, -7.9135, 1), ("Viseu", "3500-080", 40.6566, -7.9125, 1),
    ("Cascais", "2750-310", 38.6979, -9.4215, 2), ("Guimarães", "4810-225", 41.4425, -8.2918, 1),
    ("Vigo", "36202", 42.2406, -8.7207, 1), ("Madrid", "28013", 40.4168, -3.7038, 1),
)
STREETS = ("Rua Direita", "Avenida da Liberdade", "Rua do Comércio", "Rua Nova", "Largo do "
           "Município", "Travessa das Flores", "Rua de São João", "Avenida Central")
BUSINESS = ("Café", "Hotel", "Restaurante", "Atelier", "Escritório", "Livraria", "Coworking",
            "Casa", "Studio", "Hostel", "Loja", "Galeria")
WORDS = ("Tejo", "Aurora", "Atlântico", "Bela Vista", "Mar Azul", "Sol Nascente", "Oliveira",
         "Castelo", "Ribeira", "Figueira", "Laranjeira", "Farol", "Cais", "Jardim", "Alecrim")
FIRST = ("Ana", "João", "Maria", "Pedro", "Inês", "Rui", "Sofia", "Tiago", "Marta", "Miguel",
         "Beatriz", "Nuno", "Carla", "Luís", "Joana", "Hugo")
LAST = ("Silva", "Santos", "Ferreira", "Pereira", "Oliveira", "Costa", "Rodrigues", "Martins",
        "Sousa", "Fernandes", "Gonçalves", "Gomes", "Lopes", "Marques", "Alves", "Ribeiro")
SUPPLIERS = (("Madeiras do Norte, S.A.", "Paços de Ferreira"), ("Tecidos da Beira", "Covilhã"),
             ("Aços Lusitanos", "Maia"), ("Filamentos PT", "Marinha Grande"),
             ("Ferragens Silva & Filhos", "Águeda"))


@dataclass
class SiteInfo:
    id: uuid.UUID
    code: str
    kind: SiteKind
    capabilities: frozenset[str]
    latitude: float
    longitude: float
    locations: dict[str, uuid.UUID]  # code -> id, internal locations only
    receive_location: uuid.UUID
    output_location: uuid.UUID


@dataclass(frozen=True)
class CustomerInfo:
    id: uuid.UUID
    name: str
    address: str
    latitude: float
    longitude: float


@dataclass
class Network:
    sites: list[SiteInfo]
    transit_location: uuid.UUID
    customers: list[CustomerInfo]
    contacts: int
    by_code: dict[str, SiteInfo] = field(init=False)

    def __post_init__(self) -> None:
        self.by_code = {site.code: site for site in self.sites}

    @property
    def warehouse(self) -> SiteInfo:
        return self.by_code[WAREHOUSE]

    def makers(self, capabilities: set[str]) -> list[SiteInfo]:
        """Sites that can do every one of ``capabilities``."""
        return [s for s in self.sites if capabilities and capabilities <= s.capabilities]

    def nearest(self, candidates: list[SiteInfo], latitude: float, longitude: float
                ) -> SiteInfo:
        """Produce locally: the candidate closest to a customer or to another site."""
        return min(candidates, key=lambda s: (distance_km(s.latitude, s.longitude, latitude,
                                                          longitude), s.code))


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(a))


def _email(name: str, domain: str) -> str:
    keep = "".join(ch for ch in name.lower() if ch.isascii() and (ch.isalnum() or ch == " "))
    return ".".join(keep.split()) + "@" + domain


def _phone(rng: random.Random) -> str:
    return f"+351 2{rng.randint(10, 99)} {rng.randint(100, 999)} {rng.randint(100, 999)}"


def _person(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def _build_site(ctx: ServiceContext, rng: random.Random, spec: SiteSpec) -> SiteInfo:
    site_id = sites.create_site(
        ctx, code=spec.code, name=spec.name, kind=spec.kind, address=spec.address,
        latitude=spec.latitude, longitude=spec.longitude, capabilities=list(spec.capabilities),
        weekly_capacity_hours=Decimal(rng.choice((40, 80, 120, 160))))
    locations = _locations_of(ctx, site_id)
    for code, name in spec.locations:
        locations[code] = sites.create_location(ctx, site_id, code, name)
    receive, output = spec.locations[0][0], spec.locations[1][0]
    return SiteInfo(site_id, spec.code, spec.kind, frozenset(spec.capabilities), spec.latitude,
                    spec.longitude, locations, locations[receive], locations[output])


def _locations_of(ctx: ServiceContext, site_id: uuid.UUID) -> dict[str, uuid.UUID]:
    with ctx.db.read_session() as session:
        rows = session.execute(select(m.Location.code, m.Location.id)
                               .where(m.Location.site_id == site_id))
        return {code: location_id for code, location_id in rows}


def _site_contacts(ctx: ServiceContext, rng: random.Random, spec: SiteSpec, site: SiteInfo
                   ) -> int:
    domain = spec.code.lower() + ".example.pt"
    if spec.kind != SiteKind.MICRO_PRODUCER:  # own sites: the person who runs them
        contacts.create_contact(ctx, kind=ContactKind.PERSON, role=ContactRole.OTHER,
                                name=_person(rng), site_id=site.id, phone=_phone(rng),
                                email=_email(f"{spec.code} lead", "dmdesk.example.pt"),
                                notes=f"Runs the {spec.name.lower()}.")
        return 1
    org = contacts.create_contact(
        ctx, kind=ContactKind.ORGANISATION, role=ContactRole.PRODUCER, name=spec.company,
        site_id=site.id, address=spec.address, latitude=spec.latitude,
        longitude=spec.longitude, capabilities=list(spec.capabilities),
        lead_time_days=rng.randint(3, 10), hourly_rate=Decimal(rng.randint(28, 45)),
        email=_email("geral", domain), phone=_phone(rng))
    for role_note in ("Owner; agrees prices and capacity.", "Production planning."):
        name = _person(rng)
        contacts.create_contact(ctx, kind=ContactKind.PERSON, role=ContactRole.PRODUCER,
                                name=name, organisation_id=org, site_id=site.id,
                                email=_email(name, domain), phone=_phone(rng), notes=role_note)
    return 3


def _suppliers(ctx: ServiceContext, rng: random.Random) -> int:
    for name, town in SUPPLIERS:
        org = contacts.create_contact(ctx, kind=ContactKind.ORGANISATION,
                                      role=ContactRole.SUPPLIER, name=name,
                                      address=f"{rng.choice(STREETS)} {rng.randint(1, 200)}, "
                                      f"{town}, Portugal", phone=_phone(rng))
        person = _person(rng)
        contacts.create_contact(ctx, kind=ContactKind.PERSON, role=ContactRole.SUPPLIER,
                                name=person, organisation_id=org,
                                email=_email(person, "supplier.example.pt"))
    return 2 * len(SUPPLIERS)


def _customers(ctx: ServiceContext, rng: random.Random, count: int,
               progress: Progress) -> tuple[list[CustomerInfo], int]:
    towns = [town for town in TOWNS for _ in range(town[4])]
    customers: list[CustomerInfo] = []
    people = 0
    taken: set[str] = set()
    for n in range(count):
        town, postcode, lat, lon, _weight = rng.choice(towns)
        name = f"{rng.choice(BUSINESS)} {rng.choice(WORDS)}"
        name = name if name not in taken else f"{name} {town}"
        name = name if name not in taken else f"{name} {n}"
        taken.add(name)
        # A point in town: customers are not all at the town hall.
        lat = round(lat + rng.uniform(-0.02, 0.02), 5)
        lon = round(lon + rng.uniform(-0.02, 0.02), 5)
        address = f"{rng.choice(STREETS)} {rng.randint(1, 250)}, {postcode} {town}"
        org = contacts.create_contact(
            ctx, kind=ContactKind.ORGANISATION, role=ContactRole.CUSTOMER, name=name,
            address=address, latitude=lat, longitude=lon,
            email=_email(name, "customer.example.com"), phone=_phone(rng))
        customers.append(CustomerInfo(org, name, address, lat, lon))
        if n % 2 == 0:
            person = _person(rng)
            contacts.create_contact(ctx, kind=ContactKind.PERSON, role=ContactRole.CUSTOMER,
                                    name=person, organisation_id=org,
                                    email=_email(person, "customer.example.com"))
            people += 1
        if n % 25 == 0:
            progress(n, count, "customers")
    return customers, count + people


def build_network(ctx: ServiceContext, rng: random.Random, customers: int,
                  progress: Progress) -> Network:
    """Create the sites, the in-transit site, contacts and customers; make WH the local site
    (so every document number the demo hands out reads WH-...)."""
    built: list[SiteInfo] = []
    people = 0
    for n, spec in enumerate(SITES):
        progress(n, len(SITES), "sites")
        site = _build_site(ctx, rng, spec)
        built.append(site)
        people += _site_contacts(ctx, rng, spec, site)
    transit_site = sites.create_site(ctx, code="TRN", name="In transit",
                                     kind=SiteKind.IN_TRANSIT)
    (transit,) = _locations_of(ctx, transit_site).values()
    sites.set_local_site(ctx, WAREHOUSE)
    people += _suppliers(ctx, rng)
    found, count = _customers(ctx, rng, customers, progress)
    return Network(built, transit, found, people + count)
