"""The map: polygons matched through the map_* settings, unmatched areas listed, centroids."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.patches import PathPatch

from allocator.errors import UsageError
from allocator.optimization.pipeline import RunResult
from allocator.render.maps import MapKeys, area_map, match_areas, match_key, read_boundaries

pytestmark = pytest.mark.unit

MILAN_KEYS = MapKeys("area_id", "ID_NIL", match_number=True)


def test_keys_match_by_number_or_text() -> None:
    assert match_key("NIL_080", match_number=True) == "80"
    assert match_key(80, match_number=True) == "80"
    assert match_key(80.0, match_number=False) == "80"
    assert match_key(" a-1 ", match_number=False) == "a-1"
    assert match_key("none", match_number=True) is None


def test_milan_settings_name_the_nil_property(milano_run: RunResult) -> None:
    assert MapKeys.from_settings(milano_run.scenario.settings) == MILAN_KEYS


def test_every_qubi_area_meets_its_nil_polygon(milano_run: RunResult, boundaries: Path) -> None:
    assert milano_run.plan is not None
    areas = milano_run.plan.areas
    drawn = area_map(areas, "coverage", boundaries=boundaries, keys=MILAN_KEYS)
    assert drawn.mode == "polygons"
    assert drawn.unmatched == []
    assert drawn.matched == sorted(areas["area_id"])
    patches = [p for p in drawn.figure.axes[0].patches if isinstance(p, PathPatch)]
    assert len(patches) == 88  # the 24 areas coloured, the other 64 NIL in grey
    colours = {tuple(p.get_facecolor()) for p in patches}
    assert len(colours) > 2


def test_areas_without_a_polygon_are_listed(tmp_path: Path) -> None:
    square = [[[9.0, 45.0], [9.1, 45.0], [9.1, 45.1], [9.0, 45.1], [9.0, 45.0]]]
    collection = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"ID_NIL": 1, "NIL": "UNO"},
             "geometry": {"type": "Polygon", "coordinates": square}},
            {"type": "Feature", "properties": {"ID_NIL": 2, "NIL": "DUE"},
             "geometry": {"type": "MultiPolygon", "coordinates": [square, square]}},
        ],
    }  # fmt: skip
    path = tmp_path / "nil.geojson"
    path.write_text(json.dumps(collection))
    areas = pd.DataFrame(
        {
            "area_id": ["NIL_001", "NIL_002", "NIL_003"],
            "name": ["Uno", "Due", "Tre"],
            "coverage": [0.2, 0.5, 0.9],
        }
    )
    boundaries = read_boundaries(path, MILAN_KEYS)
    assert [len(b.polygons) for b in boundaries] == [1, 2]
    matched, unmatched = match_areas(areas, boundaries, MILAN_KEYS)
    assert sorted(matched) == ["NIL_001", "NIL_002"]
    assert unmatched == ["NIL_003 Tre"]
    drawn = area_map(areas, boundaries=boundaries, keys=MILAN_KEYS, lang="en")
    assert drawn.unmatched == ["NIL_003 Tre"]
    assert any("NIL_003 Tre" in t.get_text() for t in drawn.figure.texts)
    # compared as text, no key matches: every area is listed
    assert len(area_map(areas, boundaries=path, keys=MapKeys("area_id", "ID_NIL")).unmatched) == 3


def test_without_boundaries_the_map_shows_centroids(milano_run: RunResult) -> None:
    assert milano_run.plan is not None
    areas = milano_run.plan.areas.copy()
    areas.loc[0, ["lat", "lon"]] = None
    drawn = area_map(areas, "unmet_need")
    assert drawn.mode == "centroids"
    assert drawn.unmatched == [f"{areas.loc[0, 'area_id']} {areas.loc[0, 'name']}"]
    points = drawn.figure.axes[0].collections[0]
    assert len(np.asarray(points.get_offsets())) == len(areas) - 1
    assert list(np.asarray(points.get_array())) == pytest.approx(list(areas["unmet_need"][1:]))
    assert drawn.figure.axes[0].get_title(loc="left") == "Bisogno non coperto per quartiere"


def test_a_wrong_id_column_or_kpi_is_a_usage_error(milano_run: RunResult) -> None:
    assert milano_run.plan is not None
    areas = milano_run.plan.areas
    with pytest.raises(UsageError, match="not a column"):
        area_map(areas, "nothing")
    with pytest.raises(UsageError, match="map_id_column"):
        match_areas(areas, [], MapKeys("nil_code"))
