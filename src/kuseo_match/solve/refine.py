"""Quotas and compact pairs: CP-SAT on the flow's candidates, bounded by flows' prices.

A policy with quotas or ``pair_distance_weight`` is first solved as a flow
without those terms (:func:`~kuseo_match.solve.certified.solve`): its answer
covers the most households ``N`` at the least cost ``C``, proven over every
allowed pair, with node potentials ``d``.  Then:

* if there are only quotas and the flow's answer meets them, it is the
  optimum (quotas only remove answers);
* for quotas it breaks, a price on each such quota's pairs is searched
  (:func:`_lagrangian`, each probe an exact certified flow with the priced
  costs): any pairing of ``N`` households that meets the quotas costs at
  least the priced flow's cost less ``price x bound`` (Lagrangian
  relaxation), a bound ``B`` over every allowed pair, and a probe that meets
  the quotas is the start;
* with compact pairs and at most two households an officer, the start is
  improved by exact flows around one household of each officer
  (:func:`_polish`);
* CP-SAT (:mod:`~kuseo_match.solve.sat`) then solves on a candidate table:
  each household's ``sat_k`` allowed pairs of least reduced cost
  ``r(o, h) = c(o, h) + d(h) - d(o)`` under the (priced) flow's potentials,
  the ties, and the starting pairs; it stops as soon as its answer is within
  rounding of ``B`` (then proven).

**Why pairs outside the candidates are covered by a bound.**  For any
pairing ``x`` of ``N`` households, ``cost(x) >= B + sum of r over its pairs
that the flow did not choose`` (the potentials are feasible for every allowed
pair, and ``x`` minus the flow's answer is a circulation).  The pairs left
out with ``r`` below the answer's excess over ``B`` are found in balls, as the
flow's certificate does (:func:`_left_out`); none, or ``R`` the least of
them, bounds every pairing that uses a pair left out.  Hence, over *every*
allowed pairing of ``N`` households::

    lower bound = max(B, min(CP-SAT's bound on the candidates, B + R))

The answer is ``"optimal"`` when its objective reaches that bound (to the
rounding of the integer costs), and ``result.gap`` is measured against it,
so it is a gap to the true optimum, not only to the candidates' one.  With
compact pairs ``B = C`` (the term is never negative), which is weak.  When
quotas force fewer than ``N`` households, the bound holds on the candidates
only, and ``stats["proven_over"]`` says so.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np

from ..candidates import in_pairs, pair_keys
from ..errors import InfeasibleError, ValidationError
from ..geo import haversine_km
from .certificate import int_costs, priced_out
from .certified import Outcome
from .engine import engine as make_engine
from .model import CostModel
from .options import SolveOptions
from .sat import SatAnswer, SatProblem, solve_sat
from .walk import breakpoint, walk

__all__ = ["refine", "same_officer_pairs", "spread_km"]

#: CP-SAT's integer costs: the largest pair cost times the scale stays below this.
_SAT_INT = 2**26


def same_officer_pairs(o: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every two positions ``a < b`` with ``o[a] == o[b]``.

    Examples
    --------
    >>> a, b = same_officer_pairs(np.array([3, 1, 3, 3]))
    >>> list(zip(a.tolist(), b.tolist()))
    [(0, 2), (0, 3), (2, 3)]
    """
    o = np.asarray(o)
    order = np.argsort(o, kind="stable")
    so = o[order]
    starts = np.flatnonzero(np.r_[True, so[1:] != so[:-1]]) if len(o) else np.zeros(0, int)
    sizes = np.diff(np.r_[starts, len(o)])
    a_parts, b_parts = [], []
    for size in np.unique(sizes[sizes > 1]):
        i, j = np.triu_indices(int(size), 1)
        first = starts[sizes == size]
        a_parts.append(order[(first[:, None] + i[None, :]).ravel()])
        b_parts.append(order[(first[:, None] + j[None, :]).ravel()])
    if not a_parts:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    a, b = np.concatenate(a_parts), np.concatenate(b_parts)
    a, b = np.minimum(a, b), np.maximum(a, b)
    key = np.lexsort((b, a))
    return a[key], b[key]


