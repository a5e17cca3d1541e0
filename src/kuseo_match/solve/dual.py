"""Completing the dual: prices that hold over every allowed pair, or proof the flow can improve.

After a round's flow, the potentials ``d`` (shortest distances from the sink)
are feasible on the candidates' residual graph.  The pairs left out are arcs
``household -> officer`` of that graph too, of weight ``cost``; where the
officers are dense, thousands of them are near ties, and many undercut ``d``
although the flow is already optimal: only the prices are wrong.  Solving the
flow again to learn the prices costs a whole round.

Instead, :func:`complete` runs the label-correcting shortest-path search from
the sink on the residual graph of *every* allowed pair, with the left-out
arcs found as they are needed: a pass prices the pairs of the households
whose label fell (the pool, then balls beyond it), the undercutting ones join
the search, and their ends are relaxed on the candidates' arcs and the
joined ones.  Labels only fall, starting from distances on fewer arcs, so the
search ends at the distances on every arc:

* when no pair undercuts any more, ``d`` is feasible for every allowed pair:
  the flow is optimal over all of them, and ``d`` gives the officers' prices;
* when the search finds a negative cycle (a cycle in the predecessor graph,
  or the sink's label falling), the flow can improve: the pairs that joined
  go into the candidates and the next round solves the flow again.

The search stops for a cycle as soon as one closes, so a round whose flow is
far from optimal costs about what the pricing alone did.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .certificate import priced_out
from .network import Matching, Network, Residual
from .options import SolveOptions
from .table import Candidates

__all__ = ["Completion", "Relaxer", "complete"]

_log = logging.getLogger("kuseo_match")

#: Label-correcting iterations between two searches for a cycle among the
#: predecessors (each a few gathers over the nodes).
CYCLE_CHECK = 8


@dataclass(frozen=True, eq=False)
class Completion:
    """How :func:`complete` ended.

    Attributes
    ----------
    proven : bool
        No allowed pair undercuts ``d``: the flow is optimal over every one.
    d : numpy.ndarray of int64, shape (n_nodes,)
        The labels at the end (feasible for every allowed pair when ``proven``).
    o, h, cost, reduced : numpy.ndarray, shape (n_joined,)
        The pairs that joined the search (integer costs, and reduced costs when
        they joined), for the next round when not ``proven``.
    passes : int
        Pricing passes.
    """

    proven: bool
    d: np.ndarray
    o: np.ndarray
    h: np.ndarray
    cost: np.ndarray
    reduced: np.ndarray
    passes: int


class Relaxer:
    """Label-correcting shortest paths from a root on a fixed arc set (sorted once)
    and arcs added later, keeping each label's predecessor so that a negative
    cycle is seen as a cycle of predecessors.

    Examples
    --------
    >>> from kuseo_match.solve.network import Network
    >>> net = Network.build(3, [0, 1], [1, 2], capacity=[1, 1], cost=[4, 1])
    >>> r = Relaxer(net.residual([0, 0]), 3, root=0)
    >>> d = np.array([0, 4, 5]); pred = np.array([0, 0, 1])
    >>> r.add(np.array([0]), np.array([2]), np.array([2]))
    >>> r.run(d, pred, np.array([0])), d.tolist()
    (True, [0, 4, 2])
    """

    def __init__(self, residual: Residual, n_nodes: int, root: int) -> None:
        order = np.argsort(residual.tail, kind="stable")
        self.tail = residual.tail[order]
        self.head = residual.head[order]
        self.weight = residual.weight[order]
        self.indptr = np.searchsorted(self.tail, np.arange(n_nodes + 1))
        self.n_nodes, self.root = n_nodes, root
        empty = np.zeros(0, np.int64)
        self.extra = (empty, empty, empty)

    def add(self, tail: np.ndarray, head: np.ndarray, weight: np.ndarray) -> None:
        """Arcs that join the search."""
        t, h, w = self.extra
        self.extra = (np.r_[t, tail], np.r_[h, head], np.r_[w, weight])

    def run(self, d: np.ndarray, pred: np.ndarray, frontier: np.ndarray) -> bool:
        """Lower ``d`` (and set ``pred``) in place until every arc is feasible, from
        the out-arcs of ``frontier``; False as soon as a negative cycle shows (the
        root's label falls, or the predecessors close a cycle)."""
        n = self.n_nodes
        et, eh, ew = self.extra
        order = np.argsort(et, kind="stable")
        et, eh, ew = et[order], eh[order], ew[order]
        eptr = np.searchsorted(et, np.arange(n + 1))
        frontier = np.asarray(frontier, np.int64)
        step = 0
        while len(frontier):
            step += 1
            tails, heads, values = [], [], []
            for indptr, tail, head, weight in (
                (self.indptr, self.tail, self.head, self.weight),
                (eptr, et, eh, ew),
            ):
                counts = indptr[frontier + 1] - indptr[frontier]
                total = int(counts.sum())
                if total == 0:
                    continue
                arcs = np.repeat(indptr[frontier] - np.cumsum(counts) + counts, counts)
                arcs += np.arange(total)
                tails.append(tail[arcs])
                heads.append(head[arcs])
                values.append(d[tail[arcs]] + weight[arcs])
            if not tails:
                return True
            tail_, head_, value = (np.concatenate(x) for x in (tails, heads, values))
            better = value < d[head_]
            if not better.any():
                return True
            tail_, head_, value = tail_[better], head_[better], value[better]
            # the least value per head, and the arc that gave it
            order = np.lexsort((value, head_))
            first = order[np.r_[True, head_[order][1:] != head_[order][:-1]]]
            frontier = head_[first]
            d[frontier] = value[first]
            pred[frontier] = tail_[first]
            if d[self.root] < 0:
                return False
            if step % CYCLE_CHECK == 0 and self.has_cycle(pred, frontier):
                return False
            if step > 4 * n:  # pragma: no cover - a cycle is found long before
                return False
        return True

    def has_cycle(self, pred: np.ndarray, nodes: np.ndarray) -> bool:
        """Whether following predecessors from ``nodes`` runs into a cycle (the
        root is its own predecessor; unlabelled nodes have -1)."""
        jump = np.where(pred < 0, self.root, pred)
        jump[self.root] = self.root
        x = nodes.copy()
        for _ in range(int(np.ceil(np.log2(max(self.n_nodes, 2)))) + 1):
            x = jump[x]
            jump = jump[jump]
        return not bool((x == self.root).all())


def complete(
    model,
    table: Candidates,
    matching: Matching,
    network: Network,
    flow: np.ndarray,
    d: np.ndarray,
    pred: np.ndarray,
    scale: float,
    options: SolveOptions,
    deadline: float | None,
    clock: Callable[[str, float], None],
) -> Completion:
    """The search of the module docstring, from the candidates' shortest-path labels
    ``d`` and their tree ``pred`` (both changed in place).  ``clock`` is told the
    seconds spent ``"beyond_pool"``."""
    from .certified import _pool_violators  # the pool pricing of the round loop

    n_h, n_o = matching.n_households, matching.n_officers
    per = options.per_household
    relaxer = Relaxer(network.residual(flow), matching.n_nodes, matching.sink)
    # households without a candidate pair have no arc from the source in the network,
    # but have one in the residual graph of every allowed pair (they are unpaired)
    linked = np.zeros(n_h, dtype=bool)
    linked[table.h] = True
    unlinked = np.flatnonzero(~linked)
    relaxer.add(
        np.full(len(unlinked), matching.source), unlinked, np.zeros(len(unlinked), np.int64)
    )
    rows = np.arange(n_h)
    found: list[tuple[np.ndarray, ...]] = []
    passes = 0
    while True:
        passes += 1
        d_h, d_o = d[:n_h], d[n_h : n_h + n_o]
        jr, jc, many = _pool_violators(table, d_h, d_o, rows, per)
        o, h, c = table.pool_o[jr, jc], jr, table.pool_c[jr, jc]
        more = np.zeros(0, np.int64)
        # beyond the pool too, unless the pool alone has more than a pair a household
        # to add (prices are far off then: the balls wait for the next pass or round)
        beyond = len(o) <= n_h
        if beyond:
            tb = time.perf_counter()
            bo, bh, bc, more = priced_out(model, scale, table.floor, d_h, d_o, per, rows, options)
            clock("beyond_pool", tb)
            if table.pool_o.shape[1] and len(bo):
                outside = ~(table.pool_o[bh] == bo[:, None]).any(axis=1)
                bo, bh, bc = bo[outside], bh[outside], bc[outside]
            o, h, c = np.r_[o, bo], np.r_[h, bh], np.r_[c, bc]
        if len(o) == 0:
            o, h, c, r = _joined(found)
            return Completion(True, d, o, h, c, r, passes)
        found.append((o, h, c, c + d_h[h] - d_o[o]))
        before = d[:n_h].copy()
        relaxer.add(h, n_h + o, c)
        tr = time.perf_counter()
        ok = relaxer.run(d, pred, np.unique(h))
        _log.debug(
            "  pass %d: %d households priced, %d undercut; relaxed in %.2f s",
            passes,
            len(rows),
            len(o),
            time.perf_counter() - tr,
        )
        if not ok or (deadline is not None and time.perf_counter() > deadline):
            o, h, c, r = _joined(found)
            return Completion(False, d, o, h, c, r, passes)
        # pairs of households whose label fell may undercut now; and those that had
        # more undercutting pairs than joined, or whose balls were not queried
        again = np.union1d(many, more) if beyond else rows
        rows = np.union1d(np.flatnonzero(d[:n_h] < before), again)


def _joined(found: list[tuple[np.ndarray, ...]]) -> tuple[np.ndarray, ...]:
    """The pairs that joined the search, as four arrays."""
    if not found:
        return (np.zeros(0, np.int64),) * 4
    return tuple(np.concatenate(part) for part in zip(*found, strict=True))
