"""An instance: the input compiled once, and the one road that solves it.

:func:`prepare` validates the tables and the rules, orders the tables
canonically, builds the cost model, the locked and forbidden pairs, the
quota terms and the added costs, once.  :class:`Instance` is frozen;
its variants (:meth:`Instance.with_policy`, :meth:`Instance.with_officers`,
:meth:`Instance.with_start`) are cheap and never validate the tables again,
so that :func:`kuseo_match.diagnose` verifies each fix by re-solving an
instance, warm from the prices of the solve it varies.  :func:`solve` is the
one solve path: locked pairs kept and the rest solved, minimum loads as lower
bounds, the bottleneck objective as threshold probes that share the cost
model, quotas and compact pairs refined from the flow.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from .candidates import Adjust, GeoCostModel, Problem, TableCostModel, pair_keys, rules_allow
from .errors import InfeasibleError, ValidationError
from .policy import Policy
from .quotas import QuotaTerms, quota_terms
from .rules import PairRules, check_locked, read_rules, remap, without_locked
from .schema import check_provinces, validate_costs, validate_start, validate_tables
from .solve import Outcome, SolveOptions, Witness
from .solve import solve as solve_certified
from .solve.refine import refine

__all__ = [
    "Instance",
    "Piece",
    "as_policy",
    "check_time_limit",
    "cost_model",
    "prepare",
    "solve",
    "solve_whole",
    "validated_problem",
]

log = logging.getLogger("kuseo_match")


def as_policy(policy: Any) -> Policy:
    """``policy`` as a :class:`Policy` (None: the defaults; a dict: its settings)."""
    if policy is None:
        return Policy()
    if isinstance(policy, dict):
        return Policy.from_dict(policy)
    if not isinstance(policy, Policy):
        raise ValidationError(
            f"must be a kuseo_match.Policy (or a dict of settings), not {type(policy).__name__}",
            table="policy",
        )
    return policy


def validated_problem(
    officers: Any,
    households: Any,
    policy: Policy,
    need_coordinates: bool,
    progress: Callable[[str], None] | None = None,
) -> Problem:
    """Both tables validated together (:func:`~kuseo_match.schema.validate_tables`)
    and in canonical order."""
    o, h = validate_tables(
        officers,
        households,
        default_capacity=policy.capacity,
        need_coordinates=need_coordinates,
        coordinate_check=policy.coordinate_check,
        progress=progress,
        capacity_by=policy.capacity_by,
    )
    return Problem.from_validated(o, h)


def _has_coordinates(problem: Problem) -> bool:
    return {"lat", "lon"} <= set(problem.officers.columns) and {"lat", "lon"} <= set(
        problem.households.columns
    )


def cost_model(
    problem: Problem,
    policy: Policy,
    table: tuple[np.ndarray, np.ndarray, np.ndarray] | None,
    options: SolveOptions,
    forbidden: tuple[np.ndarray, np.ndarray],
    *,
    warn: bool = True,
    adjust: Adjust | None = None,
) -> GeoCostModel | TableCostModel:
    """The cost model: the built-in cost, or the validated ``costs`` table (pairs as
    positions and costs) less the pairs the rules forbid; with ``adjust``'s terms."""
    model: GeoCostModel | TableCostModel
    if table is None:
        model = GeoCostModel(problem, policy, options, forbidden, adjust)
    else:
        o, h, c = table
        keep = rules_allow(problem, policy, pair_keys(forbidden, problem.n_officers), o, h)
        geo = GeoCostModel(problem, policy, options) if _has_coordinates(problem) else None
        model = TableCostModel(problem, o[keep], h[keep], c[keep], geo, adjust)
    if warn and model.unknown_agencies:
        n = len(model.unknown_agencies)
        log.warning(
            "%d %s not in the fit table and %s the neutral fit %.2f: %s",
            n,
            "agency is" if n == 1 else "agencies are",
            "gets" if n == 1 else "get",
            policy.neutral_fit,
            ", ".join(model.unknown_agencies),
        )
    return model


