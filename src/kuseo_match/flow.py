"""Min-cost flow on candidate pairs, and the certificate that it is optimal for all pairs.

The network: each household node supplies one unit; arcs household ->
officer for the candidate pairs (capacity 1, the pair's integer cost); arcs
officer -> sink (capacity = the officer's capacity).  OR-Tools'
``SimpleMinCostFlow.solve_max_flow_with_min_cost`` returns the largest number
of paired households and, among those, the least total cost.

The answer on the candidates is optimal for *every* allowed pair when

1. **cardinality**: no allowed pair outside the candidates opens an
   augmenting path (proved by an alternating search over all allowed pairs,
   or trivially when the flow equals ``min(households, slots)``); and
2. **cost**: node potentials ``pi`` feasible for the candidates' residual
   graph (Bellman-Ford, then tightened) give every excluded allowed pair a
   non-negative reduced cost ``c(o, h) + pi(h) - pi(o) >= 0``.  As the
   built-in cost is never below the great-circle distance, only officers
   within ``(max(pi_officer) - pi(h)) / scale`` km of a household can
   violate this, so the check prices a ball per household, not all pairs.

Pairs that fail either test join the candidates and the flow is solved
again, until the proof holds.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from ortools.graph.python import min_cost_flow
from scipy.spatial import cKDTree

from .candidates import GeoCostModel, TableCostModel
from .errors import KuseoError
from .geo import to_xyz

__all__ = ["FlowOutcome", "choose_scale", "potentials", "solve_certified", "solve_flow"]

log = logging.getLogger("kuseo_match")

#: Integer costs times (nodes + 1) stay below this (OR-Tools' cost-scaling bound).
_INT_LIMIT = 2**62
#: Largest scaled cost kept exactly representable as a float64.
_FLOAT_EXACT = 2**52


def choose_scale(max_cost: float, n_nodes: int, integral: bool) -> float:
    """Factor turning costs into int64 for the solver.

    Integral costs keep scale 1 (exact) when they fit.  Other costs get the
    largest power of two that keeps ``max_cost * scale * (n_nodes + 1)``
    below 2**62 and ``max_cost * scale`` exactly representable; a pair's
    rounding error is at most ``0.5 / scale``.

    Examples
    --------
    >>> choose_scale(10.0, 100, integral=True)
    1.0
    >>> s = choose_scale(150.0, 2000, integral=False)
    >>> s * 150.0 * 2001 < 2**62
    True
    """
    max_cost = max(float(max_cost), 1.0)
    limit = min(_INT_LIMIT / (n_nodes + 1), _FLOAT_EXACT)
    if integral and max_cost <= limit:
        return 1.0
    return float(2.0 ** np.floor(np.log2(limit / max_cost)))


def solve_flow(
    n_officers: int, n_households: int, capacity: np.ndarray, o: np.ndarray, h: np.ndarray,
    cost: np.ndarray,
) -> np.ndarray:
    """Maximum pairing at minimum cost on the given pairs.

    Parameters
    ----------
    capacity : numpy.ndarray of int, shape (n_officers,)
    o, h : numpy.ndarray of int, shape (n_pairs,)
        Officer and household row positions of each candidate pair.
    cost : numpy.ndarray of int64, shape (n_pairs,)

    Returns
    -------
    numpy.ndarray of bool, shape (n_pairs,)
        Which pairs are chosen.

    Examples
    --------
    >>> import numpy as np
    >>> solve_flow(2, 2, np.array([1, 1]), np.array([0, 1, 0]), np.array([0, 0, 1]),
    ...            np.array([1, 5, 2])).tolist()
    [False, True, True]
    """
    n_pairs = len(o)
    if n_pairs == 0:
        return np.zeros(0, dtype=bool)
    sink = n_households + n_officers
    smcf = min_cost_flow.SimpleMinCostFlow()
    tails = np.concatenate([h, n_households + np.arange(n_officers)]).astype(np.int32)
    heads = np.concatenate([n_households + o, np.full(n_officers, sink)]).astype(np.int32)
    caps = np.concatenate([np.ones(n_pairs, np.int64), capacity.astype(np.int64)])
    costs = np.concatenate([cost.astype(np.int64), np.zeros(n_officers, np.int64)])
    smcf.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
    supplies = np.zeros(sink + 1, dtype=np.int64)
    supplies[:n_households] = 1
    supplies[sink] = -n_households
    smcf.set_nodes_supplies(np.arange(sink + 1, dtype=np.int32), supplies)
    status = smcf.solve_max_flow_with_min_cost()
    if status != smcf.OPTIMAL:
        raise KuseoError(f"the min-cost flow solver failed with status {status!r}")
    return smcf.flows(np.arange(n_pairs, dtype=np.int32)) > 0


def potentials(
    n_officers: int, n_households: int, capacity: np.ndarray, o: np.ndarray, h: np.ndarray,
    cost: np.ndarray, used: np.ndarray, *, tighten: int = 3,
) -> tuple[np.ndarray, np.ndarray]:
    """Feasible node potentials of the residual graph of an optimal flow.

    Every residual arc ``i -> j`` of weight ``w`` satisfies
    ``pi[j] <= pi[i] + w``: for unused pairs ``pi_o[o] <= pi_h[h] + cost``,
    for used pairs ``pi_h[h] <= pi_o[o] - cost``, plus the arcs to the source
    and sink.  Computed by Bellman-Ford from a virtual root (vectorised
    rounds), then tightened: officers lowered and households raised to the
    ends of their feasible ranges, which keeps feasibility and makes the
    certificate's balls small.

    Returns
    -------
    pi_households : numpy.ndarray of int64, shape (n_households,)
    pi_officers : numpy.ndarray of int64, shape (n_officers,)
    """
    n_h, n_o = n_households, n_officers
    s, t = n_h + n_o, n_h + n_o + 1
    n = n_h + n_o + 2
    load = np.bincount(o[used], minlength=n_o)
    matched = np.zeros(n_h, dtype=bool)
    matched[h[used]] = True
    hs = np.arange(n_h)
    os_ = np.arange(n_o)
    slack = (load < capacity) & (capacity > 0)
    loaded = load > 0
    tail = np.concatenate([
        h[~used], n_h + o[used], hs[matched], np.full((~matched).sum(), s),
        n_h + os_[slack], np.full(loaded.sum(), t),
    ])
    head = np.concatenate([
        n_h + o[~used], h[used], np.full(matched.sum(), s), hs[~matched],
        np.full(slack.sum(), t), n_h + os_[loaded],
    ])
    w = np.concatenate([
        cost[~used], -cost[used], np.zeros(matched.sum() + (~matched).sum(), np.int64),
        np.zeros(slack.sum() + loaded.sum(), np.int64),
    ]).astype(np.int64)
    order = np.argsort(head, kind="stable")
    tail, head, w = tail[order], head[order], w[order]
    heads, starts = np.unique(head, return_index=True)
    d = np.zeros(n, dtype=np.int64)
    for _ in range(n + 1):
        if len(tail) == 0:
            break
        best = np.minimum.reduceat(d[tail] + w, starts)
        new = np.minimum(d[heads], best)
        if np.array_equal(new, d[heads]):
            break
        d[heads] = new
    else:  # pragma: no cover - an optimal flow has no negative cycle
        raise KuseoError("internal error: the residual graph has a negative cycle")
    pi_h, pi_o = d[:n_h].copy(), d[n_h : n_h + n_o].copy()
    pi_s, pi_t = d[s], d[t]
    uo, uh, uc = o[used], h[used], cost[used]
    floor = np.iinfo(np.int64).min
    for _ in range(tighten):
        lb = np.full(n_o, floor, dtype=np.int64)
        np.maximum.at(lb, uo, pi_h[uh] + uc)
        lb = np.where(slack, np.maximum(lb, pi_t), lb)
        pi_o = np.where(lb > floor, lb, pi_o)
        if loaded.any():
            pi_t = pi_o[loaded].max()
        ub = np.where(~matched, pi_s, np.iinfo(np.int64).max)
        ub[uh] = np.minimum(ub[uh], pi_o[uo] - uc)
        pi_h = ub
        if matched.any():
            pi_s = pi_h[matched].min()
    return pi_h, pi_o


@dataclass
class FlowOutcome:
    """Chosen pairs (row positions) and how the proof went."""

    o: np.ndarray
    h: np.ndarray
    certified: bool
    rounds: int
    candidate_pairs: int
    scale: float
    seconds: dict[str, float] = field(default_factory=dict)


def _pair_keys(o: np.ndarray, h: np.ndarray, n_o: int) -> np.ndarray:
    return h.astype(np.int64) * max(n_o, 1) + o


def _int_costs(model, o: np.ndarray, h: np.ndarray, scale: float):
    pc = model.costs(o, h)
    return pc, np.rint(np.where(pc.allowed, pc.cost, 0.0) * scale).astype(np.int64)


def _augmenting_pairs(model: GeoCostModel, o, h, used, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Allowed pairs outside the candidates that open an augmenting path (empty: the
    current number of paired households is the maximum over all allowed pairs)."""
    p = model.problem
    n_o, n_h, cap = p.n_officers, p.n_households, p.capacity
    load = np.bincount(o[used], minlength=n_o)
    matched = np.zeros(n_h, dtype=bool)
    matched[h[used]] = True
    unmatched = np.flatnonzero(~matched)
    slack = np.flatnonzero(load < cap)
    if len(unmatched) == 0 or len(slack) == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    if model.policy.max_distance_km is None:
        # every pair is allowed: the nearest officers with free slots close the gap
        kk = min(k, len(slack))
        tree = cKDTree(to_xyz(model.o_lat[slack], model.o_lon[slack]))
        _, idx = tree.query(to_xyz(model.h_lat[unmatched], model.h_lon[unmatched]), k=kk)
        return slack[np.asarray(idx).reshape(len(unmatched), kk)].ravel(), np.repeat(unmatched, kk)
    # alternating search from the unmatched households over all allowed pairs
    owner = np.full(n_h, -1)
    owner[h[used]] = o[used]
    households_of = {}
    for oo, hh in zip(o[used], h[used], strict=True):
        households_of.setdefault(int(oo), []).append(int(hh))
    seen_o = np.zeros(n_o, dtype=bool)
    seen_h = np.zeros(n_h, dtype=bool)
    seen_h[unmatched] = True
    frontier = unmatched
    found_o, found_h = [], []
    while len(frontier):
        fo, fh = model.within(frontier, np.full(len(frontier), np.inf))
        new = ~seen_o[fo]
        fo, fh = fo[new], fh[new]
        found_o.append(fo)
        found_h.append(fh)
        if (load[fo] < cap[fo]).any():
            return np.concatenate(found_o), np.concatenate(found_h)
        officers = np.unique(fo)
        seen_o[officers] = True
        nxt = [hh for oo in officers for hh in households_of.get(int(oo), [])]
        frontier = np.array([x for x in nxt if not seen_h[x]], dtype=np.int64)
        seen_h[frontier] = True
    return np.zeros(0, np.int64), np.zeros(0, np.int64)


