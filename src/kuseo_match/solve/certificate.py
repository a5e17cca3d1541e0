"""The optimality certificate: no allowed pair outside the candidates could improve the answer.

The answer on the candidate pairs is optimal for *every* allowed pair when

1. **cardinality**: no allowed pair outside the candidates opens an
   augmenting path (:func:`augmenting_pairs`, an alternating search over all
   allowed pairs; when it finds none, the households it reached and the
   officers they can reach are a :class:`Witness`: more households than those
   officers have slots); and
2. **cost**: the potentials of the candidates' residual graph give every
   excluded allowed pair a non-negative reduced cost
   ``c(o, h) + d(h) - d(o) >= 0``.  Pairs in each household's pool (its
   nearest officers, whose costs are known) are priced directly by the round
   loop; beyond the pool (:func:`priced_out`), as a cost is never below the
   pair's distance plus the agency's fit penalty, only officers in a ball
   around the household can violate it, and the balls are queried per agency
   group on points lifted by the officer's price, so the check never prices
   all pairs.

The certificate sees the cost model only through :class:`Pricing`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from .model import CostModel, Pricing, is_listed, is_priced
from .options import SolveOptions

__all__ = [
    "Pricing",
    "Witness",
    "augmenting_pairs",
    "int_costs",
    "priced_out",
    "shortfall_groups",
    "top_per_household",
]

T = TypeVar("T")


@dataclass(frozen=True, eq=False)
class Witness:
    """Households that no pairing can all cover, and the officers they can reach.

    Every allowed pair of these households has one of these officers, and the
    officers have fewer slots than there are households: at least
    ``len(households) - slots`` of them stay unmatched in every pairing (Hall's
    condition fails).  Positions in the canonically ordered tables.
    """

    households: np.ndarray
    officers: np.ndarray
    slots: int

    @property
    def deficit(self) -> int:
        return len(self.households) - self.slots


def pool_map(
    options: SolveOptions, work: Callable[[Any], T], tasks: Sequence[Any], size: int
) -> list[T]:
    """``[work(t) for t in tasks]``, on the option's threads (results in task order,
    so the answer does not depend on them) when the work covers ``size >=
    options.thread_min_households`` households; with one thread, no thread at all."""
    workers = min(options.worker_count(), len(tasks))
    if workers <= 1 or size < options.thread_min_households:
        return [work(t) for t in tasks]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(work, tasks))


def int_costs(model: Any, o: np.ndarray, h: np.ndarray, scale: float):
    """The pairs' costs and their integer costs for the solver (0 where not allowed)."""
    pc = model.costs(o, h)
    return pc, np.rint(np.where(pc.allowed, pc.cost, 0.0) * scale).astype(np.int64)


def augmenting_pairs(
    model: Pricing, o: np.ndarray, h: np.ndarray, used: np.ndarray, k: int
) -> tuple[np.ndarray, np.ndarray, Witness | None]:
    """Allowed pairs that open an augmenting path (empty: the number of paired
    households is the largest over all allowed pairs), and, when there are none
    but some households are unmatched, the :class:`Witness` that proves it.
    The pairs may include candidates."""
    p = model.problem
    n_o, n_h, cap = p.n_officers, p.n_households, p.capacity
    empty = np.zeros(0, np.int64)
    load = np.bincount(o[used], minlength=n_o)
    matched = np.zeros(n_h, dtype=bool)
    matched[h[used]] = True
    unmatched = np.flatnonzero(~matched)
    slack = np.flatnonzero(load < cap)
    if len(unmatched) == 0:
        return empty, empty, None
    if model.every_pair_allowed:
        if len(slack) == 0:  # every officer is full, and every household reaches every officer
            active = np.flatnonzero(cap > 0)
            return empty, empty, Witness(np.arange(n_h), active, int(cap.sum()))
        # the nearest officers with free slots close the gap (seen from the smaller side:
        # where unmatched households outnumber them, each free officer's nearest ones)
        if len(unmatched) > len(slack):
            ao, ah = model.nearest_of(slack, unmatched, k)
        else:
            ao, ah = model.nearest_among(slack, unmatched, k)
        return ao, ah, None
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
            return np.concatenate(found_o), np.concatenate(found_h), None
        officers = np.unique(fo)
        seen_o[officers] = True
        nxt = (
            np.concatenate([uh[first[x] : first[x + 1]] for x in officers])
            if len(officers)
            else empty
        )
        frontier = np.unique(nxt[~seen_h[nxt]])
        seen_h[frontier] = True
    reached = np.flatnonzero(seen_o)
    return empty, empty, Witness(np.flatnonzero(seen_h), reached, int(cap[reached].sum()))


def top_per_household(h: np.ndarray, key: np.ndarray, k: int) -> np.ndarray:
    """Positions of each household's ``k`` smallest keys (ties in position order).

    Examples
    --------
    >>> top_per_household(np.array([0, 0, 0, 1]), np.array([3, 1, 2, 5]), 2).tolist()
    [1, 2, 3]
    """
    if len(h) == 0:
        return np.zeros(0, np.int64)
    order = np.lexsort((key, h))
    hs = h[order]
    starts = np.flatnonzero(np.r_[True, hs[1:] != hs[:-1]])
    rank = np.arange(len(hs)) - np.repeat(starts, np.diff(np.r_[starts, len(hs)]))
    return np.sort(order[rank < k])


