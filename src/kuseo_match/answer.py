"""An instance's outcome as a :class:`~kuseo_match.result.Result`: the pairs with
their costs, the unmatched households with a reason each, the officers' loads and
prices, the status and the statistics."""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pandas as pd

from .candidates import PairCosts, Problem, TableCostModel
from .instance import Instance
from .policy import Policy
from .result import PAIR_COLUMNS, UNMATCHED_COLUMNS, Result, Shortfall
from .solve import Outcome
from .solve.certificate import shortfall_groups
from .solve.refine import spread_km

__all__ = ["TOLERANCE_FLOOR", "TOLERANCE_SHARE", "answer"]

log = logging.getLogger("kuseo_match")


def answer(instance: Instance, outcome: Outcome, extra: dict[str, Any] | None = None) -> Result:
    """The :class:`Result` of an instance's outcome.

    Examples
    --------
    >>> import kuseo_match as km
    >>> from kuseo_match.instance import prepare, solve
    >>> o, h = km.synthetic_province(officers=10, households=15, seed=1)
    >>> instance = prepare(o, h)
    >>> answer(instance, *solve(instance)).status
    'optimal'
    """
    return _result(instance.problem, instance.model, instance.policy, outcome, extra)


#: ``status="optimal"`` needs the rounding bound ``stats["objective_tolerance"]`` to be
#: at most this share of the objective, or at most :data:`TOLERANCE_FLOOR`; above both
#: the status is ``"approximate"``.
TOLERANCE_SHARE = 1e-6
#: A rounding bound this small (cost units: km-equivalents for the built-in cost) is
#: no loss, however small the objective (costs of 1e-38 beside none larger).
TOLERANCE_FLOOR = 1e-9


def _result(
    problem: Problem,
    model,
    policy: Policy,
    outcome: Outcome,
    extra: dict[str, Any] | None = None,
) -> Result:
    extra = dict(extra or {})
    parts = extra.pop("parts_table", None)  # Result.parts, not a statistic
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
    reason, reason_code = _reasons(problem, model, policy, lost, o, certified, outcome.witness)
    unmatched = pd.DataFrame(
        {
            "household_id": hhs["household_id"].to_numpy()[lost],
            "kind": hhs["kind"].to_numpy()[lost],
            "household_district": hhs["district"].to_numpy()[lost],
            "reason": reason,
            "reason_code": reason_code,
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
            unmatched.loc[quota, "reason_code"] = "quota"
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
        **extra,
    }
    if spread is not None:
        stats["pair_distance_km"] = spread
    if model.adjust.stay is not None:
        stats["churn_cost_total"] = float(added.sum())
    stats.update({k: v for k, v in sat.items() if k not in ("flow_h", "flow_certified")})
    status = "optimal" if outcome.certified else "feasible"
    loose = tolerance > max(TOLERANCE_SHARE * objective, TOLERANCE_FLOOR)
    if status == "optimal" and objective > 0 and loose:
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
        parts=parts,
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
) -> tuple[list[str], list[str]]:
    """A reason a person can act on, for each unmatched household: why none of its
    officers is free, and the group of households that no pairing can all cover
    (:func:`~kuseo_match.solve.certificate.shortfall_groups` of the witness, as
    :func:`kuseo_match.diagnose` reports them); and the kind of each reason, a code of
    :data:`kuseo_match.labels.REASONS`."""
    if len(lost) == 0:
        return [], []
    if not certified:
        free = int((np.bincount(paired_o, minlength=problem.n_officers) < problem.capacity).sum())
        return [
            f"not paired when the time limit stopped the search ({free:,} officers still had "
            "free slots); run again with a longer time limit"
        ] * len(lost), ["time_limit"] * len(lost)
    hhs, offs = problem.households, problem.officers
    cap = problem.capacity
    if problem.n_officers == 0:
        base = np.full(len(lost), "there are no officers", dtype=object)
        code = np.full(len(lost), "no_officers", dtype=object)
    elif cap.sum() == 0:
        base = np.full(len(lost), "no officer has capacity (every capacity is 0)", dtype=object)
        code = np.full(len(lost), "no_capacity", dtype=object)
    elif isinstance(model, TableCostModel):
        listed = np.bincount(model.h[cap[model.o] > 0], minlength=problem.n_households)[lost]
        base = np.where(
            listed == 0,
            "no officer with capacity is listed for this household in costs",
            [f"the {n} officer(s) listed for it in costs are all full" for n in listed],
        ).astype(object)
        code = np.where(listed == 0, "not_in_costs", "costs_officers_full").astype(object)
    elif policy.max_distance_km is not None:
        n = model.count_allowed_within(lost, policy.max_distance_km)
        where = f"within {policy.max_distance_km:g} km"
        if policy.same_district:
            where += " in its district (same_district)"
        elif policy.same_province:
            where += " in its province (same_province)"
        base = np.array(
            [
                f"no officer {where}" if k == 0 else f"the {k} officer(s) {where} are all full"
                for k in n
            ],
            dtype=object,
        )
        code = np.where(n == 0, "no_officer_within_reach", "officers_full").astype(object)
    elif policy.same_district or policy.same_province:
        if policy.same_district:
            rule, area = "same_district", "district"
            o_area, h_area = offs["district"].to_numpy(), hhs["district"].to_numpy()
        else:
            rule, area = "same_province", "province"
            o_area, h_area = problem.provinces
        per_area = pd.Series(cap > 0, index=o_area).groupby(level=0).sum()
        n = pd.Series(h_area[lost]).map(per_area).fillna(0).astype(int)
        base = np.array(
            [
                f"no officer with capacity in its {area} ({rule})"
                if k == 0
                else f"the {k} officer(s) of its {area} are all full ({rule})"
                for k in n
            ],
            dtype=object,
        )
        code = np.where(n == 0, f"no_officer_in_{area}", f"{area}_officers_full").astype(object)
    else:
        total = int(cap.sum())
        base = np.full(
            len(lost),
            f"all {total:,} officer slots are taken ({problem.n_households:,} households, "
            f"{problem.n_officers:,} officers)",
            dtype=object,
        )
        code = np.full(len(lost), "all_slots_taken", dtype=object)
    group = np.full(problem.n_households, "", dtype=object)
    if witness is not None:
        for gh, go in shortfall_groups(model, witness.households, witness.officers):
            slots = int(cap[go].sum())
            if len(gh) > slots and len(go):
                group[gh] = (
                    f"; one of {len(gh):,} households that {len(go):,} officer(s) with "
                    f"{slots:,} slots can reach, {len(gh) - slots:,} more than any pairing covers"
                )
    return [f"{b}{g}" for b, g in zip(base, group[lost], strict=True)], code.tolist()
