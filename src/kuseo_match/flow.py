"""Min-cost flow on candidate pairs, and the certificate that it is optimal for all pairs.

The network: each household node supplies one unit; arcs household ->
officer for the candidate pairs (capacity 1, the pair's integer cost); arcs
officer -> sink (capacity = the officer's capacity).  OR-Tools'
``SimpleMinCostFlow.solve_max_flow_with_min_cost`` returns the largest number
of paired households and, among those, the least total cost.

The answer on the candidates is optimal for *every* allowed pair when

1. **cardinality**: no allowed pair outside the candidates opens an
   augmenting path (an alternating search over all allowed pairs, or
   trivially when no household is unmatched or no slot is free); and
2. **cost**: node potentials ``pi`` feasible for the candidates' residual
   graph (shortest paths from the sink: the smallest prices) give every
   excluded allowed pair a non-negative reduced cost
   ``c(o, h) + pi(h) - pi(o) >= 0``.  Pairs in each household's pool (its
   nearest officers, whose costs are known) are priced directly.  Beyond the
   pool, as the built-in cost is never below the great-circle distance plus
   the agency's fit penalty, only officers in a ball around the household can
   violate it; balls are queried per agency group on points lifted by the
   officer's price (:func:`_priced_out`), so the check never prices all pairs.

Pairs that fail either test join the candidates (each household's most
negative ones) and the flow is solved again, until the proof holds.  OR-Tools
cannot start from an earlier answer, so when few pairs join, the flow is
re-optimised from the last one instead (:func:`_repair`: a min-cost
circulation on the residual arcs of small reduced cost, and shifted
potentials, checked feasible on every residual arc).  A pair's reduced cost
then changes by the shift of its household's potential less its officer's, so
households proven in the round before whose potential fell no less than any
officer's need no pricing again.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
from ortools.graph.python import min_cost_flow
from scipy.spatial import cKDTree

from .candidates import GeoCostModel, TableCostModel
from .errors import KuseoError
from .geo import to_xyz

__all__ = ["FlowOutcome", "choose_scale", "potentials", "solve_certified", "solve_flow"]

log = logging.getLogger("kuseo_match")

#: Integer costs times (nodes + 1) stay below this: OR-Tools refuses (BAD_COST_RANGE)
#: beyond about 2**61.7, measured with ortools 9.15; 2**60 leaves a margin.
_INT_LIMIT = 2**60
#: Largest scaled cost kept exactly representable as a float64.
_FLOAT_EXACT = 2**52
#: The certificate's ball queries take at most this many households at a time.
_BALL_CHUNK = 4096
#: The pool never holds more than this many times ``k`` officers per household.
_POOL_MAX = 16
#: A repair (:func:`_repair`) re-solves at most this share of the candidate arcs.
_REPAIR_SHARE = 0.25
#: Threads for the certificate's ball queries (results are gathered in order, so
#: the answer does not depend on them): the usable cores, at most 4.
_THREADS = max(
    1,
    min(
        len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1, 4
    ),
)


def choose_scale(max_cost: float, n_nodes: int, integral: bool) -> float:
    """Factor turning costs into int64 for the solver.

    Integral costs keep scale 1 (exact) when they fit.  Other costs get the
    largest power of two that keeps ``max_cost * scale * (n_nodes + 1)``
    below 2**60 and ``max_cost * scale`` exactly representable; a pair's
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
    n_officers: int,
    n_households: int,
    capacity: np.ndarray,
    o: np.ndarray,
    h: np.ndarray,
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
    n_officers: int,
    n_households: int,
    capacity: np.ndarray,
    o: np.ndarray,
    h: np.ndarray,
    cost: np.ndarray,
    used: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Node potentials of an optimal flow's residual graph with the smallest prices.

    Every residual arc ``i -> j`` of weight ``w`` satisfies
    ``pi[j] <= pi[i] + w``: for unused pairs ``pi_o[o] <= pi_h[h] + cost``,
    for used pairs ``pi_h[h] <= pi_o[o] - cost``, plus the arcs to the sink
    ``t`` (officers with free slots) and from it (officers with households),
    and to and from the source (matched and unmatched households).

    The potentials are shortest-path distances from the sink (Bellman-Ford
    in vectorised rounds): the largest feasible ones with ``pi[t] = 0``.  In
    LP terms a household's price ``-pi_h`` is then as small as it can be --
    its own pair's cost plus its officer's price -- which keeps the
    certificate's balls small.  Officers with no household and no candidate
    pair from a reached household get ``pi = 0``.

    Returns
    -------
    pi_households : numpy.ndarray of int64, shape (n_households,)
    pi_officers : numpy.ndarray of int64, shape (n_officers,)

    Examples
    --------
    >>> import numpy as np
    >>> o, h, c = np.array([0, 1]), np.array([0, 0]), np.array([3, 5])
    >>> used = np.array([True, False])
    >>> pi_h, pi_o = potentials(2, 1, np.array([1, 1]), o, h, c, used)
    >>> pi_h.tolist(), pi_o.tolist()      # household price 3, officer prices 0
    ([-3], [0, 0])
    """
    d = _distances(n_officers, n_households, capacity, o, h, cost, used)
    return d[:n_households].copy(), d[n_households : n_households + n_officers].copy()


#: Label of nodes the sink does not reach (arcs among them all have weight >= 0).
_UNREACHED = np.int64(2**62)


def _residual(n_o: int, n_h: int, capacity, o, h, cost, used):
    """Residual arcs of a flow on the candidate network (nodes: households, officers,
    source ``s = n_h + n_o``, sink ``t = s + 1``): tail, head, weight, residual
    capacity and the candidate pair behind each arc (-1 for source and sink arcs)."""
    s, t = n_h + n_o, n_h + n_o + 1
    load = np.bincount(o[used], minlength=n_o)
    matched = np.zeros(n_h, dtype=bool)
    matched[h[used]] = True
    hs, os_ = np.arange(n_h), np.arange(n_o)
    slack = (load < capacity) & (capacity > 0)
    loaded = load > 0
    idle = np.flatnonzero(~used)
    busy = np.flatnonzero(used)
    none = np.full(n_h + slack.sum() + loaded.sum(), -1)
    tail = np.concatenate(
        [
            h[idle],
            n_h + o[busy],
            hs[matched],
            np.full((~matched).sum(), s),
            n_h + os_[slack],
            np.full(loaded.sum(), t),
        ]
    )
    head = np.concatenate(
        [
            n_h + o[idle],
            h[busy],
            np.full(matched.sum(), s),
            hs[~matched],
            np.full(slack.sum(), t),
            n_h + os_[loaded],
        ]
    )
    w = np.concatenate([cost[idle], -cost[busy], np.zeros(len(none), np.int64)]).astype(np.int64)
    rcap = np.concatenate(
        [np.ones(len(o) + n_h, np.int64), (capacity - load)[slack], load[loaded]]
    ).astype(np.int64)
    pair = np.concatenate([idle, busy, none])
    return tail, head, w, rcap, pair


def _relax(tail, head, w, d: np.ndarray, frontier: np.ndarray) -> np.ndarray:
    """Bellman-Ford in vectorised rounds, relaxing only the out-arcs of nodes that
    just improved: lowers ``d`` (in place) until ``d[j] <= d[i] + w`` on every arc."""
    n = len(d)
    order = np.argsort(tail, kind="stable")
    tail, head, w = tail[order], head[order], w[order]
    indptr = np.searchsorted(tail, np.arange(n + 1))
    for _ in range(n + 1):
        counts = indptr[frontier + 1] - indptr[frontier]
        total = int(counts.sum())
        if total == 0:
            return d
        offsets = np.repeat(indptr[frontier] - np.cumsum(counts) + counts, counts)
        arcs = offsets + np.arange(total)
        best = np.full(n, _UNREACHED, dtype=np.int64)
        np.minimum.at(best, head[arcs], d[tail[arcs]] + w[arcs])
        frontier = np.flatnonzero(best < d)
        if len(frontier) == 0:
            return d
        d[frontier] = best[frontier]
    raise KuseoError("internal error: the residual graph has a negative cycle")  # pragma: no cover


def _distances(n_o: int, n_h: int, capacity, o, h, cost, used) -> np.ndarray:
    """All node potentials (:func:`potentials`), source and sink last."""
    tail, head, w, _, _ = _residual(n_o, n_h, capacity, o, h, cost, used)
    t = n_h + n_o + 1
    d = np.full(n_h + n_o + 2, _UNREACHED, dtype=np.int64)
    d[t] = 0
    _relax(tail, head, w, d, np.array([t]))
    return _idle_at_zero(d, n_o, n_h, capacity, o, used)


def _idle_at_zero(d: np.ndarray, n_o: int, n_h: int, capacity, o, used) -> np.ndarray:
    """Officers with free slots and no household get potential 0 (price 0), their
    bound from the arc to the sink; their only other arcs come in, so lowering
    keeps ``d`` feasible.  Changes ``d`` in place and returns it."""
    load = np.bincount(o[used], minlength=n_o)
    d[n_h : n_h + n_o][(load < capacity) & (capacity > 0) & (load == 0)] = 0
    return d


def _repair(n_o: int, n_h: int, capacity, o, h, cost, used, d, max_arcs: int, tries: int = 2):
    """Re-optimise a flow after pairs joined, from its potentials ``d``.

    ``used`` is optimal for the earlier candidates and ``d`` feasible for their
    residual graph; only the new pairs may have a negative reduced cost
    ``r = w + d[tail] - d[head]``.  A min-cost circulation (OR-Tools) on the
    residual arcs with reduced cost below a bound ``B`` re-optimises the flow
    among them, and shortest paths on those arcs (from a root with 0-arcs to
    every node) shift ``d`` to be feasible on them again.  With
    ``B = sum(-r)`` this is exact at once: every arc of a negative cycle lies
    below it, and arcs at ``B`` or more stay feasible under a shift within
    ``B``.  A smaller ``B`` (keeping at most ``max_arcs`` arcs) may leave arcs
    with a negative reduced cost; they are repaired in turn, up to ``tries``
    times.  The number of paired households never changes.

    Returns ``(used, d)`` with ``d`` checked feasible on every residual arc,
    or None when it did not get there (re-solving from scratch is then the
    way) or ``d`` does not reach every node.
    """
    if (d >= _UNREACHED).any():
        return None
    used = used.copy()
    for attempt in range(tries + 1):
        tail, head, w, rcap, pair = _residual(n_o, n_h, capacity, o, h, cost, used)
        red = w + d[tail] - d[head]
        negative = red < 0
        if not negative.any():
            return used, d
        if attempt == tries:
            return None
        bound = int(-red[negative].sum())
        if negative.sum() + max_arcs < len(red):
            bound = max(min(bound, int(np.partition(red, max_arcs)[max_arcs])), 1)
        near = np.flatnonzero(red < bound)
        smcf = min_cost_flow.SimpleMinCostFlow()
        smcf.add_arcs_with_capacity_and_unit_cost(
            tail[near].astype(np.int32), head[near].astype(np.int32), rcap[near], red[near]
        )
        if smcf.solve() != smcf.OPTIMAL:
            raise KuseoError("internal error: the re-optimising circulation failed")
        moved = near[smcf.flows(np.arange(len(near), dtype=np.int32)) > 0]
        moved = pair[moved[pair[moved] >= 0]]
        used[moved] = ~used[moved]
        tail, head, w, _, _ = _residual(n_o, n_h, capacity, o, h, cost, used)
        red = w + d[tail] - d[head]
        near = np.flatnonzero(red < bound)
        shift = np.zeros(len(d), dtype=np.int64)
        _relax(tail[near], head[near], red[near], shift, np.arange(len(d)))
        d = _idle_at_zero(d + shift - shift[-1], n_o, n_h, capacity, o, used)  # sink at 0
    return None  # pragma: no cover - the loop returns


@dataclass
class FlowOutcome:
    """Chosen pairs (row positions) and how the proof went.

    ``pi_households`` and ``pi_officers`` are the last round's node
    potentials (:func:`potentials`, or those a repair shifted them to; integer
    cost units: divide by ``scale``);
    ``-pi_officers / scale`` is each officer's price, the dual value of one
    more of its slots.  They are ``None`` when no certificate was computed
    (a ``costs`` table, whose pairs are all in the model).
    """

    o: np.ndarray
    h: np.ndarray
    certified: bool
    rounds: int
    candidate_pairs: int
    scale: float
    seconds: dict[str, float] = field(default_factory=dict)
    pi_households: np.ndarray | None = None
    pi_officers: np.ndarray | None = None


def _pair_keys(o: np.ndarray, h: np.ndarray, n_o: int) -> np.ndarray:
    return h.astype(np.int64) * max(n_o, 1) + o


def _int_costs(model, o: np.ndarray, h: np.ndarray, scale: float):
    pc = model.costs(o, h)
    return pc, np.rint(np.where(pc.allowed, pc.cost, 0.0) * scale).astype(np.int64)


def _augmenting_pairs(model: GeoCostModel, o, h, used, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Allowed pairs that open an augmenting path (empty: the number of paired
    households is the maximum over all allowed pairs).  May include candidates."""
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
    order = np.argsort(o[used], kind="stable")
    uo, uh = o[used][order], h[used][order]
    first = np.searchsorted(uo, np.arange(n_o + 1))
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
        nxt = (
            np.concatenate([uh[first[x] : first[x + 1]] for x in officers])
            if len(officers)
            else np.zeros(0, np.int64)
        )
        frontier = np.unique(nxt[~seen_h[nxt]])
        seen_h[frontier] = True
    return np.zeros(0, np.int64), np.zeros(0, np.int64)


