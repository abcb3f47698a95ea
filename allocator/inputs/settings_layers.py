"""``scenario.toml`` layers: the chain of ``extends``, merged with ``--set`` overrides, checked.

Each key remembers the file (or ``--set``) it came from, so that a problem names its origin.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args, get_origin

from pydantic import BaseModel, ValidationError

from allocator.i18n import _
from allocator.inputs.checking import CheckedTable
from allocator.inputs.locate import SCENARIO_FILE
from allocator.inputs.numbers import Evidence, NotANumber, ambiguity, parse_number, read_number
from allocator.inputs.problems import Collector, explain_error, suggest
from allocator.inputs.schema import LegalForm, Settings
from allocator.inputs.settings_spec import SETTINGS
from allocator.inputs.sources import file_problem
from allocator.inputs.tables import TABLES
from allocator.inputs.vocabulary import canonical

SET_OPTION = "--set"
"""How problems in ``overrides`` name their origin."""


@dataclass
class Layer:
    """One ``scenario.toml`` of the chain of ``extends``."""

    toml: Path
    label: str
    data: dict[str, Any]
    replace: frozenset[str] = frozenset()
    """Optional tables this scenario gives whole, even empty or absent (``replace = [...]``): the
    parent's rows are dropped instead of inherited."""

    @property
    def folder(self) -> Path:
        return self.toml.parent


SETTING_KEYS: tuple[str, ...] = tuple(s.key for s in SETTINGS)
REPLACE_KEY = "replace"
"""The ``scenario.toml`` key listing the optional tables a child gives whole, even empty."""
OPTIONAL_TABLES: tuple[str, ...] = tuple(t.name for t in TABLES if not t.required)


def valid_keys(prefix: str) -> str:
    """The settings keys under ``prefix`` (all of them if none), for messages."""
    keys = [k for k in SETTING_KEYS if prefix and k.startswith(prefix + ".")]
    return ", ".join(keys or SETTING_KEYS)


def unknown_key(parts: Sequence[str]) -> str | None:
    """The first part of a dotted settings key that names no setting, as a dotted prefix."""
    model: type[BaseModel] = Settings
    index = 0
    while index < len(parts):
        part = parts[index]
        fields = model.model_fields
        if part not in fields:
            return ".".join(parts[: index + 1])
        annotation = fields[part].annotation
        if index == len(parts) - 1:
            return None
        if get_origin(annotation) is dict:  # funders.<funder_id>.<key>
            value_model = get_args(annotation)[1]
            if index + 2 >= len(parts):
                return None
            model, index = value_model, index + 2
            continue
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            model, index = annotation, index + 1
            continue
        return ".".join(parts[: index + 2])
    return None


def key_of(loc: Sequence[int | str]) -> str:
    key = ""
    for part in loc:
        key += f"[{part}]" if isinstance(part, int) else (f".{part}" if key else part)
    return key


def _flatten(data: Mapping[str, Any], prefix: str = "") -> Iterable[str]:
    for key, value in data.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            yield from _flatten(value, dotted + ".")
        else:
            yield dotted


def _merge(base: dict[str, Any], top: Mapping[str, Any]) -> dict[str, Any]:
    """``top`` over ``base``, merging tables key by key."""
    merged = dict(base)
    for key, value in top.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def set_value(text: str) -> Any:
    """A ``--set`` value: TOML syntax (one value, nothing after it), else an Italian number
    (``0,9``), else the bare text. A control character (a newline) is refused: ValueError."""
    if any(unicodedata.category(ch) == "Cc" for ch in text):
        raise ValueError(_("holds a control character (a line break?)"))
    _refuse_two_readings(text.strip())
    try:
        parsed = tomllib.loads(f"value = {text}")
    except tomllib.TOMLDecodeError:
        try:
            return parse_number(text.strip())
        except ValueError:
            return text.strip()
    if list(parsed) != ["value"]:
        raise ValueError(_("holds more than one value"))
    return parsed["value"]


def _refuse_two_readings(text: str) -> None:
    """A ``--set`` number with two readings that TOML would read as a planner may not mean it
    (``600.000``: TOML 600; ``1,250``) is refused naming both. A number as programs write it
    (``1.125``, no trailing zero, as the page's overrides are stored) keeps TOML's reading."""
    try:
        reading = read_number(text)
    except NotANumber:
        return
    try:
        written = repr(float(text)) == text
    except ValueError:
        written = False
    if reading.ambiguous and not written:
        raise ambiguity(
            reading,
            Evidence({}),
            _("--set accepts both 0,9 and 0.9"),
        )


