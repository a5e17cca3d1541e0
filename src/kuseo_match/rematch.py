"""``rematch``: a new pairing that keeps the pairs that still work.

A pairing lives for years: officers are transferred, households graduate and
new ones are targeted.  :func:`rematch` takes the previous pairs and today's
tables and returns a :class:`~kuseo_match.result.Result` whose ``changes``
lists every household whose officer changed, entered or left, with the reason.

The goals, in order:

1. the most households covered;
2. the fewest changed pairs: a previous pair whose officer and household are
   both still present and whose pair is still allowed (a *surviving* pair) is
   kept unless covering more households needs it to move;
3. the least total cost for the rest (the built-in cost prefers an officer of
   the household's own district through ``cross_district_penalty``).

Method: the surviving pairs are locked and the rest is solved exactly
(:func:`~kuseo_match.match`).  When that covers as many households as a
pairing free to move every pair, no pairing changes fewer pairs, and the rest
is the least-cost completion: the answer is exact for the three goals
(``stats["churn"] == "exact"``).  Otherwise keeping every surviving pair
would leave households out, and the fewest moves are found exactly too: a
churn cost on every move above any difference in cost between two pairings
(as with ``churn_cost`` below), so the flow covers the most households, then
moves the fewest pairs, then costs least.

``Policy(churn_cost=c)`` trades stability against cost instead: nothing is
locked, and every previous household paired with another officer than its
surviving one costs ``c`` km-equivalents more (an exact min-cost flow with
that term; ``stats["churn"] == "priced"``, ``stats["churn_cost_total"]``).
``churn_cost=0`` is a fresh match; a large one keeps every pair it can.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from .answer import answer
from .diagnose import with_inputs
from .errors import ValidationError
from .instance import check_time_limit, prepare
from .instance import solve as solve_instance
from .parts import check_executor
from .policy import Policy
from .result import Result
from .rules import why_not_allowed
from .schema import validate_previous
from .solve import SolveOptions

__all__ = ["CHANGE_COLUMNS", "rematch"]

log = logging.getLogger("kuseo_match")

#: Columns of ``Result.changes``.
CHANGE_COLUMNS = ("household_id", "old_officer_id", "new_officer_id", "reason")


def rematch(
    previous: pd.DataFrame | Result,
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
    executor: Any = None,
) -> Result:
    """Pair again, keeping the previous pairs that still work (see the module text).

    Parameters
    ----------
    previous : pandas.DataFrame or Result
        ``officer_id, household_id`` of the earlier pairing (a ``pairs.csv``
        read back works; other columns are ignored), or the earlier
        :class:`Result` itself (its ``pairs``).  Ids no longer in the tables
        are reported in ``changes``, never dropped silently.
    officers, households, policy, costs, locked, forbidden, time_limit, progress, options, \
