"""Parts: a large run solved piece by piece, on one core, local processes or a cluster.

:func:`solve` is how :func:`kuseo_match.instance.solve` solves every instance; the
answer never depends on which of these ways it takes, only the time does.

*Exact parts.*  When the allowed pairs split -- ``same_province``,
``same_district``, a distance limit, a ``costs`` table -- no allowed pair joins
two components of the graph of allowed pairs (officers and households as nodes).
:func:`components` finds them; :func:`groups` packs whole components into parts
of about ``SolveOptions.part_households`` households (a province larger than
that is one part), and each part is solved alone under the same rules.  The
parts share no officer and no household, so the merged pairing is an optimum of
the whole run (the most households, then the least total cost, are sums over the
parts), proven when every part's is.  Quotas (which count across parts), compact
pairs and the bottleneck objective (whose longest pair is the whole run's) are
solved in one piece.

*Warm start* (``SolveOptions(warm_parts=True)``).  When the pairs do not split,
the provinces are solved first as parts (pairs across their borders left out),
and their officers' prices start one certified solve over every allowed pair
(the ``start=`` of :func:`kuseo_match.match`), which mends the pairs near the
borders; ``stats["repair_changed"]`` counts the households whose officer it
changed.  Off by default: the certified solve from the provinces' prices costs
about as much as from none (``benchmarks/RESULTS.md``).

*Executors.*  ``executor`` is ``None`` (the parts one after another, in this
process), an int (that many local worker processes, spawned) or any
:class:`concurrent.futures.Executor` -- such as a Dask cluster's
``dask.distributed.Client(address).get_executor()``.  A part's task is
:func:`solve_piece` on a :class:`~kuseo_match.instance.Piece` (the part's rows
and rules, nothing shared, no randomness): a task run again gives the same
answer, so a task lost with its worker is submitted again (up to
``SolveOptions.part_retries`` times; ``stats["parts_retried"]``).  At most a few
tasks per worker are in flight, so the parent holds the tables and the answers,
not every part's rows at once.

*Memory.*  With ``SolveOptions.parts_memory_gb`` the parts in flight are
estimated (:func:`part_gb`) to need at most that much together: the largest
part that fits goes next, and a part above the budget runs alone; our own
worker processes are then replaced after each part, so that none holds a
finished part's peak.  Without it the largest parts go first, two per worker
in flight, so two dense provinces may be solved at once.  Every part's task
hands the memory it freed back to the system before it returns.
"""

from __future__ import annotations

import ctypes
import functools
import gc
import logging
import math
import multiprocessing
import os
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from .errors import KuseoError, ValidationError
from .instance import Instance, Piece, solve_whole
from .result import PART_COLUMNS
from .solve import Outcome, Witness

__all__ = [
    "PartAnswer",
    "check_executor",
    "components",
    "groups",
    "part_gb",
    "solve",
    "solve_piece",
]

log = logging.getLogger("kuseo_match")

#: Parts listed by name in the ``provinces`` column of ``Result.parts``; more are counted.
SHOWN_PROVINCES = 5


def part_gb(households: int) -> float:
    """Rough peak memory (GB) of a worker solving a part of ``households``
    households: 0.15 GB for Python and the libraries, 48 kB per household.

    Fitted to the peaks of the certified solve on synthetic Khon Kaen and TH30
    alone (0.84 GB at 20,000 households, 1.26 GB at 25,648, 2.30 GB at 48,512
    in ``benchmarks/RESULTS.md``).  A rough guide only: the synthetic
    country's densest province needed about 3.9 GB, and where officers are few
    it overestimates (0.22 GB at 50,000 households and 740 officers).

    Examples
    --------
    >>> round(part_gb(48_512), 2)
    2.48
    """
    return 0.15 + 48e-6 * households


def check_executor(executor: Any) -> None:
    """Refuse an ``executor`` that is not None, a whole number >= 1 or a
    :class:`concurrent.futures.Executor`.

    Examples
    --------
    >>> check_executor(2)
    >>> check_executor("dask")
    Traceback (most recent call last):
    ...
    kuseo_match.errors.ValidationError: executor: value 'dask': must be None, a number of \
processes >= 1 or a concurrent.futures.Executor (such as a Dask Client's get_executor())
    """
    if executor is None or isinstance(executor, Executor):
        return
    if isinstance(executor, int) and not isinstance(executor, bool) and executor >= 1:
        return
    raise ValidationError(
        "must be None, a number of processes >= 1 or a concurrent.futures.Executor "
        "(such as a Dask Client's get_executor())",
        table="executor",
        value=executor,
    )


