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
from scipy.sparse.csgraph import breadth_first_order, dijkstra

from ..errors import KuseoError
from .network import Matching, Network, Residual

__all__ = ["UNREACHED", "complete", "matching_potentials", "relax", "shortest_from"]

#: Label of nodes the root does not reach (arcs among them all have weight >= 0).
UNREACHED = np.int64(2**62)


def relax(tail: np.ndarray, head: np.ndarray, w: np.ndarray, d: np.ndarray, frontier) -> None:
    """Lower ``d`` in place until ``d[j] <= d[i] + w`` on every arc ``i -> j``,
    starting from the out-arcs of the ``frontier`` nodes (the nodes whose label
    changed); raises on a negative cycle."""
    n = len(d)
    order = np.argsort(tail, kind="stable")
    tail, head, w = tail[order], head[order], w[order]
    indptr = np.searchsorted(tail, np.arange(n + 1))
    frontier = np.asarray(frontier, dtype=np.int64)
    for _ in range(n + 1):
        counts = indptr[frontier + 1] - indptr[frontier]
        total = int(counts.sum())
        if total == 0:
            return
        offsets = np.repeat(indptr[frontier] - np.cumsum(counts) + counts, counts)
        arcs = offsets + np.arange(total)
        best = np.full(n, UNREACHED, dtype=np.int64)
        np.minimum.at(best, head[arcs], d[tail[arcs]] + w[arcs])
        frontier = np.flatnonzero(best < d)
        if len(frontier) == 0:
            return
        d[frontier] = best[frontier]
    raise KuseoError("internal error: the residual graph has a negative cycle")  # pragma: no cover


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
    given with them, is filled with each node's predecessor on a shortest path
    (the root its own, -1 where none).

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
        relax(residual.tail, residual.head, residual.weight, d, np.array([root]))
        return d
    tail, head, weight = residual.tail, residual.head, residual.weight
    reduced = residual.reduced(feasible)
    if len(reduced) and reduced.min() < 0:
        raise KuseoError("internal error: potentials not feasible")  # pragma: no cover
    # parallel arcs: the least weight only (a sparse matrix would add them up)
    order = np.lexsort((reduced, head, tail))
    key = tail[order] * n_nodes + head[order]
    first = order[np.r_[True, key[1:] != key[:-1]]] if len(key) else order
    tail, head, weight, reduced = tail[first], head[first], weight[first], reduced[first]
    graph = csr_matrix((reduced.astype(float), (tail, head)), shape=(n_nodes, n_nodes))
    _, pred = dijkstra(graph, indices=root, return_predecessors=True)
    # exact sums along the tree, parents first: each label is a path's length, so
    # it is at least the distance, and equal to it where every arc is feasible
    nodes = np.flatnonzero(pred >= 0)
    key = tail * n_nodes + head
    arc = np.searchsorted(key, pred[nodes].astype(np.int64) * n_nodes + nodes)
    tree = csr_matrix((np.ones(len(nodes)), (pred[nodes], nodes)), shape=(n_nodes, n_nodes))
    step = np.zeros(n_nodes, np.int64)
    step[nodes] = weight[arc]
    parent = np.full(n_nodes, root, np.int64)
    parent[nodes] = pred[nodes]
    for v in breadth_first_order(tree, root, return_predecessors=False)[1:]:
        d[v] = d[parent[v]] + step[v]
    if pred is not None:
        pred[:] = -1
        pred[nodes] = parent[nodes]
        pred[root] = root
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
        if pred is not None and engine_d is None:  # the tree comes from the Dijkstra pass
            engine_d = shortest_from(res, network.n_nodes, matching.sink)
            complete(res, engine_d)
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
