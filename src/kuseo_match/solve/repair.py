"""Re-optimise a flow after arcs joined its network, from its potentials.

OR-Tools cannot start from an earlier answer.  When only a few candidate pairs
join, the last flow is still nearly optimal, and its potentials ``d`` are
feasible for every residual arc but the new ones.  A min-cost circulation on
the residual arcs of small reduced weight re-optimises the flow among them,
and shortest paths on those arcs (from a root with 0-arcs to every node)
shift ``d`` to be feasible on them again.  With the bound ``B = sum(-r)`` of
the negative reduced weights this is exact at once: every arc of a negative
cycle lies below it, and arcs at ``B`` or more stay feasible under a shift
within ``B``.  A smaller ``B`` (keeping at most ``max_arcs`` arcs) may leave
arcs with a negative reduced weight; they are repaired in turn, up to
``tries`` times.  The result is checked feasible on every residual arc.
"""

from __future__ import annotations

import numpy as np

from .engine import FlowEngine
from .network import Matching, Network
from .potentials import UNREACHED, idle_at_zero, relax

__all__ = ["reoptimise"]


def reoptimise(
    matching: Matching,
    network: Network,
    flow: np.ndarray,
    d: np.ndarray,
    engine: FlowEngine,
    *,
    max_arcs: int,
    tries: int = 2,
) -> tuple[np.ndarray, np.ndarray] | None:
    """A min-cost flow of ``network`` and feasible potentials, from a flow ``flow``
    that is optimal but for some arcs and potentials ``d`` feasible but for them.

    The flow keeps its value (the number of paired households).  Returns None
    when the repair does not get there (solving afresh is then the way) or
    ``d`` does not reach every node.
    """
    if (d >= UNREACHED).any():
        return None
    flow = np.array(flow, dtype=np.int64)
    for attempt in range(tries + 1):
        res = network.residual(flow)
        red = res.reduced(d)
        negative = red < 0
        if not negative.any():
            return flow, d
        if attempt == tries:
            return None
        bound = int(-red[negative].sum())
        if negative.sum() + max_arcs < len(red):
            bound = max(min(bound, int(np.partition(red, max_arcs)[max_arcs])), 1)
        near = np.flatnonzero(red < bound)
        circulation = engine.solve(
            Network.build(
                network.n_nodes,
                res.tail[near],
                res.head[near],
                capacity=res.capacity[near],
                cost=red[near],
            )
        ).flow
        moved = near[circulation > 0]
        sign = np.where(res.forward[moved], 1, -1)
        np.add.at(flow, res.arc[moved], sign * circulation[circulation > 0])
        res = network.residual(flow)
        red = res.reduced(d)
        near = np.flatnonzero(red < bound)
        shift = np.zeros(len(d), dtype=np.int64)
        relax(res.tail[near], res.head[near], red[near], shift, np.arange(len(d)))
        d = idle_at_zero(matching, network, flow, d + shift - shift[matching.sink])
    return None  # pragma: no cover - the loop returns
