"""Rules on pairs: locked pairs (kept, hard) and forbidden pairs (never used).

A provincial office keeps pairs that already work and never pairs an officer
with a relative or their own household.  Both come as tables of
``officer_id, household_id``:

* **forbidden** pairs are not allowed: the cost models leave them out (and the
  optimality certificate with them, so the answer is proven over every pair
  that is allowed);
* **locked** pairs are in the answer.  They are checked -- each household
  locked to one officer, no pair both locked and forbidden, every locked pair
  allowed by the policy, no officer locked beyond its capacity -- and then
  taken out of the problem: their households leave it and their officers'
  capacities shrink by them, and the rest is solved as usual.  This is exact:
  a locked household has no other pair in any answer, so it constrains the
  others only through its officer's remaining slots.

Ids are matched as text, as everywhere (``"17"`` names officer 17).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .candidates import Problem
from .errors import InfeasibleError
from .schema import validate_rules

__all__ = ["PairRules", "read_rules"]


@dataclass(frozen=True, eq=False)
class PairRules:
    """Locked and forbidden pairs as row positions of a :class:`Problem`."""

    locked_o: np.ndarray
    locked_h: np.ndarray
    forbidden_o: np.ndarray
    forbidden_h: np.ndarray

    @property
    def forbidden(self) -> tuple[np.ndarray, np.ndarray]:
        return self.forbidden_o, self.forbidden_h

    @property
    def any_locked(self) -> bool:
        return len(self.locked_o) > 0


def read_rules(problem: Problem, locked: Any, forbidden: Any) -> PairRules:
    """Check the ``locked`` and ``forbidden`` tables (either may be None) against the
    problem's ids and each other.

    Raises
    ------
    ValidationError
        An unknown id, a pair given twice, a household locked to two officers,
        or a pair both locked and forbidden.
    """
    lo, lh, fo, fh = validate_rules(locked, forbidden, problem.officer_keys, problem.household_keys)
    return PairRules(lo, lh, fo, fh)


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") and hasattr(value, "dtype") else value


def _officer(problem: Problem, i: int) -> Any:
    return _plain(problem.officers["officer_id"].iloc[int(i)])


def _household(problem: Problem, i: int) -> Any:
    return _plain(problem.households["household_id"].iloc[int(i)])


def why_not_allowed(problem: Problem, model: Any, policy: Any, o: int, h: int) -> str:
    """The rule that keeps the pair ``(o, h)`` (positions) out, in words: the one
    place that says why a pair is not allowed (locked pairs, rematch's previous
    pairs).  Rules in order: the officer's capacity, the costs table, the
    distance limit, the same-district rule, else the forbidden pairs.

    Examples
    --------
    >>> import kuseo_match as km
    >>> from kuseo_match.instance import prepare
    >>> o, h = km.synthetic_province(officers=5, households=8, seed=0)
    >>> i = prepare(o, h, km.Policy(max_distance_km=0.1))
    >>> why_not_allowed(i.problem, i.model, i.policy, 0, 0)  # doctest: +ELLIPSIS
    'the pair is ... km apart, beyond max_distance_km = 0.1'
    """
    if problem.capacity[o] == 0:
        return "the officer's capacity is 0"
    if model.lists_every_pair:
        return "the pair is not in the costs table (only its pairs are allowed)"
    if policy.max_distance_km is not None and model.geo is not None:
        d = float(model.geo.distance_km(np.array([o]), np.array([h]))[0])
        if d > policy.max_distance_km:
            return (
                f"the pair is {d:.1f} km apart, beyond max_distance_km = {policy.max_distance_km:g}"
            )
    if policy.same_province:
        o_p, h_p = (codes[i] for codes, i in zip(problem.provinces, (o, h), strict=True))
        if o_p != h_p:
            return f"same_province is set and the officer is in {o_p}, the household in {h_p}"
    if policy.same_district:
        o_d = problem.officers["district"].iloc[o]
        h_d = problem.households["district"].iloc[h]
        if o_d != h_d:
            return f"same_district is set and the officer is in {o_d}, the household in {h_d}"
    return "the pair is forbidden"


def check_locked(problem: Problem, model: Any, rules: PairRules, policy: Any) -> None:
    """Every locked pair is allowed by the policy, and no officer is locked beyond its
    capacity; else :class:`InfeasibleError` naming the pair (or officer) and the rule."""
    if not rules.any_locked:
        return
    o, h = rules.locked_o, rules.locked_h
    pc = model.costs(o, h)
    bad = np.flatnonzero(~pc.allowed)
    if len(bad):
        i = int(bad[0])
        pair = f"({_officer(problem, o[i])!r}, {_household(problem, h[i])!r})"
        rule = why_not_allowed(problem, model, policy, int(o[i]), int(h[i]))
        more = f" ({len(bad)} locked pairs like this)" if len(bad) > 1 else ""
        raise InfeasibleError(f"locked pair {pair} is not allowed: {rule}{more}")
    load = np.bincount(o, minlength=problem.n_officers)
    over = np.flatnonzero(load > problem.capacity)
    if len(over):
        j = int(over[0])
        raise InfeasibleError(
            f"officer {_officer(problem, j)!r} has {int(load[j])} locked households but "
            f"capacity {int(problem.capacity[j])}; raise its capacity or unlock "
            f"{int(load[j] - problem.capacity[j])} of them"
        )


def without_locked(problem: Problem, rules: PairRules) -> tuple[Problem, np.ndarray]:
    """The problem that is left once the locked pairs are kept: their households gone,
    their officers' capacities shrunk by them.  Returns it and the positions (in
    ``problem``) of the households it keeps."""
    keep = np.ones(problem.n_households, dtype=bool)
    keep[rules.locked_h] = False
    kept = np.flatnonzero(keep)
    left = problem.capacity - np.bincount(rules.locked_o, minlength=problem.n_officers)
    officers = problem.officers.assign(capacity=left)
    households = problem.households.iloc[kept].reset_index(drop=True)
    return Problem(officers, households), kept


def remap(pairs: tuple[np.ndarray, np.ndarray], kept: np.ndarray, n_households: int):
    """Pairs of the full problem as pairs of the problem that kept households ``kept``
    (pairs of other households dropped)."""
    o, h = pairs
    new = np.full(n_households, -1, np.int64)
    new[kept] = np.arange(len(kept))
    keep = new[h] >= 0
    return o[keep], new[h][keep]
