"""Shared fixtures."""

from __future__ import annotations

import sys
import types
from pathlib import Path

import pytest

from allocator.schema import Scenario
from tests.toy import toy_loader


@pytest.fixture
def fake_loading(monkeypatch: pytest.MonkeyPatch) -> None:
    """Stand in ``allocator.loading`` with the toy loader (the real one is merged separately)."""
    module = types.ModuleType("allocator.loading")

    def load_scenario(path: Path | None, overrides: list[str]) -> Scenario:
        assert path is not None
        return toy_loader(path)

    module.load_scenario = load_scenario  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "allocator.loading", module)