def canonical_forms(data: dict[str, Any]) -> dict[str, Any]:
    """``policy.eligible_legal_forms`` in the planners' words (``APS``, ``Cooperativa sociale``)
    as the contract's; words naming no form are left for validation to refuse."""
    policy = data.get("policy")
    forms = policy.get("eligible_legal_forms") if isinstance(policy, dict) else None
    if not isinstance(policy, dict) or not isinstance(forms, list):
        return data
    named = [canonical(LegalForm, form) if isinstance(form, str) else None for form in forms]
    read = [form if name is None else name.value for form, name in zip(forms, named, strict=True)]
    return {**data, "policy": {**policy, "eligible_legal_forms": read}}


def origin_of(key: str, origins: Mapping[str, str]) -> str:
    """The file (or ``--set``) that gave a dotted key, or a key above it."""
    probe = key
    while probe:
        if probe in origins:
            return origins[probe]
        probe = re.sub(r"(\[\d+\]|\.?[^.\[]+)$", "", probe)
    for dotted, origin in origins.items():
        if dotted.startswith(key + "."):
            return origin
    return SCENARIO_FILE


def _dig(data: Mapping[str, Any], parts: Sequence[str]) -> Any:
    for part in parts:
        if not isinstance(data, Mapping):
            return None
        data = data.get(part)  # type: ignore[assignment]
    return data


def _put(data: dict[str, Any], parts: Sequence[str], value: Any) -> None:
    for part in parts[:-1]:
        data = data[part]
    data[parts[-1]] = value