def _priced_out(
    model: GeoCostModel,
    scale: float,
    floor: np.ndarray,
    pi_h: np.ndarray,
    pi_o: np.ndarray,
    per_household: int,
    households: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Pairs of the given households with a negative reduced cost, found in balls
    around them (pool pairs included); empty proves that none exists.

    Returns officer and household positions and integer costs of each
    household's ``per_household`` most negative pairs, and the households
    that had more.

    A pair (o, h) violates only if ``c(o, h) < pi_o[o] - pi_h[h]``.  No pair
    outside the pool does when the household's price is below ``floor[h]``,
    a lower bound of their costs.  For the other households: since
    ``c >= distance + penalty_bound(h, group(o))`` and ``pi_o <= P_g`` within
    an agency group, only officers of group g within
    ``(P_g - pi_h[h]) / scale - penalty`` km can violate -- less their price
    ``(P_g - pi_o[o]) / scale``, which the ball query lifts officers by (4-D
    points: busy officers drop out).  Candidates never violate (the
    potentials are feasible for them), so no membership test is needed.
    """
    empty = np.zeros(0, np.int64)
    if not model.groups:
        return empty, empty, empty, empty
    top = np.array([pi_o[g].max() for g in model.groups], dtype=float)
    slack_cost = (top.max() - pi_h[households].astype(float) + 1.0) / scale
    cand = households[slack_cost > floor[households]]
    if len(cand) == 0:
        return empty, empty, empty, empty
    radius = (top[None, :] - pi_h[cand, None].astype(float) + 1.0) / scale
    radius -= model.penalty_bound(cand)

    # only violators are kept, so memory follows one group and one chunk of
    # households per thread (the k-d tree queries release the GIL)
    def violators(j: int, part: np.ndarray):
        lift = (top[j] - pi_o[model.groups[j]]).astype(float) / scale
        bo, bh = model.within_group(j, cand[part], radius[part, j], lift_km=lift)
        pc, bc = _int_costs(model, bo, bh, scale)
        reduced = bc + pi_h[bh] - pi_o[bo]
        bad = pc.allowed & (reduced < 0)
        return bo[bad], bh[bad], bc[bad], reduced[bad]

    tasks = []
    for j in range(len(model.groups)):
        rows = np.flatnonzero(radius[:, j] > 0)
        for part in np.array_split(rows, -(-len(rows) // _BALL_CHUNK)) if len(rows) else ():
            tasks.append((j, part))
    with ThreadPoolExecutor(max_workers=_THREADS) as pool:
        found = list(pool.map(lambda task: violators(*task), tasks))  # in task order
    if not found:
        return empty, empty, empty, empty
    bo, bh, bc, reduced = (np.concatenate(parts) for parts in zip(*found, strict=True))
    counts = np.bincount(bh)
    if len(bh) <= per_household or counts.max() <= per_household:
        return bo, bh, bc, empty
    # each household's `per_household` most negative pairs
    order = np.lexsort((reduced, bh))
    bo, bh, bc = bo[order], bh[order], bc[order]
    starts = np.flatnonzero(np.r_[True, bh[1:] != bh[:-1]]) if len(bh) else np.zeros(0, int)
    rank = np.arange(len(bh)) - np.repeat(starts, np.diff(np.r_[starts, len(bh)]))
    keep = rank < per_household
    return bo[keep], bh[keep], bc[keep], np.flatnonzero(counts > per_household)


def _cheapest(cost: np.ndarray, k: int) -> np.ndarray:
    """Mask of each row's ``k`` smallest entries, ties taken in column order (the
    set a stable sort would give, without sorting).

    Examples
    --------
    >>> _cheapest(np.array([[3.0, 1.0, 2.0, 1.0]]), 2).tolist()
    [[False, True, False, True]]
    >>> _cheapest(np.array([[1.0, 1.0, 1.0]]), 2).tolist()
    [[True, True, False]]
    """
    if k >= cost.shape[1]:
        return np.ones(cost.shape, dtype=bool)
    kth = np.partition(cost, k - 1, axis=1)[:, k - 1 : k]
    below = cost < kth
    tie = cost == kth
    room = k - below.sum(axis=1, keepdims=True)
    return below | (tie & (np.cumsum(tie, axis=1) <= room))


def _pool_size(model: GeoCostModel, k: int, pool: int) -> int:
    """Officers in each household's pool: ``pool * k``, or, where officers are dense,
    as many as the median household has within ``fit_weight +
    cross_district_penalty`` km (the fit and district terms alone can make an
    officer that far away cheaper than a near one), up to ``_POOL_MAX * k``.

    Only speed depends on it.  A one-off sweep with ``k = 24`` (seconds to the
    proof, 0.63 officers per household in Khon Kaen) chose the rule: a pool of
    96 was best at Khon Kaen size and tied with 192 at 5,000 households; at
    10,000, 192 or 384 (7.8-7.9 s against 13.3 s with 96); at 20,000, 384 (41 s
    against 80 s with 96).  ``benchmarks/bench_density.py`` measures the rule
    against the fixed pool of 96 on the current code: 5.55 s against 9.0 s at
    10,000 households, 30 s against 60 s at 20,000.
    """
    base = pool * k
    n_h = model.problem.n_households
    reach = model.policy.fit_weight + model.policy.cross_district_penalty
    if reach <= 0 or n_h == 0:
        return base
    sample = np.arange(0, n_h, max(1, n_h // 1000))
    typical = float(np.median(model.count_within(sample, reach)))
    return int(min(max(base, typical), _POOL_MAX * k))


def solve_certified(
    model: GeoCostModel | TableCostModel,
    *,
    k: int,
    pool: int = 4,
    per_household: int = 16,
    eager: float = 1.0,
    repair: float = 0.1,
    time_limit: float | None = None,
    progress: Callable[[str], None] | None = None,
) -> FlowOutcome:
    """Solve on candidate pairs and add excluded pairs until optimality is proven.

    The first candidates are each household's ``k`` cheapest pairs among its
    nearest officers (the pool: :func:`_pool_size`).  After each solve the
    augmenting-path test checks cardinality; then pool pairs with a negative
    reduced cost join (cheap: their costs are known).  The search beyond the
    pool (:func:`_priced_out`, balls around households) runs when the pool
    has nothing to add, and also alongside it once prices have settled
    (the pool adds at most ``eager * households`` pairs): early prices are
    inflated by the thin first candidates and would make the balls large.

    Parameters
    ----------
    model : GeoCostModel or TableCostModel
    k : int
        Candidate pairs per household in the first round.
    pool : int
        The pool is at least the ``pool * k`` nearest officers of each
        household, more where officers are dense (:func:`_pool_size`).
    per_household : int
        At most this many pairs per household join in a round, the most
        negative first.
    eager : float
        Search beyond the pool in the same round when the pool adds at most
        ``eager * n_households`` pairs.  Measured at 5,000 households (a
        one-off comparison, median of 5): 1.0 takes 5 rounds and 1.07 s,
        0.2 takes 6 rounds and 1.30 s; level at Khon Kaen size, 10,000 and
        20,000 households.
    repair : float
        When at most ``repair * n_households`` pairs join (and the number of
        paired households is already the largest), re-optimise the last flow
        (:func:`_repair`) instead of solving afresh; 0 never does.  Only speed
        depends on it: ``benchmarks/bench_density.py`` measures 0.87 s with 0.1
        against 1.33 s with 0 at 5,000 households, 30 s against 34 s at 20,000.
    time_limit : float, optional
        Seconds; when reached before the proof holds, the last answer is
        returned with ``certified=False``.
    progress : callable, optional
        Called with a line of text after each round.
    """
    t0 = time.perf_counter()
    p = model.problem
    n_o, n_h, cap = p.n_officers, p.n_households, p.capacity
    integral = isinstance(model, TableCostModel) and bool(np.all(model.cost == np.rint(model.cost)))
    scale = choose_scale(model.max_cost_bound(), n_o + n_h + 2, integral)
    seconds = {"candidates": 0.0, "flow": 0.0, "certificate": 0.0}
    empty = np.zeros(0, np.int64)
    tc = time.perf_counter()
    if isinstance(model, TableCostModel):
        o, h = model.all_pairs()
        _, cint = _int_costs(model, o, h, scale)
    else:
        pool_o, floor = model.nearest(_pool_size(model, k, pool))
        pool_h = np.broadcast_to(np.arange(n_h)[:, None], pool_o.shape)
        pc, pool_c = _int_costs(model, pool_o.ravel(), pool_h.ravel(), scale)
        pool_c = pool_c.reshape(pool_o.shape)
        pool_ok = pc.allowed.reshape(pool_o.shape)
        taken = _cheapest(np.where(pool_ok, pc.cost.reshape(pool_o.shape), np.inf), k)
        taken &= pool_ok
        o, h, cint = pool_o[taken], np.nonzero(taken)[0], pool_c[taken]
    seconds["candidates"] += time.perf_counter() - tc
    rounds = 0
    pi_h = pi_o = d = None
    # households all of whose pairs outside the candidates are proven not to
    # undercut under the current potentials: a repair keeps most of them so
    clean = np.zeros(n_h, dtype=bool)
    while True:
        rounds += 1
        if d is None:
            tf = time.perf_counter()
            used = solve_flow(n_o, n_h, cap, o, h, cint)
            seconds["flow"] += time.perf_counter() - tf
            clean[:] = False
        if isinstance(model, TableCostModel):
            certified = True  # every allowed pair is in the model
            break
        tcert = time.perf_counter()
        # cardinality: pairs that open augmenting paths (the nearest free slots);
        # a repaired flow keeps its proven number of pairs
        aug_o, aug_h = _augmenting_pairs(model, o, h, used, k) if d is None else (empty, empty)
        if len(aug_o):
            # candidates of these households only: hashing every candidate costs more
            mine = np.zeros(n_h, dtype=bool)
            mine[aug_h] = True
            mine = mine[h]
            fresh = ~np.isin(_pair_keys(aug_o, aug_h, n_o), _pair_keys(o[mine], h[mine], n_o))
            aug_o, aug_h = aug_o[fresh], aug_h[fresh]
            hit = pool_o[aug_h] == aug_o[:, None]  # those in the pool are taken there
            in_pool = hit.any(axis=1)
            taken[aug_h[in_pool], hit[in_pool].argmax(axis=1)] = True
        _, aug_c = _int_costs(model, aug_o, aug_h, scale)
        # cost: pool pairs with a negative reduced cost (their costs are known)
        if d is None:
            d = _distances(n_o, n_h, cap, o, h, cint, used)
        pi_h, pi_o = d[:n_h], d[n_h : n_h + n_o]
        rows = np.flatnonzero(~clean)
        every = len(rows) == n_h  # no copies then
        p_o, p_c = (pool_o, pool_c) if every else (pool_o[rows], pool_c[rows])
        reduced = p_c + pi_h[rows, None]
        reduced -= pi_o[p_o]
        reduced[taken | ~pool_ok if every else taken[rows] | ~pool_ok[rows]] = 0
        join = reduced < 0
        many = np.flatnonzero(join.sum(axis=1) > per_household)
        cut = rows[many]
        if len(many):
            # each household's most negative pairs only
            worst = reduced[many]
            nth = np.partition(worst, per_household - 1, axis=1)[:, per_household - 1]
            join[many] &= worst <= nth[:, None]
        jr, jc = np.nonzero(join)
        add_o = np.concatenate([aug_o, p_o[jr, jc]])
        add_h = np.concatenate([aug_h, rows[jr]])
        add_c = np.concatenate([aug_c, p_c[jr, jc]])
        taken[rows[jr], jc] = True
        what = "from the pool and augmenting paths"
        # beyond the pool: when the pool is exhausted (the proof), or alongside
        # it once prices have settled
        if len(add_o) == 0 or (len(aug_o) == 0 and len(add_o) <= eager * n_h):
            bo, bh, bc, more = _priced_out(model, scale, floor, pi_h, pi_o, per_household, rows)
            outside = ~(pool_o[bh] == bo[:, None]).any(axis=1)
            add_o = np.concatenate([add_o, bo[outside]])
            add_h = np.concatenate([add_h, bh[outside]])
            add_c = np.concatenate([add_c, bc[outside]])
            what += " and beyond the pool"
            # every undercutting pair of these households now joins, unless cut
            clean[rows] = True
            clean[cut] = clean[more] = False
        seconds["certificate"] += time.perf_counter() - tcert
        log.debug("round %d: %d candidate pairs, %d added %s", rounds, len(o), len(add_o), what)
        if progress:
            progress(f"round {rounds}: {len(o):,} candidate pairs, {len(add_o):,} added")
        if len(add_o) == 0:
            certified = True
            break
        if time_limit is not None and time.perf_counter() - t0 > time_limit:
            certified = False
            break
        o, h, cint = (
            np.concatenate([o, add_o]),
            np.concatenate([h, add_h]),
            np.concatenate([cint, add_c]),
        )
        repaired = None
        if len(aug_o) == 0 and len(add_o) <= repair * n_h:
            tf = time.perf_counter()
            used = np.concatenate([used, np.zeros(len(add_o), dtype=bool)])
            repaired = _repair(
                n_o, n_h, cap, o, h, cint, used, d, max_arcs=int(_REPAIR_SHARE * len(o))
            )
            seconds["flow"] += time.perf_counter() - tf
        if repaired is None:
            d = None
        else:
            # a pair's reduced cost changes by shift[h] - shift[o]: households whose
            # potential fell less than no officer's rose stay proven
            used, fresh_d = repaired
            shift = fresh_d - d
            clean &= shift[:n_h] >= shift[n_h : n_h + n_o].max(initial=0)
            d = fresh_d
    seconds["total"] = time.perf_counter() - t0
    return FlowOutcome(o[used], h[used], certified, rounds, len(o), scale, seconds, pi_h, pi_o)
