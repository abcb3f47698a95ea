"""The planners' words for units, legal forms and funder kinds, read as the contract's values.

``famiglie``, ``Bambini``, ``household``, ``APS``, ``Cooperativa sociale``, ``pubblico`` are read
as ``households``, ``minors``, ``households``, ``aps``, ``cooperativa_sociale``, ``public``: case,
accents, spaces, ``_``, ``-`` and the dots of abbreviations (``A.P.S.``) do not matter. A word
that names none of them is refused, listing the accepted ones.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from enum import StrEnum

from allocator.inputs.schema import FunderKind, LegalForm, Unit

SYNONYMS: dict[type[StrEnum], dict[StrEnum, tuple[str, ...]]] = {
    Unit: {
        Unit.PEOPLE: ("people", "person", "persons", "persona", "persone", "individui"),
        Unit.MINORS: (
            "minors",
            "minor",
            "child",
            "children",
            "kids",
            "bambini",
            "bambino",
            "bambine",
            "minori",
            "minore",
            "ragazzi",
            "under 18",
        ),
        Unit.HOUSEHOLDS: (
            "households",
            "household",
            "families",
            "family",
            "famiglie",
            "famiglia",
            "nuclei",
            "nucleo",
            "nuclei familiari",
            "nucleo familiare",
        ),
    },
    LegalForm: {
        LegalForm.COOPERATIVA_SOCIALE: (
            "cooperativa sociale",
            "cooperative sociali",
            "coop sociale",
            "coop soc",
            "social cooperative",
        ),
        LegalForm.CONSORZIO: ("consorzio", "consorzio di cooperative", "consortium"),
        LegalForm.APS: (
            "aps",
            "associazione di promozione sociale",
            "social promotion association",
        ),
        LegalForm.ODV: ("odv", "organizzazione di volontariato", "volunteer organisation"),
        LegalForm.IMPRESA_SOCIALE: ("impresa sociale", "social enterprise"),
        LegalForm.ENTE_RELIGIOSO: (
            "ente religioso",
            "ente ecclesiastico",
            "ente religioso civilmente riconosciuto",
            "religious body",
        ),
        LegalForm.FONDAZIONE: ("fondazione", "foundation"),
        LegalForm.ALTRO: ("altro", "altra", "other"),
    },
    FunderKind: {
        FunderKind.PUBLIC: ("public", "pubblico", "pubblica", "ente pubblico"),
        FunderKind.PRIVATE: ("private", "privato", "privata", "ente privato"),
    },
}
"""Per vocabulary, the words read as each value (the value itself first)."""

AMBIGUOUS: dict[type[StrEnum], dict[str, str]] = {
    LegalForm: {
        "associazione": "APS (associazione di promozione sociale) or ODV (organizzazione di "
        "volontariato)",
        "cooperativa": "cooperativa sociale (a cooperative that is not social is altro)",
        "coop": "cooperativa sociale (a cooperative that is not social is altro)",
        "ets": "the entity's legal form: APS, ODV, cooperativa sociale, impresa sociale, ...",
        "ente del terzo settore": "the entity's legal form: APS, ODV, cooperativa sociale, ...",
    }
}
"""Words that name more than one value: refused with what to write instead."""


def normal_word(text: str) -> str:
    """A word as compared: lower case, no accents, no dots, ``_``/``-``/spaces as one space."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    plain = plain.lower().replace(".", "")
    return re.sub(r"[\s_\-/]+", " ", plain).strip()


def _index(enum: type[StrEnum]) -> Mapping[str, StrEnum]:
    return {
        normal_word(word): value for value, synonyms in SYNONYMS[enum].items() for word in synonyms
    } | {normal_word(member.value): member for member in enum}


def canonical(enum: type[StrEnum], text: str) -> StrEnum | None:
    """The value ``text`` names, or None."""
    return _index(enum).get(normal_word(text))


def ambiguity(enum: type[StrEnum], text: str) -> str | None:
    """What to write instead of ``text`` when it names more than one value."""
    return AMBIGUOUS.get(enum, {}).get(normal_word(text))


def accepted(enum: type[StrEnum]) -> str:
    """The accepted words, for messages: each value with its synonyms."""
    return "; ".join(
        f"{value.value} ({', '.join(w for w in SYNONYMS[enum][value] if w != value.value)})"
        for value in enum
    )


def vocabulary_of(allowed: tuple[str, ...]) -> type[StrEnum] | None:
    """The vocabulary whose values are ``allowed`` (an ENUM column's), if any."""
    for enum in SYNONYMS:
        if tuple(member.value for member in enum) == allowed:
            return enum
    return None
