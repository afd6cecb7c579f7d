"""The demo's product catalogue, as plain data: raw materials, components, sub-assemblies and
finished furniture and lamps, with bills of materials, operations and design files.

Both builders (through the services, and the bulk path) write this same catalogue, so it is
made here once, deterministically from a seeded ``random.Random``. Finished products come
from a few families (chair, table, lamp, shelf, stool, bench) crossed with named collections;
each family brings its own sub-assemblies and components, so BOMs run three levels deep
(chair -> upholstered seat -> seat cushion -> wool fabric).
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from dmdesk.demo import artwork
from dmdesk.domain.kinds import ProductKind

CENT = Decimal("0.01")
MINUTE_RATE = Decimal("0.55")  # what a minute of shop time costs, for the cost roll-up


@dataclass(frozen=True)
class RawBase:
    code: str
    category: str  # the role a family asks for ("board", "fabric", ...)
    name: str
    unit: str
    cost: str
    variants: tuple[str, ...]
    label: str  # how a product name refers to it, "{v}" standing for the variant
    lot_tracked: bool = False


RAW_BASES: tuple[RawBase, ...] = (
    RawBase("WOD", "board", "Oak board", "m2", "48.00", ("20 mm", "26 mm", "30 mm"), "oak"),
    RawBase("WOD", "board", "Walnut board", "m2", "95.00", ("20 mm", "26 mm"), "walnut"),
    RawBase("WOD", "board", "Ash board", "m2", "42.00", ("20 mm", "26 mm"), "ash"),
    RawBase("PLY", "plywood", "Birch plywood", "m2", "22.00", ("12 mm", "15 mm", "18 mm"),
            "birch"),
    RawBase("PLY", "mdf", "MDF panel", "m2", "9.50", ("16 mm", "19 mm"), "MDF"),
    RawBase("WOD", "dowel", "Beech dowel", "m", "3.20", ("Ø20 mm", "Ø30 mm"), "beech"),
    RawBase("STL", "tube", "Steel tube", "m", "4.80", ("20×20 mm", "25×25 mm", "30×15 mm"),
            "steel"),
    RawBase("STL", "rtube", "Steel round tube", "m", "4.10", ("Ø16 mm", "Ø22 mm"), "steel"),
    RawBase("STL", "flatbar", "Steel flat bar", "m", "3.60", ("30×4 mm", "40×5 mm"), "steel"),
    RawBase("ALU", "sheet", "Aluminium sheet", "m2", "38.00", ("1.5 mm", "2 mm", "3 mm"),
            "aluminium"),
    RawBase("BRS", "rod", "Brass rod", "m", "12.50", ("Ø8 mm", "Ø12 mm"), "brass"),
    RawBase("TEX", "fabric", "Wool fabric", "m2", "32.00",
            ("grey", "charcoal", "ochre", "forest green"), "{v} wool", lot_tracked=True),
    RawBase("TEX", "fabric", "Linen fabric", "m2", "21.00", ("natural", "sand", "indigo"),
            "{v} linen", lot_tracked=True),
    RawBase("TEX", "fabric", "Leather hide", "m2", "68.00", ("tan", "black", "cognac"),
            "{v} leather", lot_tracked=True),
    RawBase("FOM", "foam", "Polyurethane foam", "m2", "14.00", ("30 mm", "50 mm"), "foam"),
    RawBase("TEX", "webbing", "Elastic webbing", "m", "1.40", ("50 mm",), "webbing"),
    RawBase("FIL", "filament", "PLA filament", "kg", "19.00",
            ("black", "white", "terracotta", "sage"), "{v} PLA", lot_tracked=True),
    RawBase("FIL", "filament", "PETG filament", "kg", "24.00", ("clear", "white"), "{v} PETG",
            lot_tracked=True),
    RawBase("FIN", "oil", "Hardwax oil", "l", "28.00", ("natural", "white"), "{v} oil"),
    RawBase("FIN", "coat", "Powder coat", "kg", "11.00",
            ("black RAL 9005", "white RAL 9016", "olive RAL 6003"), "{v}"),
    RawBase("FIN", "glue", "PVA wood glue", "kg", "6.50", ("D3",), "glue"),
    RawBase("HDW", "screw", "Wood screw", "pcs", "0.04", ("4×30", "4×40", "5×50"), "screws"),
    RawBase("HDW", "bolt", "Hex bolt", "pcs", "0.18", ("M6×30", "M8×40"), "bolts"),
    RawBase("HDW", "insert", "Threaded insert", "pcs", "0.22", ("M6", "M8"), "inserts"),
    RawBase("HDW", "glide", "Felt glide", "pcs", "0.35", ("20 mm", "25 mm"), "glides"),
    RawBase("ELC", "cable", "Textile cable, 2-core", "m", "1.90", ("black", "red", "white"),
            "{v}"),
    RawBase("ELC", "socket", "Lamp socket", "pcs", "2.40", ("E27", "E14"), "{v}"),
    RawBase("ELC", "switch", "Inline switch", "pcs", "1.60", ("black", "white"), "switch"),
    RawBase("ELC", "plug", "Schuko plug", "pcs", "1.20", ("black", "white"), "plug"),
    RawBase("ELC", "bulb", "LED bulb", "pcs", "4.50", ("E27 6 W", "E14 4 W"), "bulb"),
    RawBase("PKG", "box", "Carton box", "pcs", "2.10", ("S", "M", "L", "XL"), "box"),
)

COLLECTIONS = ("Alfama", "Ribeira", "Douro", "Tejo", "Minho", "Belém", "Graça", "Sintra",
               "Lapa", "Foz", "Estrela", "Arrábida", "Mondego", "Gerês", "Nazaré", "Óbidos",
               "Sado", "Marvão", "Tavira", "Lousã", "Caramulo", "Buçaco", "Algarve", "Açores")

# Reorder sizes by unit: (minimum, quantity ordered) at a site that uses the material.
REORDER = {"pcs": ("200", "1000"), "m": ("30", "120"), "m2": ("12", "40"), "kg": ("8", "25"),
           "l": ("4", "12")}
FINISHED_REORDER = ("4", "12")  # finished goods kept at the central warehouse


@dataclass(frozen=True)
class BomSpec:
    component: int
    quantity: Decimal
    scrap_pct: Decimal = Decimal(0)


@dataclass(frozen=True)
class OpSpec:
    name: str
    capability: str
    setup_minutes: Decimal
    run_minutes: Decimal


@dataclass(frozen=True)
class DesignSpec:
    name: str
    media_type: str
    data: bytes


@dataclass
class ProductSpec:
    index: int
    sku: str
    name: str
    kind: ProductKind
    unit: str
    cost: Decimal
    price: Decimal
    category: str
    label: str = ""
    lot_tracked: bool = False
    description: str = ""
    bom: list[BomSpec] = field(default_factory=list)
    operations: list[OpSpec] = field(default_factory=list)
    designs: list[DesignSpec] = field(default_factory=list)

    @property
    def made(self) -> bool:
        return self.kind != ProductKind.RAW_MATERIAL

    @property
    def capability(self) -> str:
        """What a site must be able to do to make it (its first operation's capability)."""
        return self.operations[0].capability if self.operations else ""


@dataclass
class Catalog:
    products: list[ProductSpec]

    def reorder_point(self, index: int) -> tuple[Decimal, Decimal]:
        spec = self.products[index]
        minimum, qty = FINISHED_REORDER if spec.made else REORDER[spec.unit]
        return Decimal(minimum), Decimal(qty)

    def depth(self, index: int) -> int:
        """Levels of the BOM below a product (0 for a raw material)."""
        spec = self.products[index]
        return 1 + max((self.depth(b.component) for b in spec.bom), default=-1)


def _q(text: str | int | Decimal) -> Decimal:
    return Decimal(text)


def _op(name: str, capability: str, setup: int, run: int) -> OpSpec:
    return OpSpec(name, capability, Decimal(setup), Decimal(run))


class _Builder:
    """Adds products one by one, children before parents, numbering SKUs per family."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.products: list[ProductSpec] = []
        self.raw_by_category: dict[str, list[int]] = defaultdict(list)
        self.kits: dict[tuple[int, int], int] = {}
        self._serial: dict[str, int] = defaultdict(int)

    def _sku(self, prefix: str) -> str:
        self._serial[prefix] += 1
        return f"{prefix}-{self._serial[prefix]:05d}"

    def add_raw(self, base: RawBase, variant: str, spec_no: int) -> int:
        name = f"{base.name} {variant}" + (f", spec {spec_no:03d}" if spec_no else "")
        label = base.label.format(v=variant)
        index = len(self.products)
        # Extra specs (large catalogues) are not lot-tracked: lots stay the exception.
        self.products.append(ProductSpec(
            index, self._sku(f"RM-{base.code}"), name, ProductKind.RAW_MATERIAL, base.unit,
            _q(base.cost), Decimal(0), base.category, label,
            lot_tracked=base.lot_tracked and spec_no == 0,
            description=f"Bought in {base.unit}; {base.category}."))
        self.raw_by_category[base.category].append(index)
        return index

    def pick(self, category: str) -> int:
        return self.rng.choice(self.raw_by_category[category])

    def label(self, index: int) -> str:
        return self.products[index].label

    def made(self, kind: ProductKind, family: str, name: str,
             bom: list[tuple[int, str | int | Decimal] | tuple[int, str | int | Decimal, str]],
             ops: list[OpSpec], designs: list[DesignSpec] | None = None,
             description: str = "") -> int:
        lines = [BomSpec(line[0], _q(line[1]), _q(line[2] if len(line) > 2 else 0))
                 for line in bom]
        material = sum((self.products[b.component].cost * b.quantity
                        * (100 + b.scrap_pct) / 100 for b in lines), Decimal(0))
        minutes = sum((op.setup_minutes / 10 + op.run_minutes for op in ops), Decimal(0))
        cost = (material + minutes * MINUTE_RATE).quantize(CENT, ROUND_HALF_UP)
        price = ((cost * Decimal("2.4") / 5).quantize(Decimal(1), ROUND_HALF_UP) * 5
                 if kind == ProductKind.FINISHED else (cost * Decimal("1.3")).quantize(CENT))
        prefix = {ProductKind.FINISHED: "FG", ProductKind.COMPONENT: "CP"}.get(kind, "SA")
        index = len(self.products)
        sku = self._sku(f"{prefix}-{family}")
        self.products.append(ProductSpec(
            index, sku, name, kind, "pcs", cost, price, family, lot_tracked=False,
            description=description, bom=lines, operations=ops,
            designs=designs or []))
        return index

    def peek_sku(self, kind: ProductKind, family: str) -> str:
        prefix = {ProductKind.FINISHED: "FG", ProductKind.COMPONENT: "CP"}.get(kind, "SA")
        return f"{prefix}-{family}-{self._serial[f'{prefix}-{family}'] + 1:05d}"


SUB = ProductKind.COMPONENT  # sub-assemblies are components with a BOM of their own
COMP = ProductKind.COMPONENT
FIN = ProductKind.FINISHED
PALETTE = ((196, 154, 108), (110, 75, 50), (150, 150, 150), (204, 153, 51), (60, 90, 60),
           (40, 40, 40), (226, 114, 91), (150, 170, 140), (70, 90, 140))


def _colour(text: str) -> tuple[int, int, int]:
    return PALETTE[sum(map(ord, text)) % len(PALETTE)]


def _finished_designs(b: _Builder, family: str, name: str, size: tuple[int, int]
                      ) -> list[DesignSpec]:
    sku = b.peek_sku(FIN, family)  # the SKU the finished product is about to get
    revised = b.rng.random() < 0.25
    drawing = artwork.svg_drawing(name, sku, *size)
    files = [DesignSpec("drawing.svg", artwork.SVG, drawing),
             DesignSpec("thumbnail.png", artwork.PNG, artwork.png_thumbnail(_colour(name)))]
    if revised:  # a second revision of the drawing: versions are part of the story
        files.append(DesignSpec("drawing.svg", artwork.SVG,
                                artwork.svg_drawing(name, sku, size[0] + 20, size[1], 2)))
    return files


def _cut_file(name: str, size: tuple[int, int]) -> list[DesignSpec]:
    return [DesignSpec("cut-profile.svg", artwork.SVG, artwork.svg_drawing(name, "CNC", *size))]


def _suffix(edition: int) -> str:
    return f" Mk {edition + 1}" if edition else ""


def _chair(b: _Builder, coll: str, edition: int) -> int:
    wood, fabric, foam = b.pick("board"), b.pick("fabric"), b.pick("foam")
    ply, oil, glue, screw = b.pick("plywood"), b.pick("oil"), b.pick("glue"), b.pick("screw")
    wl, fl = b.label(wood), b.label(fabric)
    leg = b.made(COMP, "CHR", f"{coll} chair leg, {wl}", [(wood, "0.035", "8")],
                 [_op("CNC mill leg", "cnc", 20, 6), _op("Sand leg", "finishing", 0, 4)],
                 _cut_file(f"{coll} chair leg", (45, 450)))
    frame = b.made(SUB, "CHR", f"{coll} chair frame, {wl}",
                   [(leg, 4), (glue, "0.060"), (screw, 8), (oil, "0.120", "5")],
                   [_op("Glue up frame", "woodwork", 15, 18), _op("Oil frame", "finishing", 5, 10)])
    shell = b.made(COMP, "CHR", f"{coll} seat shell, {b.label(ply)}", [(ply, "0.220", "10")],
                   [_op("CNC cut seat shell", "cnc", 15, 5)], _cut_file(f"{coll} seat", (440, 420)))
    cushion = b.made(COMP, "CHR", f"{coll} seat cushion, {fl}",
                     [(foam, "0.180", "5"), (fabric, "0.350", "12")],
                     [_op("Cut foam", "upholstery", 10, 4), _op("Sew cover", "sewing", 10, 14)])
    seat = b.made(SUB, "CHR", f"{coll} upholstered seat, {fl}",
                  [(shell, 1), (cushion, 1), (screw, 4)],
                  [_op("Upholster seat", "upholstery", 10, 20)])
    name = f"{coll} dining chair, {wl} / {fl}{_suffix(edition)}"
    return b.made(FIN, "CHR", name,
                  [(frame, 1), (seat, 1), (b.pick("glide"), 4), (b.pick("box"), 1)],
                  [_op("Assemble chair", "assembly", 10, 15),
                   _op("Inspect and pack", "assembly", 0, 6)],
                  _finished_designs(b, "CHR", name, (450, 820)),
                  f"Solid {wl} frame with an upholstered {fl} seat.")


def _table(b: _Builder, coll: str, edition: int) -> int:
    wood, tube, flat, coat = b.pick("board"), b.pick("tube"), b.pick("flatbar"), b.pick("coat")
    width, depth = b.rng.choice(((140, 80), (160, 90), (180, 90), (200, 100)))
    area = (Decimal(width * depth) / 10_000).quantize(Decimal("0.001"))
    wl, cl = b.label(wood), b.label(coat)
    top = b.made(COMP, "TBL", f"{coll} table top {width}×{depth}, {wl}",
                 [(wood, area, "6"), (b.pick("oil"), (area * Decimal("0.12")).quantize(
                     Decimal("0.001")))],
                 [_op("CNC profile top", "cnc", 20, 18), _op("Sand and oil top", "finishing", 10,
                                                             25)],
                 _cut_file(f"{coll} table top", (width * 10, depth * 10)))
    leg = b.made(COMP, "TBL", f"{coll} table leg, {b.label(tube)}", [(tube, "0.720", "3")],
                 [_op("Saw and drill leg", "cnc", 5, 4)])
    base = b.made(SUB, "TBL", f"{coll} table base, {cl}",
                  [(leg, 4), (flat, Decimal(2 * (width + depth) - 40) / 100), (coat, "0.450")],
                  [_op("Weld base", "welding", 15, 35), _op("Powder coat base", "painting", 20,
                                                            15)])
    name = f"{coll} dining table {width}×{depth}, {wl}{_suffix(edition)}"
    return b.made(FIN, "TBL", name,
                  [(top, 1), (base, 1), (b.pick("insert"), 8), (b.pick("bolt"), 8),
                   (b.pick("box"), 1)],
                  [_op("Assemble table", "assembly", 10, 20),
                   _op("Inspect and pack", "assembly", 0, 10)],
                  _finished_designs(b, "TBL", name, (width * 10, 750)),
                  f"{width} × {depth} cm {wl} top on a powder-coated steel base.")


def _wiring_kit(b: _Builder) -> int:
    socket, cable = b.pick("socket"), b.pick("cable")
    if (socket, cable) not in b.kits:
        b.kits[socket, cable] = b.made(
            SUB, "LMP", f"Wiring kit {b.label(socket)}, {b.label(cable)} cable",
            [(cable, "2.500"), (socket, 1), (b.pick("switch"), 1), (b.pick("plug"), 1)],
            [_op("Wire and test kit", "assembly", 5, 9)])
    return b.kits[socket, cable]


def _lamp(b: _Builder, coll: str, edition: int) -> int:
    fil, coat = b.pick("filament"), b.pick("coat")
    metal = b.pick(b.rng.choice(("sheet", "rod")))
    per_arm = "0.060" if b.products[metal].unit == "m2" else "0.650"
    style = b.rng.choice(("pendant", "desk", "floor"))
    shade = b.made(COMP, "LMP", f"{coll} lamp shade, {b.label(fil)}", [(fil, "0.320", "6")],
                   [_op("Print shade", "3d-print", 10, 90),
                    _op("Post-process shade", "finishing", 5, 12)],
                   [DesignSpec("shade.stl", artwork.STL,
                               artwork.stl_part(f"{coll} shade", 260, 180))])
    arm = b.made(COMP, "LMP", f"{coll} lamp arm, {b.label(metal)}", [(metal, per_arm, "5")],
                 [_op("CNC cut and bend arm", "cnc", 15, 8)],
                 _cut_file(f"{coll} lamp arm", (40, 600)))
    plate = b.made(COMP, "LMP", f"{coll} lamp base plate", [(b.pick("flatbar"), "0.300", "4")],
                   [_op("Laser-cut plate", "laser-cut", 10, 3)])
    base = b.made(SUB, "LMP", f"{coll} lamp base, {b.label(coat)}", [(plate, 1), (coat, "0.080")],
                  [_op("Weld stem", "welding", 10, 12), _op("Powder coat stem", "painting", 15,
                                                            6)])
    name = f"{coll} {style} lamp, {b.label(fil)}{_suffix(edition)}"
    return b.made(FIN, "LMP", name,
                  [(shade, 1), (arm, 1), (base, 1), (_wiring_kit(b), 1), (b.pick("bulb"), 1),
                   (b.pick("box"), 1)],
                  [_op("Assemble lamp", "assembly", 5, 12),
                   _op("Electrical test and pack", "assembly", 0, 6)],
                  _finished_designs(b, "LMP", name, (300, 1500 if style == "floor" else 450)),
                  f"A {style} lamp with a 3D-printed shade, made near you.")


def _shelf(b: _Builder, coll: str, edition: int) -> int:
    wood, flat, coat = b.pick("board"), b.pick("flatbar"), b.pick("coat")
    width = b.rng.choice((60, 80, 100, 120))
    wl = b.label(wood)
    board = b.made(COMP, "SHF", f"{coll} shelf board {width} cm, {wl}",
                   [(wood, Decimal(width) / 400, "6"), (b.pick("oil"), "0.030")],
                   [_op("CNC cut board", "cnc", 10, 5), _op("Oil board", "finishing", 5, 6)],
                   _cut_file(f"{coll} shelf board", (width * 10, 250)))
    bracket = b.made(COMP, "SHF", f"{coll} shelf bracket, {b.label(coat)}",
                     [(flat, "0.380", "4"), (coat, "0.050")],
                     [_op("Cut and weld bracket", "welding", 10, 6),
                      _op("Powder coat bracket", "painting", 10, 3)])
    name = f"{coll} wall shelf {width} cm, {wl}{_suffix(edition)}"
    return b.made(FIN, "SHF", name, [(board, 1), (bracket, 2), (b.pick("screw"), 6),
                                     (b.pick("box"), 1)],
                  [_op("Pack shelf", "assembly", 0, 5)],
                  _finished_designs(b, "SHF", name, (width * 10, 250)),
                  f"A {width} cm {wl} shelf on two steel brackets.")


def _stool(b: _Builder, coll: str, edition: int) -> int:
    ply, fabric, foam = b.pick("plywood"), b.pick("fabric"), b.pick("foam")
    tube, coat = b.pick("rtube"), b.pick("coat")
    fl = b.label(fabric)
    shell = b.made(COMP, "STO", f"{coll} stool seat shell", [(ply, "0.120", "10")],
                   [_op("CNC cut stool shell", "cnc", 10, 4)])
    cushion = b.made(COMP, "STO", f"{coll} stool cushion, {fl}",
                     [(foam, "0.100", "5"), (fabric, "0.200", "12")],
                     [_op("Cut foam", "upholstery", 10, 3), _op("Sew cover", "sewing", 10, 10)])
    seat = b.made(SUB, "STO", f"{coll} stool seat, {fl}", [(shell, 1), (cushion, 1)],
                  [_op("Upholster stool seat", "upholstery", 10, 12)])
    frame = b.made(COMP, "STO", f"{coll} stool frame, {b.label(coat)}",
                   [(tube, "2.600", "4"), (coat, "0.200")],
                   [_op("Bend and weld frame", "welding", 20, 25),
                    _op("Powder coat frame", "painting", 15, 8)])
    name = f"{coll} bar stool, {fl}{_suffix(edition)}"
    return b.made(FIN, "STO", name, [(seat, 1), (frame, 1), (b.pick("glide"), 4),
                                     (b.pick("box"), 1)],
                  [_op("Assemble stool", "assembly", 5, 10)],
                  _finished_designs(b, "STO", name, (400, 760)),
                  f"A steel bar stool with a {fl} seat.")


def _bench(b: _Builder, coll: str, edition: int) -> int:
    wood, tube, flat = b.pick("board"), b.pick("tube"), b.pick("flatbar")
    wl = b.label(wood)
    top = b.made(COMP, "BNC", f"{coll} bench top, {wl}", [(wood, "0.532", "6")],
                 [_op("CNC profile bench top", "cnc", 15, 12)],
                 _cut_file(f"{coll} bench top", (1400, 380)))
    leg = b.made(COMP, "BNC", f"{coll} bench leg", [(tube, "0.450", "3")],
                 [_op("Saw and drill leg", "cnc", 5, 3)])
    base = b.made(SUB, "BNC", f"{coll} bench base", [(leg, 4), (flat, "2.200")],
                  [_op("Weld bench base", "welding", 15, 25)])
    name = f"{coll} bench 140 cm, {wl}{_suffix(edition)}"
    return b.made(FIN, "BNC", name, [(top, 1), (base, 1), (b.pick("bolt"), 6),
                                     (b.pick("box"), 1)],
                  [_op("Assemble bench", "assembly", 10, 15)],
                  _finished_designs(b, "BNC", name, (1400, 450)),
                  f"A 140 cm {wl} bench on a welded steel base.")


Family = Callable[[_Builder, str, int], int]
FAMILIES: tuple[Family, ...] = (_chair, _table, _lamp, _shelf, _stool, _bench)
LARGEST_FAMILY = 7  # products one family can add at most (a chair: 6, a lamp with a new kit: 6)
RAW_SHARE = Decimal("0.3")


def _raw_materials(b: _Builder, count: int) -> None:
    """``count`` raw materials: every base variant in turn (so small catalogues cover every
    category), then further numbered specs of the same materials."""
    pairs = [(base, variant) for base in RAW_BASES for variant in base.variants]
    firsts = [(base, base.variants[0]) for base in RAW_BASES]
    order = firsts + [pair for pair in pairs if pair not in firsts]
    for n in range(count):
        base, variant = order[n % len(order)]
        b.add_raw(base, variant, n // len(order))


def build_catalog(rng: random.Random, products: int) -> Catalog:
    """A catalogue of exactly ``products`` products."""
    b = _Builder(rng)
    raw = max(len(RAW_BASES), int(products * RAW_SHARE))
    _raw_materials(b, raw)
    made_budget = products - raw
    n = 0
    while made_budget - (len(b.products) - raw) >= LARGEST_FAMILY:
        family = FAMILIES[n % len(FAMILIES)]
        collection = COLLECTIONS[(n // len(FAMILIES)) % len(COLLECTIONS)]
        edition = n // (len(FAMILIES) * len(COLLECTIONS))
        family(b, collection, edition)
        n += 1
    extra = products - len(b.products)
    for k in range(extra):  # fill up to the exact count with further raw specs
        base = RAW_BASES[k % len(RAW_BASES)]
        b.add_raw(base, base.variants[-1], 900 + k // len(RAW_BASES))
    return Catalog(b.products)