def solve_certified(
    model: GeoCostModel | TableCostModel,
    *,
    k: int,
    time_limit: float | None = None,
    progress: Callable[[str], None] | None = None,
) -> FlowOutcome:
    """Solve on candidate pairs and add excluded pairs until optimality is proven.

    Parameters
    ----------
    model : GeoCostModel or TableCostModel
    k : int
        Nearest officers per household in the first round (geographic model).
    time_limit : float, optional
        Seconds; when reached before the proof holds, the last answer is
        returned with ``certified=False``.
    """
    t0 = time.perf_counter()
    p = model.problem
    n_o, n_h, cap = p.n_officers, p.n_households, p.capacity
    integral = isinstance(model, TableCostModel) and bool(np.all(model.cost == np.rint(model.cost)))
    scale = choose_scale(model.max_cost_bound(), n_o + n_h + 2, integral)
    seconds = {"candidates": 0.0, "flow": 0.0, "certificate": 0.0}
    tc = time.perf_counter()
    if isinstance(model, TableCostModel):
        o, h = model.all_pairs()
    else:
        o, h = model.nearest(k)
    pc, cint = _int_costs(model, o, h, scale)
    o, h, cint = o[pc.allowed], h[pc.allowed], cint[pc.allowed]
    seconds["candidates"] += time.perf_counter() - tc
    rounds = 0
    while True:
        rounds += 1
        tf = time.perf_counter()
        used = solve_flow(n_o, n_h, cap, o, h, cint)
        seconds["flow"] += time.perf_counter() - tf
        if isinstance(model, TableCostModel):
            certified = True  # every allowed pair is in the model
            break
        tcert = time.perf_counter()
        add_o, add_h = _violators(model, o, h, cint, used, scale, k)
        seconds["certificate"] += time.perf_counter() - tcert
        log.debug("round %d: %d candidate pairs, %d violators", rounds, len(o), len(add_o))
        if progress:
            progress(f"round {rounds}: {len(o):,} candidate pairs, {len(add_o):,} to add")
        if len(add_o) == 0:
            certified = True
            break
        if time_limit is not None and time.perf_counter() - t0 > time_limit:
            certified = False
            break
        keys = np.concatenate([_pair_keys(o, h, n_o), _pair_keys(add_o, add_h, n_o)])
        keys = np.unique(keys)
        h, o = np.divmod(keys, max(n_o, 1))
        _, cint = _int_costs(model, o, h, scale)
    seconds["total"] = time.perf_counter() - t0
    return FlowOutcome(o[used], h[used], certified, rounds, len(o), scale, seconds)


def _violators(model: GeoCostModel, o, h, cint, used, scale: float, k: int):
    n_o = model.problem.n_officers
    aug_o, aug_h = _augmenting_pairs(model, o, h, used, k)
    if len(aug_o):
        keys = _pair_keys(aug_o, aug_h, n_o)
        new = ~np.isin(keys, _pair_keys(o, h, n_o))
        if new.any():
            return aug_o[new], aug_h[new]
    pi_h, pi_o = potentials(n_o, model.problem.n_households, model.problem.capacity, o, h, cint,
                            used)
    active = model.active
    if len(active) == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    top = pi_o[active].max()
    radius = (top - pi_h + 1).astype(float) / scale
    households = np.flatnonzero(radius > 0)
    bo, bh = model.within(households, radius[households])
    new = ~np.isin(_pair_keys(bo, bh, n_o), _pair_keys(o, h, n_o))
    bo, bh = bo[new], bh[new]
    pc, bc = _int_costs(model, bo, bh, scale)
    bad = pc.allowed & (bc + pi_h[bh] - pi_o[bo] < 0)
    return bo[bad], bh[bad]
