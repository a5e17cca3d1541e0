"""Node potentials of an optimal flow: the prices the optimality certificate works with.

A potential ``d`` is feasible for a residual graph when every residual arc
``i -> j`` of weight ``w`` has a non-negative reduced weight
``w + d[i] - d[j]``; a flow is optimal exactly when its residual graph has one.
Shortest-path distances from a root are the largest feasible potentials with
``d[root] = 0``; here the root is the sink of the matching network, so that
officers' prices ``-d[officer]`` are as small as they can be (0 for an
officer with a free slot) and households' prices ``-d[household]`` are their
pair's cost plus their officer's price.

Given feasible potentials (the flow engine hands them back), the distances
come from one Dijkstra pass (scipy) on the reduced weights, which are then
non-negative (Johnson's reweighting), and are summed again exactly in int64
along the shortest-path tree.  Without them, Bellman-Ford runs in vectorised
rounds that relax only the out-arcs of the nodes that improved in the round
before (a label-correcting search), in exact int64 arithmetic.
"""

from __future__ import annotations

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from ..errors import KuseoError
from .network import Matching, Network, Residual

__all__ = [
    "UNREACHED",
    "LabelSearch",
    "complete",
    "matching_potentials",
    "relax",
    "shortest_from",
]

#: Label of nodes the root does not reach (arcs among them all have weight >= 0).
UNREACHED = np.int64(2**62)


class LabelSearch:
    """Label-correcting shortest paths on a fixed arc set (sorted by tail once) and
    arcs added later, optionally keeping each label's predecessor, so that a
    negative cycle shows as a cycle of predecessors (or as the root's label
    falling).

    Examples
    --------
    >>> search = LabelSearch(np.array([0, 1]), np.array([1, 2]), np.array([4, 1]), 3)
    >>> d = np.array([0, 4, 5]); pred = np.array([0, 0, 1])
    >>> search.add(np.array([0]), np.array([2]), np.array([2]))
    >>> search.run(d, np.array([0]), pred=pred, root=0), d.tolist(), pred.tolist()
    (True, [0, 4, 2], [0, 0, 0])
    """

    def __init__(self, tail: np.ndarray, head: np.ndarray, weight: np.ndarray, n: int) -> None:
        self.n = n
        self.fixed = self._sorted(tail, head, weight)
        empty = np.zeros(0, np.int64)
        self.extra = (empty, empty, empty)
        self._extra_sorted: tuple | None = None

    def _sorted(self, tail, head, weight) -> tuple[np.ndarray, ...]:
        order = np.argsort(tail, kind="stable")
        tail = np.asarray(tail, np.int64)[order]
        return (
            np.searchsorted(tail, np.arange(self.n + 1)),
            tail,
            np.asarray(head, np.int64)[order],
            np.asarray(weight, np.int64)[order],
        )

    def add(self, tail: np.ndarray, head: np.ndarray, weight: np.ndarray) -> None:
        """Arcs that join the search."""
        t, h, w = self.extra
        self.extra = (np.r_[t, tail], np.r_[h, head], np.r_[w, weight])
        self._extra_sorted = None

    def run(
        self,
        d: np.ndarray,
        frontier: np.ndarray,
        *,
        pred: np.ndarray | None = None,
        root: int | None = None,
    ) -> bool:
        """Lower ``d`` in place until ``d[j] <= d[i] + w`` on every arc ``i -> j``,
        starting from the out-arcs of the ``frontier`` nodes (those whose label
        changed), and set ``pred`` where a label falls.  True when done; False at
        a negative cycle (seen among the predecessors, or the ``root``'s label
        falling below 0), or after as many rounds as nodes without ``pred``."""
        if self._extra_sorted is None:
            self._extra_sorted = self._sorted(*self.extra)
        sets = [self.fixed] if not len(self.extra[0]) else [self.fixed, self._extra_sorted]
        frontier = np.asarray(frontier, dtype=np.int64)
        step = 0
        while len(frontier):
            step += 1
            if step > self.n + 1:
                return False
            parts = []
            for indptr, tail, head, weight in sets:
                counts = indptr[frontier + 1] - indptr[frontier]
                total = int(counts.sum())
                if total:
                    arcs = np.repeat(indptr[frontier] - np.cumsum(counts) + counts, counts)
                    arcs += np.arange(total)
                    parts.append((tail[arcs], head[arcs], d[tail[arcs]] + weight[arcs]))
            if not parts:
                return True
            tail_, head_, value = (np.concatenate(x) for x in zip(*parts, strict=True))
            better = value < d[head_]
            if not better.any():
                return True
            tail_, head_, value = tail_[better], head_[better], value[better]
            # the least value per head, and the arc that gave it
            order = np.lexsort((value, head_))
            first = order[np.r_[True, head_[order][1:] != head_[order][:-1]]]
            frontier = head_[first]
            d[frontier] = value[first]
            if pred is None:
                continue
            pred[frontier] = tail_[first]
            if root is not None and d[root] < 0:
                return False
            if step % CYCLE_CHECK == 0 and _closes_cycle(pred, frontier, root):
                return False
        return True


