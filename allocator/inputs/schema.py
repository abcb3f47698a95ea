"""The validated scenario: one frozen pydantic model per input table row, and the settings.

These classes are the input contract of ``docs/DESIGN.md`` section 1 in code. Loading
(:mod:`.loading`) turns files into them and collects every problem; everything downstream
(model, rules of thumb, reports) reads only these objects, never files.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from itertools import pairwise
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from allocator.i18n import _, number

Identifier = Annotated[str, Field(pattern=r"^[A-Za-z0-9_.\-]+$", min_length=1)]
NonNegative = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Share = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]

# The ranges a planner's numbers fall in (stated in the template's guide). A value beyond them is a
# slip (a unit error, a stray digit); refused at input, so that every input that validates solves
# or is explained, and never overflows the solver.
MAX_PEOPLE = 1e8
"""Residents, minors, households, needs, capacities, beneficiaries: more than Italy's people."""
MAX_MONEY = 1e11
"""A funder's yearly amount, an earmark's cap: 100 billion euros."""
MAX_UNIT_COST = 1e7
"""Euros per beneficiary or per FTE and year."""
MAX_WEIGHT = 1e4
"""``value`` and ``priority``: how much a beneficiary counts."""
MAX_FTE = 1e5
"""Full-time equivalents of one role."""
MAX_YEARS = 200
MIN_STEP = 0.01
"""The smallest ``fte_step`` (a hundredth of a post) and ``beneficiaries_per_fte``."""
People = Annotated[float, Field(ge=0, le=MAX_PEOPLE, allow_inf_nan=False)]
Money = Annotated[float, Field(ge=0, le=MAX_MONEY, allow_inf_nan=False)]
UnitCost = Annotated[float, Field(ge=0, le=MAX_UNIT_COST, allow_inf_nan=False)]
Weight = Annotated[float, Field(ge=0, le=MAX_WEIGHT, allow_inf_nan=False)]
Fte = Annotated[float, Field(ge=0, le=MAX_FTE, allow_inf_nan=False)]
Years = Annotated[float, Field(ge=0, le=MAX_YEARS, allow_inf_nan=False)]
# settings: strict types (``scale = true`` is not 1.0, ``threads = 2.5`` is not 2)
StrictShare = Annotated[float, Field(strict=True, ge=0, le=1, allow_inf_nan=False)]

STAFF_PREFIX = "staff:"
"""Staff costs are funded as the pseudo-intervention ``staff:<role_id>``."""

WILDCARD = "*"


class LegalForm(StrEnum):
    """Legal forms of the public notice (``partners.csv`` column ``legal_form``)."""

    COOPERATIVA_SOCIALE = "cooperativa_sociale"
    CONSORZIO = "consorzio"
    APS = "aps"
    ODV = "odv"
    IMPRESA_SOCIALE = "impresa_sociale"
    ENTE_RELIGIOSO = "ente_religioso"
    FONDAZIONE = "fondazione"
    ALTRO = "altro"

    @property
    def shown(self) -> str:
        """As the notice writes it: ``cooperativa sociale``, ``APS``."""
        return self.value.upper() if len(self.value) == 3 else self.value.replace("_", " ")


THIRD_SECTOR_FORMS: tuple[LegalForm, ...] = tuple(f for f in LegalForm if f is not LegalForm.ALTRO)


class Unit(StrEnum):
    """What an intervention counts: people, minors, or households."""

    PEOPLE = "people"
    MINORS = "minors"
    HOUSEHOLDS = "households"


class FunderKind(StrEnum):
    PUBLIC = "public"
    PRIVATE = "private"