@dataclass(frozen=True)
class PartAnswer:
    """What a part's task returns: its outcome (positions in the part), the whole
    instance's positions of its rows, its objective and the seconds it took."""

    outcome: Outcome
    extra: dict[str, Any]
    officers: np.ndarray
    households: np.ndarray
    objective: float
    seconds: float
    pid: int


def solve_piece(piece: Piece, time_limit: float | None = None) -> PartAnswer:
    """A part's task: compile the piece and solve it in one piece (a pure function
    of its arguments).

    Examples
    --------
    >>> import kuseo_match as km
    >>> from kuseo_match.instance import prepare
    >>> o, h = km.synthetic_province(officers=30, households=40, seed=1)
    >>> whole = prepare(o, h)
    >>> part = solve_piece(whole.piece(np.arange(30), np.arange(20)))
    >>> len(part.outcome.h), part.outcome.certified
    (20, True)
    """
    clock = time.perf_counter()
    answer = _solved(piece, time_limit)  # the solve's tables are freed when it returns
    _release_memory()
    return replace(answer, seconds=time.perf_counter() - clock)


def _solved(piece: Piece, time_limit: float | None) -> PartAnswer:
    instance = piece.compile()
    outcome, extra = solve_whole(instance, time_limit=time_limit)
    objective = float(instance.model.costs(outcome.o, outcome.h).cost.sum())
    return PartAnswer(
        outcome=replace(outcome, candidates=None, potentials=None),
        extra=extra,
        officers=piece.officers,
        households=piece.households,
        objective=objective,
        seconds=0.0,
        pid=os.getpid(),
    )


def _release_memory() -> None:
    """Hand the memory a finished part freed back to the system, so that a worker
    waiting for its next part does not hold its last one's peak (glibc keeps freed
    heap pages otherwise: a 20,000-household part leaves 0.25 GB resident, 0.1 GB
    after the trim).  Nothing to do where the C library has no ``malloc_trim``."""
    gc.collect()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    try:
        return ctypes.CDLL(None).malloc_trim  # glibc (Linux)
    except (OSError, AttributeError):
        return None


# ------------------------------------------------------------------------ where it splits
def components(instance: Instance) -> tuple[np.ndarray, np.ndarray] | None:
    """Labels of the officers and households such that no allowed pair joins two
    labels (components of the allowed-pair graph, or unions of them such as
    provinces); None when the policy couples the whole run (quotas, compact pairs,
    the bottleneck objective) or nothing splits it.  Officers of capacity 0 get -1.

    Examples
    --------
    >>> import kuseo_match as km
    >>> from kuseo_match.instance import prepare
    >>> o, h = km.synthetic_country(households=300, officers=200, seed=1)
    >>> labels = components(prepare(o, h, km.Policy(same_province=True)))
    >>> len(np.unique(labels[1])) > 1
    True
    >>> components(prepare(o, h)) is None
    True
    """
    policy, model, problem = instance.policy, instance.model, instance.problem
    if policy.quotas or policy.pair_distance_weight > 0 or policy.objective == "bottleneck":
        return None
    n_o, n_h = problem.n_officers, problem.n_households
    active = problem.capacity > 0
    if model.lists_every_pair:
        o, h = model.all_pairs()
        return _graph_labels(n_o, n_h, o, h, active)
    if policy.max_distance_km is not None:
        return _distance_labels(instance)
    if not (policy.same_province or policy.same_district):
        return None
    keys_o: list[np.ndarray] = []
    keys_h: list[np.ndarray] = []
    if policy.same_province:
        keys_o.append(problem.provinces[0].astype(str))
        keys_h.append(problem.provinces[1].astype(str))
    if policy.same_district:
        keys_o.append(problem.officers["district"].to_numpy(str))
        keys_h.append(problem.households["district"].to_numpy(str))
    key_o = keys_o[0] if len(keys_o) == 1 else np.char.add(np.char.add(keys_o[0], "|"), keys_o[1])
    key_h = keys_h[0] if len(keys_h) == 1 else np.char.add(np.char.add(keys_h[0], "|"), keys_h[1])
    codes, _ = pd.factorize(np.concatenate([key_h, key_o]))
    label_h, label_o = codes[:n_h], codes[n_h:].copy()
    label_o[~active] = -1
    return label_o, label_h