#: Label-correcting rounds between two searches for a cycle among the predecessors
#: (each a few gathers over the nodes).
CYCLE_CHECK = 8


def _closes_cycle(pred: np.ndarray, nodes: np.ndarray, root: int | None) -> bool:
    """Whether following predecessors from ``nodes`` runs into a cycle (the root is
    its own predecessor; unlabelled nodes, -1, count as reaching it)."""
    top = root if root is not None else len(pred)
    jump = np.r_[np.where(pred < 0, top, pred), top]
    if root is not None:
        jump[root] = root
    x = nodes.copy()
    for _ in range(int(np.ceil(np.log2(max(len(pred), 2)))) + 1):
        x = jump[x]
        jump = jump[jump]
    return not bool((x == top).all())


def relax(tail: np.ndarray, head: np.ndarray, w: np.ndarray, d: np.ndarray, frontier) -> None:
    """Lower ``d`` in place until ``d[j] <= d[i] + w`` on every arc ``i -> j``,
    starting from the out-arcs of the ``frontier`` nodes; raises on a negative
    cycle."""
    if not LabelSearch(tail, head, w, len(d)).run(d, frontier):
        raise KuseoError(
            "internal error: the residual graph has a negative cycle"
        )  # pragma: no cover


def shortest_from(
    residual: Residual,
    n_nodes: int,
    root: int,
    feasible: np.ndarray | None = None,
    pred: np.ndarray | None = None,
) -> np.ndarray:
    """Shortest-path distances from ``root`` over the residual arcs (int64;
    :data:`UNREACHED` where there is no path).

    ``feasible``: potentials with a non-negative reduced weight on every residual
    arc, if known (one Dijkstra pass then replaces Bellman-Ford).  ``pred``, if
    given, is filled with each node's predecessor on a shortest path (the root
    its own, -1 where none).

    Examples
    --------
    >>> from kuseo_match.solve.network import Network
    >>> net = Network.build(3, [0, 1, 0], [1, 2, 2], capacity=[1, 1, 1], cost=[1, 1, 5])
    >>> shortest_from(net.residual([0, 0, 0]), 3, 0).tolist()
    [0, 1, 2]
    >>> shortest_from(net.residual([0, 0, 0]), 3, 0, np.array([0, 1, 2])).tolist()
    [0, 1, 2]
    """
    d = np.full(n_nodes, UNREACHED, dtype=np.int64)
    d[root] = 0
    if feasible is None:
        if pred is not None:
            pred[:] = -1
            pred[root] = root
        search = LabelSearch(residual.tail, residual.head, residual.weight, n_nodes)
        if not search.run(d, np.array([root]), pred=pred, root=root):
            raise KuseoError(
                "internal error: the residual graph has a negative cycle"
            )  # pragma: no cover
        return d
    tail, head, weight = residual.tail, residual.head, residual.weight
    reduced = residual.reduced(feasible)
    if len(reduced) and reduced.min() < 0:
        raise KuseoError("internal error: potentials not feasible")  # pragma: no cover
    # arcs by (tail, head), parallel ones at their least weight (a sparse matrix
    # would add them up); the matching networks have none
    key = tail * n_nodes + head
    order = np.argsort(key, kind="stable")
    key = key[order]
    if len(key) and (key[1:] == key[:-1]).any():
        order = np.lexsort((reduced, head, tail))
        key = tail[order] * n_nodes + head[order]
        order = order[np.r_[True, key[1:] != key[:-1]]]
        key = key[np.r_[True, key[1:] != key[:-1]]]
    tail, head, weight, reduced = tail[order], head[order], weight[order], reduced[order]
    indptr = np.searchsorted(tail, np.arange(n_nodes + 1))
    graph = csr_matrix((reduced.astype(float), head, indptr), shape=(n_nodes, n_nodes))
    _, pred = dijkstra(graph, indices=root, return_predecessors=True)
    # exact sums along the tree: each label is a path's length, so it is at least the
    # distance, and equal to it where every arc is feasible; the sums double up the
    # tree (each step adds the sum of as many ancestors again), in int64
    nodes = np.flatnonzero(pred >= 0)
    arc = np.searchsorted(key, pred[nodes].astype(np.int64) * n_nodes + nodes)
    total = np.zeros(n_nodes, np.int64)
    total[nodes] = weight[arc]
    up = np.full(n_nodes, root, np.int64)
    up[nodes] = pred[nodes]
    while (up != root).any():
        total += np.where(up != root, total[up], 0)
        up = up[up]
    d[nodes] = total[nodes]
    parent = np.full(n_nodes, root, np.int64)
    parent[nodes] = pred[nodes]
    # float rounding may have picked a slightly longer path somewhere: relax it
    reached = d < UNREACHED
    live = reached[tail]
    bad = live & (d[tail] + weight < d[head])
    if bad.any():
        relax(tail[live], head[live], weight[live], d, np.unique(tail[bad]))
        if pred is not None:  # the tree changed where the labels did: tight arcs again
            tight = live & (d[tail] + weight == d[head])
            pred[head[tight]] = tail[tight]
            pred[root] = root
    return d


