"""The input tables of a scenario, written once as data (``docs/DESIGN.md`` section 1).

Loading (:mod:`allocator.inputs.loading`) checks files against these specifications and the template
writer (:mod:`~allocator.datasets.template`) documents them. The row classes of :mod:`.schema` hold
the value rules (ranges, patterns); a test keeps the defaults here equal to theirs.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from pydantic import BaseModel

from allocator.i18n import N_
from allocator.inputs import schema


class ColumnType(StrEnum):
    """What a column holds, as a planner filling a spreadsheet sees it."""

    IDENTIFIER = "identifier"
    """Letters, digits, ``_``, ``-``, ``.``; no spaces."""
    TEXT = "text"
    NUMBER = "number"
    SHARE = "share"
    """A number between 0 and 1 (0.25 is 25%)."""
    ENUM = "enum"
    """One of a fixed list of words."""
    SELECTOR = "selector"
    """An identifier, or ``*`` for any (earmarks)."""


@dataclass(frozen=True)
class Column:
    name: str
    type: ColumnType
    description: str
    example: str
    """A value that fits the example rows of the other tables (used by the template and tests)."""
    required: bool = True
    default: float | str | None = None
    allowed: tuple[str, ...] = ()
    """The words an ENUM column accepts."""


@dataclass(frozen=True)
class Reference:
    """``column`` must name a row of ``table`` (by its single key column)."""

    column: str
    table: str
    wildcard: bool = False
    """``*`` (any) is accepted."""
    staff_items: bool = False
    """``staff:<role_id>`` naming a row of staff is accepted."""


@dataclass(frozen=True)
class Table:
    name: str
    """Table name: the CSV file without ``.csv``, and the sheet name in ``inputs.xlsx``."""
    required: bool
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    """Columns whose values identify a row; no two rows may share them."""
    model: type[BaseModel]
    """The :mod:`allocator.inputs.schema` class of one row."""
    references: tuple[Reference, ...] = ()

    @property
    def file_name(self) -> str:
        return f"{self.name}.csv"

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def _values(enum: type[StrEnum]) -> tuple[str, ...]:
    return tuple(member.value for member in enum)


def optional(
    name: str, type: ColumnType, description: str, example: str, default: float | None = None
) -> Column:
    """A column a file may leave out (blank cells take ``default``)."""
    return Column(name, type, description, example, required=False, default=default)


def choice(name: str, description: str, example: str, words: type[StrEnum]) -> Column:
    """A column holding one of the words of ``words``."""
    return Column(name, ColumnType.ENUM, description, example, allowed=_values(words))


ENTITY_COLUMNS = {
    "area": (N_("Identifier of the area."), N_("Name of the area.")),
    "intervention": (N_("Identifier of the intervention."), N_("Name of the intervention.")),
    "partner": (N_("Identifier of the partner."), N_("Name of the partner.")),
    "funder": (N_("Identifier of the funder."), N_("Name of the funder.")),
    "role": (N_("Identifier of the role."), N_("Name of the role.")),
}
"""The descriptions of an entity table's ``<entity>_id`` and ``name`` columns."""


def entity_table(
    table: str,
    entity: str,
    examples: tuple[str, str],
    description: str,
    model: type[BaseModel],
    *columns: Column,
    required: bool = True,
    references: tuple[Reference, ...] = (),
) -> Table:
    """A table of named things (areas, partners, funders…): ``<entity>_id`` and ``name`` first
    (``examples`` are theirs), keyed by the identifier."""
    identifier, name = examples
    return Table(
        name=table,
        required=required,
        description=description,
        key=(f"{entity}_id",),
        model=model,
        references=references,
        columns=(
            Column(f"{entity}_id", ColumnType.IDENTIFIER, ENTITY_COLUMNS[entity][0], identifier),
            Column("name", ColumnType.TEXT, ENTITY_COLUMNS[entity][1], name),
            *columns,
        ),
    )