@dataclass(frozen=True)
class Instance:
    """The input of a solve, compiled once by :func:`prepare`.

    Attributes
    ----------
    problem : Problem
        The validated tables in canonical order.
    policy : Policy
    options : SolveOptions
    rules : PairRules
        Locked and forbidden pairs as positions.
    model : CostModel
        The cost model (:mod:`kuseo_match.candidates`), with the added costs.
    table : tuple of numpy.ndarray or None
        The ``costs`` table as officer positions, household positions, costs.
    terms : QuotaTerms or None
        The quotas on these tables.
    start : numpy.ndarray or None
        Officers' prices to start from (cost units; see :func:`solve`).
    validation_seconds : float
        What the compilation took.
    """

    problem: Problem
    policy: Policy
    options: SolveOptions
    rules: PairRules
    model: Any
    table: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
    terms: QuotaTerms | None = None
    start: np.ndarray | None = None
    validation_seconds: float = 0.0

    def with_policy(self, policy: Policy) -> Instance:
        """The same tables under another policy: the cost model, the quota terms and
        the locked pairs' checks follow it; the tables are not validated again, so
        the settings validation used (``capacity``, ``capacity_by``,
        ``coordinate_check``) must stay."""
        for name in ("capacity", "capacity_by", "coordinate_check"):
            if getattr(policy, name) != getattr(self.policy, name):
                raise ValueError(f"with_policy cannot change {name}: prepare a new instance")
        return self._compiled(self.problem, policy, self.rules, self.table, self.start)

    def with_officers(self, officers: pd.DataFrame) -> Instance:
        """The same households under other officers: ``officers`` is a validated
        officers table (this instance's ``problem.officers`` with capacities
        changed or validated rows added; every officer of this instance still
        there).  Rules, the costs table and start prices follow the officers."""
        problem = Problem.from_validated(officers, self.problem.households)
        moved = problem.officer_keys.get_indexer(self.problem.officer_keys)
        if (moved < 0).any():
            raise ValueError("with_officers keeps every officer; prepare a new instance")
        r = self.rules
        rules = PairRules(moved[r.locked_o], r.locked_h, moved[r.forbidden_o], r.forbidden_h)
        table = None if self.table is None else (moved[self.table[0]], *self.table[1:])
        start = None
        if self.start is not None:
            start = np.zeros(problem.n_officers)
            start[moved] = self.start
        return self._compiled(problem, self.policy, rules, table, start)

    def with_locked(self, officers: np.ndarray, households: np.ndarray) -> Instance:
        """The same instance with more locked pairs (positions), checked against the
        rules like the user's own; a household locked already keeps its officer."""
        r = self.rules
        new = ~np.isin(households, r.locked_h)
        rules = PairRules(
            np.concatenate([r.locked_o, officers[new]]),
            np.concatenate([r.locked_h, households[new]]),
            r.forbidden_o,
            r.forbidden_h,
        )
        check_locked(self.problem, self.model, rules, self.policy)
        return replace(self, rules=rules)

    def with_stay(self, officer_of: np.ndarray, cost: float) -> Instance:
        """The same instance where each household ``h`` with ``officer_of[h] >= 0``
        pays ``cost`` when paired with any other officer (rematch's churn cost)."""
        adjust = Adjust(np.asarray(officer_of, np.int64), float(cost))
        model = self.model.with_adjust(adjust)
        return replace(self, model=model, policy=self.policy.replace(churn_cost=cost))

    def part(self, officers: np.ndarray, households: np.ndarray) -> Instance:
        """The instance restricted to some officers and households (positions, or
        boolean masks): a part of a country run (:meth:`piece`, compiled).

        Examples
        --------
        >>> import kuseo_match as km
        >>> o, h = km.synthetic_province(officers=30, households=40, seed=1)
        >>> whole = prepare(o, h)
        >>> one = whole.part(whole.problem.officers["district"] == "TH4001",
        ...                  whole.problem.households["district"] == "TH4001")
        >>> set(one.problem.households["district"]) <= {"TH4001"}
        True
        """
        return self.piece(officers, households).compile()

    def piece(self, officers: np.ndarray, households: np.ndarray) -> Piece:
        """Some officers and households (positions, or boolean masks) as a
        :class:`Piece`: their rows, the rules, costs table, start prices and churn
        terms that lie inside, nothing validated again and no cost model built."""
        keep_o = _positions(officers, self.problem.n_officers)
        keep_h = _positions(households, self.problem.n_households)
        problem = Problem.from_validated(
            self.problem.officers.iloc[keep_o], self.problem.households.iloc[keep_h]
        )
        new_o = np.full(self.problem.n_officers, -1, np.int64)
        new_o[keep_o] = problem.officer_keys.get_indexer(self.problem.officer_keys[keep_o])
        new_h = np.full(self.problem.n_households, -1, np.int64)
        new_h[keep_h] = problem.household_keys.get_indexer(self.problem.household_keys[keep_h])

        def inside(o: np.ndarray, h: np.ndarray) -> np.ndarray:
            return (new_o[o] >= 0) & (new_h[h] >= 0)

        r = self.rules
        lk, fb = inside(r.locked_o, r.locked_h), inside(r.forbidden_o, r.forbidden_h)
        rules = PairRules(
            new_o[r.locked_o[lk]],
            new_h[r.locked_h[lk]],
            new_o[r.forbidden_o[fb]],
            new_h[r.forbidden_h[fb]],
        )
        table = None
        if self.table is not None:
            tk = inside(self.table[0], self.table[1])
            table = (new_o[self.table[0][tk]], new_h[self.table[1][tk]], self.table[2][tk])
        start = None
        if self.start is not None:
            start = np.zeros(problem.n_officers)
            start[new_o[keep_o]] = self.start[keep_o]
        adjust, stay = self.model.adjust, None
        if adjust.stay is not None:
            kept_stay = adjust.stay[keep_h]
            stay = np.full(problem.n_households, -1, np.int64)
            stay[new_h[keep_h]] = np.where(kept_stay >= 0, new_o[np.maximum(kept_stay, 0)], -1)
        officer_at = np.empty(len(keep_o), np.int64)
        officer_at[new_o[keep_o]] = keep_o
        household_at = np.empty(len(keep_h), np.int64)
        household_at[new_h[keep_h]] = keep_h
        return Piece(
            problem=problem,
            policy=self.policy,
            options=self.options,
            rules=rules,
            table=table,
            start=start,
            stay=stay,
            stay_cost=adjust.stay_cost,
            officers=officer_at,
            households=household_at,
        )

    def with_start(self, prices: np.ndarray | None) -> Instance:
        """The same instance, starting from ``prices`` (one per officer, cost units)."""
        return replace(self, start=None if prices is None else np.asarray(prices, float))

    def _compiled(self, problem, policy, rules, table, start) -> Instance:
        if policy.same_province:
            check_provinces(problem)
        adjust = self.model.adjust
        if adjust.stay is not None and problem is not self.problem:
            moved = problem.officer_keys.get_indexer(self.problem.officer_keys)
            stay = np.where(adjust.stay >= 0, moved[np.maximum(adjust.stay, 0)], -1)
            adjust = Adjust(stay, adjust.stay_cost, adjust.groups)
        model = cost_model(
            problem, policy, table, self.options, rules.forbidden, warn=False, adjust=adjust
        )
        check_locked(problem, model, rules, policy)
        return replace(
            self,
            problem=problem,
            policy=policy,
            rules=rules,
            model=model,
            table=table,
            terms=_terms(policy, problem),
            start=start,
        )