def spread_km(o: np.ndarray, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Per pair of an officer's households, km between them (for pairs ``o``,
    with the households' positions ``lat``, ``lon``); in
    :func:`same_officer_pairs` order."""
    a, b = same_officer_pairs(o)
    return haversine_km(lat[a], lon[a], lat[b], lon[b])


def _positions(model: CostModel) -> tuple[np.ndarray, np.ndarray]:
    geo = model.geo
    if geo is None:
        raise ValidationError(
            "compact pairs (pair_distance_weight > 0) need the households' lat and lon",
            table="households",
        )
    return geo.h_lat, geo.h_lon


def _candidates(
    model, outcome: Outcome, k: int, terms=None
) -> tuple[np.ndarray, np.ndarray, float]:
    """The CP-SAT candidates: each household's ``k`` allowed pairs of least reduced
    cost among its nearest officers, with the flow's pairs, and, for each quota
    with a minimum, each of its households' ``k`` nearest officers of the quota
    and each of its officers' ``2 k`` nearest households of the quota.  Also
    returns the largest reduced cost among the chosen pool pairs (cost units),
    ``inf`` when the candidates hold every allowed pair."""
    p = model.problem
    n_h, n_o = p.n_households, p.n_officers
    d, scale = outcome.potentials, outcome.scale
    if model.lists_every_pair:
        o, h = model.all_pairs()
        return o, h, np.inf
    pool, _ = model.nearest(4 * k)
    kk = pool.shape[1]
    if kk == 0 or n_h == 0:
        return outcome.o, outcome.h, 0.0
    po = pool.ravel()
    ph = np.repeat(np.arange(n_h), kk)
    pc, bc = int_costs(model, po, ph, scale)
    # reduced costs; with no potentials (a stopped proof), the cheapest pairs
    value = pc.cost if d is None else (bc + d[:n_h][ph] - d[n_h : n_h + n_o][po]) / scale
    reduced = np.where(pc.allowed, value, np.inf).reshape(n_h, kk)
    take = min(k, kk)
    part = (
        np.argpartition(reduced, take - 1, axis=1)[:, :take]
        if take < kk
        else np.tile(np.arange(kk), (n_h, 1))
    )
    rows = np.repeat(np.arange(n_h), part.shape[1])
    chosen = reduced[rows, part.ravel()]
    keep = np.isfinite(chosen)
    every = take == kk and kk == int((p.capacity > 0).sum())
    top = np.inf if every else float(chosen[keep].max(initial=0.0))
    o = [pool[rows, part.ravel()][keep], outcome.o]
    h = [rows[keep], outcome.h]
    for i in range(0 if terms is None else len(terms.quotas)):
        if terms.lo[i] > 0:  # from both sides, so that tight minimums stay reachable
            qo_ = np.flatnonzero(terms.officers[i] & (p.capacity > 0))
            qh_ = np.flatnonzero(terms.households[i])
            for qo, qh in (model.nearest_among(qo_, qh_, k), model.nearest_of(qo_, qh_, 2 * k)):
                ok = model.costs(qo, qh).allowed
                o.append(qo[ok])
                h.append(qh[ok])
    key = np.unique(np.concatenate(h).astype(np.int64) * max(n_o, 1) + np.concatenate(o))
    return key % max(n_o, 1), key // max(n_o, 1), top


def _left_out(model, outcome: Outcome, o: np.ndarray, h: np.ndarray, limit: float, options):
    """Allowed pairs outside the candidates ``(o, h)`` whose reduced cost is below
    ``limit`` (cost units), found in balls as the flow's certificate does, and
    their reduced costs; none proves that every pair left out has one of at
    least ``limit``."""
    p = model.problem
    n_h, n_o = p.n_households, p.n_officers
    d, scale = outcome.potentials, outcome.scale
    assert d is not None  # called for certified outcomes only
    d_h, d_o = d[:n_h], d[n_h : n_h + n_o]
    shift = np.int64(np.ceil(limit * scale))
    bo, bh, bc, _ = priced_out(
        model, scale, np.zeros(n_h), d_h - shift, d_o, max(n_o, 1), np.arange(n_h), options
    )
    outside = ~in_pairs(pair_keys((o, h), n_o), bo, bh, n_o)
    return bo[outside], bh[outside], (bc[outside] + d_h[bh[outside]] - d_o[bo[outside]]) / scale


def _polish(
    problem: SatProblem, lat, lon, weight: float, s: float, chosen: np.ndarray, engine, rounds: int
) -> np.ndarray:
    """A better start for compact pairs when no officer takes more than two households:
    fix one household of each officer (its *anchor*) and pair the others again by an
    exact flow on the candidates, each costing its pair cost plus ``weight`` x its km
    to the officer's anchor -- which, with at most two households an officer, is the
    whole objective -- then the other household as anchor, while the objective falls.
    Each step keeps as many pairs (the current ones are a solution of it), so the
    objective never rises."""
    from .network import Matching

    o, h = problem.o, problem.h
    n_o = len(problem.capacity)
    n_h = int(h.max()) + 1 if len(h) else 0
    matching = Matching(n_officers=n_o, n_households=n_h)
    best = chosen.copy()
    value = problem.cost_of(best)
    stale = 0
    for step in range(rounds):
        pick = np.flatnonzero(best)
        po, ph = o[pick], h[pick]
        order = np.lexsort((ph if step % 2 == 0 else -ph, po))
        first = np.r_[True, po[order][1:] != po[order][:-1]] if len(order) else np.zeros(0, bool)
        anchor_pair = pick[order][first]  # one chosen pair per officer
        anchor_h = np.full(n_o, -1, np.int64)
        anchor_h[o[anchor_pair]] = h[anchor_pair]
        fixed = np.zeros(n_h, bool)
        fixed[h[anchor_pair]] = True
        free = ~fixed[h]  # pairs of the households that move
        fo, fh = o[free], h[free]
        partner = anchor_h[fo]
        km = np.where(
            partner >= 0,
            haversine_km(
                lat[fh], lon[fh], lat[np.maximum(partner, 0)], lon[np.maximum(partner, 0)]
            ),
            0.0,
        )
        cost = problem.cost[free] + np.rint(weight * km * s).astype(np.int64)
        room = problem.capacity - (anchor_h >= 0)
        lower = np.maximum(problem.lower - (anchor_h >= 0), 0)
        network = matching.network(room, fo, fh, cost, min_load=lower if lower.any() else None)
        try:
            flow = engine.solve(network, maximize=True).flow
        except Exception:  # pragma: no cover - the current pairs are a solution
            break
        used = matching.used(flow, len(fo))
        if int(used.sum()) != int(free[best].sum()):
            break
        trial = np.zeros(len(o), bool)
        trial[anchor_pair] = True
        trial[np.flatnonzero(free)[used]] = True
        trial_value = problem.cost_of(trial)
        if trial_value >= value:
            stale += 1
            if stale == 2:  # neither household of any officer moves the other
                break
            continue
        best, value, stale = trial, trial_value, 0
    return best


def _lagrangian(
    model: CostModel, outcome: Outcome, terms, *, k: int, lower, options, deadline, progress
):
    """Prices on the pairs of the quotas the flow breaks, each found by a search over
    one price at a time, every probe an exact flow with the priced costs.

    Any pairing of as many households that meets the quotas costs at least the
    priced flow's cost less ``sum(price * bound)`` (its bound ``lo`` for a bonus,
    ``hi`` for a charge): the quota terms it adds are never positive.  Returns the
    best such bound, the priced model and flow that give it, and the cheapest
    probe's pairs that meet every quota (None if none did), with their cost.
    """
    from ..candidates import Adjust
    from .certified import solve as solve_certified

    n_q = len(terms.quotas)
    base = model.adjust
    prices = np.zeros(n_q)
    # at no price, the flow's own answer (it breaks a quota: that is why we are here)
    best: list[Any] = [float(model.costs(outcome.o, outcome.h).cost.sum()), model, outcome]
    feasible: list[Any] = [None, np.inf]
    seen: dict[tuple, Any] = {(0.0,) * n_q: terms.counts(outcome.o, outcome.h)}
    # each probe's pairs and their cost without the prices, for the walk (walk.py)
    flows: dict[tuple, tuple[float, np.ndarray, tuple[np.ndarray, np.ndarray]]] = {
        (0.0,) * n_q: (best[0], seen[(0.0,) * n_q], (outcome.o, outcome.h))
    }

    def probe(values: np.ndarray):
        key = tuple(values.tolist())
        if key not in seen:  # each pass starts where the last search ended
            seen[key] = solve_at(values)
        return seen[key]

    def solve_at(values: np.ndarray):
        groups = base.groups + tuple(
            (terms.officers[i], terms.households[i], float(values[i]))
            for i in range(n_q)
            if values[i]
        )
        priced = model.with_adjust(Adjust(base.stay, base.stay_cost, groups))
        left = None if deadline is None else max(deadline - time.perf_counter(), 0.01)
        out = solve_certified(priced, k=k, options=options, time_limit=left, min_load=lower)
        if not out.certified or len(out.o) != len(outcome.o):
            return None
        bounds = np.where(values < 0, terms.lo, terms.hi)
        value = float(priced.costs(out.o, out.h).cost.sum()) - float(values @ bounds)
        if value > best[0]:
            best[:] = [value, priced, out]
        counts = terms.counts(out.o, out.h)
        flows[tuple(values.tolist())] = (
            float(model.costs(out.o, out.h).cost.sum()),
            counts,
            (out.o, out.h),
        )
        if not terms.broken(out.o, out.h).any():
            cost = float(model.costs(out.o, out.h).cost.sum())
            if cost < feasible[1]:
                feasible[:] = [(out.o, out.h), cost]
        return counts

    top = 2.0 * float(model.max_cost_bound())
    for _ in range(2):  # a second pass: the prices of the others moved
        for i in range(n_q):
            counts = probe(prices)
            if counts is None:
                return best[0], best[1], best[2], feasible[0], feasible[1]
            if terms.lo[i] <= counts[i] <= terms.hi[i] and prices[i] == 0:
                continue
            sign = -1.0 if counts[i] < terms.lo[i] else 1.0
            lo_i, hi_i = int(terms.lo[i]), int(terms.hi[i])

            def short(c: int, sign: float = sign, lo_i: int = lo_i, hi_i: int = hi_i) -> bool:
                return c < lo_i if sign < 0 else c > hi_i

            # grow the price until the quota holds, then halve the interval
            inside, outside, step = 0.0, None, 1.0
            while step <= top:
                prices[i] = sign * step
                counts = probe(prices)
                if counts is None:
                    break
                if not short(counts[i]):
                    outside = step
                    break
                inside, step = step, step * 2
            if outside is None:
                prices[i] = sign * inside
                continue
            for _ in range(8):
                if deadline is not None and time.perf_counter() > deadline:
                    break
                mid = (inside + outside) / 2
                prices[i] = sign * mid
                counts = probe(prices)
                if counts is None:
                    break
                if short(counts[i]):
                    inside = mid
                else:
                    outside = mid
            prices[i] = sign * outside
        if progress:
            progress(
                f"quota prices: bound {best[0]:,.2f}, best pairing meeting them {feasible[1]:,.2f}"
            )
        if feasible[1] - best[0] <= 1e-9 * max(abs(feasible[1]), 1.0):
            break
    return best[0], best[1], best[2], feasible[0], feasible[1], (probe, flows)


def _walked(model, outcome: Outcome, terms, probe, flows, options) -> tuple | None:
    """For one broken quota: the pairing that meets it with equality at the breakpoint
    of its price, and the Lagrangian bound there (:mod:`~kuseo_match.solve.walk`);
    None when the walk does not get there."""
    broken = np.flatnonzero(terms.broken(outcome.o, outcome.h))
    if len(broken) != 1:
        return None
    i = int(broken[0])
    n_q = len(terms.quotas)
    at_least = terms.counts(outcome.o, outcome.h)[i] < terms.lo[i]
    sign = -1.0 if at_least else 1.0
    bound = int(terms.lo[i] if at_least else terms.hi[i])

    def meets(count: int) -> bool:
        return count >= bound if at_least else count <= bound

    def priced(values: np.ndarray):
        if probe(values) is None:
            return None
        cost, counts, pairs = flows[tuple(values.tolist())]
        return cost, int(counts[i]), pairs

    def at(price: float):
        values = np.zeros(n_q)
        values[i] = sign * price
        return priced(values)

    sides = [
        (cost, int(counts[i]), pairs)
        for key, (cost, counts, pairs) in flows.items()
        if all(v == 0 for j, v in enumerate(key) if j != i)
    ]
    short = [x for x in sides if not meets(x[1])]
    met = [x for x in sides if meets(x[1])]
    if not short or not met:
        return None
    # the closest on either side: most of the quota short, least over
    short_one = max(short, key=lambda x: sign * -x[1])
    met_one = min(met, key=lambda x: sign * -x[1])
    tolerance = 2 * len(outcome.o) / outcome.scale
    found = breakpoint(short_one, met_one, at, sign, meets, tolerance)
    if found is None:
        return None
    price, (cs, ns, start), (_, _, end) = found
    counted = lambda o, h: terms.officers[i][o] & terms.households[i][h]  # noqa: E731
    pairs = walk(start, end, counted, bound - ns)
    if pairs is None or terms.broken(*pairs).any():
        return None
    lagrangian = cs + sign * price * ns - sign * price * bound
    return pairs, lagrangian, price


def refine(
    model: CostModel,
    outcome: Outcome,
    *,
    pair_distance_weight: float,
    k: int,
    terms=None,
    lower: np.ndarray | None = None,
    anchors: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
    options: SolveOptions,
    deadline: float | None = None,
    progress: Callable[[str], None] | None = None,
) -> Outcome:
    """The optimum under quotas and compact pairs, from the flow's ``outcome``.

    Parameters
    ----------
    pair_distance_weight : float
        Weight of the km between every two households of one officer (compact
        pairs; 0: none).
    k : int
        Candidate pairs per household, as the flow's first round had.
    terms : QuotaTerms, optional
        The quotas on this problem (bounds less what locked pairs already count).
    lower : numpy.ndarray, optional
        Per officer, the least number of households (minimum loads).
    anchors : (officer, lat, lon), optional
        Households already with an officer (locked pairs): compact pairs
        charge their distance to every household the officer takes.
    deadline : float, optional
        ``time.perf_counter()`` value by which the search stops.

    Returns
    -------
    Outcome
        With ``gap`` and ``sat`` (CP-SAT statistics) set; ``certified`` when
        proven over every allowed pair; prices NaN (the flow's prices are
        not those of this objective).
    """
    t0 = time.perf_counter()
    p = model.problem
    n_o = p.n_officers
    w = float(pair_distance_weight)
    quotas = terms is not None and len(terms.quotas) > 0
    flow_cost = float(model.costs(outcome.o, outcome.h).cost.sum())
    info: dict[str, Any] = {
        "flow_objective": flow_cost,
        "flow_h": outcome.h,
        "flow_certified": outcome.certified,
    }
    if quotas and w == 0 and not terms.broken(outcome.o, outcome.h).any():
        info["sat_status"] = "not needed: the flow's optimum meets the quotas"
        return replace(outcome, gap=0.0, sat=info)
    cap = p.capacity.astype(np.int64)
    if quotas:
        for i, q in enumerate(terms.quotas):
            slots = int(cap[terms.officers[i]].sum())
            if terms.lo[i] > slots:
                raise InfeasibleError(
                    f"the quota {q.label!r} needs at least {int(terms.lo[i]):,} pairs, but its "
                    f"{int(terms.officers[i].sum()):,} officers have {slots:,} free slots"
                )
    lo = np.zeros(n_o, np.int64) if lower is None else np.asarray(lower, np.int64)
    listed = model.lists_every_pair
    k = options.sat_k if w == 0 else max(options.sat_k // 2, 2)
    extra_o = extra_h = np.zeros(0, np.int64)
    hint_pairs = (outcome.o, outcome.h)
    # the prices that bound every pair left out: the flow's, or, for quotas, a priced
    # flow's (a far tighter bound: it nearly meets the quotas)
    pricing, priced, base_bound = model, outcome, flow_cost
    if quotas and w == 0 and outcome.certified:
        base_bound, pricing, priced, met, _, (probe, flows) = _lagrangian(
            model,
            outcome,
            terms,
            k=k,
            lower=lower,
            options=options,
            deadline=deadline,
            progress=progress,
        )
        base_bound = max(base_bound, flow_cost)
        info["quota_bound"] = base_bound
        walked = _walked(model, outcome, terms, probe, flows, options)
        if walked is not None:
            pairs, bound, price = walked
            objective = float(model.costs(*pairs).cost.sum())
            tolerance = 2 * len(pairs[0]) / outcome.scale
            if len(pairs[0]) == len(outcome.o) and objective <= bound + tolerance:
                info.update(
                    {
                        "sat_status": "not needed: a walk between two priced flows meets the "
                        "quota at its bound",
                        "quota_price": price,
                        "quota_bound": max(bound, base_bound),
                        "lower_bound": min(max(bound, base_bound), objective),
                        "proven_over": "every allowed pair",
                        "objective_tolerance": tolerance,
                    }
                )
                seconds = dict(outcome.seconds)
                seconds["walk"] = time.perf_counter() - t0
                seconds["total"] = seconds.get("total", 0.0) + seconds["walk"]
                return replace(
                    outcome,
                    o=pairs[0],
                    h=pairs[1],
                    certified=True,
                    prices=np.full(n_o, np.nan),
                    engine=f"walk on {outcome.engine}",
                    potentials=None,
                    seconds=seconds,
                    gap=0.0,
                    sat=info,
                )
        if met is not None:  # a pairing that meets the quotas: the hint
            hint_pairs = met
            extra_o, extra_h = np.r_[met[0], outcome.o], np.r_[met[1], outcome.h]

    def hint_meets(pairs) -> bool:
        return not quotas or not terms.broken(pairs[0], pairs[1]).any()

    rounds = 0
    while True:
        rounds += 1
        o, h, top = _candidates(pricing, priced, k, terms if quotas else None)
        if rounds == 1 and np.isfinite(top) and priced.certified and priced.potentials is not None:
            # ties: pairs as cheap under the prices as the priced flow's own
            tie_o, tie_h, _ = _left_out(pricing, priced, o, h, 0.5 / priced.scale, options)
            extra_o, extra_h = np.r_[extra_o, tie_o], np.r_[extra_h, tie_h]
        if len(extra_o):
            key = np.unique(np.r_[h, extra_h].astype(np.int64) * max(n_o, 1) + np.r_[o, extra_o])
            o, h = key % max(n_o, 1), key // max(n_o, 1)
        built = _sat_problem(model, o, h, w, terms if quotas else None, cap, lo, anchors)
        sat_problem, cost, extra, link, a, b, s = built
        hint = in_pairs(pair_keys(hint_pairs, n_o), o, h, n_o)
        if w > 0 and not quotas and int(cap.max(initial=0)) <= 2 and rounds == 1:
            tp = time.perf_counter()
            lat, lon = _positions(model)
            hint = _polish(sat_problem, lat, lon, w, s, hint, make_engine(options.engine), 20)
            info["polish_seconds"] = time.perf_counter() - tp
        answer: SatAnswer | None = None
        for cover in (len(outcome.o), None):  # all the flow covers; else the most possible
            left = None if deadline is None else deadline - time.perf_counter()
            if progress:
                progress(
                    f"CP-SAT: {len(o):,} candidate pairs, {len(a):,} pairs of pairs"
                    + ("" if left is None else f", {max(left, 0):.1f} s left")
                )
            # an answer within the rounding of the bound is proven: stop there
            stop = None
            if cover is not None and priced.certified:
                stop = int(np.floor((base_bound + len(outcome.o) / s) * s))
            answer = solve_sat(
                replace(sat_problem, cover=cover, hint=hint, stop_at=stop),
                time_limit=left,
                work_limit=options.sat_work,
                workers=options.sat_workers,
                seed=options.seed,
                progress=progress,
            )
            if answer.status != "infeasible" or not quotas:
                break
        assert answer is not None  # the loop ran
        if answer.chosen is None and answer.status != "infeasible" and hint_meets(hint_pairs):
            # stopped before an answer of its own: the hint meets every rule
            answer = SatAnswer(
                "feasible", hint, sat_problem.cost_of(hint), 0, int(hint.sum()), 0.0, 0.0
            )
        time_left = deadline is None or deadline - time.perf_counter() > 0
        if answer.chosen is None:
            if answer.status == "infeasible" and not listed and k < n_o and time_left:
                k *= 4  # the candidates may be too few for the quotas
                continue
            break
        chosen = answer.chosen
        objective = float(
            cost[chosen].sum() + extra[chosen].sum() + link[chosen[a] & chosen[b]].sum()
        )
        tolerance = (int(chosen.sum()) + int((chosen[a] & chosen[b]).sum())) / s
        full = (
            len(o[chosen]) == len(outcome.o) and priced.certified and priced.potentials is not None
        )
        complete = listed or np.isinf(top)  # every allowed pair is a candidate
        bound_r = np.inf
        by_bound = full and objective - base_bound <= tolerance  # the flow bound proves it
        if full and not complete and not by_bound:
            # pairs left out that could beat the answer: none, or the least of them bounds
            limit = min(objective - base_bound, max(top, 1.0)) + 1e-9
            lo_o, lo_h, lo_r = _left_out(pricing, priced, o, h, limit, options)
            bound_r = float(lo_r.min()) if len(lo_r) else limit
            if len(lo_r) and rounds < 3 and len(lo_r) <= len(o) and time_left:
                extra_o, extra_h = np.r_[extra_o, lo_o], np.r_[extra_h, lo_h]
                hint_pairs = (o[chosen], h[chosen])
                continue
        break
    if answer is None or answer.chosen is None:
        names = ", ".join(repr(q.label) for q in terms.quotas) if quotas else ""
        if answer is not None and answer.status == "infeasible":
            raise InfeasibleError(
                f"no pairing meets the quotas {names} "
                f"(searched {len(o):,} candidate pairs: each household's {k} least-priced "
                "officers, the quotas' nearest pairs and the plain optimum's)"
            )
        raise InfeasibleError(
            "CP-SAT found no pairing within the time limit; give a longer time_limit"
        )
    co, ch = o[chosen], h[chosen]
    bound_c = objective - tolerance if answer.status == "optimal" else answer.bound / s - tolerance
    if complete:
        lower_bound, over = bound_c, "every allowed pair"
    elif full:
        lower_bound, over = min(bound_c, base_bound + bound_r), "every allowed pair"
    else:
        lower_bound, over = bound_c, "candidate pairs"
    if full:  # the flow's bound holds for every pairing of as many households
        lower_bound = max(lower_bound, base_bound - tolerance)
    lower_bound = min(lower_bound, objective)
    # proven: within the rounding of a bound that holds over every allowed pair
    proven = over == "every allowed pair" and objective - lower_bound <= 2 * tolerance
    gap = 0.0 if proven or objective <= 0 else max(objective - lower_bound, 0.0) / objective
    info.update(
        {
            "sat_status": answer.status
            + (" on the candidates" if answer.status == "optimal" else "")
            + (" (stopped at the bound)" if answer.stopped else ""),
            "sat_candidate_pairs": len(o),
            "sat_links": len(a),
            "sat_solutions": answer.solutions,
            "sat_work": answer.work,
            "sat_rounds": rounds,
            "lower_bound": lower_bound,
            "proven_over": over,
            "objective_tolerance": tolerance,
        }
    )
    seconds = dict(outcome.seconds)
    seconds["sat"] = time.perf_counter() - t0
    seconds["total"] = seconds.get("total", 0.0) + seconds["sat"]
    return replace(
        outcome,
        o=co,
        h=ch,
        certified=proven,
        prices=np.full(n_o, np.nan),
        witness=outcome.witness if len(co) == len(outcome.o) else None,
        engine=f"cp-sat on {outcome.engine}",
        potentials=None,
        seconds=seconds,
        gap=gap,
        sat=info,
    )


def _sat_problem(model, o, h, w: float, terms, cap, lo, anchors):
    """The CP-SAT problem of candidates ``(o, h)``: integer costs (with the compact
    pairs' distance to locked households), quota groups and links; and the real
    costs, link costs, link ends and the integer scale."""
    n_o = model.problem.n_officers
    cost = np.asarray(model.costs(o, h).cost, dtype=float)
    extra = np.zeros(len(o))
    a = b = np.zeros(0, np.int64)
    link = np.zeros(0)
    if w > 0:
        lat, lon = _positions(model)
        if anchors is not None and len(anchors[0]):
            ao, alat, alon = anchors
            order = np.argsort(ao, kind="stable")
            starts = np.searchsorted(ao[order], np.arange(n_o + 1))
            for j in np.unique(ao):
                mine = np.flatnonzero(o == j)
                sel = order[starts[j] : starts[j + 1]]
                extra[mine] = w * haversine_km(
                    lat[h[mine], None], lon[h[mine], None], alat[sel][None, :], alon[sel][None, :]
                ).sum(axis=1)
        a, b = same_officer_pairs(o)
        link = w * haversine_km(lat[h[a]], lon[h[a]], lat[h[b]], lon[h[b]])
    top = max(float((cost + extra).max(initial=1.0)), float(link.max(initial=1.0)), 1.0)
    s = float(2.0 ** np.floor(np.log2(_SAT_INT / top)))
    groups = []
    if terms is not None:
        for i in range(len(terms.quotas)):
            sel = np.flatnonzero(terms.officers[i][o] & terms.households[i][h])
            groups.append((sel, int(terms.lo[i]), int(terms.hi[i])))
    problem = SatProblem(
        o,
        h,
        np.rint((cost + extra) * s).astype(np.int64),
        cap,
        lo,
        groups=groups,
        link_a=a,
        link_b=b,
        link_weight=np.rint(link * s).astype(np.int64),
    )
    return problem, cost, extra, link, a, b, s