AREA_ID = Column("area_id", ColumnType.IDENTIFIER, N_("The area (neighbourhood, NIL)."), "nil_12")
INTERVENTION_ID = Column(
    "intervention_id", ColumnType.IDENTIFIER, N_("The intervention."), "doposcuola"
)
PARTNER_ID = Column("partner_id", ColumnType.IDENTIFIER, N_("The partner."), "coop_aurora")
ARC_KEY = ("partner_id", "area_id", "intervention_id")
"""A partner delivering an intervention in an area: the key of capacities, baseline, locks."""
ARC_COLUMNS = (PARTNER_ID, AREA_ID, INTERVENTION_ID)
ARC_REFERENCES = (
    Reference("partner_id", "partners"),
    Reference("area_id", "areas"),
    Reference("intervention_id", "interventions"),
)
NUMBER = ColumnType.NUMBER


def arc_table(
    table: str, description: str, model: type[BaseModel], *columns: Column, required: bool
) -> Table:
    """A table of partners' work in areas, keyed by partner, area and intervention."""
    columns = (*ARC_COLUMNS, *columns)
    return Table(table, required, description, columns, ARC_KEY, model, ARC_REFERENCES)


AREAS = entity_table(
    "areas",
    "area",
    ("nil_12", "Gratosoglio - Ticinello"),
    N_("The areas (neighbourhoods) the plan covers."),
    schema.Area,
    Column("population", NUMBER, N_("Residents."), "20000"),
    Column("minors", NUMBER, N_("Residents under 18 (at most population)."), "3500"),
    optional("households_with_minors", NUMBER, N_("Households with at least one minor."), "2400"),
    optional("municipio", ColumnType.TEXT, N_("Municipio the area belongs to."), "5"),
    optional("lat", NUMBER, N_("Latitude of the area's centre."), "45.42"),
    optional("lon", NUMBER, N_("Longitude of the area's centre."), "9.17"),
)

INTERVENTIONS = entity_table(
    "interventions",
    "intervention",
    ("doposcuola", "After-school support"),
    N_("The interventions, priced per beneficiary and year."),
    schema.Intervention,
    choice(
        "unit", N_("What one beneficiary is: people, minors or households."), "minors", schema.Unit
    ),
    Column("unit_cost", NUMBER, N_("Euros per beneficiary per year."), "1200"),
    optional(
        "value", NUMBER, N_("How much one beneficiary served counts in the objective."), "1", 1.0
    ),
    optional(
        "max_coverage",
        ColumnType.SHARE,
        N_("Share of an area's need this intervention can realistically reach."),
        "0.8",
        1.0,
    ),
    optional(
        "staff_role",
        ColumnType.IDENTIFIER,
        N_(
            "Staff role (role_id of staff.csv) the intervention needs; give with "
            "beneficiaries_per_fte."
        ),
        "assistente_sociale",
    ),
    optional(
        "beneficiaries_per_fte",
        NUMBER,
        N_("Beneficiaries one full-time post of staff_role can follow, in the same area."),
        "40",
    ),
    references=(Reference("staff_role", "staff"),),
)

NEEDS = Table(
    name="needs",
    required=True,
    description=N_("Beneficiaries needing each intervention in each area per year."),
    key=("area_id", "intervention_id"),
    model=schema.Need,
    references=(Reference("area_id", "areas"), Reference("intervention_id", "interventions")),
    columns=(
        AREA_ID,
        INTERVENTION_ID,
        Column("need", NUMBER, N_("Beneficiaries needing it per year."), "300"),
        optional(
            "priority",
            NUMBER,
            N_("Weight of this area for this intervention (deprivation, political priority)."),
            "1.5",
            1.0,
        ),
    ),
)

PARTNERS = entity_table(
    "partners",
    "partner",
    ("coop_aurora", "Cooperativa Aurora"),
    N_("The Third-sector entities answering the public notice."),
    schema.Partner,
    choice(
        "legal_form",
        N_("Legal form; only Third-sector forms are eligible."),
        "cooperativa_sociale",
        schema.LegalForm,
    ),
    Column("years_experience", NUMBER, N_("Years of relevant experience."), "12"),
)

CAPACITIES = arc_table(
    "capacities",
    N_("What each partner can deliver of each intervention in each area per year."),
    schema.Capacity,
    Column("capacity", NUMBER, N_("Most beneficiaries it can serve per year."), "120"),
    optional(
        "unit_cost",
        NUMBER,
        N_("This partner's euros per beneficiary, if not the intervention's."),
        "1100",
    ),
    optional(
        "cofunding_per_beneficiary",
        NUMBER,
        N_(
            "Euros per beneficiary the partner brings itself (volunteers, own funds, in kind); "
            "at most the unit cost."
        ),
        "200",
        0.0,
    ),
    required=True,
)