@dataclass(frozen=True)
class Piece:
    """A part of an instance as plain data: what a worker process receives
    (:mod:`kuseo_match.parts`); :meth:`compile` builds the cost model there.

    Attributes
    ----------
    problem : Problem
        The part's rows, in canonical order.
    policy, options, rules, table, start
        As in :class:`Instance`, restricted to the part.
    stay : numpy.ndarray or None
        Each household's officer to stay with under a churn cost (-1: none).
    stay_cost : float
    officers, households : numpy.ndarray
        The whole instance's positions of the part's rows, in the part's order.
    """

    problem: Problem
    policy: Policy
    options: SolveOptions
    rules: PairRules
    table: tuple[np.ndarray, np.ndarray, np.ndarray] | None
    start: np.ndarray | None
    stay: np.ndarray | None
    stay_cost: float
    officers: np.ndarray
    households: np.ndarray

    def compile(self) -> Instance:
        """The part as an :class:`Instance` (its cost model built)."""
        adjust = Adjust() if self.stay is None else Adjust(self.stay, self.stay_cost, ())
        model = cost_model(
            self.problem,
            self.policy,
            self.table,
            self.options,
            self.rules.forbidden,
            warn=False,
            adjust=adjust,
        )
        return Instance(
            problem=self.problem,
            policy=self.policy,
            options=self.options,
            rules=self.rules,
            model=model,
            table=self.table,
            terms=_terms(self.policy, self.problem),
            start=self.start,
        )


