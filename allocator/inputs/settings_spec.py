"""The keys of ``scenario.toml``, each described once: the template's guide and the settings'
error messages read them (the defaults come from :class:`.schema.Settings`)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Setting:
    """One key of ``scenario.toml`` (defaults come from :class:`.schema.Settings`)."""

    key: str
    description: str
    example: str | None = None
    """A value to show, commented out, for keys without a default."""


SETTINGS: tuple[Setting, ...] = (
    Setting("name", "Name of the scenario, shown in outputs and comparisons (required)."),
    Setting("description", "One line shown in comparisons."),
    Setting("map_id_column", "Which areas.csv column matches the id of boundary polygons (maps)."),
    Setting(
        "map_feature_property",
        "The boundary GeoJSON property holding each polygon's key (blank: the feature's id).",
        example='"ID_NIL"',
    ),
    Setting(
        "map_match_number",
        "true: match by the whole number in each key (NIL_080 = 80); false: exact text.",
    ),
    Setting("budget.scale", "Multiplies every funder's amount."),
    Setting(
        "funders.<funder_id>.amount",
        "Replaces one funder's amount from funders.csv.",
        example="4_000_000",
    ),
    Setting("policy.equity_weight", "0..1: weight of the equity measure in the objective."),
    Setting(
        "policy.equity_measure",
        "worst_share (default: mean coverage of the worst-covered areas holding equity_share of "
        "the need) or min (the least-covered area).",
    ),
    Setting(
        "policy.equity_share",
        "0..1 (default 0.2): share of the total need held by the worst-covered areas.",
    ),
    Setting(
        "policy.equity_floor",
        "0..1, unset by default: the equity measure at least this (allocator frontier sets it).",
    ),
    Setting("policy.min_coverage", "0..1: soft floor on each area's served share of each need."),
    Setting(
        "policy.returns",
        "Diminishing returns: points [share of need, weight], shares rising to 1, weights "
        "not rising.",
        example="[[0.5, 1.0], [0.8, 0.6], [1.0, 0.3]]",
    ),
    Setting(
        "policy.min_partner_experience_years",
        "Partners with fewer years of experience are excluded (public notice).",
    ),
    Setting("policy.eligible_legal_forms", "Legal forms admitted by the public notice."),
    Setting(
        "policy.shortfall_penalty",
        "Penalty per beneficiary missing from a floor, as a multiple of the most one "
        "beneficiary adds.",
    ),
    Setting("policy.tie_break", "Weight of the cheaper-plan tie-break (below 0.01)."),
    Setting(
        "policy.max_partner_loss",
        "0..1: no eligible partner serves fewer than (1 - this) x its baseline, where capacity "
        "and needs allow (blank: no limit).",
        example="0.2",
    ),
    Setting(
        "policy.max_area_loss",
        "0..1: no area is served fewer than (1 - this) x its baseline, where capacity and "
        "needs allow (blank: no limit).",
        example="0.2",
    ),
    Setting(
        "policy.robust_samples",
        "0: plan for the needs as given; N: one plan doing best over N sampled need vectors.",
    ),
    Setting("policy.robust_seed", "Seed of the robust plan's samples."),
    Setting(
        "policy.robust_measure",
        '"expected" (mean over the samples) or "worst_share" (mean of the worst 20%).',
    ),
    Setting(
        "uncertainty.need_spread",
        "± share of every need (0.2 = 80%..120%), for scenarios without demographics.",
        example="0.2",
    ),
    Setting(
        "uncertainty.need_spreads",
        "intervention_id = ± share of that intervention's needs.",
    ),
    Setting("solver.name", "highs or cbc."),
    Setting("solver.time_limit", "Seconds; a plan stopped by the limit is reported as feasible."),
    Setting("solver.mip_gap", "Relative MIP gap at which the solver may stop (at most 0.05)."),
    Setting("solver.threads", "Solver threads (blank: the solver's choice).", example="4"),
    Setting("room.exclude_areas", "Areas funded nothing in this plan: a list of area_id."),
    Setting("room.protect_areas", "Areas served at least as many as today: a list of area_id."),
    Setting("room.exclude_partners", "Partners given nothing in this plan: a list of partner_id."),
    Setting(
        "room.protect_partners", "Partners serving at least as many as today: a list of partner_id."
    ),
    Setting(
        "solver.deterministic",
        "true: equal-cost choices (partners, funders) split the same way by every solver.",
    ),
)
"""Every ``scenario.toml`` key, for the template; a test keeps it equal to the schema's."""
