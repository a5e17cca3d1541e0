"""``match``: officers and households in, a certified-optimal :class:`Result` out.

The flow of a run: validate the tables (:mod:`~kuseo_match.schema`) -> order
them canonically (:class:`~kuseo_match.candidates.Problem`) -> a cost model
(:mod:`~kuseo_match.candidates`) -> min-cost flow with its optimality
certificate (:mod:`~kuseo_match.solve`) -> :class:`~kuseo_match.result.Result`
with a reason for every unmatched household.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from .candidates import (
    GeoCostModel,
    PairCosts,
    Problem,
    TableCostModel,
)
from .instance import Instance, as_policy, check_time_limit, prepare, solve, validated_problem
from .policy import Policy
from .result import PAIR_COLUMNS, UNMATCHED_COLUMNS, Result, Shortfall
from .schema import validate_pairs
from .solve import Outcome, SolveOptions
from .solve.certificate import shortfall_groups
from .solve.refine import spread_km

__all__ = ["match", "pair_costs"]

log = logging.getLogger("kuseo_match")

#: ``status="optimal"`` needs the rounding bound ``stats["objective_tolerance"]`` to be
#: at most this share of the objective; above it the status is ``"approximate"``.
TOLERANCE_SHARE = 1e-6


def match(
    officers: pd.DataFrame,
    households: pd.DataFrame,
    policy: Policy | None = None,
    *,
    costs: pd.DataFrame | None = None,
    locked: pd.DataFrame | None = None,
    forbidden: pd.DataFrame | None = None,
    time_limit: float | None = None,
    progress: Callable[[str], None] | None = None,
    options: SolveOptions | None = None,
    start: pd.Series | pd.DataFrame | None = None,
) -> Result:
    """Pair officers with households: most households covered, then least total cost.

    Parameters
    ----------
    officers : pandas.DataFrame
        ``officer_id, agency, district, lat, lon`` and optional ``capacity``
        (see :mod:`kuseo_match.schema`).  Never modified.
    households : pandas.DataFrame
        ``household_id, kind, district, lat, lon`` and optional ``need_*``
        flags.  Never modified.
    policy : Policy, optional
        The knobs (default ``Policy()``: capacity 2, no distance limit).
    costs : pandas.DataFrame, optional
        ``officer_id, household_id, cost`` (cost >= 0).  When given, exactly
        these pairs are allowed at exactly these costs (for example road
        travel minutes), and ``lat``/``lon`` are not needed.
    locked : pandas.DataFrame, optional
        ``officer_id, household_id``: pairs that are in the answer, hard (pairs
        that already work).  A household locked twice, a pair also forbidden
        or an unknown id raises :class:`ValidationError`; a pair the policy
        does not allow, or more locked pairs than an officer's capacity,
        raises :class:`~kuseo_match.errors.InfeasibleError` naming the pair
        and the rule (see :mod:`kuseo_match.rules`).
    forbidden : pandas.DataFrame, optional
        ``officer_id, household_id``: pairs never used (conflicts of
        interest: a relative, the officer's own household).  The answer is
        proven optimal over every pair that is allowed.
    time_limit : float, optional
        Seconds after which the optimality proof stops; the pairing found
        so far is returned with ``status="feasible"``.
    progress : callable, optional
        Called with a short text as each validation stage starts and after
        each solver round.
    options : SolveOptions, optional
        Tuning knobs of the solve (threads, pool sizes, engine); the objective
        and status never depend on them (which of equally good pairings comes
        back may; see :class:`~kuseo_match.solve.options.SolveOptions`).
    start : pandas.Series or pandas.DataFrame, optional
        Officers' prices to start from, for example an earlier run's
        ``result.officer_load`` (``officer_id, price``) or a Series indexed by
        ``officer_id``: the pairs that are cheapest at those prices join the
        first round, so a similar problem is proven in fewer rounds (one, with
        the optimal prices).  Officers without a price start at 0; only speed
        depends on it.

    Returns
    -------
    Result
        ``pairs``, ``unmatched`` (with reasons), ``status`` (``"optimal"``
        when proven over every allowed pair; ``"feasible"`` when the time
        limit stopped the proof; ``"approximate"`` when proven only for the
        costs rounded to the solver's integer grid, see Notes),
        ``objective`` (equals ``pairs["cost"].sum()``), ``stats``, and the
        validated ``officers`` and ``households``.

    Notes
    -----
    Objective: the largest number of paired households, then the least sum
    of pair costs; exact for integer ``costs``, and within
    ``stats["objective_tolerance"]`` (each pair's cost rounded to
    ``1 / stats["cost_scale"]``; about 1e-12 relative at province size) for
    fractional ones.  When that bound exceeds :data:`TOLERANCE_SHARE` (1e-6)
    of the objective -- costs spanning many orders of magnitude, such as
    1e15 beside 1e-3 -- the status is ``"approximate"`` and a warning gives
    the bound; whole-number or rescaled costs avoid it.  The same input gives
    the same pairs; ties are broken
    by the canonical order of the ids (numeric ids numerically, others as
    text), never by row order.

    Examples
    --------
    >>> import pandas as pd
    >>> import kuseo_match as km
    >>> officers = pd.DataFrame({"officer_id": ["A", "B"],
    ...     "agency": ["public_health", "agriculture"], "district": ["TH4001", "TH4001"],
    ...     "lat": [16.44, 16.50], "lon": [102.83, 102.90], "capacity": [1, 2]})
    >>> households = pd.DataFrame({"household_id": [1, 2, 3],
    ...     "kind": ["welfare", "developable", "พัฒนาได้"], "district": "TH4001",
    ...     "lat": [16.45, 16.49, 16.51], "lon": [102.84, 102.89, 102.91]})
    >>> result = km.match(officers, households)
    >>> result.pairs[["household_id", "officer_id"]].to_dict("list")
    {'household_id': [1, 2, 3], 'officer_id': ['A', 'B', 'B']}
    >>> result.status, len(result.unmatched)
    ('optimal', 0)
    """
    return _match(
        officers,
        households,
        policy,
        costs=costs,
        locked=locked,
        forbidden=forbidden,
        time_limit=time_limit,
        progress=progress,
        options=options,
        start_prices=start,
    )


def _match(
    officers: Any,
    households: Any,
    policy: Any,
    *,
    costs: Any = None,
    locked: Any = None,
    forbidden: Any = None,
    time_limit: float | None = None,
    progress: Callable[[str], None] | None = None,
    options: SolveOptions | None = None,
    stay: pd.DataFrame | None = None,
    start_prices: Any = None,
) -> Result:
    """:func:`match`, and, for :func:`~kuseo_match.rematch`, ``stay``: pairs
    (``officer_id, household_id``) whose household pays ``policy.churn_cost`` when
    paired with any other officer."""
    check_time_limit(time_limit)  # before the tables: a bad setting is refused first
    instance = prepare(
        officers,
        households,
        policy,
        costs=costs,
        locked=locked,
        forbidden=forbidden,
        options=options,
        stay=stay,
        start=start_prices,
        progress=progress,
    )
    result = answer(instance, *solve(instance, time_limit=time_limit, progress=progress))
    # what Result.diagnosis needs to solve again
    inputs = {"costs": costs, "locked": locked, "forbidden": forbidden, "options": options}
    return replace(result, inputs=inputs)


def answer(instance: Instance, outcome: Outcome, extra: dict[str, Any] | None = None) -> Result:
    """The :class:`Result` of an instance's outcome."""
    return _result(instance.problem, instance.model, instance.policy, outcome, extra)


def _result(
    problem: Problem,
    model,
    policy: Policy,
    outcome: Outcome,
    extra: dict[str, Any] | None = None,
) -> Result:
    o, h = outcome.o, outcome.h
    order = np.argsort(h, kind="stable")
    o, h = o[order], h[order]
    pc = model.costs(o, h)
    added = model.adjust.of(o, h)  # rematch's churn cost: not a cost of the pair
    offs, hhs = problem.officers, problem.households
    pairs = pd.DataFrame(
        {
            "officer_id": offs["officer_id"].to_numpy()[o],
            "household_id": hhs["household_id"].to_numpy()[h],
            "cost": pc.cost - added,
            "distance_km": pc.distance_km,
            "fit": pc.fit,
            "kind_affinity": pc.kind_affinity,
            "agency": offs["agency"].to_numpy()[o],
            "officer_district": offs["district"].to_numpy()[o],
            "kind": hhs["kind"].to_numpy()[h],
            "household_district": hhs["district"].to_numpy()[h],
        },
        columns=list(PAIR_COLUMNS),
    )
    matched = np.zeros(problem.n_households, dtype=bool)
    matched[h] = True
    lost = np.flatnonzero(~matched)
    sat = outcome.sat or {}
    certified = sat.get("flow_certified", outcome.certified)
    unmatched = pd.DataFrame(
        {
            "household_id": hhs["household_id"].to_numpy()[lost],
            "kind": hhs["kind"].to_numpy()[lost],
            "household_district": hhs["district"].to_numpy()[lost],
            "reason": _reasons(problem, model, policy, lost, o, certified, outcome.witness),
        },
        columns=list(UNMATCHED_COLUMNS),
    )
    load = np.bincount(o, minlength=problem.n_officers)
    officer_load = pd.DataFrame(
        {
            "officer_id": offs["officer_id"].to_numpy(),
            "agency": offs["agency"].to_numpy(),
            "district": offs["district"].to_numpy(),
            "capacity": problem.capacity,
            "load": load,
            "price": outcome.prices,
        }
    )
    shortfall = None
    if outcome.witness is not None:
        w = outcome.witness
        shortfall = Shortfall(
            households=pd.Index(hhs["household_id"].to_numpy()[w.households], name="household_id"),
            officers=pd.Index(offs["officer_id"].to_numpy()[w.officers], name="officer_id"),
            slots=w.slots,
        )
    if "flow_h" in sat and len(lost):  # paired by the flow, left out for the quotas
        quota = np.isin(lost, sat["flow_h"])
        if quota.any():
            names = "; ".join(q.label for q in policy.quotas)
            unmatched.loc[quota, "reason"] = f"left unpaired so that the quotas hold ({names})"
    n_pairs = len(pairs)
    objective = float(pairs["cost"].sum())
    spread = None
    if {"lat", "lon"} <= set(hhs.columns) and n_pairs:
        spread = float(
            spread_km(o, hhs["lat"].to_numpy(float)[h], hhs["lon"].to_numpy(float)[h]).sum()
        )
    if policy.pair_distance_weight > 0 and spread is not None:
        objective += policy.pair_distance_weight * spread
    objective += float(added.sum())
    exact = outcome.scale == 1.0 and _integral(pc)
    tolerance = 0.0 if exact else n_pairs / outcome.scale
    tolerance = sat.get("objective_tolerance", tolerance)  # CP-SAT's own rounding
    stats = {
        "engine": _engine_name(policy, outcome),
        "candidate_pairs": outcome.candidate_pairs,
        "rounds": outcome.rounds,
        "repaired_rounds": outcome.repaired,
        "pricing_passes": outcome.passes,
        "seconds": sum(outcome.seconds.get(k, 0.0) for k in ("total", "validation")),
        "seconds_by_stage": dict(outcome.seconds),
        "cost_scale": outcome.scale,
        "objective_tolerance": tolerance,
        **(extra or {}),
    }
    if spread is not None:
        stats["pair_distance_km"] = spread
    if model.adjust.stay is not None:
        stats["churn_cost_total"] = float(added.sum())
    stats.update({k: v for k, v in sat.items() if k not in ("flow_h", "flow_certified")})
    status = "optimal" if outcome.certified else "feasible"
    if status == "optimal" and objective > 0 and tolerance > TOLERANCE_SHARE * objective:
        status = "approximate"
        log.warning(
            "the costs span too wide a range for exact integer arithmetic (cost scale %.3g): "
            "the pairing is optimal for costs rounded to 1/%.3g and its objective %.6g is "
            "within %.3g of the optimum; give whole-number costs, or rescale them so that "
            "the largest is not millions of times the smallest that matters",
            outcome.scale,
            outcome.scale,
            objective,
            tolerance,
        )
    return Result(
        pairs=pairs,
        unmatched=unmatched,
        status=status,
        objective=objective,
        stats=stats,
        policy=policy,
        unknown_agencies=tuple(model.unknown_agencies),
        officer_load=officer_load,
        officers=offs,
        households=hhs,
        shortfall=shortfall,
        gap=outcome.gap,
    )


def _engine_name(policy: Policy, outcome: Outcome) -> str:
    """Which engine ran, and why: ``"flow"``, ``"flow with lower bounds"`` (min_load),
    ``"threshold flows"`` (the bottleneck objective)."""
    name = "threshold flows" if policy.objective == "bottleneck" else "flow"
    if policy.min_load:
        name += " with lower bounds"
    if outcome.engine.startswith("walk on "):
        return (
            f"quota prices and a walk between two priced {name}s "
            f"({outcome.engine[len('walk on ') :]})"
        )
    if outcome.engine.startswith("cp-sat on "):
        terms = [
            t
            for t, on in (
                ("quotas", policy.quotas),
                ("compact pairs", policy.pair_distance_weight > 0),
            )
            if on
        ]
        return (
            f"CP-SAT ({', '.join(terms)}) from the {name} ({outcome.engine[len('cp-sat on ') :]})"
        )
    if policy.quotas:
        return f"{name} ({outcome.engine}); its optimum meets the quotas"
    return f"{name} ({outcome.engine})"


def _integral(pc: PairCosts) -> bool:
    return bool(np.all(pc.cost == np.rint(pc.cost)))


def _reasons(
    problem: Problem,
    model,
    policy: Policy,
    lost: np.ndarray,
    paired_o,
    certified: bool = True,
    witness=None,
) -> list[str]:
    """A reason a person can act on, for each unmatched household: why none of its
    officers is free, and the group of households that no pairing can all cover
    (:func:`~kuseo_match.solve.certificate.shortfall_groups` of the witness, as
    :func:`kuseo_match.diagnose` reports them)."""
    if len(lost) == 0:
        return []
    if not certified:
        free = int((np.bincount(paired_o, minlength=problem.n_officers) < problem.capacity).sum())
        return [
            f"not paired when the time limit stopped the search ({free:,} officers still had "
            "free slots); run again with a longer time limit"
        ] * len(lost)
    hhs, offs = problem.households, problem.officers
    cap = problem.capacity
    if problem.n_officers == 0:
        base = np.full(len(lost), "there are no officers", dtype=object)
    elif cap.sum() == 0:
        base = np.full(len(lost), "no officer has capacity (every capacity is 0)", dtype=object)
    elif isinstance(model, TableCostModel):
        listed = np.bincount(model.h[cap[model.o] > 0], minlength=problem.n_households)[lost]
        base = np.where(
            listed == 0,
            "no officer with capacity is listed for this household in costs",
            [f"the {n} officer(s) listed for it in costs are all full" for n in listed],
        ).astype(object)
    elif policy.max_distance_km is not None:
        n = model.count_allowed_within(lost, policy.max_distance_km)
        where = f"within {policy.max_distance_km:g} km"
        if policy.same_district:
            where += " in its district (same_district)"
        base = np.array(
            [
                f"no officer {where}" if k == 0 else f"the {k} officer(s) {where} are all full"
                for k in n
            ],
            dtype=object,
        )
    elif policy.same_district:
        active = cap > 0
        per_district = pd.Series(active, index=offs["district"].to_numpy()).groupby(level=0).sum()
        n = pd.Series(hhs["district"].to_numpy()[lost]).map(per_district).fillna(0).astype(int)
        base = np.array(
            [
                "no officer with capacity in its district (same_district)"
                if k == 0
                else f"the {k} officer(s) of its district are all full (same_district)"
                for k in n
            ],
            dtype=object,
        )
    else:
        total = int(cap.sum())
        base = np.full(
            len(lost),
            f"all {total:,} officer slots are taken ({problem.n_households:,} households, "
            f"{problem.n_officers:,} officers)",
            dtype=object,
        )
    group = np.full(problem.n_households, "", dtype=object)
    if witness is not None:
        for gh, go in shortfall_groups(model, witness.households, witness.officers):
            slots = int(cap[go].sum())
            if len(gh) > slots and len(go):
                group[gh] = (
                    f"; one of {len(gh):,} households that {len(go):,} officer(s) with "
                    f"{slots:,} slots can reach, {len(gh) - slots:,} more than any pairing covers"
                )
    return [f"{b}{g}" for b, g in zip(base, group[lost], strict=True)]


def pair_costs(
    officers: pd.DataFrame,
    households: pd.DataFrame,
    pairs: pd.DataFrame,
    policy: Policy | None = None,
) -> pd.DataFrame:
    """The cost ``match`` uses for any given pairs (not only chosen ones).

    Parameters
    ----------
    pairs : pandas.DataFrame
        ``officer_id, household_id``.

    Returns
    -------
    pandas.DataFrame
        ``officer_id, household_id, cost, distance_km, fit, kind_affinity,
        allowed``; ``cost`` is ``inf`` where the policy does not allow the
        pair (beyond ``max_distance_km``, or the officer's capacity is 0).

    Examples
    --------
    >>> import pandas as pd
    >>> import kuseo_match as km
    >>> o = pd.DataFrame({"officer_id": ["A"], "agency": ["police"], "district": ["TH4001"],
    ...                   "lat": [16.44], "lon": [102.83]})
    >>> h = pd.DataFrame({"household_id": ["H"], "kind": ["welfare"], "district": ["TH4002"],
    ...                   "lat": [16.44], "lon": [102.83]})
    >>> km.pair_costs(o, h, pd.DataFrame({"officer_id": ["A"], "household_id": ["H"]}))[
    ...     ["cost", "distance_km", "fit", "allowed"]].to_dict("records")
    [{'cost': 10.0, 'distance_km': 0.0, 'fit': 0.5, 'allowed': True}]
    """
    policy = as_policy(policy)
    problem = validated_problem(officers, households, policy, need_coordinates=True)
    oi, hi, _ = validate_pairs(pairs, problem.officer_keys, problem.household_keys)
    pc = GeoCostModel(problem, policy).costs(oi, hi)
    return pd.DataFrame(
        {
            "officer_id": pairs["officer_id"].to_numpy(),
            "household_id": pairs["household_id"].to_numpy(),
            "cost": np.where(pc.allowed, pc.cost, np.inf),
            "distance_km": pc.distance_km,
            "fit": pc.fit,
            "kind_affinity": pc.kind_affinity,
            "allowed": pc.allowed,
        }
    )