def _positions(chosen: Any, n: int) -> np.ndarray:
    """Positions from positions or a boolean mask of length ``n``."""
    chosen = np.asarray(chosen)
    if chosen.dtype == bool:
        if len(chosen) != n:
            raise ValueError(f"a mask of {len(chosen)} for {n} rows")
        return np.flatnonzero(chosen)
    return np.unique(chosen.astype(np.int64))


def prepare(
    officers: Any,
    households: Any,
    policy: Any = None,
    *,
    costs: Any = None,
    locked: Any = None,
    forbidden: Any = None,
    options: SolveOptions | None = None,
    start: Any = None,
    progress: Callable[[str], None] | None = None,
) -> Instance:
    """Validate the input once and compile it into an :class:`Instance`.

    Parameters are those of :func:`kuseo_match.match` (``rematch``'s churn cost
    is a variant: :meth:`Instance.with_stay`).

    Examples
    --------
    >>> import kuseo_match as km
    >>> o, h = km.synthetic_province(officers=30, households=40, seed=1)
    >>> instance = prepare(o, h, km.Policy(max_distance_km=20))
    >>> outcome, _ = solve(instance)
    >>> wider, _ = solve(instance.with_policy(km.Policy(max_distance_km=40)))
    >>> len(wider.o) >= len(outcome.o)
    True
    """
    policy = as_policy(policy)
    if options is not None and not isinstance(options, SolveOptions):
        raise ValidationError(
            f"must be a kuseo_match.SolveOptions, not {type(options).__name__}", table="options"
        )
    options = options or SolveOptions()
    clock = time.perf_counter()
    problem = validated_problem(officers, households, policy, costs is None, progress)
    if policy.same_province:
        check_provinces(problem)
    rules = read_rules(problem, locked, forbidden)
    table = (
        None
        if costs is None
        else validate_costs(costs, problem.officer_keys, problem.household_keys)
    )
    model = cost_model(problem, policy, table, options, rules.forbidden)
    check_locked(problem, model, rules, policy)
    return Instance(
        problem=problem,
        policy=policy,
        options=options,
        rules=rules,
        model=model,
        table=table,
        terms=_terms(policy, problem),
        start=validate_start(start, problem.officer_keys),
        validation_seconds=time.perf_counter() - clock,
    )