def matching_potentials(
    matching: Matching,
    network: Network,
    flow: np.ndarray,
    engine_d: np.ndarray | None = None,
    *,
    shortest: bool = True,
    pred: np.ndarray | None = None,
) -> np.ndarray:
    """Potentials of a matching network's optimal flow: distances from the sink, with
    every officer that has a free slot and no household at 0 (its bound from the
    arc to the sink; its only other residual arcs come in, so that stays feasible),
    and every household without a candidate pair at the source's potential (as if
    it had its unused arc from the source, its only arc).

    ``engine_d``: feasible potentials the flow engine handed back, if any: the
    distances then take one Dijkstra pass; with ``shortest=False`` they are only
    shifted to 0 at the sink (feasible, though not the shortest distances: enough
    for the certificate, not for prices).  ``pred``, if given, receives each
    node's predecessor on a shortest path (:func:`shortest_from`; households
    without a candidate pair hang on the source, idle officers on the sink).

    Returns
    -------
    numpy.ndarray of int64, shape (n_nodes,)
        Households first, then officers, source, sink (see :class:`Matching`).
    """
    if engine_d is not None and not shortest:
        d = engine_d - engine_d[matching.sink]
    else:
        res = network.residual(flow)
        d = shortest_from(res, network.n_nodes, matching.sink, engine_d, pred)
        complete(res, d)
    linked = np.zeros(matching.n_households, dtype=bool)
    linked[network.head[network.tail == matching.source]] = True
    d[: matching.n_households][~linked] = d[matching.source]
    if pred is not None:
        pred[: matching.n_households][~linked] = matching.source
    idle = idle_at_zero(matching, network, flow, d, pred)
    return idle


def complete(res: Residual, d: np.ndarray) -> None:
    """Potentials, in place, for the nodes the root does not reach.

    Without lower bounds every node of a matching network is reached from the
    sink; with them, an officer held at its minimum and at its capacity has no
    residual arc to or from the sink, and its part of the graph may not be
    reached.  Those nodes get the smallest potentials that keep their arcs into
    the reached part feasible (shortest paths towards it, on the reversed arcs),
    so that pairs into them are not priced as undercutting for nothing; nodes
    that reach no labelled node at all get 0, lowered along their own arcs.
    Every residual arc is then feasible.
    """
    lost = d >= UNREACHED
    if not lost.any():
        return
    e = np.where(lost, UNREACHED, -d)
    relax(res.head, res.tail, res.weight, e, np.flatnonzero(~lost))
    found = lost & (e < UNREACHED)
    d[found] = -e[found]
    rest = lost & ~found
    if rest.any():
        d[rest] = 0
        relax(res.tail, res.head, res.weight, d, np.arange(len(d)))


def idle_at_zero(
    matching: Matching,
    network: Network,
    flow: np.ndarray,
    d: np.ndarray,
    pred: np.ndarray | None = None,
) -> np.ndarray:
    """Set the potential of officers with a free slot and no household to 0, in place
    (and their predecessor to the sink)."""
    n_o = matching.n_officers
    arcs = slice(network.n_arcs - n_o, network.n_arcs)  # officer -> sink, in officer order
    load, capacity = flow[arcs], network.capacity[arcs]
    idle = (load == 0) & (capacity > 0)
    d[matching.officer_nodes[idle]] = 0
    if pred is not None:
        pred[matching.officer_nodes[idle]] = matching.sink
    return d
