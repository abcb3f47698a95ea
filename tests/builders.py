"""Scenarios built in memory for hand-solvable tests (no files, no loader)."""

from __future__ import annotations

from typing import Any

from allocator.inputs.schema import (
    Area,
    Capacity,
    Earmark,
    Funder,
    Intervention,
    Need,
    Partner,
    Policy,
    Scenario,
    Settings,
    SolverSettings,
    StaffRole,
)


def scenario(
    *,
    areas: list[dict[str, Any]] | None = None,
    interventions: list[dict[str, Any]] | None = None,
    needs: list[dict[str, Any]] | None = None,
    partners: list[dict[str, Any]] | None = None,
    capacities: list[dict[str, Any]] | None = None,
    funders: list[dict[str, Any]] | None = None,
    earmarks: list[dict[str, Any]] | None = None,
    staff: list[dict[str, Any]] | None = None,
    policy: dict[str, Any] | None = None,
    budget_scale: float = 1.0,
) -> Scenario:
    """A scenario from row dicts; sensible one-row defaults for tables not given."""
    areas = areas or [{"area_id": "A", "name": "Area A", "population": 1000, "minors": 200}]
    interventions = interventions or [
        {"intervention_id": "k", "name": "K", "unit": "minors", "unit_cost": 10}
    ]
    partners = partners or [
        {"partner_id": "P", "name": "P", "legal_form": "aps", "years_experience": 5}
    ]
    funders = funders or [{"funder_id": "F", "name": "F", "kind": "public", "amount": 100}]
    return Scenario(
        settings=Settings(
            name="test",
            policy=Policy(**(policy or {})),
            budget={"scale": budget_scale},
            solver=SolverSettings(mip_gap=0.0, time_limit=30),
        ),
        areas=tuple(Area(**r) for r in areas),
        interventions=tuple(Intervention(**r) for r in interventions),
        needs=tuple(Need(**r) for r in needs or []),
        partners=tuple(Partner(**r) for r in partners),
        capacities=tuple(Capacity(**r) for r in capacities or []),
        funders=tuple(Funder(**r) for r in funders),
        earmarks=tuple(Earmark(**r) for r in earmarks or []),
        staff=tuple(StaffRole(**r) for r in staff or []),
    )