def check_time_limit(time_limit: Any) -> None:
    """Refuse a ``time_limit`` that is not a number of seconds > 0 (or None).

    Examples
    --------
    >>> check_time_limit(5)
    >>> check_time_limit(0)
    Traceback (most recent call last):
    ...
    kuseo_match.errors.ValidationError: time_limit: value 0: must be a number of seconds > 0, \
or None
    """
    if time_limit is not None and (
        isinstance(time_limit, bool)
        or not isinstance(time_limit, int | float)
        or not math.isfinite(time_limit)
        or time_limit <= 0
    ):
        raise ValidationError(
            "must be a number of seconds > 0, or None", table="time_limit", value=time_limit
        )


def _terms(policy: Policy, problem: Problem) -> QuotaTerms | None:
    if not policy.quotas:
        return None
    from .fit import default_fit_table

    fit_table = policy.fit_table if policy.fit_table is not None else default_fit_table()
    return quota_terms(policy.quotas, problem.officers, problem.households, fit_table)


def solve(
    instance: Instance,
    *,
    time_limit: float | None = None,
    progress: Callable[[str], None] | None = None,
    executor: Any = None,
) -> tuple[Outcome, dict[str, Any]]:
    """Solve an instance: its outcome, and the statistics of the objective's search
    (the bottleneck's longest pair and probes; how the run was split in parts).

    Large runs are solved in parts (:mod:`kuseo_match.parts`), through ``executor``
    (None, a number of local processes, or a :class:`concurrent.futures.Executor`);
    the answer is the same as :func:`solve_whole`'s.

    Raises
    ------
    ValidationError
        A ``time_limit`` that is not a number of seconds > 0, a bad ``executor``.
    InfeasibleError
        Minimum loads or quotas no pairing can meet.
    """
    from . import parts  # parts builds on this module

    check_time_limit(time_limit)
    outcome, extra = parts.solve(
        instance, time_limit=time_limit, progress=progress, executor=executor
    )
    outcome.seconds["validation"] = instance.validation_seconds
    return outcome, extra


def solve_whole(
    instance: Instance,
    *,
    time_limit: float | None = None,
    progress: Callable[[str], None] | None = None,
) -> tuple[Outcome, dict[str, Any]]:
    """Solve an instance in one piece (every part of a run is solved so)."""
    check_time_limit(time_limit)
    run = _Run(instance, time_limit, progress, time.perf_counter())
    extra: dict[str, Any] = {}
    if instance.policy.objective == "bottleneck":
        outcome, extra = _bottleneck(run, instance.policy)
    else:
        outcome = run.solve(instance.policy)
    return outcome, extra