class SettingsReader(Collector):
    """Reads the chain of ``scenario.toml`` and the settings they give, collecting problems."""

    def read_toml(self, path: Path) -> dict[str, Any] | None:
        label = self.label(path)
        unreadable = file_problem(path, label)
        if unreadable is not None:
            self.problems.append(unreadable)
            return None
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
        except UnicodeDecodeError:
            self.problem(
                label,
                _("is not UTF-8 text"),
                expected=_("a file saved as UTF-8"),
            )
            return None
        except tomllib.TOMLDecodeError as error:
            self.problem(label, _("is not valid TOML") + f": {error}")
            return None
        except OSError as error:
            self.problem(label, _("cannot be read") + f": {error}")
            return None
        self.files.append(path)
        return data

    def layers(self, root: Path) -> list[Layer]:
        """The chain of ``extends``, the scenario first."""
        layers: list[Layer] = []
        toml: Path | None = root
        while toml is not None:
            data = self.read_toml(toml)
            if data is None:
                return []
            layer = Layer(toml, self.label(toml), data)
            layers.append(layer)
            parent = data.pop("extends", None)
            layer.replace = self._replaced(layer, data.pop(REPLACE_KEY, None))
            toml = None if parent is None else self._parent(layer, parent, layers)
        return layers

    def _replaced(self, layer: Layer, value: object) -> frozenset[str]:
        """The optional tables ``replace = ["earmarks", ...]`` names; a problem for anything
        else (a required table is never empty, so it can only be replaced by rows)."""
        if value is None:
            return frozenset()
        names = (
            [v.strip().lower().removesuffix(".csv") for v in value]
            if isinstance(value, list) and all(isinstance(v, str) for v in value)
            else None
        )
        wrong = None if names is None else [n for n in names if n not in OPTIONAL_TABLES]
        if names is None or wrong:
            listed = ", ".join(OPTIONAL_TABLES)
            self.problem(
                layer.label,
                _("'replace' is not a list of optional tables"),
                column=REPLACE_KEY,
                value=value if not wrong else ", ".join(wrong),
                expected=_(
                    'a list among the optional ones: replace = ["earmarks"] ({listed})'
                ).format(listed=listed),
            )
            return frozenset()
        return frozenset(names)

    def _parent(self, layer: Layer, parent: object, chain: list[Layer]) -> Path | None:
        control = isinstance(parent, str) and any(unicodedata.category(ch) == "Cc" for ch in parent)
        if not isinstance(parent, str) or not parent.strip() or control:
            self.problem(
                layer.label,
                "'extends' is not a folder",
                column="extends",
                value=parent,
                expected='the parent scenario folder in quotes, such as "../milano"',
            )
            return None
        try:
            target = (layer.folder / parent).resolve()
            if target.is_dir():
                target = target / SCENARIO_FILE
            found = target.is_file()
        except (OSError, ValueError):  # a name too long, a loop of links
            found = False
        if not found:
            self.problem(
                layer.label,
                f"the scenario it extends has no {SCENARIO_FILE}",
                column="extends",
                value=parent,
                expected=f"a folder, relative to {self.label(layer.folder) or '.'}, holding "
                f"{SCENARIO_FILE}",
            )
            return None
        if any(target == other.toml for other in chain):
            cycle = " → ".join([*(other.label for other in chain), self.label(target)])
            self.problem(
                layer.label,
                f"'extends' goes round in a cycle: {cycle}",
                column="extends",
                value=parent,
                expected="a chain of parents that ends",
            )
            return None
        return target

    def settings_data(
        self, layers: list[Layer], overrides: Sequence[str]
    ) -> tuple[dict[str, Any], dict[str, str]]:
        """The settings merged from the oldest parent down, then ``overrides``; each key's file."""
        merged: dict[str, Any] = {}
        origins: dict[str, str] = {}
        scenario = layers[0]
        for layer in reversed(layers):
            data = layer.data
            if layer is not scenario:
                data = {k: v for k, v in data.items() if k not in ("name", "description")}
            merged = _merge(merged, data)
            origins.update(dict.fromkeys(_flatten(data), layer.label))
        if "name" not in scenario.data:
            self.problem(
                scenario.label,
                "the scenario has no name",
                column="name",
                expected='name = "..." at the top (a scenario does not inherit its name)',
            )
        for override in overrides:
            key, equals, text = override.partition("=")
            key = key.strip()
            if not equals or not key:
                self.problem(
                    SET_OPTION,
                    "is not key=value",
                    value=override,
                    expected="such as budget.scale=0.9",
                )
                continue
            parts = key.split(".")
            unknown = unknown_key(parts)
            if unknown is not None:
                self.problem(
                    SET_OPTION,
                    f"unknown key '{unknown}'" + suggest(unknown, SETTING_KEYS),
                    column=key,
                    value=text,
                    expected=f"a key among: {valid_keys(unknown.rpartition('.')[0])}",
                )
                continue
            try:
                value = set_value(text)
            except NotANumber as error:
                self.problem(
                    SET_OPTION, error.message, column=key, value=text, expected=error.expected
                )
                continue
            except ValueError as error:
                self.problem(
                    SET_OPTION,
                    str(error),
                    column=key,
                    value=text,
                    expected=_("one value on one line (--set key=value, repeated for each key)"),
                )
                continue
            for prefix in range(1, len(parts)):  # replacing a table, or a leaf with a table
                if not isinstance(_dig(merged, parts[:prefix]), dict):
                    _put(merged, parts[:prefix], {})
            _put(merged, parts, value)
            for existing in [k for k in origins if k == key or k.startswith(key + ".")]:
                del origins[existing]
            origins[key] = SET_OPTION
        return merged, origins

    def settings(self, data: dict[str, Any], origins: dict[str, str]) -> Settings | None:
        try:
            return Settings.model_validate(canonical_forms(data))
        except ValidationError as error:
            for detail in error.errors():
                key = key_of(detail["loc"])
                origin = origin_of(key, origins)
                if detail["type"] == "extra_forbidden":
                    parent = key_of(detail["loc"][:-1])
                    if detail["loc"][:1] == ("funders",):
                        parent = "funders.<funder_id>"
                    self.problem(
                        origin,
                        f"unknown key '{key}'" + suggest(key, SETTING_KEYS),
                        column=key,
                        expected=f"a key among: {valid_keys(parent)}",
                    )
                elif detail["type"] == "missing" and key == "name":
                    continue  # reported with the scenario's file
                else:
                    message, expected = explain_error(detail, None)
                    value = detail.get("input")
                    self.problem(
                        origin,
                        message,
                        column=key,
                        value=value if not isinstance(value, dict) else None,
                        expected=expected,
                    )
            return None

    def funder_overrides(
        self, funder_ids: list[str], checked: dict[str, CheckedTable], origins: dict[str, str]
    ) -> None:
        """``[funders.<funder_id>]`` must name a funder of funders.csv."""
        funders = checked.get("funders")
        if funders is not None and funders.complete:
            ids = funders.ids()
            for funder_id in funder_ids:
                if funder_id not in ids:
                    key = f"funders.{funder_id}"
                    self.problem(
                        origin_of(key, origins),
                        f"no funder '{funder_id}' in {funders.label}" + suggest(funder_id, ids),
                        column=key,
                        expected=f"a funder_id among: {', '.join(sorted(ids))}",
                    )

    def need_spread_interventions(
        self, settings: Settings, checked: dict[str, CheckedTable], origins: dict[str, str]
    ) -> None:
        """``[uncertainty.need_spreads]`` must name interventions of interventions.csv."""
        interventions = checked.get("interventions")
        if interventions is None or not interventions.complete:
            return
        ids = interventions.ids()
        for intervention_id in settings.uncertainty.need_spreads:
            if intervention_id in ids:
                continue
            key = f"uncertainty.need_spreads.{intervention_id}"
            listed = ", ".join(sorted(ids))
            self.problem(
                origin_of(key, origins),
                _("no intervention '{intervention_id}' in {label}").format(
                    intervention_id=intervention_id, label=interventions.label
                )
                + suggest(intervention_id, ids),
                column=key,
                expected=_("an intervention_id among: {listed}").format(listed=listed),
            )
