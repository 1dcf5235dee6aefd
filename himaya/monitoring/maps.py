"""Egypt's 27 governorates as a tile grid: one square per governorate, placed roughly
where it lies (north at the top, west at the left), coloured by a value."""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import get_language

from himaya.monitoring.selectors import governorate_names

# (column, row) of each governorate's tile.
TILES: dict[str, tuple[int, int]] = {
    "EG-MT": (0, 0),
    "EG-ALX": (1, 0),
    "EG-BH": (2, 0),
    "EG-KFS": (3, 0),
    "EG-DK": (4, 0),
    "EG-DT": (5, 0),
    "EG-PTS": (6, 0),
    "EG-SIN": (7, 0),
    "EG-MNF": (2, 1),
    "EG-GH": (3, 1),
    "EG-SHR": (4, 1),
    "EG-IS": (5, 1),
    "EG-GZ": (2, 2),
    "EG-KB": (3, 2),
    "EG-C": (4, 2),
    "EG-SUZ": (5, 2),
    "EG-JS": (6, 2),
    "EG-FYM": (2, 3),
    "EG-BNS": (3, 3),
    "EG-MN": (3, 4),
    "EG-WAD": (1, 5),
    "EG-AST": (3, 5),
    "EG-BA": (5, 5),
    "EG-SHG": (3, 6),
    "EG-KN": (4, 6),
    "EG-LX": (4, 7),
    "EG-ASN": (4, 8),
}
COLUMNS = 8
ROWS = 9
TILE = 64
GAP = 4

# A sequential scale, light to dark; grey for no value or a hidden one.
COLOURS = ["#deebf7", "#9ecae1", "#6baed6", "#3182bd", "#08519c"]
NO_VALUE = "#e9ecef"
HIDDEN = "#adb5bd"


@dataclass(frozen=True)
class Tile:
    code: str
    name: str
    x: int
    y: int
    text_x: int
    text_y: int
    fill: str
    value: Decimal | None
    suppressed: bool
    dark: bool


@dataclass(frozen=True)
class LegendStep:
    colour: str
    low: Decimal
    high: Decimal


def breaks(found: list[Decimal]) -> list[Decimal]:
    """The upper bounds of five equal classes from zero to the largest value."""
    top = max(found, default=Decimal(0))
    if top <= 0:
        return []
    return [(top * n / len(COLOURS)).quantize(Decimal("0.01")) for n in range(1, len(COLOURS) + 1)]


def tile_map(
    values: dict[str, Decimal | None], suppressed: set[str]
) -> tuple[list[Tile], list[LegendStep]]:
    """The tiles and the legend for values by governorate code."""
    arabic = (get_language() or "ar").startswith("ar")
    names = governorate_names()
    bounds = breaks([v for v in values.values() if v is not None])
    tiles = []
    for code, (column, row) in TILES.items():
        # Right to left in Arabic would mirror the country: the map keeps west at the left.
        value = values.get(code)
        if code in suppressed:
            fill = HIDDEN
        elif value is None or not bounds:
            fill = NO_VALUE
        else:
            step = next((n for n, high in enumerate(bounds) if value <= high), len(bounds) - 1)
            fill = COLOURS[step]
        ar, en = names.get(code, (code, code))
        x = GAP + column * (TILE + GAP)
        y = GAP + row * (TILE + GAP)
        tiles.append(
            Tile(
                code=code,
                name=ar if arabic else en,
                x=x,
                y=y,
                text_x=x + TILE // 2,
                text_y=y + TILE // 2,
                fill=fill,
                value=value,
                suppressed=code in suppressed,
                dark=fill in COLOURS[3:],
            )
        )
    legend = []
    low = Decimal(0)
    for colour, high in zip(COLOURS, bounds, strict=False):
        legend.append(LegendStep(colour=colour, low=low, high=high))
        low = high
    return tiles, legend


WIDTH = GAP + COLUMNS * (TILE + GAP)
HEIGHT = GAP + ROWS * (TILE + GAP)