class _Run:
    """One problem, solved under a policy (or a bound on the pairs' values): locked pairs
    kept and the rest solved, minimum loads as lower bounds."""

    def __init__(
        self,
        instance: Instance,
        time_limit: float | None,
        progress: Callable[[str], None] | None,
        clock: float,
    ) -> None:
        self.problem, self.model, self.policy = instance.problem, instance.model, instance.policy
        self.table, self.options, self.rules = instance.table, instance.options, instance.rules
        self.time_limit, self.progress = time_limit, progress
        self.terms: QuotaTerms | None = instance.terms
        self.deadline = None if time_limit is None else clock + time_limit
        self.probes = 0
        self.start: np.ndarray | None = instance.start  # officers' start prices
        self._rest_model: Any = None  # the cost model without the locked households

    def _varies_distance_only(self, policy: Policy) -> bool:
        """Whether ``policy`` is this run's but for the objective and, on the
        built-in cost, the distance limit: the cost model can then be reused."""
        if policy is self.policy:
            return True
        if self.table is not None and policy.max_distance_km != self.policy.max_distance_km:
            return False
        same = policy.replace(
            objective=self.policy.objective, max_distance_km=self.policy.max_distance_km
        )
        return same == self.policy

    def solve(self, policy: Policy, limit: float | None = None) -> Outcome:
        """The answer under ``policy``; with ``limit``, only pairs of cost at most
        ``limit`` (a ``costs`` table) are allowed."""
        self.probes += 1
        problem, rules, table = self.problem, self.rules, self.table
        if table is not None and limit is not None:
            keep = table[2] <= limit
            table = (table[0][keep], table[1][keep], table[2][keep])
        k = policy.min_load
        lower = np.where(problem.capacity >= k, k, 0) if k else None
        kept = np.arange(problem.n_households)
        rest, forbidden = problem, rules.forbidden
        if rules.any_locked:  # keep the locked pairs, solve the rest
            rest, kept = without_locked(problem, rules)
            n_h = problem.n_households
            forbidden = remap(rules.forbidden, kept, n_h)
            if table is not None:
                o, h = remap((table[0], table[1]), kept, n_h)
                table = (o, h, table[2][np.isin(table[1], kept)])
            if lower is not None:  # locked pairs count towards the minimum
                lower = np.maximum(lower - np.bincount(rules.locked_o, minlength=len(lower)), 0)
        if limit is None and self._varies_distance_only(policy):
            if rest is problem:
                base = self.model
            else:  # the model of the rest, built once for every probe
                if self._rest_model is None:
                    self._rest_model = cost_model(
                        rest,
                        self.policy,
                        table,
                        self.options,
                        forbidden,
                        warn=False,
                        adjust=self.model.adjust.households(kept),
                    )
                base = self._rest_model
            same = policy.max_distance_km == self.policy.max_distance_km
            model = base if same else base.limited_to(policy.max_distance_km)
        else:
            model = cost_model(
                rest,
                policy,
                table,
                self.options,
                forbidden,
                warn=False,
                adjust=self.model.adjust.households(kept),
            )
        outcome = solve_certified(
            model,
            k=policy.candidate_k,
            options=self.options,
            time_limit=self.time_limit,
            progress=self.progress,
            min_load=lower,
            start=self.start,
        )
        if policy.needs_sat:
            outcome = self.refine(model, outcome, policy, kept, lower)
        return _with_locked(outcome, rules, kept) if rules.any_locked else outcome

    def refine(self, model, outcome: Outcome, policy: Policy, kept: np.ndarray, lower) -> Outcome:
        """Quotas and compact pairs on CP-SAT, from the flow's answer on the rest."""
        rules, terms = self.rules, self.terms
        if terms is not None and rules.any_locked:  # the locked pairs count already
            done = terms.counts(rules.locked_o, rules.locked_h)
            if (done > terms.hi).any():
                k = int(np.flatnonzero(done > terms.hi)[0])
                raise InfeasibleError(
                    f"the locked pairs alone break the quota {terms.quotas[k].label!r} "
                    f"({int(done[k])} pairs, at most {int(terms.hi[k])})"
                )
            terms = QuotaTerms(
                terms.quotas,
                terms.officers,
                terms.households[:, kept],
                np.maximum(terms.lo - done, 0),
                terms.hi - done,
            )
        anchors = None
        if rules.any_locked and policy.pair_distance_weight > 0:
            hh = self.problem.households
            anchors = (
                rules.locked_o,
                hh["lat"].to_numpy(float)[rules.locked_h],
                hh["lon"].to_numpy(float)[rules.locked_h],
            )
        return refine(
            model,
            outcome,
            pair_distance_weight=policy.pair_distance_weight,
            k=policy.candidate_k,
            terms=terms,
            lower=lower,
            anchors=anchors,
            options=self.options,
            deadline=self.deadline,
            progress=self.progress,
        )


#: The bottleneck search stops when the longest pair is known to within this (km, or
#: cost units with ``costs=``), relative to it.
BOTTLENECK_TOLERANCE = 1e-9


