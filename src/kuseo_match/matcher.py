"""``match``: officers and households in, a certified-optimal :class:`Result` out.

The wiring of a run: :func:`~kuseo_match.instance.prepare` (validate the tables
with :mod:`~kuseo_match.schema`, order them canonically, build the cost model of
:mod:`~kuseo_match.candidates`) -> :func:`~kuseo_match.instance.solve` (min-cost
flow with its optimality certificate, :mod:`~kuseo_match.solve`) ->
:func:`~kuseo_match.answer.answer` (the :class:`~kuseo_match.result.Result`, with a
reason for every unmatched household).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from .answer import answer
from .candidates import GeoCostModel
from .diagnose import with_inputs
from .instance import as_policy, check_time_limit, prepare, solve, validated_problem
from .parts import check_executor
from .policy import Policy
from .result import Result
from .schema import validate_pairs
from .solve import SolveOptions

__all__ = ["match", "pair_costs"]

log = logging.getLogger("kuseo_match")


def match(
    officers: pd.DataFrame,
    households: pd.DataFrame,
    policy: Policy | None = None,
    *,
    costs: pd.DataFrame | None = None,
    locked: pd.DataFrame | None = None,
    forbidden: pd.DataFrame | None = None,
    time_limit: float | None = None,
    progress: Callable[[str], None] | None = None,
    options: SolveOptions | None = None,
    start: pd.Series | pd.DataFrame | None = None,
    executor: Any = None,
) -> Result:
    """Pair officers with households: most households covered, then least total cost.

    Parameters
    ----------
    officers : pandas.DataFrame
        ``officer_id, agency, district, lat, lon`` and optional ``capacity``
        (see :mod:`kuseo_match.schema`).  Never modified.
    households : pandas.DataFrame
        ``household_id, kind, district, lat, lon`` and optional ``need_*``
        flags.  Never modified.
    policy : Policy, optional
        The knobs (default ``Policy()``: capacity 2, no distance limit).
    costs : pandas.DataFrame, optional
        ``officer_id, household_id, cost`` (cost >= 0).  When given, exactly
        these pairs are allowed at exactly these costs (for example road
        travel minutes), and ``lat``/``lon`` are not needed.
    locked : pandas.DataFrame, optional
        ``officer_id, household_id``: pairs that are in the answer, hard (pairs
        that already work).  A household locked twice, a pair also forbidden
        or an unknown id raises :class:`ValidationError`; a pair the policy
        does not allow, or more locked pairs than an officer's capacity,
        raises :class:`~kuseo_match.errors.InfeasibleError` naming the pair
        and the rule (see :mod:`kuseo_match.rules`).
    forbidden : pandas.DataFrame, optional
        ``officer_id, household_id``: pairs never used (conflicts of
        interest: a relative, the officer's own household).  The answer is
        proven optimal over every pair that is allowed.
    time_limit : float, optional
        Seconds after which the optimality proof stops; the pairing found
        so far is returned with ``status="feasible"``.
    progress : callable, optional
        Called with a short text as each validation stage starts and after
        each solver round.
    options : SolveOptions, optional
        Tuning knobs of the solve (threads, pool sizes, engine); the objective
        and status never depend on them (which of equally good pairings comes
        back may; see :class:`~kuseo_match.solve.options.SolveOptions`).
    start : pandas.Series or pandas.DataFrame, optional
        Officers' prices to start from, for example an earlier run's
        ``result.officer_load`` (``officer_id, price``) or a Series indexed by
        ``officer_id``: the pairs that are cheapest at those prices join the
        first round, so a similar problem is proven in fewer rounds (one, with
        the optimal prices).  Officers without a price start at 0; only speed
        depends on it.
    executor : None, int or concurrent.futures.Executor, optional
        Where the parts of a large run are solved (:mod:`kuseo_match.parts`):
        None (default) one after another in this process, an int that many
        local worker processes, or an executor such as a Dask cluster's
        ``dask.distributed.Client(address).get_executor()``.  The answer is the
        same whichever is given; ``result.parts`` lists the parts.

    Returns
    -------
    Result
        ``pairs``, ``unmatched`` (with reasons), ``status`` (``"optimal"``
        when proven over every allowed pair; ``"feasible"`` when the time
        limit stopped the proof; ``"approximate"`` when proven only for the
        costs rounded to the solver's integer grid, see Notes),
        ``objective`` (equals ``pairs["cost"].sum()``), ``stats``, and the
        validated ``officers`` and ``households``.

    Notes
    -----
    Objective: the largest number of paired households, then the least sum
    of pair costs; exact for integer ``costs``, and within
    ``stats["objective_tolerance"]`` (each pair's cost rounded to
    ``1 / stats["cost_scale"]``; about 1e-12 relative at province size) for
    fractional ones.  When that bound exceeds both 1e-6 of the objective
    (:data:`~kuseo_match.answer.TOLERANCE_SHARE`) and 1e-9
    (:data:`~kuseo_match.answer.TOLERANCE_FLOOR`) -- costs spanning many
    orders of magnitude, such as 1e15 beside 1e-3 -- the status is
    ``"approximate"`` and a warning gives the bound; whole-number or
    rescaled costs avoid it.  The same input gives
    the same pairs; ties are broken
    by the canonical order of the ids (numeric ids numerically, others as
    text), never by row order.

    Examples
    --------
    >>> import pandas as pd
    >>> import kuseo_match as km
    >>> officers = pd.DataFrame({"officer_id": ["A", "B"],
    ...     "agency": ["public_health", "agriculture"], "district": ["TH4001", "TH4001"],
    ...     "lat": [16.44, 16.50], "lon": [102.83, 102.90], "capacity": [1, 2]})
    >>> households = pd.DataFrame({"household_id": [1, 2, 3],
    ...     "kind": ["welfare", "developable", "พัฒนาได้"], "district": "TH4001",
    ...     "lat": [16.45, 16.49, 16.51], "lon": [102.84, 102.89, 102.91]})
    >>> result = km.match(officers, households)
    >>> result.pairs[["household_id", "officer_id"]].to_dict("list")
    {'household_id': [1, 2, 3], 'officer_id': ['A', 'B', 'B']}
    >>> result.status, len(result.unmatched)
    ('optimal', 0)
    """
    check_time_limit(time_limit)  # before the tables: a bad setting is refused first
    check_executor(executor)
    instance = prepare(
        officers,
        households,
        policy,
        costs=costs,
        locked=locked,
        forbidden=forbidden,
        options=options,
        start=start,
        progress=progress,
    )
    outcome, extra = solve(instance, time_limit=time_limit, progress=progress, executor=executor)
    result = answer(instance, outcome, extra)
    # what Result.diagnosis needs to solve again
    return with_inputs(
        result,
        costs=costs,
        locked=locked,
        forbidden=forbidden,
        options=options,
        executor=executor,
    )


def pair_costs(
    officers: pd.DataFrame,
    households: pd.DataFrame,
    pairs: pd.DataFrame,
    policy: Policy | None = None,
) -> pd.DataFrame:
    """The cost ``match`` uses for any given pairs (not only chosen ones).

    Parameters
    ----------
    pairs : pandas.DataFrame
        ``officer_id, household_id``.

    Returns
    -------
    pandas.DataFrame
        ``officer_id, household_id, cost, distance_km, fit, kind_affinity,
        allowed``; ``cost`` is ``inf`` where the policy does not allow the
        pair (beyond ``max_distance_km``, or the officer's capacity is 0).

    Examples
    --------
    >>> import pandas as pd
    >>> import kuseo_match as km
    >>> o = pd.DataFrame({"officer_id": ["A"], "agency": ["police"], "district": ["TH4001"],
    ...                   "lat": [16.44], "lon": [102.83]})
    >>> h = pd.DataFrame({"household_id": ["H"], "kind": ["welfare"], "district": ["TH4002"],
    ...                   "lat": [16.44], "lon": [102.83]})
    >>> km.pair_costs(o, h, pd.DataFrame({"officer_id": ["A"], "household_id": ["H"]}))[
    ...     ["cost", "distance_km", "fit", "allowed"]].to_dict("records")
    [{'cost': 10.0, 'distance_km': 0.0, 'fit': 0.5, 'allowed': True}]
    """
    policy = as_policy(policy)
    problem = validated_problem(officers, households, policy, need_coordinates=True)
    oi, hi, _ = validate_pairs(pairs, problem.officer_keys, problem.household_keys)
    pc = GeoCostModel(problem, policy).costs(oi, hi)
    return pd.DataFrame(
        {
            "officer_id": pairs["officer_id"].to_numpy(),
            "household_id": pairs["household_id"].to_numpy(),
            "cost": np.where(pc.allowed, pc.cost, np.inf),
            "distance_km": pc.distance_km,
            "fit": pc.fit,
            "kind_affinity": pc.kind_affinity,
            "allowed": pc.allowed,
        }
    )
