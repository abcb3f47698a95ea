"""The names of a scenario's rows by id, for the sentences of :mod:`allocator.render.facts`."""

from __future__ import annotations

from allocator.inputs.schema import Scenario
from allocator.render.formats import number


class Names:
    """The names of a scenario's rows by id, for sentences; an id without a row stays an id."""

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.areas = {a.area_id: a.name for a in scenario.areas}
        self.interventions = {i.intervention_id: i.name for i in scenario.interventions}
        self.partners = {p.partner_id: p.name for p in scenario.partners}
        self.funders = {f.funder_id: f.name for f in scenario.funders}
        self.roles = {r.role_id: r.name for r in scenario.staff}

    def area(self, area_id: str) -> str:
        return self.areas.get(area_id, area_id)

    def intervention(self, intervention_id: str) -> str:
        return self.interventions.get(intervention_id, intervention_id)

    def partner(self, partner_id: str) -> str:
        return self.partners.get(partner_id, partner_id)

    def funder(self, funder_id: str) -> str:
        return self.funders.get(funder_id, funder_id)

    def role(self, role_id: str) -> str:
        return self.roles.get(role_id, role_id)


def fte(value: float, lang: str) -> str:
    """FTE as a short number: ``1``, ``0,5``."""
    return number(value, lang, None)
