"""``diagnose``: which households no pairing can cover, why, and changes that fix it.

"Infeasible" helps nobody; a provincial office needs to know which district is
short, by how many officers, and what change fixes it.  :func:`diagnose`
matches the tables and, when households stay unmatched, returns:

* ``deficit``: households that no pairing covers (households less the most
  that any pairing covers: the matcher's coverage is proven the largest);
* ``shortfalls``: groups of households whose reachable officers together lack
  slots (Hall's condition fails).  They are the households reachable from the
  unmatched ones by alternating paths (every officer they reach is full with
  households of the group; :class:`~kuseo_match.result.Shortfall`), split
  into the connected groups of their allowed pairs, each with its deficit;
* ``fixes``: changes ranked by the households they cover, each **verified
  by solving again** with the change applied: officers added where a group's
  unmatched households are, capacities raised for a group's officers (its
  dearest first, by their prices), a longer ``max_distance_km``, pairs across
  districts allowed.  Each fix lists the households it covers.

The officers' prices (``Result.prices_by_district``) say where one more officer
saves most cost when nobody is short.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from .answer import answer
from .instance import Instance, prepare
from .instance import solve as solve_instance
from .parts import check_executor
from .policy import Policy
from .reference import districts as district_table
from .result import Result, Shortfall
from .schema import validate_officers
from .solve import SolveOptions
from .solve.certificate import shortfall_groups

__all__ = ["Diagnosis", "Fix", "diagnose", "with_inputs"]

#: Shortfall groups for which fixes are tried (the largest deficits first).
FIX_GROUPS = 3


@dataclass(frozen=True, eq=False)
class Fix:
    """A change that covers more households, verified by solving with it.

    Attributes
    ----------
    action : str
        The change in words ("add 2 officers based in TH4008 Ubolratana").
    kind : {"add officers", "raise capacity", "longer distance", "cross-district"}
    covers : pandas.Index
        ``household_id`` of the households paired with the change and not without.
    officers : pandas.DataFrame
        For ``"add officers"``: the officers to add (rows of an officers table);
        for ``"raise capacity"``: ``officer_id`` and the new ``capacity``.
    policy : Policy or None
        For a policy change: the policy to use.

    Examples
    --------
    >>> import kuseo_match as km
    >>> o, h = km.synthetic_province(officers=20, households=60, seed=1)
    >>> fix = km.diagnose(o, h).fixes[0]
    >>> fix.kind, fix.covered == len(fix.covers) > 0
    ('add officers', True)
    """

    action: str
    kind: str
    covers: pd.Index
    officers: pd.DataFrame = field(default_factory=pd.DataFrame)
    policy: Policy | None = None

    @property
    def covered(self) -> int:
        return len(self.covers)


@dataclass(frozen=True, eq=False)
class Diagnosis:
    """What :func:`diagnose` found (see the module text).

    Examples
    --------
    >>> import kuseo_match as km
    >>> o, h = km.synthetic_province(officers=20, households=60, seed=1)
    >>> found = km.diagnose(o, h)
    >>> found.deficit, found.table()[["households", "slots", "deficit"]].values.tolist()
    (20, [[60, 40, 20]])
    """

    deficit: int
    shortfalls: tuple[Shortfall, ...]
    fixes: tuple[Fix, ...]
    result: Result
    #: ``rounds`` of the base solve and ``fix_rounds``, the rounds of each fix's
    #: re-solve (warm from the base solve's prices), by attempt.
    stats: dict[str, Any] = field(default_factory=dict)

    def table(self) -> pd.DataFrame:
        """The shortfalls, one row each: ``households``, ``officers``, ``slots``,
        ``deficit`` and ``districts`` (the group's households per district)."""
        hh = self.result.households
        rows = []
        for s in self.shortfalls:
            where = ""
            if hh is not None and len(s.households):
                d = hh.set_index(hh["household_id"].astype(str))["district"]
                counts = d.reindex(s.households.astype(str)).value_counts()
                where = ", ".join(f"{k} {v}" for k, v in counts.items())
            rows.append((len(s.households), len(s.officers), s.slots, s.deficit, where))
        return pd.DataFrame(
            rows, columns=["households", "officers", "slots", "deficit", "districts"]
        )

    def fix_table(self) -> pd.DataFrame:
        """The fixes, ranked: ``action``, ``kind``, ``covered``."""
        return pd.DataFrame(
            [(f.action, f.kind, f.covered) for f in self.fixes],
            columns=["action", "kind", "covered"],
        )

    def __str__(self) -> str:
        if self.deficit == 0:
            return "every household can be paired"
        lines = [f"{self.deficit:,} household(s) no pairing can cover"]
        for i, row in self.table().iterrows():
            lines.append(
                f"  group {i + 1}: {row.households:,} households reach {row.officers:,} "
                f"officers with {row.slots:,} slots (short of {row.deficit:,}); {row.districts}"
            )
        if self.fixes:
            lines.append("fixes (each verified by solving again):")
            lines += [f"  {f.action}: covers {f.covered:,}" for f in self.fixes]
        return "\n".join(lines)


def diagnose(
    officers: pd.DataFrame,
    households: pd.DataFrame,
    policy: Policy | None = None,
    *,
    costs: pd.DataFrame | None = None,
    locked: pd.DataFrame | None = None,
    forbidden: pd.DataFrame | None = None,
    options: SolveOptions | None = None,
    executor: Any = None,
) -> Diagnosis:
    """Why households stay unmatched, and verified changes that pair them.

    Parameters
    ----------
    officers, households, policy, costs, locked, forbidden, options, executor
        As for :func:`~kuseo_match.match`; every fix is verified with the same rules.

    Returns
    -------
    Diagnosis
        ``deficit``, ``shortfalls`` (largest deficit first), ``fixes`` (most
        households covered first), and the ``result`` of the match.

    Examples
    --------
    >>> import kuseo_match as km
    >>> o, h = km.synthetic_province(officers=20, households=60, seed=1)
    >>> d = km.diagnose(o, h, km.Policy(same_district=True))
    >>> d.deficit == len(d.result.unmatched) > 0
    True
    >>> all(f.covered > 0 for f in d.fixes)
    True
    """
    check_executor(executor)
    base = prepare(
        officers,
        households,
        policy,
        costs=costs,
        locked=locked,
        forbidden=forbidden,
        options=options,
    )  # the tables validated once; each fix re-solves a variant of this instance
    outcome, extra = solve_instance(base, executor=executor)
    result = with_inputs(
        answer(base, outcome, extra),
        costs=costs,
        locked=locked,
        forbidden=forbidden,
        options=options,
        executor=executor,
    )
    deficit = len(result.unmatched)
    stats: dict[str, Any] = {"rounds": outcome.rounds, "fix_rounds": {}}
    if deficit == 0:
        return Diagnosis(0, (), (), result, stats)
    problem, policy, model = base.problem, base.policy, base.model
    hid = problem.households["household_id"].astype(str)
    oid = problem.officers["officer_id"].astype(str)
    w = result.shortfall
    groups: list[Shortfall] = []
    if w is not None:
        hs = problem.household_keys.get_indexer(w.households.astype(str))
        os_ = problem.officer_keys.get_indexer(w.officers.astype(str))
        for gh, go in shortfall_groups(model, np.sort(hs), np.sort(os_)):
            slots = int(problem.capacity[go].sum())
            if len(gh) > slots:
                groups.append(
                    Shortfall(
                        pd.Index(hid.to_numpy()[gh], name="household_id"),
                        pd.Index(oid.to_numpy()[go], name="officer_id"),
                        slots,
                    )
                )
    groups = _merge_unreachable(groups, problem.households)
    groups.sort(key=lambda g: (-g.deficit, str(g.households[0])))
    warm = base.with_start(outcome.prices)  # every fix starts from the base prices
    fixes = _fixes(warm, result, groups, stats["fix_rounds"], executor)
    return Diagnosis(deficit, tuple(groups), tuple(fixes), result, stats)


def with_inputs(
    result: Result,
    *,
    costs: pd.DataFrame | None = None,
    locked: pd.DataFrame | None = None,
    forbidden: pd.DataFrame | None = None,
    options: SolveOptions | None = None,
    executor: Any = None,
) -> Result:
    """``result`` that can diagnose itself (:attr:`Result.diagnosis`) with the rules it
    was solved with (the arguments of :func:`diagnose`), computed on first use; they
    are kept as ``result.inputs``.

    Examples
    --------
    >>> import kuseo_match as km
    >>> o, h = km.synthetic_province(officers=5, households=15, seed=1)
    >>> plain = km.match(o, h)
    >>> with_inputs(plain, options=km.SolveOptions()).diagnosis.deficit
    5
    """
    inputs = {
        "costs": costs,
        "locked": locked,
        "forbidden": forbidden,
        "options": options,
        "executor": executor,
    }

    def again(r: Result) -> Diagnosis:
        return diagnose(r.officers, r.households, r.policy, **inputs)

    return replace(result, inputs=inputs, diagnoser=again)


def _merge_unreachable(groups: list[Shortfall], households: pd.DataFrame) -> list[Shortfall]:
    """Households that no officer can reach, one group per district."""
    alone = [g for g in groups if len(g.officers) == 0]
    if not alone:
        return groups
    ids = pd.Index(np.concatenate([g.households.to_numpy() for g in alone]))
    district = households.set_index(households["household_id"].astype(str))["district"]
    where = district.reindex(ids.astype(str)).to_numpy()
    merged = [
        Shortfall(
            pd.Index(ids[where == d], name="household_id"),
            pd.Index([], name="officer_id", dtype=object),
            0,
        )
        for d in pd.unique(where)
    ]
    return [g for g in groups if len(g.officers)] + merged


def _fixes(
    warm: Instance,
    result: Result,
    groups: list[Shortfall],
    rounds: dict[str, int],
    executor: Any = None,
) -> list[Fix]:
    """The fixes that pair some of ``groups``' households, each verified by solving
    a variant of ``warm`` (started from the base solve's prices); ``rounds``
    receives each attempt's rounds."""
    problem, policy = warm.problem, warm.policy
    officers, households = problem.officers, problem.households
    listed = warm.table is not None
    unmatched = set(result.unmatched["household_id"].astype(str))
    ids_h = households["household_id"].astype(str).to_numpy()

    def covers(instance: Instance, attempt: str) -> pd.Index:
        outcome, _ = solve_instance(instance, executor=executor)
        rounds[attempt] = outcome.rounds
        now = set(ids_h[outcome.h])
        return pd.Index(sorted(unmatched & now), name="household_id")

    def with_officers(frame: pd.DataFrame) -> Instance:
        return warm.with_officers(frame)

    fixes: list[Fix] = []
    names = district_table().set_index("district_code")["district_en"]
    load = result.officer_load.set_index(result.officer_load["officer_id"].astype(str))
    by_id = households.set_index(households["household_id"].astype(str))
    for group in groups[:FIX_GROUPS]:
        lost = [x for x in group.households.astype(str) if x in unmatched]
        if not lost:
            continue
        # officers where the group's unmatched households are (a costs table names
        # its pairs, so new officers would have none)
        if not listed:
            rows = by_id.loc[lost]
            district = rows["district"].value_counts().index[0]
            here = rows[rows["district"] == district].sort_values(["lat", "lon"])
            n = math.ceil(min(group.deficit, len(lost)) / max(policy.capacity, 1))
            spots = here.iloc[np.linspace(0, len(here) - 1, n).round().astype(int)]
            agency = (
                load.loc[group.officers.astype(str), "agency"].mode().iloc[0]
                if len(group.officers)
                else "interior"
            )
            added = pd.DataFrame(
                {
                    "officer_id": [f"NEW-{district}-{i + 1}" for i in range(n)],
                    "agency": agency,
                    "district": district,
                    "lat": spots["lat"].to_numpy(),
                    "lon": spots["lon"].to_numpy(),
                    "capacity": policy.capacity,
                }
            )
            fresh = validate_officers(
                added, default_capacity=policy.capacity, capacity_by=policy.capacity_by
            )
            more = pd.concat([officers, fresh], ignore_index=True)
            got = covers(with_officers(more), "add officers")
            if len(got):
                where = f"{district} {names.get(district, '')}".strip()
                fixes.append(
                    Fix(f"add {n} officer(s) based in {where}", "add officers", got, added)
                )
        # the group's dearest officers take one more household each
        if len(group.officers):
            prices = load.loc[group.officers.astype(str), "price"].fillna(0.0)
            k = min(group.deficit, len(prices))
            chosen = prices.sort_values(ascending=False, kind="stable").index[:k]
            raised = officers.assign(
                capacity=np.where(
                    officers["officer_id"].astype(str).isin(chosen),
                    officers["capacity"] + 1,
                    officers["capacity"],
                )
            )
            got = covers(with_officers(raised), "raise capacity")
            if len(got):
                changed = raised[raised["officer_id"].astype(str).isin(chosen)][
                    ["officer_id", "capacity"]
                ]
                fixes.append(
                    Fix(
                        f"raise {k} officer(s)' capacity by 1: {', '.join(chosen[:5])}"
                        + (" ..." if k > 5 else ""),
                        "raise capacity",
                        got,
                        changed,
                    )
                )
    if policy.max_distance_km is not None and not listed:
        for factor in (1.25, 1.5, 2.0):
            longer = policy.replace(max_distance_km=round(policy.max_distance_km * factor, 1))
            got = covers(warm.with_policy(longer), f"max_distance_km {longer.max_distance_km:g}")
            if len(got):
                fixes.append(
                    Fix(
                        f"allow {longer.max_distance_km:g} km instead of "
                        f"{policy.max_distance_km:g} km",
                        "longer distance",
                        got,
                        policy=longer,
                    )
                )
                break
    if policy.same_district:
        free = policy.replace(same_district=False)
        got = covers(warm.with_policy(free), "cross-district")
        if len(got):
            by_district = by_id.loc[list(got), "district"].value_counts()
            where = ", ".join(by_district.index[:3])
            fixes.append(
                Fix(
                    f"allow cross-district pairs (same_district = false; for {where})",
                    "cross-district",
                    got,
                    policy=free,
                )
            )
    fixes.sort(key=lambda f: (-f.covered, _size(f)))
    return fixes


def _size(fix: Fix) -> Any:
    return len(fix.officers)
