"""A map of the areas coloured by one KPI (a column of ``plan.areas``).

With a boundary GeoJSON (for Milan the Comune's NIL boundaries, dataset ds964, downloaded by the
user) every area is drawn as its polygon; without one, as a point at its centroid (the ``lat`` and
``lon`` of areas.csv) sized by its need. The GeoJSON is read as plain JSON: Polygon and
MultiPolygon geometries, coordinates as longitude, latitude.

Areas meet polygons through keys chosen in ``scenario.toml`` (:class:`MapKeys`): the areas' column
``map_id_column``, the features' property ``map_feature_property`` (the feature's ``id`` when
unset), compared as text or, with ``map_match_number = true``, by the whole number each holds
(``NIL_080`` = ``80``). Areas without a polygon (or without coordinates) are listed in
:attr:`AreaMap.unmatched` and under the map, never silently dropped.
"""

from __future__ import annotations

import json
import math
import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from matplotlib import colormaps, patheffects
from matplotlib.axes import Axes
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.patches import PathPatch
from matplotlib.path import Path as DrawPath
from matplotlib.ticker import FuncFormatter

from allocator.errors import UsageError
from allocator.inputs.schema import Scenario, Settings
from allocator.render.formats import number
from allocator.render.plotting import check_lang, is_share, label, new_figure, short_name, styled

COLOURMAP = "YlGnBu"
BACKGROUND = "#e9ebee"
Ring = list[tuple[float, float]]
"""A closed line of (longitude, latitude) points."""

WORDS = {
    "it": {
        "title": "{kpi} per quartiere",
        "unmatched_polygons": "Senza confine nel file dei confini",
        "unmatched_points": "Senza coordinate",
        "size": "Dimensione del punto: bisogno stimato",
        "source": "Confini: Comune di Milano – Open Data (CC BY 4.0)",
    },
    "en": {
        "title": "{kpi} by area",
        "unmatched_polygons": "No polygon in the boundary file",
        "unmatched_points": "No coordinates",
        "size": "Point size: estimated need",
        "source": "Boundaries: Comune di Milano – Open Data (CC BY 4.0)",
    },
}


@dataclass(frozen=True)
class MapKeys:
    """How areas meet boundary polygons (the ``map_*`` settings of ``scenario.toml``)."""

    id_column: str = "area_id"
    feature_property: str | None = None
    match_number: bool = False

    @classmethod
    def from_settings(cls, settings: Settings) -> MapKeys:
        return cls(settings.map_id_column, settings.map_feature_property, settings.map_match_number)


@dataclass(frozen=True)
class Boundary:
    """One feature of a boundary file: its key, its name and its polygons (exterior + holes)."""

    key: str
    name: str
    polygons: tuple[tuple[Ring, ...], ...]


@dataclass
class AreaMap:
    """A drawn map and what it could not place."""

    figure: Figure
    kpi: str
    mode: Literal["polygons", "centroids"]
    matched: list[str] = field(default_factory=list)
    """Area ids drawn."""
    unmatched: list[str] = field(default_factory=list)
    """'area_id name' of the areas not drawn (no polygon, or no coordinates)."""


def scenario_areas(scenario: Scenario) -> pd.DataFrame:
    """The scenario's inputs per area, ready to map before any plan: population, minors, need
    (all interventions), places offered and partners offering them (eligible partners only)."""
    eligible = {p for p, why in scenario.eligibility().items() if why is None}
    need: dict[str, float] = {}
    for n in scenario.needs:
        need[n.area_id] = need.get(n.area_id, 0.0) + n.need
    places: dict[str, float] = {}
    partners: dict[str, set[str]] = {}
    for c in scenario.capacities:
        if c.partner_id in eligible and c.capacity > 0:
            places[c.area_id] = places.get(c.area_id, 0.0) + c.capacity
            partners.setdefault(c.area_id, set()).add(c.partner_id)
    rows = [
        {
            "area_id": a.area_id,
            "name": a.name,
            "municipio": a.municipio or "",
            "population": a.population,
            "minors": a.minors,
            "need": need.get(a.area_id, 0.0),
            "places": places.get(a.area_id, 0.0),
            "partners": len(partners.get(a.area_id, ())),
            "places_per_need": places.get(a.area_id, 0.0) / need[a.area_id]
            if need.get(a.area_id)
            else 0.0,
            "lat": a.lat,
            "lon": a.lon,
        }
        for a in sorted(scenario.areas, key=lambda a: a.area_id)
    ]
    return pd.DataFrame(rows)