def priced_out(
    model: Pricing,
    scale: float,
    floor: np.ndarray,
    d_h: np.ndarray,
    d_o: np.ndarray,
    per_household: int,
    households: np.ndarray,
    options: SolveOptions,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Pairs of the given households with a negative reduced cost, found in balls
    around them (pool pairs included); empty proves that none exists.

    Returns officer and household positions and integer costs of each
    household's ``per_household`` most negative pairs, and the households
    that had more.

    A pair (o, h) violates only if ``c(o, h) < d_o[o] - d_h[h]``.  No pair
    outside the pool does when the household's price is below ``floor[h]``, a
    lower bound of their costs.  For the other households: since
    ``c >= distance + penalty_bound(h, group(o))`` and ``d_o <= P_g`` within an
    agency group, only officers of group g within ``(P_g - d_h[h]) / scale -
    penalty`` km can violate -- less their price ``(P_g - d_o[o]) / scale``,
    which the ball query lifts officers by (4-D points: busy officers drop
    out).  Candidates never violate (the potentials are feasible for them), so
    no membership test is needed.

    Memory is bounded: each query holds at most ``options.pair_budget`` pairs
    (households are taken in runs of similar radius, at most ``pair_budget //
    len(group)`` at a time), and only each household's ``per_household`` most
    negative pairs are kept between queries, so the peak follows the budget
    and the number of households, never the size of the balls.
    """
    empty = np.zeros(0, np.int64)
    if not model.groups:
        return empty, empty, empty, empty
    top = np.array([d_o[g].max() for g in model.groups], dtype=float)
    slack_cost = (top.max() - d_h[households].astype(float) + 1.0) / scale
    cand = households[slack_cost > floor[households]]
    if len(cand) == 0:
        return empty, empty, empty, empty
    radius = (top[None, :] - d_h[cand, None].astype(float) + 1.0) / scale
    radius -= model.penalty_bound(cand)
    n_h = len(d_h)
    found = np.zeros(n_h, np.int64)  # violators seen per household
    kept = [empty, empty, empty, empty]
    for j, members in enumerate(model.groups):
        rows = np.flatnonzero(radius[:, j] > 0)
        if len(rows) == 0:
            continue
        tree = model.lifted(members, (top[j] - d_o[members]).astype(float) / scale)
        rows = rows[np.argsort(radius[rows, j], kind="stable")]
        size = np.floor(np.log2(np.maximum(radius[rows, j], 1.0))).astype(np.int64)
        if len(rows) * len(members) <= options.one_pass_pairs:
            size[:] = 0  # one pass: fewer, dearer calls cost more than the extra hits
        at_most = max(1, min(options.ball_chunk, options.pair_budget // len(members)))
        tasks = []
        for run in np.split(rows, np.flatnonzero(np.diff(size)) + 1):
            tasks.extend(np.array_split(run, -(-len(run) // at_most)))

        # only violators are kept, so memory follows one query of at most pair_budget
        # pairs per thread (the k-d tree queries release the GIL)
        def violators(part: np.ndarray, j: int = j, tree: Any = tree, members=members):
            bo, bh = model.within_lifted(tree, members, cand[part], radius[part, j])
            pc, bc = int_costs(model, bo, bh, scale)
            reduced = bc + d_h[bh] - d_o[bo]
            bad = np.flatnonzero(pc.allowed & (reduced < 0))
            bo, bh, bc, reduced = bo[bad], bh[bad], bc[bad], reduced[bad]
            seen = np.bincount(bh, minlength=n_h) if len(bh) else None
            keep = top_per_household(bh, reduced, per_household)
            return bo[keep], bh[keep], bc[keep], reduced[keep], seen

        for bo, bh, bc, reduced, seen in pool_map(options, violators, tasks, len(cand)):
            if seen is not None:
                found += seen
                kept = [
                    np.concatenate([a, x]) for a, x in zip(kept, (bo, bh, bc, reduced), strict=True)
                ]
        # each household's best so far, so that the kept pairs stay within
        # per_household x households
        keep = top_per_household(kept[1], kept[3], per_household)
        kept = [a[keep] for a in kept]
    bo, bh, bc, _ = kept
    return bo, bh, bc, np.flatnonzero(found > per_household)


def shortfall_groups(
    model: CostModel, witness_households: np.ndarray, officers: np.ndarray
) -> list:
    """Split a Hall violator (a :class:`Witness`) into the connected groups of its
    allowed pairs.

    Returns ``(households, officers)`` position arrays per group (households
    with no allowed pair at all are one group each).
    """
    p = model.problem
    if len(witness_households) == 0:
        return []
    if model.every_pair_allowed:  # one group: all reach all
        return [(witness_households, officers)]
    if is_listed(model):
        o, h = model.all_pairs()
        keep = np.isin(h, witness_households)
        o, h = o[keep], h[keep]
    else:
        assert is_priced(model)  # the one other kind
        o, h = model.within(witness_households, np.full(len(witness_households), np.inf))
    n_h = p.n_households
    graph = coo_matrix(
        (np.ones(len(o)), (h, n_h + o)), shape=(n_h + p.n_officers, n_h + p.n_officers)
    )
    _, label = connected_components(graph, directed=False)
    groups = []
    for lab in np.unique(label[witness_households]):
        hs = witness_households[label[witness_households] == lab]
        os_ = officers[label[n_h + officers] == lab]
        groups.append((hs, os_))
    return groups
