"""The frozen :class:`Policy`: every knob of a matching run, checked once.

A bad value raises :class:`~kuseo_match.errors.ValidationError` naming the
field at construction, so a ``Policy`` that exists is always usable.
Policies load from plain dicts and TOML files with the same checks; unknown
keys are errors, never ignored.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from .errors import ValidationError, shown
from .quotas import Quota

__all__ = ["CapacityBy", "Policy"]


def _number(name: str, value: Any, *, lo: float | None = 0.0, allow_none: bool = False) -> None:
    if value is None and allow_none:
        return
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValidationError(
            f"must be a number, not {type(value).__name__}",
            table="policy",
            column=name,
            value=value,
        )
    if not math.isfinite(value):
        raise ValidationError("must be a finite number", table="policy", column=name, value=value)
    if lo is not None and value < lo:
        raise ValidationError(f"must be >= {lo:g}", table="policy", column=name, value=value)


def _integer(name: str, value: Any, *, lo: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(
            f"must be a whole number, not {type(value).__name__}",
            table="policy",
            column=name,
            value=value,
        )
    if value < lo:
        raise ValidationError(f"must be >= {lo}", table="policy", column=name, value=value)


@dataclass(frozen=True)
class CapacityBy:
    """Capacities from a column of the officers table (a rank or grade).

    Guangxi's pairing assistance gave county cadres 8, 7, 6, 5 or 4 households
    by rank.  Labels are compared with case and surrounding spaces ignored.

    Parameters
    ----------
    column : str
        The officers' column holding the rank.
    values : mapping of str to int, or tuple of (str, int) pairs
        Households an officer of each rank can take (whole numbers >= 0).

    Examples
    --------
    >>> rule = CapacityBy("rank", {"division head": 8, "ordinary cadre": 4})
    >>> rule.capacity_of("Division Head "), rule.to_dict()["column"]
    (8, 'rank')
    """

    column: str
    values: Any

    def __post_init__(self) -> None:
        if not isinstance(self.column, str) or not self.column.strip():
            raise ValidationError(
                "must name the officers' rank column",
                table="policy",
                column="capacity_by",
                value=self.column,
            )
        items = self.values.items() if hasattr(self.values, "items") else self.values
        try:
            pairs = tuple((str(k).strip().casefold(), v) for k, v in items)
        except (TypeError, ValueError) as exc:
            raise ValidationError(
                "values must map each rank to a number of households",
                table="policy",
                column="capacity_by",
            ) from exc
        if not pairs:
            raise ValidationError(
                "values must name at least one rank", table="policy", column="capacity_by"
            )
        for rank, n in pairs:
            _integer(f"capacity_by[{rank!r}]", n, lo=0)
        object.__setattr__(self, "values", tuple(sorted(pairs)))

    def capacity_of(self, rank: Any) -> int | None:
        """The capacity of a rank label (None: not a rank of the table)."""
        return dict(self.values).get(str(rank).strip().casefold())

    def to_dict(self) -> dict[str, Any]:
        return {"column": self.column, "values": dict(self.values)}


def _one_of(name: str, value: Any, choices: tuple[str, ...]) -> None:
    if value not in choices:
        quoted = [repr(c) for c in choices]
        raise ValidationError(
            f"must be {', '.join(quoted[:-1])} or {quoted[-1]}",
            table="policy",
            column=name,
            value=value,
        )


@dataclass(frozen=True)
class Policy:
    """How to pair officers with households.

    The built-in cost of pairing officer *o* with household *h* is, in
    km-equivalents::

        cost = distance_km + fit_weight * (1 - fit) + cross_district_penalty * [districts differ]

    where ``distance_km`` is the great-circle distance and ``fit`` in [0, 1]
    scores the officer's agency against the household's kind and needs
    (see :mod:`kuseo_match.fit`).  The matcher covers as many households as
    the allowed pairs and capacities permit, then minimises the total cost.

    Parameters
    ----------
    capacity : int, default 2
        Households an officer can take when the officers table has no
        ``capacity`` column, or where that column is empty ("1 officer : 2
        households" in the Khon Kaen programme).
    capacity_by : CapacityBy or dict, optional
        Capacities from a rank or grade column: ``{"column": "rank",
        "values": {"division head": 8, ..., "ordinary cadre": 4}}`` (a TOML
        table ``[policy.capacity_by]``).  A ``capacity`` cell, where given,
        wins; an empty rank cell takes ``capacity``; a rank not in ``values``
        is an error naming the row.
    max_distance_km : float or None, default None
        Pairs farther apart than this are not allowed.  ``None``: any
        distance is allowed (the cost still prefers near pairs).
    fit_weight : float, default 10.0
        km-equivalents charged for a complete misfit (``fit == 0``): a
        perfectly fitting officer up to 10 km farther is preferred.
    cross_district_penalty : float, default 5.0
        km-equivalents charged when officer and household are in different
        districts (district teams were led by district chiefs).
    neutral_fit : float, default 0.5
        Fit given to agencies that are not in the fit table (the programme
        drew officers from all agencies: police, army, courts ...).
    fit_table : pandas.DataFrame, str, pathlib.Path or None, default None
        Agency fit table replacing the shipped default (same columns as
        :func:`kuseo_match.fit.default_fit_table`), as a frame or a CSV path.
    candidate_k : int, default 24
        Candidate pairs per household in the first round: its
        ``candidate_k`` cheapest among its ``4 * candidate_k`` nearest
        officers (more where officers are dense: as many as the median
        household has within ``fit_weight + cross_district_penalty`` km, up
        to ``16 * candidate_k``).  Only speed depends on it: the optimality
        certificate adds any excluded pair that could improve the answer.
    objective : {"total", "bottleneck"}, default "total"
        ``"total"``: the least total cost.  ``"bottleneck"``: first the least
        longest pair distance (the largest pair cost with ``costs=``), then the
        least total cost among the pairings that achieve it -- the most
        households still paired first; exact, by a search over thresholds on
        the pairs (``stats["bottleneck_km"]``, ``stats["threshold_probes"]``).
    min_load : int, default 0
        Every officer whose capacity is at least ``min_load`` carries at least
        ``min_load`` households ("every officer carries a household": 1).
        Solved exactly, with lower bounds in the one flow network; when no
        pairing can meet it, :class:`~kuseo_match.errors.InfeasibleError` says
        which officers fall short, per district.  Locked pairs count.  The most
        households are still paired first.
    same_district : bool, default False
        Only pairs of an officer and a household of the same district are
        allowed (district teams stay in their district); ``cross_district_penalty``
        then plays no part.
    same_province : bool, default False
        Only pairs of an officer and a household of the same province are
        allowed (a province runs its own programme).  A row's province is its
        ``province`` column (a code or a Thai or English name) where given,
        else its district's province; a row with neither is refused.  The run
        then splits exactly into one part per province or more
        (:mod:`kuseo_match.parts`), which a pool of processes or a Dask cluster
        can solve side by side.
    coordinate_check : {"refuse", "warn"}, default "refuse"
        What positions that cannot be right do: lat = lon = 0 (a placeholder
        for "no GPS"), a point outside the area of Thailand's districts, a
        household farther from its district than any of its land is, or an
        officer outside its district's province (see
        :func:`kuseo_match.schema.validate_tables`).  ``"refuse"`` raises
        :class:`~kuseo_match.errors.ValidationError` naming the row;
        ``"warn"`` logs a warning and keeps them (for work outside Thailand,
        or positions you know to be right).
    quotas : sequence of Quota or dict, default ()
        Hard bounds on how many households of a kind or need go to a group of
        agencies, or on an agency's or district's share of the households
        (:mod:`kuseo_match.quotas`; ``[[quotas]]`` tables in TOML).  Solved
        on CP-SAT when the flow's answer breaks one.
    pair_distance_weight : float, default 0.0
        Compact pairs (Guangxi: one trip visits both households): adds
        ``pair_distance_weight`` times the km between every two households
        of the same officer to the objective.  Above 0 the run is solved on
        CP-SAT, started from the flow's answer; ``result.gap`` bounds how far
        it may be from the optimum.
    churn_cost : float or None, default None
        For :func:`kuseo_match.rematch` (``match`` ignores it): ``None`` keeps
        every previous pair that still works unless covering more households
        needs it to move; a number trades stability against cost, charging
        this many km-equivalents for each previous household that moves to
        another officer (the most households are still paired first).

    Examples
    --------
    >>> import kuseo_match as km
    >>> p = km.Policy(max_distance_km=30)
    >>> p.capacity, p.max_distance_km
    (2, 30)
    >>> km.Policy(capacity=-1)
    Traceback (most recent call last):
    ...
    kuseo_match.errors.ValidationError: policy: field 'capacity', value -1: must be >= 0
    """

    capacity: int = 2
    capacity_by: Any = None
    max_distance_km: float | None = None
    fit_weight: float = 10.0
    cross_district_penalty: float = 5.0
    neutral_fit: float = 0.5
    fit_table: Any = field(default=None, compare=False)
    candidate_k: int = 24
    objective: str = "total"
    min_load: int = 0
    same_district: bool = False
    same_province: bool = False
    coordinate_check: str = "refuse"
    quotas: Any = ()
    pair_distance_weight: float = 0.0
    churn_cost: float | None = None

    def __post_init__(self) -> None:
        _integer("capacity", self.capacity, lo=0)
        if isinstance(self.capacity_by, dict):
            unknown = set(self.capacity_by) - {"column", "values"}
            if unknown or {"column", "values"} - set(self.capacity_by):
                raise ValidationError(
                    "must be a table with 'column' (the rank column) and 'values' (rank -> "
                    "households)",
                    table="policy",
                    column="capacity_by",
                )
            object.__setattr__(self, "capacity_by", CapacityBy(**self.capacity_by))
        elif self.capacity_by is not None and not isinstance(self.capacity_by, CapacityBy):
            raise ValidationError(
                f"must be a CapacityBy or a dict, not {type(self.capacity_by).__name__}",
                table="policy",
                column="capacity_by",
            )
        _number("max_distance_km", self.max_distance_km, lo=None, allow_none=True)
        if self.max_distance_km is not None and self.max_distance_km <= 0:
            raise ValidationError(
                "must be > 0 (or None for no limit)",
                table="policy",
                column="max_distance_km",
                value=self.max_distance_km,
            )
        _number("fit_weight", self.fit_weight)
        _number("cross_district_penalty", self.cross_district_penalty)
        _number("neutral_fit", self.neutral_fit)
        if self.neutral_fit > 1:
            raise ValidationError(
                "must be in [0, 1]", table="policy", column="neutral_fit", value=self.neutral_fit
            )
        _integer("candidate_k", self.candidate_k, lo=1)
        _integer("min_load", self.min_load, lo=0)
        _one_of("objective", self.objective, ("total", "bottleneck"))
        for name in ("same_district", "same_province"):
            flag = getattr(self, name)
            if not isinstance(flag, bool):
                raise ValidationError(
                    f"must be true or false, not {type(flag).__name__}",
                    table="policy",
                    column=name,
                    value=flag,
                )
        _one_of("coordinate_check", self.coordinate_check, ("refuse", "warn"))
        if isinstance(self.quotas, dict) or not isinstance(self.quotas, list | tuple):
            raise ValidationError(
                "must be a list of quotas ([[quotas]] tables in TOML)",
                table="policy",
                column="quotas",
            )
        object.__setattr__(self, "quotas", tuple(Quota.from_any(q) for q in self.quotas))
        _number("pair_distance_weight", self.pair_distance_weight)
        _number("churn_cost", self.churn_cost, allow_none=True)
        if self.objective == "bottleneck" and self.needs_sat:
            raise ValidationError(
                "the bottleneck objective cannot be combined with quotas or compact pairs "
                "(pair_distance_weight > 0)",
                table="policy",
                column="objective",
                value=self.objective,
            )
        if self.fit_table is not None:
            from .fit import FitTable  # local: fit imports nothing from here

            if not isinstance(self.fit_table, FitTable):
                object.__setattr__(self, "fit_table", FitTable.from_any(self.fit_table))

    # -- construction from files -------------------------------------------------
    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> Policy:
        """Build a policy from a mapping; unknown keys are errors.

        Examples
        --------
        >>> Policy.from_dict({"capacity": 3}).capacity
        3
        >>> Policy.from_dict({"capasity": 3})
        Traceback (most recent call last):
        ...
        kuseo_match.errors.ValidationError: policy: field 'capasity': unknown setting; \