FUNDERS = entity_table(
    "funders",
    "funder",
    ("comune", "Comune di Milano"),
    N_("Public and private funders with their yearly amounts."),
    schema.Funder,
    choice("kind", N_("public or private."), "public", schema.FunderKind),
    Column("amount", NUMBER, N_("Euros per year."), "2000000"),
)

EARMARKS = Table(
    name="earmarks",
    required=False,
    description=N_(
        "What a funder's money may pay for; a funder without rows may pay for anything."
    ),
    key=("funder_id", "intervention_id", "area_id"),
    model=schema.Earmark,
    references=(
        Reference("funder_id", "funders"),
        Reference("intervention_id", "interventions", wildcard=True, staff_items=True),
        Reference("area_id", "areas", wildcard=True),
    ),
    columns=(
        Column("funder_id", ColumnType.IDENTIFIER, N_("The funder."), "comune"),
        Column(
            "intervention_id",
            ColumnType.SELECTOR,
            N_("The intervention it may pay for, staff:<role_id> for a staff role, or * for any."),
            "doposcuola",
        ),
        Column("area_id", ColumnType.SELECTOR, N_("The area it may pay in, or * for any."), "*"),
        optional(
            "max_amount",
            NUMBER,
            N_("Most euros per year on what this row matches (blank: no cap)."),
            "500000",
        ),
    ),
)

STAFF = entity_table(
    "staff",
    "role",
    ("assistente_sociale", "Community social worker"),
    N_(
        "Staff roles placed in areas (community social workers, Welfare Community Managers, "
        "educators)."
    ),
    schema.StaffRole,
    Column("available_fte", NUMBER, N_("Full-time posts available in all."), "10"),
    Column("cost_per_fte", NUMBER, N_("Euros per full-time post per year."), "45000"),
    optional("min_fte_per_area", NUMBER, N_("Posts every area gets at least."), "0", 0.0),
    optional(
        "fte_step",
        NUMBER,
        N_("Posts per area move in steps of this (1 = whole posts, 0.5 = half posts)."),
        "1",
        1.0,
    ),
    required=False,
)

BASELINE = arc_table(
    "baseline",
    N_("Today's allocation (the status quo), for comparison."),
    schema.BaselineRow,
    Column("beneficiaries", NUMBER, N_("Beneficiaries served today per year."), "80"),
    required=False,
)

LOCKS = Table(
    name="locks",
    required=False,
    description=N_(
        "Bounds set by the planners on what a partner, area or intervention receives: each row "
        "bounds the beneficiaries of all the capacity rows it matches, summed (max 0 locks out, "
        "min = max fixes, min alone locks in)."
    ),
    key=ARC_KEY,
    model=schema.Lock,
    references=(
        Reference("partner_id", "partners", wildcard=True),
        Reference("area_id", "areas", wildcard=True),
        Reference("intervention_id", "interventions", wildcard=True),
    ),
    columns=(
        Column("partner_id", ColumnType.SELECTOR, N_("The partner, or * for any."), "coop_aurora"),
        Column("area_id", ColumnType.SELECTOR, N_("The area, or * for any."), "nil_12"),
        Column("intervention_id", ColumnType.SELECTOR, N_("The intervention, or * for any."), "*"),
        optional(
            "min_beneficiaries",
            NUMBER,
            N_("Least beneficiaries per year on what this row matches (blank: no minimum)."),
            "60",
        ),
        optional(
            "max_beneficiaries",
            NUMBER,
            N_(
                "Most beneficiaries per year on what this row matches (0 locks out; blank: no "
                "maximum)."
            ),
            "100",
        ),
    ),
)

TABLES: tuple[Table, ...] = (
    AREAS,
    INTERVENTIONS,
    NEEDS,
    PARTNERS,
    CAPACITIES,
    FUNDERS,
    EARMARKS,
    STAFF,
    BASELINE,
    LOCKS,
)
"""Every table, in the order files are checked and documented."""

TABLES_BY_NAME: dict[str, Table] = {t.name: t for t in TABLES}