def match_key(value: Any, match_number: bool) -> str | None:
    """The key compared on both sides: the text as written, or the whole number in it."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if not match_number:
        return text or None
    digits = re.findall(r"\d+", text)
    return str(int(digits[-1])) if digits else None


def read_boundaries(path: str | Path, keys: MapKeys = MapKeys()) -> list[Boundary]:
    """The polygons of a GeoJSON FeatureCollection, keyed as ``keys`` says."""
    source = Path(path)
    try:
        data = json.loads(source.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise UsageError(f"cannot read the boundary file {source}: {error}") from None
    features = data.get("features") if isinstance(data, dict) else None
    if not isinstance(features, list):
        raise UsageError(f"{source} is not a GeoJSON FeatureCollection (no 'features' list)")
    boundaries = []
    for feature in features:
        properties = feature.get("properties") or {}
        raw = (
            feature.get("id")
            if keys.feature_property is None
            else properties.get(keys.feature_property)
        )
        key = match_key(raw, keys.match_number)
        polygons = _polygons(feature.get("geometry") or {})
        if key is None or not polygons:
            continue
        name = str(properties.get("NIL") or properties.get("name") or properties.get("nome") or key)
        boundaries.append(Boundary(key, name, polygons))
    if features and not boundaries:
        what = f"property '{keys.feature_property}'" if keys.feature_property else "an 'id'"
        raise UsageError(f"no feature of {source} has {what} and a Polygon/MultiPolygon geometry")
    return boundaries


def _polygons(geometry: dict[str, Any]) -> tuple[tuple[Ring, ...], ...]:
    coordinates = geometry.get("coordinates") or []
    if geometry.get("type") == "Polygon":
        coordinates = [coordinates]
    elif geometry.get("type") != "MultiPolygon":
        return ()
    return tuple(
        tuple([(float(p[0]), float(p[1])) for p in ring] for ring in polygon if len(ring) >= 3)
        for polygon in coordinates
    )


def match_areas(
    areas: pd.DataFrame, boundaries: Sequence[Boundary], keys: MapKeys = MapKeys()
) -> tuple[dict[str, Boundary], list[str]]:
    """Area id → its boundary, and the 'area_id name' of the areas without one."""
    if keys.id_column not in areas.columns:
        raise UsageError(
            f"map_id_column '{keys.id_column}' is not a column of the areas table "
            f"(columns: {', '.join(map(str, areas.columns))})"
        )
    by_key = {b.key: b for b in boundaries}
    matched: dict[str, Boundary] = {}
    unmatched: list[str] = []
    for row in areas.itertuples(index=False):
        key = match_key(getattr(row, keys.id_column), keys.match_number)
        if key is not None and key in by_key:
            matched[str(row.area_id)] = by_key[key]
        else:
            unmatched.append(f"{row.area_id} {row.name}")
    return matched, unmatched


def area_map(
    areas: pd.DataFrame,
    kpi: str = "coverage",
    *,
    boundaries: str | Path | Sequence[Boundary] | None = None,
    keys: MapKeys = MapKeys(),
    lang: str = "it",
    title: str | None = None,
) -> AreaMap:
    """Every area coloured by the column ``kpi`` of ``areas`` (a ``plan.areas`` frame).

    ``boundaries``: a GeoJSON path or boundaries already read; ``None`` draws centroids.
    """
    check_lang(lang)
    if kpi not in areas.columns:
        raise UsageError(f"'{kpi}' is not a column of the areas table")
    if isinstance(boundaries, str | Path):
        boundaries = read_boundaries(boundaries, keys)
    values = pd.to_numeric(areas[kpi], errors="coerce").fillna(0.0)
    share = is_share(kpi)
    top = float(values.max()) if len(values) else 1.0
    norm = Normalize(0.0, max(1.0, top) if share else max(top, 1e-9))
    colours = colormaps[COLOURMAP]
    words = WORDS[lang]
    with styled():
        figure, axes = new_figure(12, 10)
        if boundaries is not None:
            matched, unmatched = match_areas(areas, boundaries, keys)
            _draw_polygons(axes, areas, values, matched, boundaries, norm)
            drawn = list(matched)
            mode: Literal["polygons", "centroids"] = "polygons"
            missing_word = words["unmatched_polygons"]
            note = words["source"]
        else:
            drawn, unmatched = _draw_points(axes, areas, values, norm)
            mode = "centroids"
            missing_word = words["unmatched_points"]
            note = words["size"]
        colourbar = figure.colorbar(
            ScalarMappable(norm=norm, cmap=colours), ax=axes, shrink=0.7, pad=0.02
        )
        colourbar.set_label(label(kpi, lang))
        colourbar.ax.yaxis.set_major_formatter(
            FuncFormatter(lambda v, _: f"{number(100 * v, lang)}%" if share else number(v, lang))
        )
        axes.set_axis_off()
        axes.set_title(title or words["title"].format(kpi=label(kpi, lang)), loc="left")
        footer = note
        if unmatched:
            footer += f"\n{missing_word} ({len(unmatched)}): {', '.join(unmatched)}"
        # wrapped here: matplotlib's wrap=True measures "$…$" in names as maths, and fails
        wrapped = "\n".join(textwrap.fill(line, 130) for line in footer.splitlines())
        figure.text(0.01, 0.005, wrapped, fontsize=11, va="bottom")
    return AreaMap(figure, kpi, mode, sorted(drawn), unmatched)


def _aspect(latitudes: Sequence[float]) -> float:
    """Degrees of longitude are shorter than degrees of latitude by cos(latitude)."""
    middle = float(np.mean(latitudes)) if len(latitudes) else 45.0
    return 1.0 / math.cos(math.radians(middle))


def _halo(axes: Axes, x: float, y: float, text: str, size: int) -> None:
    axes.text(
        x,
        y,
        text,
        ha="center",
        va="center",
        fontsize=size,
        color="#111111",
        path_effects=[patheffects.withStroke(linewidth=3, foreground="white")],
    )


def _centre(polygons: tuple[tuple[Ring, ...], ...]) -> tuple[float, float]:
    """The area-weighted centre of the largest polygon's exterior ring."""
    best = (0.0, 0.0, 0.0)
    for polygon in polygons:
        ring = np.asarray(polygon[0])
        x, y = ring[:, 0], ring[:, 1]
        cross = x * np.roll(y, -1) - np.roll(x, -1) * y
        area = cross.sum() / 2
        if abs(area) > abs(best[2]):
            cx = ((x + np.roll(x, -1)) * cross).sum() / (6 * area)
            cy = ((y + np.roll(y, -1)) * cross).sum() / (6 * area)
            best = (float(cx), float(cy), float(area))
    return best[0], best[1]


