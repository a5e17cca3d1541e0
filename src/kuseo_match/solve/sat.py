"""CP-SAT for what a flow cannot express: quotas across groups, compact pairs.

The model is built from the long candidate table (officer, household, integer
cost per pair), never from a dense officer x household grid:

* a 0/1 variable ``x`` per candidate pair; at most one per household, between
  the officer's lower bound and capacity per officer, exactly ``cover`` in all
  (or as many as possible first, when ``cover`` is None);
* per group (a quota): ``lo <= sum of x over its pairs <= hi``;
* per link (two pairs of the same officer, compact pairs): a 0/1 ``y`` with
  ``y >= x_a + x_b - 1`` and cost ``weight``, so that the objective charges
  the link exactly when both pairs are chosen (weights are >= 0, so ``y`` is
  never 1 without need);
* objective: ``sum cost * x + sum weight * y``, least.

The search is hinted with a given answer (the flow's), seeded, and bounded by
a wall-clock limit and a deterministic work limit; with one worker and the
work limit reached first, the same input gives the same answer.  This is the
only module that imports ``ortools.sat``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np

__all__ = ["SatAnswer", "SatProblem", "solve_sat"]


@dataclass(frozen=True, eq=False)
class SatProblem:
    """A pairing on candidate pairs with groups and links (positions in the arrays).

    Attributes
    ----------
    o, h : numpy.ndarray of int
        Officer and household of each candidate pair.
    cost : numpy.ndarray of int64
        Integer cost of each pair.
    capacity, lower : numpy.ndarray of int64, shape (n_officers,)
    cover : int or None
        Pairs to choose; None: as many as possible, then the least cost.
    groups : list of (numpy.ndarray, int, int)
        Pair positions of each group and the bounds on how many are chosen.
    link_a, link_b, link_weight : numpy.ndarray
        Pairs ``a``, ``b`` (same officer) and the integer cost when both are chosen.
    hint : numpy.ndarray of bool or None
        A starting answer.
    stop_at : int or None
        Stop as soon as an answer's objective is at most this (one known to be
        good enough, for example within the rounding of a proven bound).
    """

    o: np.ndarray
    h: np.ndarray
    cost: np.ndarray
    capacity: np.ndarray
    lower: np.ndarray
    cover: int | None = None
    groups: list[tuple[np.ndarray, int, int]] = field(default_factory=list)
    link_a: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    link_b: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    link_weight: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    hint: np.ndarray | None = None
    stop_at: int | None = None

    def cost_of(self, chosen: np.ndarray) -> int:
        """The objective of the chosen pairs."""
        both = chosen[self.link_a] & chosen[self.link_b]
        return int(self.cost[chosen].sum() + self.link_weight[both].sum())


@dataclass(frozen=True, eq=False)
class SatAnswer:
    """What CP-SAT found.

    ``status``: ``"optimal"`` (proven on the candidates), ``"feasible"`` (a
    limit stopped it), ``"infeasible"`` (no answer on the candidates) or
    ``"unknown"`` (stopped before any answer).  ``objective`` and ``bound`` in
    integer cost units; ``chosen`` marks the chosen pairs (None without an answer).
    """

    status: str
    chosen: np.ndarray | None
    objective: int
    bound: int
    covered: int
    seconds: float
    work: float
    solutions: int = 0
    stopped: bool = False


def _params(solver, time_limit: float | None, work_limit: float, workers: int, seed: int) -> None:
    p = solver.parameters
    if time_limit is not None:
        p.max_time_in_seconds = max(float(time_limit), 0.01)
    p.max_deterministic_time = float(work_limit)
    p.num_workers = int(workers)
    p.random_seed = int(seed)


def solve_sat(
    problem: SatProblem,
    *,
    time_limit: float | None,
    work_limit: float,
    workers: int = 1,
    seed: int = 0,
    progress: Callable[[str], None] | None = None,
) -> SatAnswer:
    """Solve ``problem`` on CP-SAT (see the module text).

    When ``cover`` is None, a first search finds the most pairs the groups
    allow (within half the limits), and a second the least cost with that many.
    """
    from ortools.sat.python import cp_model

    t0 = time.perf_counter()
    n = len(problem.o)
    if problem.cover is None:
        first = _search(
            cp_model,
            problem,
            None,
            time_limit and time_limit / 2,
            work_limit / 2,
            workers,
            seed,
            progress,
        )
        if first.chosen is None:
            return first
        rest = None if time_limit is None else max(time_limit - (time.perf_counter() - t0), 0.01)
        problem = replace(problem, cover=first.covered, hint=first.chosen)
        # a coverage not proven the most stays an answer, never a proof
        second = _search(
            cp_model, problem, problem.cover, rest, work_limit / 2, workers, seed, progress
        )
        status = second.status if first.status == "optimal" else "feasible"
        if second.chosen is None:
            second = SatAnswer(
                "feasible", first.chosen, problem.cost_of(first.chosen), 0, first.covered, 0.0, 0.0
            )
        return SatAnswer(
            status,
            second.chosen,
            second.objective,
            second.bound,
            second.covered,
            time.perf_counter() - t0,
            first.work + second.work,
            first.solutions + second.solutions,
        )
    if n == 0:
        return SatAnswer("optimal", np.zeros(0, bool), 0, 0, 0, 0.0, 0.0)
    return _search(
        cp_model, problem, problem.cover, time_limit, work_limit, workers, seed, progress
    )


def _search(cp_model, problem, cover, time_limit, work_limit, workers, seed, progress) -> SatAnswer:
    """One CP-SAT search: the least cost with ``cover`` pairs, or (None) the most pairs."""
    t0 = time.perf_counter()
    m = cp_model.CpModel()
    n = len(problem.o)
    x = [m.new_bool_var(f"x{i}") for i in range(n)]
    # one helper per household
    order = np.argsort(problem.h, kind="stable")
    sh = problem.h[order]
    starts = np.flatnonzero(np.r_[True, sh[1:] != sh[:-1]]) if n else np.zeros(0, np.int64)
    for part in np.split(order, starts[1:]) if n else ():
        if len(part) > 1:
            m.add_at_most_one([x[i] for i in part])
    # officers within their bounds
    order = np.argsort(problem.o, kind="stable")
    so = problem.o[order]
    bounds = np.searchsorted(so, np.arange(len(problem.capacity) + 1))
    for j in range(len(problem.capacity)):
        part = order[bounds[j] : bounds[j + 1]]
        lo, hi = int(problem.lower[j]), int(problem.capacity[j])
        if len(part) > hi or lo > 0:
            m.add_linear_constraint(sum(x[i] for i in part), lo, hi)
    for part, lo, hi in problem.groups:
        m.add_linear_constraint(sum(x[i] for i in part), int(lo), int(hi))
    total = cp_model.LinearExpr.sum(x)
    if cover is None:
        m.maximize(total)
    else:
        m.add(total == int(cover))
        y = [m.new_bool_var(f"y{i}") for i in range(len(problem.link_a))]
        for i, (a, b) in enumerate(
            zip(problem.link_a.tolist(), problem.link_b.tolist(), strict=True)
        ):
            m.add_bool_or([x[a].Not(), x[b].Not(), y[i]])
        m.minimize(
            cp_model.LinearExpr.weighted_sum(x, problem.cost.tolist())
            + cp_model.LinearExpr.weighted_sum(y, problem.link_weight.tolist())
        )
        if problem.hint is not None:
            hint = problem.hint
            both = hint[problem.link_a] & hint[problem.link_b]
            for i, v in enumerate(both.tolist()):
                m.add_hint(y[i], v)
    if problem.hint is not None:
        for i, v in enumerate(problem.hint.tolist()):
            m.add_hint(x[i], v)
    stop_at = problem.stop_at if cover is not None else None
    solver = cp_model.CpSolver()
    spent = time.perf_counter() - t0
    _params(solver, None if time_limit is None else time_limit - spent, work_limit, workers, seed)

    class Reporter(cp_model.CpSolverSolutionCallback):
        def __init__(self) -> None:
            super().__init__()
            self.count = 0
            self.last = 0.0
            self.stopped = False

        def on_solution_callback(self) -> None:
            self.count += 1
            if stop_at is not None and self.objective_value <= stop_at:
                self.stopped = True
                self.stop_search()
            now = time.perf_counter()
            if progress and now - self.last >= 0.5:
                self.last = now
                what = "pairs" if cover is None else "objective"
                progress(
                    f"CP-SAT: {what} {self.objective_value:,.0f}, bound "
                    f"{self.best_objective_bound:,.0f}, {now - t0:.1f} s"
                )

    reporter = Reporter()
    code = solver.solve(m, reporter)
    name = solver.status_name(code)
    status = {"OPTIMAL": "optimal", "FEASIBLE": "feasible", "INFEASIBLE": "infeasible"}.get(
        name, "unknown"
    )
    chosen = None
    objective = bound = covered = 0
    if status in ("optimal", "feasible"):
        chosen = np.asarray(list(solver.response_proto.solution), dtype=np.int64)[:n] > 0
        covered = int(chosen.sum())
        objective = problem.cost_of(chosen) if cover is not None else covered
        bound = round(solver.best_objective_bound)
    return SatAnswer(
        status,
        chosen,
        objective,
        bound,
        covered,
        time.perf_counter() - t0,
        float(solver.deterministic_time),
        reporter.count,
        reporter.stopped,
    )
