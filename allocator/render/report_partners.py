"""The report's answers to "what do we get?": each partner's share of the plan against today, and
the plan's key figures beside the status quo (``baseline.csv``), when the inputs hold one."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from allocator.i18n import _
from allocator.postprocess.labels import code_word
from allocator.render.formats import euro, kpi_delta, kpi_value, number, whole_people
from allocator.render.report_runs import ReportRun, TodayPlan
from allocator.render.report_sections import REPORT_KPIS, label, table
from allocator.render.report_words import REPORT_TABLES, columns
from allocator.render.templating import Markup, render

SHOWN_PLACES = 3
"""Areas (interventions) listed by name per partner before "and N more"."""


def status_quo(run: ReportRun) -> TodayPlan | None:
    """Today's allocation measured as a plan (the same KPIs), when the scenario has a baseline."""
    return run.today


def listed(names: Sequence[str], lang: str) -> str:
    """A few names, then how many more."""
    unique = sorted(set(names), key=str.lower)
    if len(unique) <= SHOWN_PLACES:
        return ", ".join(unique)
    more = len(unique) - SHOWN_PLACES
    return _("{names} and {more} more", lang).format(
        names=", ".join(unique[:SHOWN_PLACES]), more=more
    )


def partners_frame(run: ReportRun, today: TodayPlan | None, lang: str) -> pd.DataFrame:
    """Per partner in the plan or today: name, legal form, where, what, beneficiaries (whole,
    adding up to the plan's rounded total), money from funders, own cofunding, and the change
    against today. Sorted by money, then name."""
    shown = ["partner_id", *REPORT_TABLES["partners"]]
    columns = [*shown, "today_beneficiaries", "delta_beneficiaries", "delta_funded"]
    plan = run.allocation
    if plan is None:
        return pd.DataFrame(columns=columns)
    partners = run.partners
    areas = dict(zip(run.areas["area_id"].astype(str), run.areas["name"], strict=True))
    interventions = run.intervention_names
    served = plan[plan["beneficiaries"] > 1e-6]
    by_partner = served.groupby("partner_id")[["beneficiaries", "funded_cost", "cofunding"]].sum()
    past = pd.DataFrame(columns=["beneficiaries", "funded_cost"])
    if today is not None:
        past = today.allocation.groupby("partner_id")[["beneficiaries", "funded_cost"]].sum()
    ids = sorted(set(by_partner.index) | set(past.index))
    frame = pd.DataFrame({"partner_id": ids})
    frame["name"] = [partners[i][0] if i in partners else i for i in ids]
    frame["legal_form"] = [
        code_word("legal_form", partners[i][1], lang) if i in partners else "" for i in ids
    ]
    rows = {i: served[served["partner_id"] == i] for i in ids}
    frame["where"] = [listed([areas.get(a, a) for a in rows[i]["area_id"]], lang) for i in ids]
    frame["what"] = [
        listed([interventions.get(k, k) for k in rows[i]["intervention_id"]], lang) for i in ids
    ]
    now = by_partner.reindex(ids, fill_value=0.0)
    before = past.reindex(ids, fill_value=0.0)
    frame["beneficiaries"] = whole_people(now["beneficiaries"].tolist())
    frame["funded_cost"] = now["funded_cost"].to_numpy()
    frame["cofunding"] = now["cofunding"].to_numpy()
    if today is not None:
        frame["today_beneficiaries"] = whole_people(before["beneficiaries"].tolist())
        frame["delta_beneficiaries"] = frame["beneficiaries"] - frame["today_beneficiaries"]
        frame["delta_funded"] = now["funded_cost"].to_numpy() - before["funded_cost"].to_numpy()
    else:
        for column in ("today_beneficiaries", "delta_beneficiaries", "delta_funded"):
            frame[column] = float("nan")
    return frame.sort_values(["funded_cost", "name"], ascending=[False, True])[columns]


def signed_count(value: float, lang: str) -> str:
    if pd.isna(value):
        return "–"
    return ("+" if value > 0 else "") + number(float(value), lang)


def signed_euro(value: float, lang: str) -> str:
    if pd.isna(value):
        return "–"
    return ("+" if value > 0.5 else "") + euro(float(value), lang)


def missing_reason(run: ReportRun, lang: str) -> str:
    """Why today's allocation is not shown: no baseline, or inputs no longer as they were."""
    if run.names_known:
        return _("The scenario has no baseline.csv: today's allocation is not known.", lang)
    return _(
        "The input files of this run are missing or changed since: role and partner names and "
        "today's allocation are not shown.",
        lang,
    )


def partners_section(run: ReportRun, today: TodayPlan | None, lang: str) -> Markup:
    """Per organisation: where, what, how many, money, and the change against today."""
    frame = partners_frame(run, today, lang)
    if frame.empty:
        return render("partners.html.j2", lang, table=None)
    frame["delta_beneficiaries_shown"] = frame["delta_beneficiaries"].map(
        lambda v: signed_count(v, lang)
    )
    frame["delta_funded_shown"] = frame["delta_funded"].map(lambda v: signed_euro(v, lang))
    shown = columns("partners") + (() if today is None else columns("partners_today"))
    total = frame["beneficiaries"].sum()
    lead = _("{count} partners; {total} beneficiaries in all", lang).format(
        count=len(frame), total=number(total, lang)
    )
    if today is None:
        lead += f". {missing_reason(run, lang)}"
    return render(
        "partners.html.j2", lang, lead=lead, table=table(frame, shown, lang, "partners-table")
    )


def status_quo_section(run: ReportRun, today: TodayPlan | None, lang: str) -> Markup:
    """The plan's key figures beside today's allocation (measured the same way), and the change."""
    if today is None:
        return render("status_quo.html.j2", lang, rows=None, missing=missing_reason(run, lang))
    rows = []
    for key in REPORT_KPIS:
        if key not in run.kpis or key not in today.kpis:
            continue
        plan_value, today_value = run.kpis[key], today.kpis[key]
        cells = (
            kpi_value(key, plan_value, lang),
            kpi_value(key, today_value, lang),
            kpi_delta(key, float(plan_value) - float(today_value), lang),
        )
        rows.append((label(key, lang), cells))
    return render("status_quo.html.j2", lang, rows=rows)
