"""The sentences that compare the optimised plan with the rules of thumb."""

from __future__ import annotations

from allocator.postprocess.results import Plan
from allocator.render.formats import number
from allocator.studies.rules import RulePlan, best_rule


def gain_over_rules(plan: Plan, rules: list[RulePlan], lang: str = "en") -> str:
    """One sentence for the run summary: what the optimised plan gains over the best rule."""
    best = best_rule(rules)
    if best is None:
        if lang == "it":
            return "Nessuna regola empirica calcolabile per il confronto."
        return "No rule of thumb could be computed for comparison."
    opt, ref = plan.kpis, best.plan.kpis
    extra = opt["beneficiaries_served"] - ref["beneficiaries_served"]
    extra_text = ("+" if extra >= 0 else "") + number(extra, lang, 0 if abs(extra) >= 10 else 1)
    share = ""
    if ref["beneficiaries_served"]:
        ratio = 100 * extra / ref["beneficiaries_served"]
        share = f" ({'+' if ratio >= 0 else ''}{number(ratio, lang, 1)}%)"

    def pct(value: float) -> str:
        return f"{number(100 * value, lang, 1)}%"

    if lang == "it":
        return (
            f"Rispetto alla migliore regola empirica ({best.label}), il piano ottimizzato serve "
            f"{extra_text} beneficiari{share}, con obiettivo {number(opt['objective'], lang, 4)} "
            f"invece di {number(ref['objective'], lang, 4)} (quartiere meno coperto "
            f"{pct(opt['min_area_coverage'])} invece di {pct(ref['min_area_coverage'])})."
        )
    return (
        f"Against the best rule of thumb ({best.label}), the optimised plan serves "
        f"{extra_text} beneficiaries{share} with objective {number(opt['objective'], lang, 4)} "
        f"instead of {number(ref['objective'], lang, 4)} (lowest area coverage "
        f"{pct(opt['min_area_coverage'])} instead of {pct(ref['min_area_coverage'])})."
    )