class _Row(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Area(_Row):
    """A neighbourhood (NIL in Milan)."""

    area_id: Identifier
    name: str = Field(min_length=1)
    population: People
    minors: People
    households_with_minors: People | None = None
    municipio: str | None = None
    lat: Annotated[float, Field(ge=-90, le=90)] | None = None
    lon: Annotated[float, Field(ge=-180, le=180)] | None = None

    @model_validator(mode="after")
    def _minors_within_population(self) -> Area:
        if self.minors > self.population:
            raise ValueError(f"minors ({self.minors:g}) exceed population ({self.population:g})")
        return self


class Intervention(_Row):
    """An intervention against child poverty, priced per beneficiary and year."""

    intervention_id: Identifier
    name: str = Field(min_length=1)
    unit: Unit
    unit_cost: UnitCost
    value: Weight = 1.0
    max_coverage: Share = 1.0
    staff_role: Identifier | None = None
    beneficiaries_per_fte: (
        Annotated[float, Field(ge=MIN_STEP, le=MAX_PEOPLE, allow_inf_nan=False)] | None
    ) = None

    @field_validator("intervention_id")
    @classmethod
    def _not_reserved(cls, value: str) -> str:
        if value.startswith("staff") and ":" in value:
            raise ValueError("ids starting with 'staff:' are reserved for staff costs")
        return value

    @model_validator(mode="after")
    def _staff_pair(self) -> Intervention:
        if (self.staff_role is None) != (self.beneficiaries_per_fte is None):
            raise ValueError("staff_role and beneficiaries_per_fte go together: give both or none")
        return self


class Need(_Row):
    """Beneficiaries needing an intervention in an area per year."""

    area_id: Identifier
    intervention_id: Identifier
    need: People
    priority: Weight = 1.0


class Partner(_Row):
    """A Third-sector entity answering the public notice."""

    partner_id: Identifier
    name: str = Field(min_length=1)
    legal_form: LegalForm
    years_experience: Years


class Capacity(_Row):
    """What one partner can deliver of one intervention in one area per year."""

    partner_id: Identifier
    area_id: Identifier
    intervention_id: Identifier
    capacity: People
    unit_cost: UnitCost | None = None
    cofunding_per_beneficiary: UnitCost = 0.0


class Funder(_Row):
    """A public or private funder with a yearly amount."""

    funder_id: Identifier
    name: str = Field(min_length=1)
    kind: FunderKind
    amount: Money


class Earmark(_Row):
    """A rule on what a funder's money may pay for; ``*`` matches any id."""

    funder_id: Identifier
    intervention_id: str = Field(pattern=r"^(\*|staff:[A-Za-z0-9_.\-]+|[A-Za-z0-9_.\-]+)$")
    area_id: str = Field(pattern=r"^(\*|[A-Za-z0-9_.\-]+)$")
    max_amount: Money | None = None

    def matches(self, intervention_id: str, area_id: str) -> bool:
        return self.intervention_id in (WILDCARD, intervention_id) and self.area_id in (
            WILDCARD,
            area_id,
        )


class StaffRole(_Row):
    """A staff role (community social worker, Welfare Community Manager, educator)."""

    role_id: Identifier
    name: str = Field(min_length=1)
    available_fte: Fte
    cost_per_fte: UnitCost
    min_fte_per_area: Fte = 0.0
    fte_step: Annotated[float, Field(ge=MIN_STEP, le=MAX_FTE, allow_inf_nan=False)] = 1.0


class BaselineRow(_Row):
    """Today's allocation (the status quo)."""

    partner_id: Identifier
    area_id: Identifier
    intervention_id: Identifier
    beneficiaries: People


Selector = Annotated[str, Field(pattern=r"^(\*|[A-Za-z0-9_.\-]+)$", min_length=1)]
"""An identifier, or ``*`` for any."""


class Lock(_Row):
    """A bound set by the planners on the beneficiaries of the arcs a row matches (locks.csv).

    ``max_beneficiaries`` 0 locks out, ``min_beneficiaries`` = ``max_beneficiaries`` fixes,
    ``min_beneficiaries`` alone locks in; ``*`` matches any partner, area or intervention.
    """

    partner_id: Selector
    area_id: Selector
    intervention_id: Selector
    min_beneficiaries: People | None = None
    max_beneficiaries: People | None = None

    @model_validator(mode="after")
    def _bounds(self) -> Lock:
        low, high = self.min_beneficiaries, self.max_beneficiaries
        if low is None and high is None:
            raise ValueError(
                "min_beneficiaries and max_beneficiaries are both blank: give one or both"
            )
        if low is not None and high is not None and low > high:
            raise ValueError(f"min_beneficiaries ({low:g}) is above max_beneficiaries ({high:g})")
        return self

    def matches(self, partner_id: str, area_id: str, intervention_id: str) -> bool:
        return (
            self.partner_id in (WILDCARD, partner_id)
            and self.area_id in (WILDCARD, area_id)
            and self.intervention_id in (WILDCARD, intervention_id)
        )


class Budget(_Row):
    scale: Annotated[float, Field(strict=True, ge=0, le=100, allow_inf_nan=False)] = 1.0
    """Multiplies every funder's amount."""


class FunderOverride(_Row):
    amount: Annotated[float, Field(strict=True, ge=0, le=MAX_MONEY, allow_inf_nan=False)]
    """Replaces the funder's amount from ``funders.csv``."""


class EquityMeasure(StrEnum):
    """What the equity term of the objective measures (DESIGN.md §6)."""

    WORST_SHARE = "worst_share"
    """The need-weighted mean coverage of the least-covered areas holding equity_share of need."""
    MIN = "min"
    """The coverage of the least-covered area."""


class Policy(_Row):
    equity_weight: StrictShare = 0.0
    """Weight of the equity measure in the objective (0 = pure efficiency)."""
    equity_measure: EquityMeasure = EquityMeasure.WORST_SHARE
    """``worst_share`` (KPI worst_areas_coverage) or ``min`` (KPI min_area_coverage)."""
    equity_share: Annotated[float, Field(gt=0, le=1, allow_inf_nan=False)] = 0.2
    """The share of the total need held by the worst-covered areas that worst_share averages."""
    equity_floor: StrictShare | None = None
    """The equity KPI at least this (the frontier sets it, tracing plans by constraint)."""
    min_coverage: StrictShare = 0.0
    """Soft floor on served/need for every (area, intervention) with need."""
    returns: tuple[tuple[StrictShare, Weight], ...] | None = None
    """Diminishing returns: points [share_of_need, weight], shares increasing to 1, weights not
    increasing."""
    min_partner_experience_years: Annotated[
        float, Field(strict=True, ge=0, le=MAX_YEARS, allow_inf_nan=False)
    ] = 2.0
    """Partners with fewer years of experience are excluded, as the public notice requires."""
    eligible_legal_forms: tuple[LegalForm, ...] = THIRD_SECTOR_FORMS
    """Legal forms admitted by the notice; the others are excluded with a reason."""
    shortfall_penalty: Annotated[float, Field(strict=True, gt=0, le=1e6, allow_inf_nan=False)] = (
        1000.0
    )
    """Objective penalty for one beneficiary missing from a floor, as a multiple of the most one
    served beneficiary can add to the objective."""
    tie_break: Annotated[float, Field(strict=True, ge=0, lt=0.01, allow_inf_nan=False)] = 1e-4
    """Weight of the cheaper-plan tie-break: one beneficiary at the dearest unit cost costs at most
    this much objective (in units where one beneficiary of value 1 counts 1), and the whole budget
    at most this share of the objective."""
    max_partner_loss: StrictShare | None = None
    """Transition limit: no eligible partner serves fewer than (1 − this) × its beneficiaries in
    baseline.csv, where its capacities and the needs allow (unset: no limit)."""
    max_area_loss: StrictShare | None = None
    """Transition limit: no area is served fewer than (1 − this) × its beneficiaries in
    baseline.csv, where capacities and needs allow (unset: no limit)."""
    robust_samples: Annotated[int, Field(ge=0, le=1000)] = 0
    """0: plan for the needs as given. N > 0: ``run`` chooses one plan that does best over N need
    vectors sampled within their ranges (:mod:`allocator.optimization.robust`)."""
    robust_seed: Annotated[int, Field(ge=0)] = 0
    """Seed of the robust plan's samples: the same seed, the same samples and plan."""
    robust_measure: Literal["expected", "worst_share"] = "expected"
    """What the robust plan maximises over the samples: the mean objective, or the mean of the
    worst 20% of samples."""

    @field_validator("returns")
    @classmethod
    def _check_returns(
        cls, value: tuple[tuple[float, float], ...] | None
    ) -> tuple[tuple[float, float], ...] | None:
        if value is None:
            return None
        if not value:
            raise ValueError("give at least one point [share, weight], or leave returns out")
        shares = [b for b, _ in value]
        weights = [w for _, w in value]
        if any(b2 <= b1 for b1, b2 in pairwise(shares)) or shares[0] <= 0:
            raise ValueError(f"shares must increase strictly from above 0, got {shares}")
        if abs(shares[-1] - 1.0) > 1e-12:
            raise ValueError(f"the last share must be 1.0 (all of the need), got {shares[-1]:g}")
        if any(w2 > w1 for w1, w2 in pairwise(weights)):
            raise ValueError(f"weights must not increase (diminishing returns), got {weights}")
        return value


class Uncertainty(_Row):
    """How far the needs may be from ``needs.csv`` (``allocator uncertainty``, robust plans).

    Without a spread the needs are re-estimated within the ranges of the estimate's parameters
    (``needs_parameters.csv``), which needs the areas' demographics; a scenario without them
    declares a relative spread: each need is drawn within need × (1 ± spread).
    """

    need_spread: Share | None = None
    """± share of every need (0.2: from 80% to 120%), unless ``need_spreads`` names the
    intervention."""
    need_spreads: dict[str, Share] = Field(default_factory=dict)
    """intervention_id → its own ± share."""


class SolverName(StrEnum):
    HIGHS = "highs"
    CBC = "cbc"


MAX_THREADS = 256
MAX_MIP_GAP = 0.05
"""The largest relative MIP gap accepted: a plan within 5% of the best is still called optimal;
a looser gap (0.9 gave a plan 253 beneficiaries worse, reported "optimal") is refused."""


class SolverSettings(_Row):
    name: SolverName = SolverName.HIGHS
    time_limit: Annotated[float, Field(strict=True, gt=0, le=1e6, allow_inf_nan=False)] = 60.0
    """Seconds; a plan stopped by the limit is reported as feasible, not optimal."""
    mip_gap: Annotated[float, Field(strict=True, ge=0, le=MAX_MIP_GAP, allow_inf_nan=False)] = 1e-4
    """Relative MIP gap at which the solver may stop (only with integer staff); at most
    :data:`MAX_MIP_GAP`."""
    threads: Annotated[int, Field(strict=True, ge=1, le=MAX_THREADS)] | None = None
    """Solver threads; at most :data:`MAX_THREADS` (HiGHS fails on absurd counts)."""
    deterministic: Annotated[bool, Field(strict=True)] = True
    """A second pass that splits equal-cost choices (partners, funders) by fixed weights, so that
    every solver gives the same plan for the same inputs (see docs/formulation.md)."""


class Room(_Row):
    """What the room decides about areas and partners for one plan (``[room]``, ``--set
    room.exclude_areas=["NIL_057"]``, the page's controls): lock rows, see inputs/locks.py."""

    exclude_areas: tuple[Identifier, ...] = ()
    """Areas where no intervention is funded in this plan."""
    protect_areas: tuple[Identifier, ...] = ()
    """Areas served at least as many beneficiaries as today."""
    exclude_partners: tuple[Identifier, ...] = ()
    """Partners given nothing in this plan."""
    protect_partners: tuple[Identifier, ...] = ()
    """Partners serving at least as many beneficiaries as today."""

    @model_validator(mode="after")
    def _not_both(self) -> Room:
        for message, excluded, protected in (
            (_("areas both excluded and protected: {ids}"), self.exclude_areas, self.protect_areas),
            (
                _("partners both excluded and protected: {ids}"),
                self.exclude_partners,
                self.protect_partners,
            ),
        ):
            both = sorted(set(excluded) & set(protected))
            if both:
                raise ValueError(message.format(ids=", ".join(both)))
        return self


class Settings(_Row):
    """Everything of ``scenario.toml`` but the tables."""

    name: str = Field(min_length=1)
    description: str = ""
    budget: Budget = Budget()
    funders: dict[str, FunderOverride] = Field(default_factory=dict)
    policy: Policy = Policy()
    uncertainty: Uncertainty = Uncertainty()
    solver: SolverSettings = SolverSettings()
    room: Room = Room()
    map_id_column: str = "area_id"
    """Which areas.csv column matches the ``id`` of boundary polygons (for maps)."""
    map_feature_property: str | None = None
    """The boundary GeoJSON property holding each polygon's key (``ID_NIL`` for the Comune's
    NIL); ``None`` matches the feature's own ``id``."""
    map_match_number: Annotated[bool, Field(strict=True)] = False
    """Match keys by the whole number they contain (``NIL_080`` in areas.csv = ``80`` in the
    GeoJSON); ``False`` matches the text exactly."""


class Scenario(_Row):
    """A validated scenario: settings and every table, ready for the model.

    Rows keep the order of the files; the model sorts by id so that row order never changes a plan.
    """

    settings: Settings
    areas: tuple[Area, ...]
    interventions: tuple[Intervention, ...]
    needs: tuple[Need, ...]
    partners: tuple[Partner, ...]
    capacities: tuple[Capacity, ...]
    funders: tuple[Funder, ...]
    earmarks: tuple[Earmark, ...] = ()
    staff: tuple[StaffRole, ...] = ()
    baseline: tuple[BaselineRow, ...] = ()
    locks: tuple[Lock, ...] = ()
    source_files: tuple[str, ...] = ()
    """The input files this scenario was read from (for provenance), parents' included."""
    notices: tuple[str, ...] = ()
    """What loading read in a way worth telling the planner (not errors): a Windows-1252 file,
    columns kept but ignored, a hidden sheet read."""

    @property
    def name(self) -> str:
        return self.settings.name

    def funder_amount(self, funder: Funder) -> float:
        """The funder's amount after ``[funders.<id>]`` overrides and ``budget.scale``."""
        override = self.settings.funders.get(funder.funder_id)
        base = override.amount if override is not None else funder.amount
        return base * self.settings.budget.scale

    def eligibility(self) -> dict[str, str | None]:
        """partner_id → None if eligible, else the reason it is excluded."""
        policy = self.settings.policy
        reasons: dict[str, str | None] = {}
        for partner in self.partners:
            reason = None
            admitted = ", ".join(f.shown for f in policy.eligible_legal_forms)
            years, least = partner.years_experience, policy.min_partner_experience_years
            if partner.legal_form not in policy.eligible_legal_forms:
                reason = _(
                    "legal form '{form}' is not among those admitted by the notice ({admitted})"
                ).format(form=partner.legal_form.shown, admitted=admitted)
            elif years < least:
                text = (
                    _("{years} year of experience, below the minimum of {least}")
                    if years == 1
                    else _("{years} years of experience, below the minimum of {least}")
                )
                reason = text.format(
                    years=number(years, None, None), least=number(least, None, None)
                )
            reasons[partner.partner_id] = reason
        return reasons

    def excluded_partners(self) -> list[tuple[str, str]]:
        return sorted((pid, why) for pid, why in self.eligibility().items() if why is not None)

    def earmarks_of(self, funder_id: str) -> list[Earmark]:
        return [e for e in self.earmarks if e.funder_id == funder_id]

    def may_fund(self, funder_id: str, intervention_id: str, area_id: str) -> bool:
        return may_pay(self.earmarks_of(funder_id), intervention_id, area_id)


def may_pay(earmarks: Sequence[Earmark], intervention_id: str, area_id: str) -> bool:
    """Whether a funder with these earmark rows may pay for ``intervention_id`` (or a staff item)
    in ``area_id``: a funder without rows may pay for anything, else a row must match."""
    return not earmarks or any(e.matches(intervention_id, area_id) for e in earmarks)


def staff_item(role_id: str) -> str:
    """The pseudo-intervention id under which a staff role's cost is funded."""
    return f"{STAFF_PREFIX}{role_id}"
