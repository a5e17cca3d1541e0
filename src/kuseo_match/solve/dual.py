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
from .network import Matching, Network
from .options import SolveOptions
from .potentials import LabelSearch
from .table import Candidates

__all__ = ["Completion", "complete"]

_log = logging.getLogger("kuseo_match")


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
    n_h, n_o = matching.n_households, matching.n_officers
    per = options.per_household
    res = network.residual(flow)
    search = LabelSearch(res.tail, res.head, res.weight, matching.n_nodes)
    # households without a candidate pair have no arc from the source in the network,
    # but have one in the residual graph of every allowed pair (they are unpaired)
    linked = np.zeros(n_h, dtype=bool)
    linked[table.h] = True
    unlinked = np.flatnonzero(~linked)
    search.add(np.full(len(unlinked), matching.source), unlinked, np.zeros(len(unlinked), np.int64))
    rows = np.arange(n_h)
    found: list[tuple[np.ndarray, ...]] = []
    passes = 0
    while True:
        passes += 1
        d_h, d_o = d[:n_h], d[n_h : n_h + n_o]
        jr, jc, many = table.undercutting(d_h, d_o, rows, per)
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
        search.add(h, n_h + o, c)
        tr = time.perf_counter()
        ok = search.run(d, np.unique(h), pred=pred, root=matching.sink)
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
