"""How a plan keeps the transition limits: each partner's and area's beneficiaries against today.

One row per floor of :func:`~allocator.optimization.negotiation.loss_bounds`: today's beneficiaries
(baseline.csv), the floor the limit asks for, the floor clipped to what capacities and needs allow,
what the plan serves, and the shortfall staff or money left.
"""

from __future__ import annotations

from collections import defaultdict

import pandas as pd

from allocator.inputs.schema import Scenario
from allocator.optimization.negotiation import loss_bounds

TRANSITION_COLUMNS = [
    "kind",
    "id",
    "baseline",
    "limit",
    "floor_wanted",
    "floor",
    "clipped",
    "served",
    "change",
    "shortfall",
]
TOLERANCE = 1e-6


def transition_table(scenario: Scenario, allocation: pd.DataFrame) -> pd.DataFrame:
    """The transition limits of the scenario against a plan's allocation (empty when none)."""
    served: dict[tuple[str, str], float] = defaultdict(float)
    for row in allocation.itertuples(index=False):
        served[("partner", str(row.partner_id))] += float(row.beneficiaries)
        served[("area", str(row.area_id))] += float(row.beneficiaries)
    rows = []
    for bound in loss_bounds(scenario):
        got = served.get((bound.kind, bound.key), 0.0)
        short = max(0.0, bound.bound - got)
        rows.append(
            (
                bound.kind,
                bound.key,
                bound.baseline,
                bound.limit,
                bound.wanted,
                bound.bound,
                bound.clipped,
                got,
                got / bound.baseline - 1.0,
                short if short > TOLERANCE * max(1.0, bound.bound) else 0.0,
            )
        )
    return pd.DataFrame(rows, columns=TRANSITION_COLUMNS)
