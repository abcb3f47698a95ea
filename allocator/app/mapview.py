"""The page's map of the areas as inline SVG: NIL polygons when a boundary file is given, centroids
otherwise.

The boundaries are read and matched to the areas by :mod:`allocator.render.maps` (the same keys,
colours and credit as the report's map) once per page; each new plan only recolours the shapes, a
few milliseconds instead of the ~0.8 s matplotlib takes to draw and encode the polygons, so the map
keeps up with the sliders. Each shape carries a tooltip with the area's figures.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pandas as pd
from matplotlib import colormaps
from matplotlib.colors import to_hex

from allocator.inputs.schema import Scenario
from allocator.render.formats import number, share
from allocator.render.maps import (
    BACKGROUND,
    COLOURMAP,
    WORDS,
    MapKeys,
    match_areas,
    read_boundaries,
    scenario_areas,
)
from allocator.render.plotting import short_name

WIDTH = 760.0
"""Drawing width in SVG units (the page scales it to its column)."""
MARGIN = 14.0
LEGEND_HEIGHT = 64.0


@dataclass(frozen=True)
class Shape:
    """One area as drawn: an SVG path (polygons) or a point, and where its label goes."""

    area_id: str
    name: str
    path: str = ""
    x: float = 0.0
    y: float = 0.0
    radius: float = 0.0


@dataclass(frozen=True)
class MapShapes:
    """The areas projected once: ``mode``, their shapes, the other polygons (background)."""

    mode: Literal["polygons", "centroids"]
    shapes: tuple[Shape, ...]
    background: tuple[str, ...]
    width: float
    height: float
    unmatched: tuple[str, ...] = ()
    credit: str = ""
    index: dict[str, int] = field(default_factory=dict)


def _projector(lons: Sequence[float], lats: Sequence[float]) -> tuple[float, float, float, float]:
    """(x0, y0, scale, height): longitude shrunk by cos(latitude), the width fixed."""
    middle = math.cos(math.radians(sum(lats) / len(lats)))
    x0, x1 = min(lons) * middle, max(lons) * middle
    y0, y1 = min(lats), max(lats)
    scale = (WIDTH - 2 * MARGIN) / max(x1 - x0, 1e-9)
    height = (y1 - y0) * scale + 2 * MARGIN
    return x0, y1, scale, height


def map_shapes(scenario: Scenario, boundaries: str | Path | None = None) -> MapShapes:
    """Read and project the map once: the boundary polygons matched to the scenario's areas, or
    (without ``boundaries``) the areas' centroids, sized by their need."""
    areas = scenario_areas(scenario)
    if boundaries is not None:
        keys = MapKeys.from_settings(scenario.settings)
        polygons = read_boundaries(boundaries, keys)
        matched, unmatched = match_areas(areas, polygons, keys)
        points = [p for b in polygons for poly in b.polygons for ring in poly for p in ring]
        middle = math.cos(math.radians(sum(p[1] for p in points) / len(points)))
        x0, top, scale, height = _projector([p[0] for p in points], [p[1] for p in points])

        def path(boundary_polygons: Sequence[Sequence[Sequence[tuple[float, float]]]]) -> str:
            parts = []
            for polygon in boundary_polygons:
                for ring in polygon:
                    xy = [
                        (MARGIN + (lon * middle - x0) * scale, MARGIN + (top - lat) * scale)
                        for lon, lat in ring
                    ]
                    parts.append("M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in xy) + "Z")
            return "".join(parts)

        used = {id(b) for b in matched.values()}
        shapes = []
        for row in areas.itertuples(index=False):
            found = matched.get(str(row.area_id))
            if found is None:
                continue
            ring = max((poly[0] for poly in found.polygons), key=len)
            cx = sum(p[0] for p in ring) / len(ring)
            cy = sum(p[1] for p in ring) / len(ring)
            shapes.append(
                Shape(
                    str(row.area_id),
                    str(row.name),
                    path=path(found.polygons),
                    x=MARGIN + (cx * middle - x0) * scale,
                    y=MARGIN + (top - cy) * scale,
                )
            )
        background = tuple(path(b.polygons) for b in polygons if id(b) not in used)
        return MapShapes(
            "polygons",
            tuple(shapes),
            background,
            WIDTH,
            height,
            tuple(unmatched),
            WORDS["it"]["source"],
            {s.area_id: i for i, s in enumerate(shapes)},
        )
    placed = areas.dropna(subset=["lat", "lon"])
    missing = areas[areas["lat"].isna() | areas["lon"].isna()]
    left_out = tuple(f"{r.area_id} {r.name}" for r in missing.itertuples())
    if placed.empty:
        return MapShapes("centroids", (), (), WIDTH, 200.0, left_out, WORDS["it"]["size"])
    pad = 0.01
    x0, top, scale, height = _projector(
        [float(placed["lon"].min()) - pad, float(placed["lon"].max()) + pad],
        [float(placed["lat"].min()) - pad, float(placed["lat"].max()) + pad],
    )
    middle = math.cos(math.radians(float(placed["lat"].mean())))
    biggest = max(float(placed["need"].max()), 1e-9)
    shapes = [
        Shape(
            str(r.area_id),
            str(r.name),
            x=MARGIN + (float(r.lon) * middle - x0) * scale,
            y=MARGIN + (top - float(r.lat)) * scale,
            radius=8 + 22 * math.sqrt(float(r.need) / biggest),
        )
        for r in placed.itertuples(index=False)
    ]
    return MapShapes(
        "centroids",
        tuple(shapes),
        (),
        WIDTH,
        height,
        left_out,
        WORDS["it"]["size"],
        {s.area_id: i for i, s in enumerate(shapes)},
    )


def colour(value: float) -> str:
    """The colour of a share in [0, 1] on the report's colour map."""
    return str(to_hex(colormaps[COLOURMAP](min(max(value, 0.0), 1.0))))


def map_svg(shapes: MapShapes, areas: pd.DataFrame, excluded: Sequence[str] = ()) -> str:
    """The map of coverage by area (a ``plan.areas`` frame) as one SVG element."""
    by_id = areas.set_index("area_id")
    out = set(excluded)
    total_height = shapes.height + LEGEND_HEIGHT
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {shapes.width:.0f} '
        f'{total_height:.0f}" role="img" aria-label="Mappa della copertura per quartiere" '
        'class="area-map">'
    ]
    for d in shapes.background:
        parts.append(f'<path d="{d}" fill="{BACKGROUND}" stroke="#ffffff" stroke-width="0.8"/>')
    labels = []
    for shape in shapes.shapes:
        row = by_id.loc[shape.area_id] if shape.area_id in by_id.index else None
        coverage = float(row["coverage"]) if row is not None else 0.0
        need = float(row["need"]) if row is not None else 0.0
        served = float(row["served"]) if row is not None else 0.0
        excluded_here = shape.area_id in out
        fill = "url(#escluso)" if excluded_here else colour(coverage)
        tip = (
            f"{shape.name}: copertura {share(coverage)}, {number(served)} serviti su "
            f"{number(need)} di bisogno stimato" + (" (escluso)" if excluded_here else "")
        )
        title = f"<title>{html.escape(tip)}</title>"
        data = f'data-area="{html.escape(shape.area_id)}"'
        if shape.path:
            parts.append(
                f'<path d="{shape.path}" fill="{fill}" stroke="#333333" stroke-width="1.2" '
                f"{data}>{title}</path>"
            )
        else:
            parts.append(
                f'<circle cx="{shape.x:.1f}" cy="{shape.y:.1f}" r="{shape.radius:.1f}" '
                f'fill="{fill}" stroke="#333333" stroke-width="1.2" {data}>{title}</circle>'
            )
        text = "escluso" if excluded_here else share(coverage, decimals=0)
        offset = shape.radius + 14 if not shape.path else 0
        labels.append(
            f'<text x="{shape.x:.1f}" y="{shape.y + offset:.1f}" class="map-label">'
            f'<tspan x="{shape.x:.1f}" dy="-0.2em">{html.escape(short_name(shape.name, 16))}'
            f'</tspan><tspan x="{shape.x:.1f}" dy="1.1em" class="map-value">{text}</tspan></text>'
        )
    parts += labels
    parts.append(_legend(shapes.height, shapes.credit))
    parts.append(
        '<defs><pattern id="escluso" width="8" height="8" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="8" height="8" fill="#d0d0d0"/>'
        '<line x1="0" y1="0" x2="0" y2="8" stroke="#777777" stroke-width="3"/></pattern></defs>'
    )
    parts.append("</svg>")
    return "".join(parts)


def _legend(top: float, credit: str) -> str:
    steps = 10
    width = 300.0
    cells = "".join(
        f'<rect x="{MARGIN + i * width / steps:.1f}" y="{top + 10:.1f}" '
        f'width="{width / steps + 0.5:.1f}" height="16" fill="{colour(i / (steps - 1))}"/>'
        for i in range(steps)
    )
    ticks = "".join(
        f'<text x="{MARGIN + f * width:.1f}" y="{top + 44:.1f}" class="map-tick" '
        f'text-anchor="middle">{share(f, decimals=0)}</text>'
        for f in (0.0, 0.5, 1.0)
    )
    caption = (
        f'<text x="{MARGIN + width + 16:.1f}" y="{top + 24:.1f}" class="map-tick">'
        "copertura del bisogno</text>"
        f'<text x="{MARGIN + width + 16:.1f}" y="{top + 44:.1f}" class="map-credit">'
        f"{html.escape(credit)}</text>"
    )
    return cells + ticks + caption