did you mean 'capacity'? Known: capacity, capacity_by, max_distance_km, fit_weight, \
cross_district_penalty, neutral_fit, fit_table, candidate_k, objective, min_load, same_district, \
same_province, coordinate_check, quotas, pair_distance_weight, churn_cost
        """
        if not isinstance(values, dict):
            raise ValidationError(
                f"a policy must be a mapping of settings, not {type(values).__name__}",
                table="policy",
            )
        known = [f.name for f in fields(cls)]
        for key in values:
            if key not in known:
                import difflib

                close = difflib.get_close_matches(str(key), known, n=1)
                hint = f"did you mean {close[0]!r}? " if close else ""
                raise ValidationError(
                    f"unknown setting; {hint}Known: {', '.join(known)}",
                    table="policy",
                    column=str(key),
                )
        return cls(**values)

    @classmethod
    def from_toml(cls, path: str | Path) -> Policy:
        """Read a policy from a TOML file (top-level keys, or a ``[policy]`` table).

        A relative ``fit_table`` path is taken relative to the TOML file.
        """
        path = Path(path)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise ValidationError(f"no such file: {path}", table="policy") from exc
        except UnicodeDecodeError as exc:
            raise ValidationError(
                f"{path} is not UTF-8 text; save it as UTF-8", table="policy"
            ) from exc
        except OSError as exc:
            raise ValidationError(
                f"cannot read {path}: {exc.strerror or exc}", table="policy"
            ) from exc
        except tomllib.TOMLDecodeError as exc:
            raise ValidationError(
                f"{path} is not valid TOML: {shown(str(exc), 200)}", table="policy"
            ) from exc
        if isinstance(data.get("policy"), dict):
            if set(data) != {"policy"}:
                raise ValidationError(
                    f"{path} has both top-level settings and a [policy] table; put every "
                    "setting in one of them",
                    table="policy",
                )
            data = data["policy"]
        if isinstance(data.get("fit_table"), str):
            fit_path = Path(data["fit_table"])
            data["fit_table"] = fit_path if fit_path.is_absolute() else path.parent / fit_path
        try:
            return cls.from_dict(data)
        except ValidationError as exc:  # say which file
            raise ValidationError(
                f"{exc.reason} ({path})", table=exc.table, column=exc.column, value=exc.value
            ) from exc

    def to_dict(self) -> dict[str, Any]:
        """The settings as plain values (``fit_table``: ``"default"`` or ``"custom"``)."""
        out = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "fit_table"}
        out["fit_table"] = "default" if self.fit_table is None else "custom"
        if self.capacity_by is not None:
            out["capacity_by"] = self.capacity_by.to_dict()
        out["quotas"] = [q.to_dict() for q in self.quotas]
        return out

    @property
    def needs_sat(self) -> bool:
        """Whether the policy has terms a flow cannot express (quotas, compact pairs)."""
        return bool(self.quotas) or self.pair_distance_weight > 0

    def replace(self, **changes: Any) -> Policy:
        """A copy with some settings changed (checked like the constructor)."""
        return replace(self, **changes)