executor
        As for :func:`~kuseo_match.match`; ``locked`` pairs win over previous ones.

    Returns
    -------
    Result
        With ``changes`` (columns :data:`CHANGE_COLUMNS`) and
        ``stats["pairs_kept"]``, ``stats["pairs_changed"]`` and ``stats["churn"]``.

    Examples
    --------
    >>> import kuseo_match as km
    >>> o, h = km.synthetic_province(officers=30, households=40, seed=1)
    >>> first = km.match(o, h)
    >>> again = km.rematch(first, o.iloc[1:], h)  # the first officer left
    >>> again.changes["reason"].unique().tolist()
    ['officer left']
    >>> len(again.changes) == int((first.pairs["officer_id"] == o["officer_id"].iloc[0]).sum())
    True
    """
    check_time_limit(time_limit)
    check_executor(executor)
    prev = validate_previous(previous)
    base = prepare(
        officers,
        households,
        policy,
        costs=costs,
        locked=locked,
        forbidden=forbidden,
        options=options,
    )  # the tables validated once; every solve below is a variant of this instance
    problem, rules, model, policy = base.problem, base.rules, base.model, base.policy
    o = problem.officer_keys.get_indexer(prev["officer_id"])
    h = problem.household_keys.get_indexer(prev["household_id"])
    reason = np.full(len(prev), "", dtype=object)
    reason[(o < 0) & (h >= 0)] = "officer left"
    reason[h < 0] = "household left the programme"
    both = np.flatnonzero((o >= 0) & (h >= 0))
    if len(both):
        allowed = model.costs(o[both], h[both]).allowed
        reason[both[~allowed]] = [
            "previous pair no longer allowed "
            f"({why_not_allowed(problem, model, policy, int(o[i]), int(h[i]))})"
            for i in both[~allowed]
        ]
    locked_h = set(rules.locked_h.tolist())
    for i in both:
        if reason[i] == "" and h[i] in locked_h:
            reason[i] = "locked to another officer"
    survive = np.flatnonzero(reason == "")
    ids_h = problem.households["household_id"].to_numpy()
    last: list[np.ndarray] = []  # the prices of the last solve: the next one starts there

    def solve(pin: bool = False, churn: float | None = None) -> Result:
        """The user's locked pairs and, with ``pin``, the surviving pairs locked; or,
        with ``churn``, every surviving household charged ``churn`` for moving."""
        instance = base if not last else base.with_start(last[-1])
        if churn is not None:
            officer_of = np.full(problem.n_households, -1, np.int64)
            officer_of[h[survive]] = o[survive]
            instance = instance.with_stay(officer_of, churn)
        elif pin:
            instance = instance.with_locked(o[survive], h[survive])
        outcome, extra = solve_instance(
            instance, time_limit=time_limit, progress=progress, executor=executor
        )
        if outcome.prices is not None and outcome.certified:
            last.append(outcome.prices)
        return with_inputs(
            answer(instance, outcome, extra),
            costs=costs,
            locked=locked,
            forbidden=forbidden,
            options=options,
            executor=executor,
        )

    if policy.churn_cost is not None:
        if policy.objective == "bottleneck":
            raise ValidationError(
                "churn_cost cannot be combined with the bottleneck objective",
                table="policy",
                column="churn_cost",
            )
        moved = f"moved: the new pairing saves more than churn_cost {policy.churn_cost:g}"
        result = solve(churn=float(policy.churn_cost))
        result = _with_changes(
            prev, reason, np.zeros(len(prev), bool), result, ids_h, "priced", moved
        )
        return _beyond_fresh(result, solve)
    # an officer whose capacity fell keeps its cheapest previous pairs
    room = problem.capacity - np.bincount(rules.locked_o, minlength=problem.n_officers)
    if len(survive):
        cost = model.costs(o[survive], h[survive]).cost
        order = np.lexsort((h[survive], cost, o[survive]))
        so = o[survive][order]
        rank = np.arange(len(so)) - np.searchsorted(so, so, side="left")
        over = order[rank >= room[so]]
        for i in survive[over]:
            reason[i] = f"officer's capacity fell to {int(problem.capacity[o[i]])}"
        survive = np.flatnonzero(reason == "")
    result = solve(pin=True)
    released = np.zeros(len(prev), dtype=bool)
    if len(result.unmatched) and len(survive):
        free = solve()
        if len(result.pairs) < len(free.pairs):
            # keeping every pair costs coverage: the fewest moves, exactly, with a churn
            # cost above any difference in cost between two pairings
            priced = solve(churn=(problem.n_households + 1) * (model.max_cost_bound() + 1.0))
            stats = dict(priced.stats)
            moved_cost = stats.pop("churn_cost_total", 0.0)
            result = replace(
                priced, objective=priced.objective - moved_cost, stats=stats, policy=policy
            )
            released[survive] = True  # those that kept their officer are not listed
    result = _with_changes(prev, reason, released, result, ids_h, "exact", "moved")
    return _beyond_fresh(result, solve)


def _beyond_fresh(result: Result, fresh: Callable[[], Result]) -> Result:
    """``result`` with ``stats["beyond_fresh"]``: the households re-paired (moved or
    new) farther than the longest pair of a fresh pairing (none kept), and
    ``stats["fresh_longest_km"]``; a warning names them and suggests
    ``churn_cost``, which lets kept pairs move so that no household is sent far.
    The fresh pairing is solved only when something was re-paired."""
    changes = result.changes
    if changes is None or not len(result.pairs):
        return result
    again = changes.loc[changes["new_officer_id"].notna(), "household_id"].astype(str)
    distance = result.pairs.set_index(result.pairs["household_id"].astype(str))["distance_km"]
    far = distance.reindex(again)
    if not len(far) or far.isna().all():  # nothing re-paired, or no distances (costs=)
        return result
    longest = float(fresh().pairs["distance_km"].max())
    beyond = far[far > longest + 1e-9].sort_values(ascending=False)
    stats = dict(result.stats) | {
        "fresh_longest_km": longest,
        "beyond_fresh": beyond.index.tolist(),
    }
    if len(beyond):
        shown = ", ".join(f"{h} ({d:.1f} km)" for h, d in beyond.head(5).items())
        log.warning(
            "%d household(s) re-paired farther than the longest pair of a fresh pairing "
            "(%.1f km): %s%s; a churn_cost lets kept pairs move instead",
            len(beyond),
            longest,
            shown,
            "" if len(beyond) <= 5 else ", ...",
        )
    return replace(result, stats=stats)


def _with_changes(prev, reason, released, result: Result, ids_h, churn: str, moved: str) -> Result:
    """``result`` with its ``changes`` table and the rematch statistics."""
    new_officer = dict(
        zip(result.pairs["household_id"].astype(str), result.pairs["officer_id"], strict=True)
    )
    rows = []
    kept: int = 0
    for row in range(len(prev)):
        hid, oid = prev["household_id"].iloc[row], prev["officer_id"].iloc[row]
        now = new_officer.get(hid)
        if reason[row] == "" and now is not None and str(now) == oid:
            kept += 1
            continue
        why = reason[row] or (
            "moved so that another household could be covered" if released[row] else moved
        )
        rows.append((hid, oid, now, why))
    seen = set(prev["household_id"])
    unmatched = dict(
        zip(result.unmatched["household_id"].astype(str), result.unmatched["reason"], strict=True)
    )
    for hid in ids_h.astype(str):
        if hid not in seen:
            now = new_officer.get(hid)
            why = (
                "new household"
                if now is not None
                else f"new household, not paired: {unmatched[hid]}"
            )
            rows.append((hid, None, now, why))
    changes = pd.DataFrame(rows, columns=list(CHANGE_COLUMNS))
    stats = dict(result.stats) | {
        "pairs_kept": kept,
        "pairs_changed": int(
            (changes["old_officer_id"].notna() & changes["new_officer_id"].notna()).sum()
        ),
        "churn": churn,
    }
    return replace(result, changes=changes, stats=stats)
