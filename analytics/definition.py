"""The index definition (QĐ 766/QĐ-TTg) loaded once from ``definition.yaml`` into frozen objects.

Every max point, label, grade cut-off and scoring rule in the project comes from here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import yaml

from analytics.parsing import fold
from analytics.settings import DEFINITION_PATH, definition_file  # noqa: F401

RULES = {"linear", "capped", "payment", "informational"}
ZERO_DENOMINATOR_RULES = {"zero", "full", "null"}


class DefinitionError(ValueError):
    """The definition file breaks one of its own rules."""


@dataclass(frozen=True)
class ScorePart:
    """One scored part of a ``payment`` sub-indicator: points for the rate of two named counts."""

    numerator_field: str
    denominator_field: str
    max_points: float
    full_at: float = 1.0
    zero_denominator: str = "zero"
    label_en: str = ""


class Labelled:
    """Something with a Vietnamese and an English label."""

    label_vi: str
    label_en: str

    def label(self, lang: str = "vi") -> str:
        return self.label_en if lang == "en" else self.label_vi


@dataclass(frozen=True)
class SubIndicator(Labelled):
    code: str
    group: str
    max_points: float
    rule: str
    label_vi: str
    label_en: str
    numerator: str = ""
    denominator: str = ""
    full_at: float = 1.0
    zero_denominator: str = "zero"
    scope: str = "unit"
    filing_field: str | None = None
    filing_denominator: str | None = None
    fitted: str = ""
    parts: tuple[ScorePart, ...] = ()
    portal_total_code: str | None = None


@dataclass(frozen=True)
class Group(Labelled):
    key: str
    label_vi: str
    label_en: str
    max_points: float
    rolls_up_to: str
    aliases: tuple[str, ...] = ()
    portal_group: str | None = None
    subindicators: tuple[SubIndicator, ...] = ()


@dataclass(frozen=True)
class Grade(Labelled):
    key: str
    label_vi: str
    label_en: str
    min_points: float


@dataclass(frozen=True)
class IndexVersion:
    key: str
    label_vi: str
    label_en: str
    valid_from: str
    valid_to: str | None
    groups: tuple[Group, ...]

    @property
    def max_points(self) -> float:
        return round(sum(g.max_points for g in self.groups), 6)

    def group(self, key: str) -> Group:
        for g in self.groups:
            if g.key == key:
                return g
        raise KeyError(f"{self.key} has no group {key!r}")

    @property
    def subindicators(self) -> tuple[SubIndicator, ...]:
        return tuple(s for g in self.groups for s in g.subindicators)


@dataclass(frozen=True)
class Metric(Labelled):
    """A rate measured from filing counts: sum(numerator columns) / sum(denominator columns) × 100."""

    key: str
    label_vi: str
    label_en: str
    numerator: tuple[str, ...]
    denominator: tuple[str, ...]

    @property
    def measurable(self) -> bool:
        """False for targets no filing count can measure (surveys, waiting time)."""
        return bool(self.numerator)

    @property
    def is_count(self) -> bool:
        return bool(self.numerator) and not self.denominator


@dataclass(frozen=True)
class Definition:
    versions: dict[str, IndexVersion]
    grades: tuple[Grade, ...]
    common_groups: tuple[str, ...]
    metrics: dict[str, Metric] = field(default_factory=dict)
    total_tolerance_points: float = 0.0
    derived_counts: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def version(self, key: str) -> IndexVersion:
        try:
            return self.versions[key]
        except KeyError:
            raise KeyError(f"unknown index version {key!r}; known: {sorted(self.versions)}") from None

    @property
    def five_groups(self) -> IndexVersion:
        """The version whose groups are exactly the five common groups (published provincial tables)."""
        for v in self.versions.values():
            if tuple(g.key for g in v.groups) == self.common_groups or {g.key for g in v.groups} == set(self.common_groups):
                return v
        raise DefinitionError("no version has exactly the common groups")

    def common_max(self, key: str) -> float:
        if key == "total":
            return self.five_groups.max_points
        return self.five_groups.group(key).max_points

    def common_label(self, key: str, lang: str = "vi") -> str:
        if key == "total":
            from analytics.i18n import tr

            return tr("label.total", lang)
        return self.five_groups.group(key).label(lang)

    def grade_for(self, total_points: float | None) -> Grade | None:
        """The grade a total earns (cut-offs inclusive at the lower bound), None for an unknown total."""
        if total_points is None or total_points != total_points:
            return None
        for g in self.grades:  # sorted high to low
            if total_points >= g.min_points - 1e-9:
                return g
        return self.grades[-1]

    def next_grade(self, total_points: float) -> Grade | None:
        """The grade just above the one this total earns, None at the top."""
        current = self.grade_for(total_points)
        above = [g for g in self.grades if g.min_points > current.min_points]
        return min(above, key=lambda g: g.min_points) if above else None

    def grade_mismatch(self, total_points: float | None, reported: str | None) -> bool:
        """Whether a reported grade (label or key) differs from the grade the total earns: the one rule, a flag.

        False when either side is unknown or the reported text is no grade (that is rejected as such)."""
        if reported is None or not isinstance(reported, str) or not reported.strip():
            return False
        earned, said = self.grade_for(total_points), self.grade_by_label(reported)
        return bool(earned and said and earned.key != said.key)

    def total_differs(self, total_points: float | None, sum_components_points: float | None) -> bool:
        """Whether a total disagrees with the sum of its components beyond the declared tolerance."""
        if total_points is None or sum_components_points is None or total_points != total_points \
                or sum_components_points != sum_components_points:
            return False
        return abs(total_points - sum_components_points) > self.total_tolerance_points

    def grade_by_label(self, text: str) -> Grade | None:
        key = fold(text)
        for g in self.grades:
            if fold(g.label_vi) == key or fold(g.label_en) == key or g.key == key:
                return g
        return None

    def subindicator(self, code: str) -> SubIndicator:
        for v in self.versions.values():
            for s in v.subindicators:
                if s.code == code:
                    return s
        raise KeyError(f"unknown sub-indicator {code!r}")




def _build(raw: dict) -> Definition:
    grades = tuple(sorted((Grade(**g) for g in raw["grades"]), key=lambda g: -g.min_points))
    common = tuple(raw["common_groups"])
    versions: dict[str, IndexVersion] = {}
    for vkey, v in raw["versions"].items():
        groups = []
        for g in v["groups"]:
            subs = []
            for s in g.get("subindicators", []):
                parts = tuple(ScorePart(**p) for p in s.get("parts", ()))
                sub = SubIndicator(group=g["key"], **{**s, "parts": parts})
                if sub.rule not in RULES:
                    raise DefinitionError(f"{vkey}.{g['key']}.{sub.code}: unknown rule {sub.rule!r}")
                if sub.zero_denominator not in ZERO_DENOMINATOR_RULES:
                    raise DefinitionError(f"{sub.code}: unknown zero_denominator {sub.zero_denominator!r}")
                if not 0 < sub.full_at <= 1:
                    raise DefinitionError(f"{sub.code}: full_at must be in (0, 1]")
                if (sub.rule == "payment") != bool(parts):
                    raise DefinitionError(f"{sub.code}: a payment rule needs parts, and only a payment rule has them")
                if parts and abs(sum(p.max_points for p in parts) - sub.max_points) > 1e-9:
                    raise DefinitionError(f"{sub.code}: part maxima do not add up to {sub.max_points}")
                for p in parts:
                    if p.zero_denominator not in ZERO_DENOMINATOR_RULES or not 0 < p.full_at <= 1:
                        raise DefinitionError(f"{sub.code}: part {p.numerator_field}/{p.denominator_field} is invalid")
                subs.append(sub)
            group = Group(
                key=g["key"], label_vi=g["label_vi"], label_en=g["label_en"],
                max_points=float(g["max_points"]), rolls_up_to=g["rolls_up_to"],
                aliases=tuple(g.get("aliases", ())), portal_group=g.get("portal_group"),
                subindicators=tuple(subs),
            )
            if group.rolls_up_to not in common:
                raise DefinitionError(f"{vkey}.{group.key} rolls up to unknown group {group.rolls_up_to!r}")
            scored = [s for s in subs if s.rule != "informational"]
            if scored and abs(sum(s.max_points for s in scored) - group.max_points) > 1e-9:
                raise DefinitionError(f"{vkey}.{group.key}: sub-indicator maxima do not add up to {group.max_points}")
            groups.append(group)
        version = IndexVersion(vkey, v["label_vi"], v["label_en"], str(v["valid_from"]),
                               None if v.get("valid_to") is None else str(v["valid_to"]), tuple(groups))
        if abs(version.max_points - 100) > 1e-9:
            raise DefinitionError(f"{vkey}: groups add up to {version.max_points}, not 100")
        versions[vkey] = version
    metrics = {k: Metric(k, m["label_vi"], m["label_en"], tuple(m["numerator"]), tuple(m["denominator"]))
               for k, m in raw.get("metrics", {}).items()}
    derived = {k: tuple(v) for k, v in raw.get("derived_counts", {}).items()}
    return Definition(versions=versions, grades=grades, common_groups=common, metrics=metrics,
                      total_tolerance_points=float(raw["total_tolerance_points"]), derived_counts=derived)


# libyaml's safe loader when PyYAML was built with it (parses the definition ~10× faster: on the dashboard's start
# path), else the pure-Python one; both accept exactly the same YAML
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@lru_cache(maxsize=4)
def load_definition(path: str | None = None) -> Definition:
    """The validated index definition (cached: loaded once per process).

    ``ANALYTICS_DEFINITION`` may point at another definition file (an analyst trying a new metric); call
    ``load_definition.cache_clear()`` after changing it.
    """
    with open(path or definition_file(), encoding="utf-8") as fh:
        return _build(yaml.load(fh, Loader=_SAFE_LOADER))


def version_for_period(period: str) -> IndexVersion:
    """The index version in force for a period key such as ``2024Q2``."""
    from analytics.periods import period_sort_key

    d = load_definition()
    key = period_sort_key(period)
    for v in sorted(d.versions.values(), key=lambda v: period_sort_key(v.valid_from), reverse=True):
        if period_sort_key(v.valid_from) <= key and (v.valid_to is None or key <= period_sort_key(v.valid_to)):
            return v
    return d.five_groups