def _draw_polygons(
    axes: Axes,
    areas: pd.DataFrame,
    values: pd.Series,
    matched: dict[str, Boundary],
    boundaries: Sequence[Boundary],
    norm: Normalize,
) -> None:
    colours = colormaps[COLOURMAP]
    drawn = {id(b) for b in matched.values()}
    latitudes: list[float] = []
    for boundary in boundaries:
        if id(boundary) not in drawn:
            _patch(axes, boundary, BACKGROUND, "white", 0.8)
    for row, value in zip(areas.itertuples(index=False), values, strict=True):
        found = matched.get(str(row.area_id))
        if found is None:
            continue
        _patch(axes, found, colours(norm(value)), "#333333", 1.2)
        x, y = _centre(found.polygons)
        latitudes.append(y)
        _halo(axes, x, y, short_name(str(row.name), 16), 10)
    axes.autoscale_view()
    axes.set_aspect(_aspect(latitudes))


def _patch(axes: Axes, boundary: Boundary, face: Any, edge: str, width: float) -> None:
    path = DrawPath.make_compound_path(
        *(DrawPath(ring, closed=True) for polygon in boundary.polygons for ring in polygon)
    )
    axes.add_patch(PathPatch(path, facecolor=face, edgecolor=edge, linewidth=width))


def _draw_points(
    axes: Axes, areas: pd.DataFrame, values: pd.Series, norm: Normalize
) -> tuple[list[str], list[str]]:
    """Centroids sized by need; returns the ids drawn and the areas left out."""
    has = (
        areas.get("lat", pd.Series(np.nan, index=areas.index)).notna()
        & areas.get("lon", pd.Series(np.nan, index=areas.index)).notna()
    )
    placed = areas[has]
    unmatched = [f"{r.area_id} {r.name}" for r in areas[~has].itertuples(index=False)]
    if len(placed):
        size_by = placed["need"] if "need" in placed.columns else placed["population"]
        sizes = 150 + 1400 * np.sqrt(size_by / max(float(size_by.max()), 1e-9))
        axes.scatter(
            placed["lon"],
            placed["lat"],
            s=sizes,
            c=values[has],
            cmap=COLOURMAP,
            norm=norm,
            edgecolors="#333333",
            linewidths=1.2,
            zorder=2,
        )
        for row, size in zip(placed.itertuples(index=False), sizes, strict=True):
            axes.annotate(
                short_name(str(row.name), 18),
                (float(row.lon), float(row.lat)),
                textcoords="offset points",
                xytext=(0, -math.sqrt(size) / 2 - 4),
                ha="center",
                va="top",
                fontsize=11,
                path_effects=[patheffects.withStroke(linewidth=3, foreground="white")],
            )
        axes.margins(0.08)
        axes.set_aspect(_aspect(list(placed["lat"])))
    return [str(a) for a in placed["area_id"]], unmatched