def _graph_labels(
    n_o: int, n_h: int, o: np.ndarray, h: np.ndarray, active: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Components of the graph of pairs ``(o, h)``: households first, then officers."""
    n = n_h + n_o
    graph = coo_matrix((np.ones(len(o), np.int8), (h, n_h + o)), shape=(n, n)).tocsr()
    _, labels = connected_components(graph, directed=False)
    label_o = labels[n_h:].copy()
    label_o[~active] = -1
    return label_o, labels[:n_h]


def _distance_labels(instance: Instance) -> tuple[np.ndarray, np.ndarray]:
    """Components under a distance limit, from the allowed pairs found in chunks of
    households; the edges found so far are cut to a spanning forest whenever they
    pass ``options.pair_budget``, so memory stays bounded."""
    problem, model, options = instance.problem, instance.model, instance.options
    n_o, n_h = problem.n_officers, problem.n_households
    limit = instance.policy.max_distance_km
    assert limit is not None  # components() calls this only under a distance limit
    kept_o: list[np.ndarray] = []
    kept_h: list[np.ndarray] = []
    held = 0
    everyone = np.arange(n_h)
    for start in range(0, n_h, options.ball_chunk):
        chunk = everyone[start : start + options.ball_chunk]
        o, h = model.within(chunk, np.full(len(chunk), float(limit)))
        kept_o.append(o)
        kept_h.append(h)
        held += len(o)
        if held > options.pair_budget:
            o, h = _forest(n_o, n_h, np.concatenate(kept_o), np.concatenate(kept_h))
            kept_o, kept_h, held = [o], [h], len(o)
    o = np.concatenate(kept_o) if kept_o else np.zeros(0, np.int64)
    h = np.concatenate(kept_h) if kept_h else np.zeros(0, np.int64)
    return _graph_labels(n_o, n_h, o, h, problem.capacity > 0)


def _forest(n_o: int, n_h: int, o: np.ndarray, h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pairs with the same components as ``(o, h)``, at most one per household: each
    component's officers joined to one household, each household to one officer."""
    label_o, label_h = _graph_labels(n_o, n_h, o, h, np.ones(n_o, dtype=bool))
    touched_o = np.zeros(n_o, dtype=bool)
    touched_o[o] = True
    touched_h = np.zeros(n_h, dtype=bool)
    touched_h[h] = True
    # one officer per component, and every touched household and officer tied to it
    officers = np.flatnonzero(touched_o)
    first = pd.Series(officers).groupby(label_o[officers]).first()
    households = np.flatnonzero(touched_h)
    tie_h = first.reindex(label_h[households]).to_numpy()
    has = ~np.isnan(tie_h)
    some_household = pd.Series(households[has]).groupby(label_h[households[has]]).first()
    tie_o = some_household.reindex(label_o[officers]).to_numpy()
    has_o = ~np.isnan(tie_o)
    return (
        np.concatenate([tie_h[has].astype(np.int64), officers[has_o]]),
        np.concatenate([households[has], tie_o[has_o].astype(np.int64)]),
    )


def groups(
    label_o: np.ndarray, label_h: np.ndarray, target: int
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Whole labels packed into parts of about ``target`` households (largest first;
    a label larger than ``target`` alone): each part's officer and household
    positions.  Labels with no household or no officer form no part (their
    households have no allowed pair; their officers none either).

    Examples
    --------
    >>> parts = groups(np.array([0, 1, 2]), np.array([0, 0, 1, 1, 1, 2]), target=3)
    >>> [(o.tolist(), h.tolist()) for o, h in parts]
    [([1], [2, 3, 4]), ([0, 2], [0, 1, 5])]
    """
    n = int(max(label_o.max(initial=-1), label_h.max(initial=-1))) + 1
    size = np.bincount(label_h, minlength=n)
    officers = np.bincount(label_o[label_o >= 0], minlength=n)
    live = np.flatnonzero((size > 0) & (officers > 0))
    live = live[np.lexsort((live, -size[live]))]
    part_of = np.full(n, -1, np.int64)
    count, held = 0, 0
    for label in live:
        if held and held + size[label] > target:
            count, held = count + 1, 0
        part_of[label] = count
        held += int(size[label])
    if held:
        count += 1
    at_o = np.where(label_o >= 0, part_of[np.maximum(label_o, 0)], -1)
    at_h = part_of[label_h]
    order_o = np.argsort(at_o, kind="stable")
    order_h = np.argsort(at_h, kind="stable")
    cut_o = np.searchsorted(at_o[order_o], np.arange(count + 1))
    cut_h = np.searchsorted(at_h[order_h], np.arange(count + 1))
    return [
        (order_o[cut_o[i] : cut_o[i + 1]], order_h[cut_h[i] : cut_h[i + 1]]) for i in range(count)
    ]


# ------------------------------------------------------------------------------ the solve
def solve(
    instance: Instance,
    *,
    time_limit: float | None = None,
    progress: Callable[[str], None] | None = None,
    executor: Any = None,
) -> tuple[Outcome, dict[str, Any]]:
    """Solve an instance in exact parts, with a warm start from parts, or in one piece
    (see the module's text); the outcome and the statistics of the search."""
    check_executor(executor)
    target = instance.options.part_households
    clock = time.perf_counter()
    if target is None or instance.problem.n_households <= target:
        return solve_whole(instance, time_limit=time_limit, progress=progress)
    labels = components(instance)
    if labels is not None:
        parts = groups(*labels, target)
        if len(parts) > 1:
            return _exact(instance, parts, time_limit, progress, executor, clock)
    if instance.options.warm_parts and instance.start is None and labels is None:
        warm = _provinces(instance, target)
        if warm is not None:
            return _warm(instance, warm, time_limit, progress, executor, clock)
    return solve_whole(instance, time_limit=time_limit, progress=progress)


def _provinces(instance: Instance, target: int) -> list[tuple[np.ndarray, np.ndarray]] | None:
    """The provinces as parts of a warm start (rows without a known province
    together), None when there is only one."""
    o_code, h_code = instance.problem.provinces
    codes, _ = pd.factorize(np.concatenate([h_code, o_code]).astype(str))
    n_h = instance.problem.n_households
    label_o = codes[n_h:].copy()
    label_o[instance.problem.capacity == 0] = -1
    parts = groups(label_o, codes[:n_h], target)
    return parts if len(parts) > 1 else None


Parts = list[tuple[np.ndarray, np.ndarray]]
Progress = Callable[[str], None] | None


def _exact(
    instance: Instance,
    parts: Parts,
    time_limit: float | None,
    progress: Progress,
    executor: Any,
    clock: float,
) -> tuple[Outcome, dict[str, Any]]:
    answers, table, retried = _run(instance, parts, time_limit, progress, executor, clock)
    outcome = _merged(instance, answers, clock)
    extra = {
        "parts": len(parts),
        "part_mode": "exact",
        "parts_retried": retried,
        "parts_table": table,
    }
    return outcome, extra


def _warm(
    instance: Instance,
    parts: Parts,
    time_limit: float | None,
    progress: Progress,
    executor: Any,
    clock: float,
) -> tuple[Outcome, dict[str, Any]]:
    p = instance.policy
    loose = p.replace(objective="total", quotas=(), pair_distance_weight=0.0, min_load=0)
    answers, table, retried = _run(
        instance, parts, time_limit, progress, executor, clock, policy=loose
    )
    start = np.zeros(instance.problem.n_officers)
    first = np.full(instance.problem.n_households, -1, np.int64)
    for a in answers:
        prices = a.outcome.prices
        if prices is not None:
            start[a.officers] = np.nan_to_num(prices, nan=0.0)
        first[a.households[a.outcome.h]] = a.officers[a.outcome.o]
    left = None if time_limit is None else max(time_limit - (time.perf_counter() - clock), 1e-3)
    if progress is not None:
        progress("the whole run, from the parts' prices")
    outcome, extra = solve_whole(instance.with_start(start), time_limit=left, progress=progress)
    final = np.full(instance.problem.n_households, -1, np.int64)
    final[outcome.h] = outcome.o
    outcome.seconds["parts"] = float(table["seconds"].sum())
    outcome.seconds["total"] = time.perf_counter() - clock
    extra = {
        **extra,
        "parts": len(parts),
        "part_mode": "warm start",
        "parts_retried": retried,
        "repair_changed": int((first != final).sum()),
        "parts_table": table,
    }
    return outcome, extra


def _run(
    instance: Instance,
    parts: Parts,
    time_limit: float | None,
    progress: Progress,
    executor: Any,
    clock: float,
    policy: Any = None,
) -> tuple[list[PartAnswer], pd.DataFrame, int]:
    """Every part solved (through the executor): the answers in part order, the
    per-part table and how many parts were submitted more than once."""
    h_code = instance.problem.provinces[1]
    size = np.array([len(h) for _, h in parts])
    total = int(size.sum())
    answers: list[PartAnswer | None] = [None] * len(parts)
    tries: list[int] = [0] * len(parts)
    deadline = None if time_limit is None else clock + time_limit

    def task(i: int) -> tuple[Piece, float | None]:
        piece = instance.piece(*parts[i])
        if policy is not None:
            piece = replace(piece, policy=policy)
        left = None if deadline is None else max(deadline - time.perf_counter(), 1e-3)
        return piece, left

    done_households = 0
    need = [part_gb(int(n)) for n in size]
    options = instance.options
    for i, answer, n in _each(task, need, executor, options.part_retries, options.parts_memory_gb):
        answers[i], tries[i] = answer, n
        done_households += int(size[i])
        if progress is not None:
            spent = time.perf_counter() - clock
            left = spent * (total - done_households) / max(done_households, 1)
            finished = sum(a is not None for a in answers)
            progress(
                f"part {finished}/{len(parts)} ({_names(h_code[parts[i][1]])}, "
                f"{int(size[i]):,} households): "
                f"{'optimal' if answer.outcome.certified else 'stopped'} "
                f"in {answer.seconds:.1f} s; about {_duration(left)} left"
            )
    done = [a for a in answers if a is not None]
    table = pd.DataFrame(
        {
            "part": np.arange(len(parts)),
            "provinces": [_names(h_code[h]) for _, h in parts],
            "officers": [len(o) for o, _ in parts],
            "households": size,
            "paired": [len(a.outcome.h) for a in done],
            "objective": [a.objective for a in done],
            "status": ["optimal" if a.outcome.certified else "feasible" for a in done],
            "seconds": [a.seconds for a in done],
            "tries": tries,
        },
        columns=list(PART_COLUMNS),
    )
    return done, table, int(sum(t > 1 for t in tries))


def _names(codes: np.ndarray) -> str:
    """The distinct provinces of some rows, the first few by code."""
    names = sorted({str(c) for c in codes if c is not None})
    if len(names) > SHOWN_PROVINCES:
        return ", ".join(names[:SHOWN_PROVINCES]) + f" and {len(names) - SHOWN_PROVINCES} more"
    return ", ".join(names) if names else "unknown"


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{math.ceil(seconds)} s"
    return f"{seconds / 60:.0f} min"


def _each(
    task: Callable[[int], tuple[Piece, float | None]],
    need: list[float],
    executor: Any,
    retries: int,
    budget: float | None = None,
) -> Iterator[tuple[int, PartAnswer, int]]:
    """Each part's answer as it comes (index, answer, times submitted).  The parts
    come largest first from :func:`groups` and go in that order, at most two per
    worker in flight; with a ``budget`` (GB) the next is the first whose ``need``
    fits beside the parts in flight (one alone when none is in flight)."""
    n = len(need)
    if executor is None:
        for i in range(n):
            yield i, solve_piece(*task(i)), 1
        return
    own = not isinstance(executor, Executor)
    recycle = budget is not None  # a worker's memory returns to the system after each part
    pool: Executor = _process_pool(executor, recycle) if own else executor
    workers = executor if own else getattr(executor, "_max_workers", None) or 4
    window = 2 * workers
    queue = deque(range(n))
    pending: dict[Future, int] = {}
    tries = [0] * n

    def following() -> int | None:
        """The queue's next part to submit now, if any (taken off the queue)."""
        if not queue or len(pending) >= window:
            return None
        if budget is None or not pending:
            return queue.popleft()
        room = budget - sum(need[j] for j in pending.values())
        for i in queue:
            if need[i] <= room:
                queue.remove(i)
                return i
        return None

    try:
        while queue or pending:
            while (going := following()) is not None:
                tries[going] += 1
                pending[pool.submit(solve_piece, *task(going))] = going
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                i = pending.pop(future)
                try:
                    answer = future.result()
                except KuseoError:
                    raise
                except BrokenProcessPool:
                    if not own:
                        raise
                    if tries[i] > retries:
                        raise KuseoError(
                            f"the worker processes ended {tries[i]} times while solving part "
                            f"{i}: out of memory, killed, or they could not start -- a script "
                            "that passes executor=N must make its calls under "
                            "'if __name__ == \"__main__\":' (worker processes are spawned "
                            "and import the script)"
                        ) from None
                    # a worker died: every task in flight is lost with the pool
                    lost = [i, *pending.values()]
                    log.warning(
                        "a worker process ended while solving; %d part(s) submitted again",
                        len(lost),
                    )
                    pending.clear()
                    pool.shutdown(wait=False, cancel_futures=True)
                    pool = _process_pool(executor, recycle)
                    queue.extendleft(sorted(lost, reverse=True))
                    break
                except Exception as exc:  # a task lost with its worker (a cluster's error)
                    if tries[i] > retries:
                        raise
                    log.warning("part %d failed (%s); submitted again", i, exc)
                    queue.appendleft(i)
                    continue
                yield i, answer, tries[i]
    except BaseException:  # Ctrl-C, SIGTERM, an error: do not wait for the parts in flight
        if own:
            _stop(pool)
        raise
    if own:
        pool.shutdown(wait=True, cancel_futures=True)


def _stop(pool: Executor) -> None:
    """End our own worker processes now (a province can take minutes to finish)."""
    terminate = getattr(pool, "terminate_workers", None)  # Python 3.14
    if terminate is not None:
        terminate()
        return
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.terminate()


def _process_pool(workers: int, recycle: bool = False) -> ProcessPoolExecutor:
    """Local worker processes, spawned (no state shared with this process); with
    ``recycle`` each solves one part and is replaced, so that its memory returns
    to the system whole (a new process costs about a second)."""
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        max_tasks_per_child=1 if recycle else None,
    )


def _merged(instance: Instance, answers: list[PartAnswer], clock: float) -> Outcome:
    """The parts' outcomes as one outcome of the whole instance."""
    problem = instance.problem
    o = np.concatenate([a.officers[a.outcome.o] for a in answers])
    h = np.concatenate([a.households[a.outcome.h] for a in answers])
    certified = all(a.outcome.certified for a in answers)
    prices = np.full(problem.n_officers, np.nan)
    if certified:
        prices[problem.capacity > 0] = 0.0
        for a in answers:
            if a.outcome.prices is not None:
                prices[a.officers] = a.outcome.prices
    witness = None
    paired = np.zeros(problem.n_households, dtype=bool)
    paired[h] = True
    if certified and not paired.all():
        # households of no part have no allowed pair: they belong to the witness too
        inside = np.zeros(problem.n_households, dtype=bool)
        for a in answers:
            inside[a.households] = True
        ws = [(a, a.outcome.witness) for a in answers if a.outcome.witness is not None]
        witness = Witness(
            np.sort(
                np.concatenate(
                    [*(a.households[w.households] for a, w in ws), np.flatnonzero(~inside)]
                )
            ),
            np.sort(
                np.concatenate([*(a.officers[w.officers] for a, w in ws), np.zeros(0, np.int64)])
            ),
            sum(int(w.slots) for _, w in ws),
        )
    # one scale whose rounding bound n_pairs / scale is the sum of the parts' bounds
    bound = sum(len(a.outcome.o) / a.outcome.scale for a in answers)
    scales = [a.outcome.scale for a in answers]
    scale = len(o) / bound if bound > 0 else min(scales)
    if all(s == 1.0 for s in scales):
        scale = 1.0
    return Outcome(
        o=o,
        h=h,
        certified=certified,
        rounds=max(a.outcome.rounds for a in answers),
        candidate_pairs=sum(a.outcome.candidate_pairs for a in answers),
        scale=scale,
        seconds={
            "parts": float(sum(a.seconds for a in answers)),
            "total": time.perf_counter() - clock,
        },
        prices=prices,
        witness=witness,
        engine=answers[0].outcome.engine,
        passes=sum(a.outcome.passes for a in answers),
        repaired=sum(a.outcome.repaired for a in answers),
    )
