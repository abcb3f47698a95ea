"""What the locks and transition limits cost: the plan with them against the plan without them.

One extra solve, of the same scenario without its locks and limits; both plans are measured by the
same KPIs, so the difference is the price the table pays for its promises and its pace of change.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from allocator.inputs.locks import all_locks
from allocator.inputs.schema import Scenario
from allocator.optimization.negotiation import has_negotiation, without_negotiation
from allocator.optimization.pipeline import RunResult, run_scenario

PRICE_COLUMNS = ["measure", "with_negotiation", "without_negotiation", "difference"]
MEASURES = ("objective", "beneficiaries_served", "funded", "partners_engaged")


@dataclass(frozen=True)
class Price:
    """The KPIs of the plan with the locks and limits, and of the plan without them."""

    with_negotiation: dict[str, float]
    without_negotiation: dict[str, float]
    locks: int
    """Rows of locks.csv."""
    max_partner_loss: float | None
    max_area_loss: float | None

    def difference(self, key: str) -> float:
        """with − without: how much the locks and limits add (negative: what they cost)."""
        return self.with_negotiation[key] - self.without_negotiation[key]

    def table(self) -> pd.DataFrame:
        """One row per measure: with, without, difference (written as negotiation_price.csv)."""
        return pd.DataFrame(
            [
                (k, self.with_negotiation[k], self.without_negotiation[k], self.difference(k))
                for k in MEASURES
            ],
            columns=PRICE_COLUMNS,
        )


def price_of_negotiation(result: RunResult) -> Price | None:
    """The price of the scenario's locks and limits; None when it has none, or no plan either way.

    ``result`` is the run with them (its plan is reused); the run without them is solved here.
    """
    scenario: Scenario = result.scenario
    if result.plan is None or not has_negotiation(scenario):
        return None
    free = run_scenario(without_negotiation(scenario))
    if free.plan is None:
        return None
    policy = scenario.settings.policy
    return Price(
        with_negotiation={k: float(result.plan.kpis[k]) for k in MEASURES},
        without_negotiation={k: float(free.plan.kpis[k]) for k in MEASURES},
        locks=len(all_locks(scenario)),
        max_partner_loss=policy.max_partner_loss,
        max_area_loss=policy.max_area_loss,
    )
