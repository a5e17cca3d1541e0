"""How a solve runs: the tuning knobs, in one frozen value passed down.

The objective and the status do not depend on them: the certificate proves the
answer over every allowed pair whatever the knobs.  Two things may: which of
several equally good pairings comes back (the ``engine`` breaks ties its own
way), and, with quotas or compact pairs, where CP-SAT stops under a time or
work limit (``sat_k``, ``sat_work``, ``sat_workers``, ``seed``).  Tests and
benchmarks pass a :class:`SolveOptions` instead of patching module globals.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from typing import Any

from ..errors import ValidationError

__all__ = ["SolveOptions", "usable_cores"]


def usable_cores() -> int:
    """Cores this process may run on (its CPU affinity where the OS has one)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


@dataclass(frozen=True)
class SolveOptions:
    """Tuning knobs of :func:`kuseo_match.match` (see the module docstring for what
    they may change besides speed).

    Parameters
    ----------
    threads : int or None, default None
        Threads for the k-d tree queries of the certificate.  None: the
        usable cores, at most 4, read when a solve starts (never at import).
        With 1 nothing spawns a thread, so a process pool with one solve per
        core does not oversubscribe the machine.
    engine : {"lemon", "ortools"}, default "lemon"
        The min-cost flow engine (:mod:`kuseo_match.solve.engine`): LEMON's
        network simplex hands back its dual, so no Bellman-Ford pass follows
        each solve; OR-Tools' cost scaling is kept for comparison.
    pool : int, default 4
        Each household's pool holds at least its ``pool * k`` nearest officers,
        whose costs are known to the certificate.
    pool_max : int, default 16
        ... and at most ``pool_max * k`` (where officers are dense).
    per_household : int, default 16
        At most this many pairs per household join in a round, the most
        negative first.
    repair : float, default 0.1
        When the dual completion ends at a cycle with at most ``repair *
        n_households`` pairs joining, the last flow is re-optimised from its
        potentials (:mod:`kuseo_match.solve.repair`) instead of solved afresh;
        0 never does.
    repair_share : float, default 0.25
        A repair re-solves at most this share of the candidate arcs.
    ball_chunk : int, default 4096
        The certificate's ball queries take at most this many households at a
        time (memory follows one chunk per thread).
    seed_min_households : int, default 5_000
        From this many households on, the first candidates hold the pairing of a
        transport between grid cells (:mod:`kuseo_match.solve.seed`), so that the
        first round pairs as many households as the slots allow.
    announce_households : int, default 10_000
        From this many households on, the solve first says how large it will be
        (candidate pairs, expected peak memory) to the log and to ``progress``,
        and warns when that exceeds most of the machine's memory.
    pair_budget : int, default 2_000_000
        The certificate's ball queries hold at most this many household-officer
        pairs at a time (about 100 bytes each while they are priced): the
        bound on its memory, whatever the size of the balls.
    one_pass_pairs : int, default 250_000
        Ball queries over at most this many household-officer pairs run as
        one pass of the k-d tree.
    thread_min_households : int, default 10_000
        The certificate's ball queries use threads only when they cover at
        least this many households (below it, starting threads costs more than
        they save).
    sat_k : int, default 8
        CP-SAT (quotas, compact pairs) sees each household's ``sat_k`` pairs of
        least reduced cost under the flow's prices (half as many with compact
        pairs, whose model grows with the square), and the flow's pairs;
        pairs left out are covered by a bound (:mod:`kuseo_match.solve.refine`).
    sat_work : float, default 20.0
        CP-SAT stops after this much deterministic work (about seconds on
        one core), so that without a time limit the same input gives the
        same answer.
    sat_workers : int, default 1
        CP-SAT's search workers.  One is deterministic; more search a
        portfolio in parallel and may find better answers sooner, but
        which answer a limit stops at then depends on timing.
    part_households : int or None, default 20_000
        Runs of more households than this are solved in parts
        (:mod:`kuseo_match.parts`): where the allowed pairs split
        (``same_province``, a distance limit, ``same_district``, a ``costs``
        table), the parts are exact and their answers merged, whole components
        grouped up to about this many households a part.  The answer is the
        same either way; None always solves in one piece.
    warm_parts : bool, default False
        Where the pairs do not split, solve the provinces first (as parts, through
        the executor) and start one certified solve from their prices.  Off by
        default: measured slower than one solve at 100,000 households
        (``benchmarks/bench_country.py``), the certified solve costing as much
        from the provinces' prices as from none.
    parts_memory_gb : float or None, default None
        The parts solved at the same time (through an executor) are estimated
        to need at most this many GB together (:func:`kuseo_match.parts.part_gb`,
        about 48 kB per household, fitted to the peaks of dense provinces);
        a part that needs more runs alone, and smaller parts go ahead of a
        larger one that does not fit yet; local worker processes
        (``executor=N``) are replaced after each part.  The answer is the
        same; the time can be longer.  None: no limit (at most two parts per
        worker in flight).  For a laptop, about half its memory.
    part_retries : int, default 2
        A part whose task is lost (a worker process killed, a cluster worker
        gone) is submitted again this many times before the run fails.
    seed : int, default 0
        CP-SAT's random seed.

    Examples
    --------
    >>> SolveOptions(threads=1).worker_count()
    1
    >>> SolveOptions(threads=0)
    Traceback (most recent call last):
    ...
    kuseo_match.errors.ValidationError: options: field 'threads', value 0: must be a whole \
number >= 1, or None
    """

    threads: int | None = None
    engine: str = "lemon"
    pool: int = 4
    pool_max: int = 16
    per_household: int = 16
    repair: float = 0.1
    repair_share: float = 0.25
    ball_chunk: int = 4096
    pair_budget: int = 2_000_000
    seed_min_households: int = 5_000
    announce_households: int = 10_000
    one_pass_pairs: int = 250_000
    thread_min_households: int = 10_000
    sat_k: int = 8
    sat_work: float = 20.0
    sat_workers: int = 1
    part_households: int | None = 20_000
    warm_parts: bool = False
    parts_memory_gb: float | None = None
    part_retries: int = 2
    seed: int = 0

    def __post_init__(self) -> None:
        def bad(name: str, value: Any, what: str) -> ValidationError:
            return ValidationError(f"must be {what}", table="options", column=name, value=value)

        if self.threads is not None and (
            isinstance(self.threads, bool) or not isinstance(self.threads, int) or self.threads < 1
        ):
            raise bad("threads", self.threads, "a whole number >= 1, or None")
        if self.engine not in ("lemon", "ortools"):
            raise bad("engine", self.engine, "'lemon' or 'ortools'")
        whole = ("pool", "pool_max", "per_household", "ball_chunk", "pair_budget", "one_pass_pairs")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or self.seed < 0:
            raise bad("seed", self.seed, "a whole number >= 0")
        for name in (
            *whole,
            "thread_min_households",
            "seed_min_households",
            "announce_households",
            "sat_k",
            "sat_workers",
        ):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise bad(name, value, "a whole number >= 1")
        if self.part_households is not None and (
            isinstance(self.part_households, bool)
            or not isinstance(self.part_households, int)
            or self.part_households < 1
        ):
            raise bad("part_households", self.part_households, "a whole number >= 1, or None")
        if not isinstance(self.warm_parts, bool):
            raise bad("warm_parts", self.warm_parts, "true or false")
        if (
            isinstance(self.part_retries, bool)
            or not isinstance(self.part_retries, int)
            or self.part_retries < 0
        ):
            raise bad("part_retries", self.part_retries, "a whole number >= 0")
        for name in ("repair", "repair_share"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or not value >= 0:
                raise bad(name, value, "a number >= 0")
        if self.parts_memory_gb is not None and (
            isinstance(self.parts_memory_gb, bool)
            or not isinstance(self.parts_memory_gb, int | float)
            or not 0 < self.parts_memory_gb < float("inf")
        ):
            raise bad("parts_memory_gb", self.parts_memory_gb, "a number > 0, or None")
        if (
            not isinstance(self.sat_work, int | float)
            or isinstance(self.sat_work, bool)
            or not (self.sat_work > 0)
        ):
            raise bad("sat_work", self.sat_work, "a number > 0")

    def worker_count(self) -> int:
        """Threads to use: :attr:`threads`, or the usable cores up to 4."""
        return self.threads if self.threads is not None else min(usable_cores(), 4)

    def replace(self, **changes: Any) -> SolveOptions:
        """A copy with some knobs changed (checked like the constructor)."""
        known = {f.name for f in fields(self)}
        for key in changes:
            if key not in known:
                raise ValidationError(
                    f"unknown option; known: {', '.join(sorted(known))}",
                    table="options",
                    column=key,
                )
        values = {f.name: getattr(self, f.name) for f in fields(self)} | changes
        return SolveOptions(**values)
