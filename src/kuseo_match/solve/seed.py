"""A first pairing from a transport between cells, so that the first round pairs everyone.

The nearest officers of a household are, where officers sit at offices, all at
the same office; so are those of its neighbours.  First candidates made of
them leave thousands of households unpaired in the first round wherever an
office has fewer slots than the households around it, and the rounds that
follow add the pairs that let households move one office further a few
hundred at a time.

:func:`transport_seed` solves that question first at the scale of cells: the
households of each grid cell (and district) are a supply, the officers' slots
of each cell (and district) a capacity, and a min-cost flow between each cell
and its nearest officers' cells (cost: the km between the cells' centres and
the district term) sends as many households as the slots allow, the cheapest
way.  Each cell-to-cell flow is then handed out to households of the one cell
and slots of the other in turn, which gives a pairing; its pairs join the
first candidates.  The flow of the first round can then pair as many
households as any pairing does, and its prices are those of offices sharing
the households between them, not of each office alone.  Only speed depends on
it: the certificate still proves the answer over every allowed pair.
"""

from __future__ import annotations

import numpy as np
from scipy.spatial import cKDTree

from ..geo import EARTH_RADIUS_KM, km_from_chord
from .engine import FlowEngine
from .network import Network

__all__ = ["cell_size", "transport_seed"]

#: Officers' cells each households' cell may send to.
NEAREST_CELLS = 64
#: The grid aims at about this many households' cells.
TARGET_CELLS = 2000


def cell_size(points_km: np.ndarray) -> float:
    """Grid step (km) giving about :data:`TARGET_CELLS` cells over the points' extent.

    Examples
    --------
    >>> pts = np.array([[0.0, 0.0, 0.0], [100.0, 100.0, 0.0]])
    >>> round(cell_size(pts), 2)
    2.24
    """
    span = np.ptp(points_km, axis=0) if len(points_km) else np.zeros(3)
    area = np.prod(np.sort(span)[1:])  # the two widest directions
    return float(max(1.0, np.sqrt(area / TARGET_CELLS)))


def _cells(xyz: np.ndarray, size: float, district: np.ndarray):
    """Cell of each point (grid cell and district), the cells' counts and centres."""
    key = np.column_stack((np.floor(xyz / size).astype(np.int64), district))
    _, cell, count = np.unique(key, axis=0, return_inverse=True, return_counts=True)
    cell = cell.ravel()
    n = len(count)
    centre = np.stack([np.bincount(cell, xyz[:, j], n) for j in range(3)], 1) / count[:, None]
    norm = np.linalg.norm(centre, axis=1)
    centre *= (EARTH_RADIUS_KM / np.where(norm > 0, norm, 1.0))[:, None]
    first = np.zeros(n, np.int64)
    first[cell[::-1]] = np.arange(len(cell))[::-1]
    return cell, count, centre, district[first]


def transport_seed(model, engine: FlowEngine) -> tuple[np.ndarray, np.ndarray]:
    """A pairing from the transport between cells (the module docstring), as officer
    and household positions; some of its pairs may not be allowed (the caller keeps
    those that are)."""
    p = model.problem
    active = model.active
    empty = np.zeros(0, np.int64)
    if len(active) == 0 or p.n_households == 0:
        return empty, empty
    h_xyz, o_xyz = model.points()
    size = cell_size(h_xyz)
    h_cell, h_count, h_centre, h_district = _cells(h_xyz, size, model.h_district)
    o_cell, _, o_centre, o_district = _cells(o_xyz[active], size, model.o_district[active])
    n_a, n_b = len(h_count), len(o_centre)
    capacity = p.capacity[active]
    slots = np.bincount(o_cell, capacity, n_b).astype(np.int64)
    k = min(NEAREST_CELLS, n_b)
    chord, near = cKDTree(o_centre).query(h_centre, k=k)
    a = np.repeat(np.arange(n_a), k)
    b = np.asarray(near).reshape(n_a, k).ravel()
    km = km_from_chord(np.asarray(chord).ravel())
    differ = h_district[a] != o_district[b]
    keep = np.ones(len(a), dtype=bool)
    if model.same_district:
        keep &= ~differ
    if model.max_distance_km is not None:  # cells' centres may be up to a diagonal off
        keep &= km <= model.max_distance_km + 2 * np.sqrt(3) * size
    a, b, km, differ = a[keep], b[keep], km[keep], differ[keep]
    cost = km + model.cross_district_penalty * differ
    n = n_a + n_b + 2
    source, sink = n - 2, n - 1
    net = Network.build(
        n,
        np.r_[a, np.full(n_a, source), n_a + np.arange(n_b)],
        np.r_[n_a + b, np.arange(n_a), np.full(n_b, sink)],
        capacity=np.r_[np.full(len(a), p.n_households), h_count, slots],
        cost=np.r_[np.rint(cost * 1000).astype(np.int64), np.zeros(n_a + n_b, np.int64)],
        supply=np.r_[np.zeros(n_a + n_b, np.int64), p.n_households, -p.n_households],
    )
    flow = engine.solve(net, maximize=True).flow[: len(a)]
    sent = flow > 0
    a, b, flow = a[sent], b[sent], flow[sent]
    order = np.lexsort((b, a))
    a, b, flow = a[order], b[order], flow[order]
    # households: each cell's, in turn, to its flows in order
    by_cell = np.argsort(h_cell, kind="stable")
    start = np.r_[0, np.cumsum(h_count)]
    offset = (
        np.cumsum(flow) - flow - np.r_[0, np.cumsum(np.bincount(a, flow, n_a))][a].astype(np.int64)
    )
    first = np.repeat(start[a] + offset, flow)
    households = by_cell[first + _ranks(flow)]
    to = np.repeat(b, flow)
    # slots: each officers' cell's, in turn, to the households sent to it
    slot_officer = np.repeat(np.arange(len(active)), capacity)
    slot_order = np.argsort(o_cell[slot_officer], kind="stable")
    slot_officer = slot_officer[slot_order]
    slot_start = np.r_[0, np.cumsum(slots)]
    by_to = np.argsort(to, kind="stable")
    households, to = households[by_to], to[by_to]
    rank = np.arange(len(to)) - np.r_[0, np.cumsum(np.bincount(to, minlength=n_b))][to]
    officers = active[slot_officer[slot_start[to] + rank]]
    return officers, households


def _ranks(counts: np.ndarray) -> np.ndarray:
    """0, 1, ..., c - 1 for each count c, concatenated.

    Examples
    --------
    >>> _ranks(np.array([2, 0, 3])).tolist()
    [0, 1, 0, 1, 2]
    """
    total = int(counts.sum())
    return np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
