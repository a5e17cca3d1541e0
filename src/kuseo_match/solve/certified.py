"""The solve: min-cost flow on candidate pairs, grown until it is proven optimal for all pairs.

Each round solves the matching network of the candidate table
(:class:`~kuseo_match.solve.network.Matching`) with the flow engine and takes
the shortest-path potentials of its residual graph
(:mod:`~kuseo_match.solve.potentials`; from the engine's own dual with LEMON,
by Bellman-Ford otherwise).  Then:

* when some allowed pair opens an augmenting path, more households can be
  paired: those pairs and the pool pairs that undercut the potentials join the
  table and the next round starts;
* otherwise the dual completion (:mod:`~kuseo_match.solve.dual`) prices the
  pairs left out (the pool, then balls beyond it) and carries the shortest
  paths over the undercutting ones without solving the flow again: it ends
  with potentials feasible for every allowed pair (the answer is proven
  optimal) or with a negative cycle (the pairs it met join the table, and the
  next round solves the flow again; when few joined, it re-optimises the last
  flow from its potentials instead, :mod:`~kuseo_match.solve.repair`).

``start``, officers' prices from an earlier solve, brings the pairs that are
cheapest at those prices into the first round: with the optimal prices the
first round's flow is optimal and the proof needs no second one.

The answer carries the officers' prices (``-d(officer)`` in cost units: an
officer's price is what one more of its slots is worth at most) and, when
some households stay unmatched, the :class:`~kuseo_match.solve.certificate.Witness`
that no pairing covers them.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import breadth_first_order

from ..errors import InfeasibleError
from .certificate import Witness, augmenting_pairs, int_costs, priced_out
from .dual import complete
from .engine import engine as make_engine
from .minimum import shortfall, widen
from .model import CostModel, is_listed, is_priced
from .network import Matching, Network
from .options import SolveOptions
from .potentials import UNREACHED, matching_potentials
from .repair import reoptimise
from .table import Candidates

__all__ = ["Outcome", "choose_scale", "solve"]

log = logging.getLogger("kuseo_match")

#: Integer costs times (nodes + 1) stay below this: OR-Tools refuses (BAD_COST_RANGE)
#: beyond about 2**61.7, measured with ortools 9.15; 2**60 leaves a margin.
_INT_LIMIT = 2**60
#: Largest scaled cost kept exactly representable as a float64.
_FLOAT_EXACT = 2**52


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


@dataclass
class Outcome:
    """Chosen pairs (row positions) and how the proof went.

    Attributes
    ----------
    o, h : numpy.ndarray of int, shape (n_pairs,)
        Officer and household positions of the chosen pairs.
    certified : bool
        Proven optimal over every allowed pair.
    rounds, candidate_pairs : int
    scale : float
        Integer costs are ``cost * scale`` rounded.
    seconds : dict
        Per stage: ``candidates``, ``flow`` (fresh solves and re-optimised
        flows), ``certificate`` (of which ``potentials``, the Bellman-Ford
        pass after each fresh solve, and ``beyond_pool``), ``total``.
    prices : numpy.ndarray of float, shape (n_officers,)
        Each officer's price in cost units (>= 0; 0 where it has a free slot):
        at the optimum, every paired household's officer minimises ``cost +
        price`` over all its allowed officers, and one more slot for an officer
        lowers the least total cost of pairing as many households by at most
        its price.  NaN for officers of capacity 0, and for all when the proof
        was stopped (``certified`` False).
    witness : Witness or None
        When households stay unmatched in a proven answer: households no
        pairing can all cover, and the officers they reach.
    engine : str
        The flow engine's name.
    passes : int
        Pricing passes of the dual completion (:mod:`~kuseo_match.solve.dual`),
        over all rounds.
    repaired : int
        Rounds whose flow was re-optimised from the last one
        (:mod:`~kuseo_match.solve.repair`), not solved afresh.
    potentials : numpy.ndarray of int64 or None
        The last round's node potentials ``d`` in integer cost units (nodes as
        in :class:`~kuseo_match.solve.network.Matching`: households, officers,
        source, sink); feasible for every allowed pair when ``certified``.
    gap : float or None
        With CP-SAT (:mod:`~kuseo_match.solve.refine`): how far above a lower
        bound of the optimum the objective may be, relative to it.
    sat : dict or None
        CP-SAT's statistics.
    candidates : tuple of numpy.ndarray or None
        The last round's candidate table ``(o, h, cost)`` (integer costs), so
        that the flow on it alone can be timed (``benchmarks/bench_density.py``).
    """

    o: np.ndarray
    h: np.ndarray
    certified: bool
    rounds: int
    candidate_pairs: int
    scale: float
    seconds: dict[str, float] = field(default_factory=dict)
    prices: np.ndarray | None = None
    witness: Witness | None = None
    engine: str = "ortools"
    passes: int = 0
    potentials: np.ndarray | None = None
    gap: float | None = None
    sat: dict | None = None
    candidates: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
    repaired: int = 0


def _listed_witness(matching: Matching, network, flow: np.ndarray, h: np.ndarray):
    """Households (and officers) the source reaches in the residual graph of a
    maximum flow on every allowed pair, and the households with no allowed pair:
    a Hall violator when some are unmatched."""
    n_h, n_o = matching.n_households, matching.n_officers
    used = matching.used(flow, len(h))
    matched = np.zeros(n_h, dtype=bool)
    matched[h[used]] = True
    if matched.all():
        return None
    res = network.residual(flow)
    graph = csr_matrix((np.ones(len(res.tail)), (res.tail, res.head)), shape=(network.n_nodes,) * 2)
    reached = breadth_first_order(graph, matching.source, return_predecessors=False)
    seen = np.zeros(n_h, dtype=bool)
    seen[reached[reached < n_h]] = True
    seen[np.setdiff1d(np.arange(n_h), matching.sources(h))] = True  # no allowed pair at all
    officers = np.sort(reached[(reached >= n_h) & (reached < n_h + n_o)] - n_h)
    capacity = network.capacity[network.n_arcs - n_o :]
    return Witness(np.flatnonzero(seen), officers, int(capacity[officers].sum()))


def _per_officer(officer, reduced, jr, jc, limit):
    """Of joining pool pairs, each officer's ``limit[officer]`` most negative ones: the
    kept pairs' rows and columns, and the rows of the households that lost a pair.

    Early prices make many households undercut the same few officers (thousands
    of unmatched ones where households outnumber slots; crowds of neighbours where
    officers are dense), and an officer needs only a few of them; the cut
    households are priced again next round.  ``benchmarks/bench_density.py``
    measures the rounds with it.
    """
    counts = np.bincount(officer, minlength=len(limit))
    if len(officer) == 0 or (counts <= limit).all():
        return jr, jc, np.zeros(0, np.int64)
    order = np.lexsort((reduced, officer))
    sorted_o = officer[order]
    starts = np.searchsorted(sorted_o, sorted_o, side="left")
    rank = np.arange(len(order)) - starts
    keep = np.zeros(len(order), dtype=bool)
    keep[order] = rank < limit[sorted_o]
    return jr[keep], jc[keep], np.unique(jr[~keep])


def solve(
    model: CostModel,
    *,
    k: int,
    options: SolveOptions | None = None,
    time_limit: float | None = None,
    progress: Callable[[str], None] | None = None,
    min_load: np.ndarray | None = None,
    start: np.ndarray | None = None,
) -> Outcome:
    """Solve on candidate pairs and add excluded pairs until optimality is proven.

    Parameters
    ----------
    model : GeoCostModel or TableCostModel
        The cost model; one that lists every allowed pair (``lists_every_pair``)
        is solved once on them.
    k : int
        Candidate pairs per household in the first round.
    options : SolveOptions, optional
    time_limit : float, optional
        Seconds; when reached before the proof holds, the last answer is
        returned with ``certified=False``.
    progress : callable, optional
        Called with a line of text after each round.
    min_load : numpy.ndarray of int, shape (n_officers,), optional
        Households each officer must carry at least (lower bounds on the
        officers' arcs, :mod:`~kuseo_match.solve.minimum`).
    start : numpy.ndarray of float, shape (n_officers,), optional
        Officers' prices to start from (cost units, >= 0; NaN counts as 0), for
        example those of an earlier solve of a similar problem: every pair
        within reach of its household's cheapest ``cost + price`` joins the
        first candidates.  Only speed depends on them.

    Raises
    ------
    InfeasibleError
        When no pairing meets ``min_load``, saying which officers fall short.
    """
    options = options or SolveOptions()
    flow_engine = make_engine(options.engine)
    t0 = time.perf_counter()
    deadline = None if time_limit is None else t0 + time_limit
    p = model.problem
    n_o, n_h, cap = p.n_officers, p.n_households, p.capacity
    matching = Matching(n_officers=n_o, n_households=n_h)
    listed = is_listed(model)
    integral = is_listed(model) and bool(np.all(model.cost == np.rint(model.cost)))
    scale = choose_scale(model.max_cost_bound(), matching.n_nodes, integral)
    seconds = dict.fromkeys(("candidates", "flow", "potentials", "certificate", "beyond_pool"), 0.0)

    def clock(stage: str, started: float) -> None:
        seconds[stage] += time.perf_counter() - started

    tc = time.perf_counter()
    table = (
        Candidates.listed(model, scale) if listed else Candidates.first(model, k, scale, options)
    )
    if start is not None and not listed:
        _start_pairs(model, table, np.asarray(start, dtype=float), scale, options)
    clock("candidates", tc)
    if n_h >= options.announce_households:
        _announce(table, n_h, options, progress)
    rounds = passes = 0
    d = None
    witness = None
    lower = None if min_load is None or not np.any(min_load) else np.asarray(min_load, np.int64)
    # each bound officer's nearest allowed households join while the minimums fail on
    # the candidates; 0: every allowed pair of theirs is in (the question is decided)
    width = 2 if lower is not None and not listed else 0

    def build() -> Network:
        return matching.network(cap, table.o, table.h, table.cost, min_load=lower)

    certified = False
    repaired: tuple[np.ndarray, np.ndarray] | None = None
    repaired_rounds = 0
    network = build()
    while True:
        rounds += 1
        if repaired is None:
            if rounds > 1:
                network = build()
            tf = time.perf_counter()
            while True:
                try:
                    solved = flow_engine.solve(network, maximize=True)
                    break
                except InfeasibleError:
                    if lower is None:
                        raise
                    if width == 0:
                        raise shortfall(p, matching, table, lower, flow_engine) from None
                    # the candidates may not reach every minimum although the pairs do
                    width = widen(model, table, lower, scale, width)
                    network = build()
            flow, feasible = solved.flow, solved.potentials
            clock("flow", tf)
        else:
            (flow, feasible), repaired = repaired, None
        used = matching.used(flow, len(table))
        chosen = np.flatnonzero(used)
        tp = time.perf_counter()
        pred = np.full(matching.n_nodes, -1, np.int64)
        d = matching_potentials(matching, network, flow, feasible, pred=pred)
        clock("potentials", tp)
        if not is_priced(model):  # every allowed pair is in the network
            clock("certificate", tp)
            witness = _listed_witness(matching, network, flow, table.h)
            certified = True
            break
        tcert = time.perf_counter()
        # cardinality: pairs that open augmenting paths (the nearest free slots)
        aug_o, aug_h, found = augmenting_pairs(model, table.o, table.h, used, k)
        witness = found if found is not None else witness
        if len(aug_o):
            fresh = ~table.contains(aug_o, aug_h)
            aug_o, aug_h = aug_o[fresh], aug_h[fresh]
        if len(aug_o):
            # the number of pairs grows: price the pool once and solve again
            _, aug_c = int_costs(model, aug_o, aug_h, scale)
            jr, jc, _ = table.undercutting(
                d[:n_h], d[n_h : n_h + n_o], np.arange(n_h), options.per_household
            )
            reduced = table.pool_c[jr, jc] + d[jr] - d[n_h + table.pool_o[jr, jc]]
            jr, jc, _ = _per_officer(
                table.pool_o[jr, jc], reduced, jr, jc, options.per_household * cap
            )
            table.add(aug_o, aug_h, aug_c)
            table.take(jr, jc)
            joined, what = len(aug_o) + len(jr), "from augmenting paths and the pool"
        else:
            before = d.copy()
            done = complete(
                model, table, matching, network, flow, d, pred, scale, options, deadline, clock
            )
            passes += done.passes
            d = done.d
            certified = done.proven
            joined, what = len(done.o), f"priced in {done.passes} pass(es)"
            if not certified:
                # each officer's most undercutting pairs only: early prices make crowds of
                # households undercut the same few officers, who need only a few of them
                rows = np.arange(len(done.o))
                keep, _, _ = _per_officer(
                    done.o, done.reduced, rows, rows, options.per_household * cap
                )
                n_before = len(table)
                table.add(done.o[keep], done.h[keep], done.cost[keep])
                if len(table) - n_before <= options.repair * n_h:
                    # few pairs joined: re-optimise the flow from its potentials
                    tf = time.perf_counter()
                    network = build()
                    kept = np.r_[used, np.zeros(len(table) - n_before, bool)]
                    repaired = reoptimise(
                        matching,
                        network,
                        matching.arc_flows(cap, table.o, table.h, kept),
                        before,
                        flow_engine,
                        max_arcs=int(options.repair_share * len(table)),
                    )
                    repaired_rounds += repaired is not None
                    clock("flow", tf)
        clock("certificate", tcert)
        log.debug(
            "round %d: %d candidate pairs, %d added %s; %d paired",
            rounds,
            len(table),
            joined,
            what,
            int(used.sum()),
        )
        if progress:
            progress(f"round {rounds}: {len(table):,} candidate pairs, {joined:,} added")
        if certified or (deadline is not None and time.perf_counter() > deadline):
            break
    seconds["total"] = time.perf_counter() - t0
    prices = np.full(n_o, np.nan)
    if certified and d is not None:
        d_o = d[n_h : n_h + n_o]
        known = (cap > 0) & (d_o < UNREACHED)
        prices[known] = np.maximum(-d_o[known], 0) / scale
        prices[(cap > 0) & ~known] = 0.0
    return Outcome(
        table.o[chosen],
        table.h[chosen],
        certified,
        rounds,
        len(table),
        scale,
        seconds,
        prices,
        witness if certified else None,
        flow_engine.name,
        passes,
        d,
        candidates=(table.o, table.h, table.cost),
        repaired=repaired_rounds,
    )


def estimate_gb(pool_entries: int, first_pairs: int, options: SolveOptions) -> float:
    """Rough peak memory (GB) of a solve from its first candidates: the tables and
    Python (0.2 GB), 26 bytes per pool entry, about 1 KB per first-round pair (the
    table grows about twofold over the rounds and each pair is held by the flow
    network, its residual graph and the search) and the balls' budget
    (``benchmarks/bench_density.py`` measures the peaks it is fitted to).

    Examples
    --------
    >>> round(estimate_gb(20_000 * 96, 500_000, SolveOptions()), 2)
    0.95
    """
    return 0.2 + (26 * pool_entries + 1000 * first_pairs + 100 * options.pair_budget) / 1e9


def _announce(table: Candidates, n_h: int, options: SolveOptions, progress) -> None:
    """Say how large the solve will be before it starts, and warn when the machine
    may not hold it."""
    gb = estimate_gb(table.pool_o.size, len(table), options)
    line = (
        f"{n_h:,} households: {len(table):,} candidate pairs in the first round, "
        f"{table.pool_o.shape[1]} nearest officers priced per household; expect about "
        f"{gb:.1f} GB at the peak"
    )
    log.info(line)
    if progress:
        progress(line)
    try:
        total = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") / 1e9
    except (AttributeError, ValueError, OSError):  # pragma: no cover - not every OS has them
        return
    if gb > 0.8 * total:
        log.warning(
            "the solve may need about %.1f GB and this machine has %.1f GB: split the run "
            "(by province or district) or lower SolveOptions(pool_max=...)",
            gb,
            total,
        )


def _start_pairs(model, table: Candidates, start: np.ndarray, scale: float, options) -> None:
    """Add to the first candidates every pair whose ``cost + start price`` is at most
    its household's least over the pool (each household's ``per_household`` least)."""
    p = model.problem
    if start.shape != (p.n_officers,):
        raise ValueError(f"start must have shape ({p.n_officers},), not {start.shape}")
    d_o = -np.rint(np.maximum(np.nan_to_num(start), 0.0) * scale).astype(np.int64)
    if table.pool_o.shape[1] == 0:
        return
    total = np.where(table.pool_ok, table.pool_c - d_o[table.pool_o], np.iinfo(np.int64).max // 4)
    # pairs with cost + price <= the pool's least: reduced cost < 1 unit below it
    d_h = -total.min(axis=1) - 1
    so, sh, sc, _ = priced_out(
        model,
        scale,
        np.full(p.n_households, -np.inf),
        d_h,
        d_o,
        options.per_household,
        np.arange(p.n_households),
        options,
    )
    table.add(so, sh, sc)
