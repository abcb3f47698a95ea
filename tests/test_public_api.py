"""The public API the notebooks use: every name resolves, and the steps chain on a toy scenario."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

import allocator
from tests.toy import toy_scenario

pytestmark = pytest.mark.exact


@pytest.mark.parametrize("name", sorted(allocator.PUBLIC_API))
def test_every_public_name_resolves_to_its_module(name: str) -> None:
    value = getattr(allocator, name)
    module = importlib.import_module(allocator.PUBLIC_API[name])
    assert value is getattr(module, name)


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no_such_thing"):
        allocator.no_such_thing  # noqa: B018


def test_the_steps_chain_through_the_public_api(tmp_path: Path) -> None:
    result = allocator.run_scenario(toy_scenario(100.0))
    assert result.has_plan and result.plan is not None
    folder = allocator.write_outputs(result, tmp_path / "run")
    assert (Path(folder) / "kpis.json").exists()
    assert allocator.kpi_label("coverage") == "copertura del bisogno"
    assert allocator.number(1234.5, "it", 1) == "1.234,5"