def _bottleneck(run: _Run, policy: Policy) -> tuple[Outcome, dict[str, Any]]:
    """The least longest pair among the pairings that pair the most households, then
    the least total cost among those: a search over thresholds on the pairs' distance
    (their cost with ``costs=``), each probe an exact solve.

    Each feasible probe's answer has its longest pair at most the threshold, so the
    upper end moves to an actual pair's value.  The thresholds are the allowed
    pairs' own values between the ends (:func:`_thresholds`), bisected until none
    is left; when they are too many to list, the real line is bisected until the
    ends meet within :data:`BOTTLENECK_TOLERANCE`.  The answer at the upper end is
    optimal for its own longest pair too: a tighter bound can only cost more.
    """
    listed = run.table is not None
    plain = policy.replace(objective="total")
    start = time.perf_counter()
    best = run.solve(plain)
    target = len(best.o)

    def longest(o: np.ndarray, h: np.ndarray) -> float:
        if len(o) == 0:
            return 0.0
        pc = run.model.costs(o, h)
        return float((pc.cost if listed else pc.distance_km).max())

    # no answer has its longest pair below lo (the locked pairs are in every one); the
    # best answer's longest pair is hi
    lo, hi = longest(run.rules.locked_o, run.rules.locked_h), longest(best.o, best.h)
    # the longest pair is one of the pairs' values: when they are few enough to list,
    # the search bisects them (each probe halves the values left), else the real line
    values = _thresholds(run, lo, hi) if best.certified else None

    def open_ends() -> bool:
        if values is not None:
            return len(values) > 0
        return hi - lo > BOTTLENECK_TOLERANCE * max(hi, 1.0)

    while best.certified and open_ends():
        mid = float(values[len(values) // 2]) if values is not None else (lo + hi) / 2
        if best.prices is not None:  # each probe starts from the last answer's prices
            run.start = best.prices
        try:
            bound = {"limit": mid} if listed else {}
            probe = run.solve(plain if listed else plain.replace(max_distance_km=mid), **bound)
        except InfeasibleError:  # minimum loads cannot be met this tight
            probe = None
        if probe is not None and len(probe.o) == target and probe.certified:
            best, hi = probe, longest(probe.o, probe.h)
            if values is not None:
                values = values[values < hi]
        else:
            lo = mid
            if values is not None:
                values = values[values > mid]
    best.seconds["total"] = time.perf_counter() - start  # every probe
    what = "bottleneck_cost" if listed else "bottleneck_km"
    return best, {what: hi, "threshold_probes": run.probes}


def _thresholds(run: _Run, lo: float, hi: float) -> np.ndarray | None:
    """The distinct values (distances, or costs with ``costs=``) of the allowed pairs
    in ``[lo, hi)``, sorted: the only thresholds at which the bottleneck search's
    answer can change.  None when the pairs within ``hi`` are more than
    ``options.pair_budget``: the search then bisects the real line."""
    if run.table is not None:
        cost = run.table[2]
        return np.unique(cost[(cost >= lo) & (cost < hi)])
    model = run.model
    everyone = np.arange(run.problem.n_households)
    if int(model.count_allowed_within(everyone, hi).sum()) > run.options.pair_budget:
        return None
    o, h = model.within(everyone, np.full(len(everyone), hi))
    d = model.distance_km(o, h)
    return np.unique(d[(d >= lo) & (d < hi)])


def _with_locked(outcome: Outcome, rules, kept: np.ndarray) -> Outcome:
    """An outcome of the problem without the locked pairs, as one of the full problem."""
    witness = outcome.witness
    sat = outcome.sat
    if sat is not None and "flow_h" in sat:
        sat = {**sat, "flow_h": kept[sat["flow_h"]]}
    if witness is not None:
        witness = Witness(kept[witness.households], witness.officers, witness.slots)
    return replace(
        outcome,
        o=np.concatenate([outcome.o, rules.locked_o]),
        h=np.concatenate([kept[outcome.h], rules.locked_h]),
        witness=witness,
        potentials=None,
        sat=sat,
    )
