"""The frozen :class:`Result` of a matching run, and its summaries.

``Result.pairs`` is the long table of chosen pairs, ``Result.unmatched`` says
why each remaining household has no helper; together they hold every input
household exactly once.  ``Result.objective`` equals ``pairs["cost"].sum()``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from .errors import KuseoError
from .policy import Policy

__all__ = [
    "OFFICER_LOAD_COLUMNS",
    "PAIR_COLUMNS",
    "PART_COLUMNS",
    "UNMATCHED_COLUMNS",
    "Result",
    "Shortfall",
]

#: Columns of ``Result.pairs``, in order.
PAIR_COLUMNS = (
    "officer_id",
    "household_id",
    "cost",
    "distance_km",
    "fit",
    "kind_affinity",
    "agency",
    "officer_district",
    "kind",
    "household_district",
)
#: Columns of ``Result.unmatched``, in order.
UNMATCHED_COLUMNS = ("household_id", "kind", "household_district", "reason", "reason_code")
#: Columns of ``Result.officer_load``, in order.
OFFICER_LOAD_COLUMNS = ("officer_id", "agency", "district", "capacity", "load", "price")
#: Columns of ``Result.parts``, in order.
PART_COLUMNS = (
    "part",
    "provinces",
    "officers",
    "households",
    "paired",
    "objective",
    "status",
    "seconds",
    "tries",
)


@dataclass(frozen=True, eq=False)
class Shortfall:
    """Households that no pairing can all cover, and the officers they can reach.

    Every allowed pair of these households has one of these officers, and the
    officers have fewer slots than there are households (Hall's condition
    fails), so at least :attr:`deficit` of them stay unmatched whatever the
    pairing: the proof that the number of paired households is the largest.

    Attributes
    ----------
    households : pandas.Index
        Their ``household_id``.
    officers : pandas.Index
        The ``officer_id`` of every officer with capacity any of them may be
        paired with.
    slots : int
        Those officers' capacity in all.

    Examples
    --------
    >>> import kuseo_match as km
    >>> o, h = km.synthetic_province(officers=5, households=20, seed=1)   # 10 slots
    >>> gap = km.match(o, h).shortfall
    >>> gap.deficit, len(gap.households), gap.slots
    (10, 20, 10)
    """

    households: pd.Index
    officers: pd.Index
    slots: int

    @property
    def deficit(self) -> int:
        """Households of the group that no pairing covers: ``len(households) - slots``."""
        return len(self.households) - self.slots

    def __repr__(self) -> str:
        return (
            f"Shortfall(households={len(self.households)}, officers={len(self.officers)}, "
            f"slots={self.slots}, deficit={self.deficit})"
        )


@dataclass(frozen=True, eq=False)
class Result:
    """What :func:`kuseo_match.match` returns.

    Attributes
    ----------
    pairs : pandas.DataFrame
        One row per pair, columns :data:`PAIR_COLUMNS`: ``cost`` in the
        objective's unit (km-equivalents with the built-in cost, the user's
        unit with ``costs=``), ``distance_km`` great-circle km (NaN when
        ``costs=`` was given without coordinates), ``fit`` in [0, 1] and the agency's
        ``kind_affinity`` to the household's kind (NaN with ``costs=`` and
        no coordinates), the officer's ``agency`` and ``officer_district``,
        the household's ``kind`` and ``household_district``.  Sorted by
        ``household_id``.
    unmatched : pandas.DataFrame
        Columns :data:`UNMATCHED_COLUMNS`: each household without a helper,
        a ``reason`` a person can act on (an English sentence with the
        counts) and its ``reason_code``, the kind of reason: a key of
        :data:`kuseo_match.labels.REASONS`, which holds its Thai and English
        texts (``"no_officer_within_reach"``, ``"all_slots_taken"``, ...).
    status : {"optimal", "feasible", "approximate"}
        ``"optimal"`` only when the pairing is proven optimal over every
        allowed pair (not only the candidates the solver saw);
        ``"feasible"`` when a time limit stopped the proof, or CP-SAT
        (quotas, compact pairs) stopped with a gap to the bound (``gap``);
        ``"approximate"`` when it is proven optimal only for the costs
        rounded to the solver's integer grid and that rounding may matter
        (``stats["objective_tolerance"]`` above 1e-6 of the objective).
    objective : float
        Total cost of the pairs, ``pairs["cost"].sum()``, plus, with compact
        pairs, ``policy.pair_distance_weight * stats["pair_distance_km"]``
        (km between every two households of the same officer).
    changes : pandas.DataFrame or None
        From :func:`kuseo_match.rematch`: one row per household whose officer
        changed, that entered or that left (``household_id``,
        ``old_officer_id``, ``new_officer_id``, ``reason``); None from ``match``.
    gap : float or None
        With CP-SAT (quotas, compact pairs): ``(objective - lower bound) /
        objective``, the bound valid over every allowed pair when
        ``stats["proven_over"]`` says so (:mod:`kuseo_match.solve.refine`);
        0 for a proven optimum.  None for flow runs (always proven or
        stopped by a time limit).
    parts : pandas.DataFrame or None
        When the run was solved in parts (:mod:`kuseo_match.parts`): one row per
        part, columns :data:`PART_COLUMNS` (``part``, ``provinces``,
        ``officers``, ``households``, ``paired``, ``objective``, ``status``,
        ``seconds``, ``tries``); None for a run solved whole.
    stats : Mapping[str, Any]
        Solve statistics: ``engine`` (which engine ran: ``"flow (ortools)"``),
        ``candidate_pairs``, ``rounds``, ``seconds`` (and per-stage seconds),
        ``cost_scale``, ``objective_tolerance``.
    policy : Policy
        The policy used.
    unknown_agencies : tuple of str
        Agencies found in the officers table but not in the fit table (they
        got ``policy.neutral_fit``).
    officer_load : pandas.DataFrame
        Per officer, columns :data:`OFFICER_LOAD_COLUMNS`: ``officer_id``,
        ``agency``, ``district``, ``capacity``, ``load`` (households paired
        with the officer) and ``price``: in cost units, >= 0, 0 where the
        officer has a free slot (NaN for capacity 0, and when the proof was
        stopped).  The prices are the optimum's dual values: every paired
        household's officer minimises ``cost + price`` over all the officers
        it may be paired with (a competitive equilibrium: no household
        prefers another officer at these prices), and one more slot for an
        officer lowers the least total cost of pairing as many households
        by at most its price -- where one more officer would save most.
    shortfall : Shortfall or None
        When households stay unmatched in a proven answer: a group of them
        that no pairing can all cover, with the officers they can reach.
    officers, households : pandas.DataFrame or None
        The validated tables the run matched (rows sorted by id; districts
        as codes where known, ``lat``/``lon`` as float degrees, capacities
        filled, kinds and need flags normalised, the caller's other columns
        kept), or None for a Result built by hand.

    Examples
    --------
    >>> import kuseo_match as km
    >>> officers, households = km.synthetic_province(officers=30, households=40, developable=20)
    >>> result = km.match(officers, households)
    >>> result.status
    'optimal'
    >>> len(result.pairs) + len(result.unmatched)
    40
    >>> bool(abs(result.objective - result.pairs["cost"].sum()) < 1e-6)
    True
    """

    pairs: pd.DataFrame
    unmatched: pd.DataFrame
    status: str
    objective: float
    stats: Mapping[str, Any] = field(default_factory=dict)
    policy: Policy = field(default_factory=Policy)
    unknown_agencies: tuple[str, ...] = ()
    officer_load: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=list(OFFICER_LOAD_COLUMNS))
    )
    officers: pd.DataFrame | None = field(default=None, repr=False)
    households: pd.DataFrame | None = field(default=None, repr=False)
    shortfall: Shortfall | None = field(default=None, repr=False)
    gap: float | None = None
    changes: pd.DataFrame | None = field(default=None, repr=False)
    parts: pd.DataFrame | None = field(default=None, repr=False)
    inputs: Mapping[str, Any] | None = field(default=None, repr=False, compare=False)
    diagnoser: Callable[[Result], Any] | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "stats", MappingProxyType(dict(self.stats)))

    @property
    def diagnosis(self) -> Any:
        """When households are unmatched: :func:`kuseo_match.diagnose` of the same
        tables, policy and rules (the groups no pairing can cover and verified fixes),
        computed on first use; None when every household is paired.

        Examples
        --------
        >>> import kuseo_match as km
        >>> o, h = km.synthetic_province(officers=10, households=30, seed=1)
        >>> d = km.match(o, h).diagnosis
        >>> d.deficit, d.table()["slots"].tolist()
        (10, [20])
        """
        if len(self.unmatched) == 0:
            return None
        cached = self.__dict__.get("_diagnosis")
        if cached is None:
            if self.officers is None or self.households is None or self.diagnoser is None:
                raise KuseoError(
                    "a Result built by hand has no tables or rules to diagnose; call "
                    "kuseo_match.diagnose(officers, households, policy) instead"
                )
            cached = self.diagnoser(self)
            object.__setattr__(self, "_diagnosis", cached)
        return cached

    @property
    def n_households(self) -> int:
        """Number of input households (paired + unmatched)."""
        return len(self.pairs) + len(self.unmatched)

    def prices_by_district(self) -> pd.DataFrame:
        """Where one more officer would save most: officers' prices per district.

        Returns
        -------
        pandas.DataFrame
            One row per district of ``officer_load`` with a price: ``district``,
            ``officers``, ``mean_price`` and ``top_price`` (cost units; an
            officer's price bounds what one more of its slots saves, see
            ``officer_load``) and ``top_officer`` (the dearest officer's id),
            dearest district first (ties by district).  Empty when no price is
            known (a stopped proof, or a Result built by hand).

        Examples
        --------
        >>> import kuseo_match as km
        >>> o, h = km.synthetic_province(officers=30, households=60, seed=6)
        >>> table = km.match(o, h).prices_by_district()
        >>> table.columns.tolist()
        ['district', 'officers', 'mean_price', 'top_price', 'top_officer']
        >>> bool(table["top_price"].is_monotonic_decreasing)
        True
        """
        load = self.officer_load
        columns = ["district", "officers", "mean_price", "top_price", "top_officer"]
        if "price" not in load.columns or not load["price"].notna().any():
            return pd.DataFrame(columns=columns)
        known = load[load["price"].notna()]
        top = known.loc[known.groupby("district")["price"].idxmax(), ["district", "officer_id"]]
        out = (
            known.groupby("district")
            .agg(
                officers=("officer_id", "size"),
                mean_price=("price", "mean"),
                top_price=("price", "max"),
            )
            .reset_index()
            .merge(top.rename(columns={"officer_id": "top_officer"}), on="district")
        )
        out = out.sort_values(["top_price", "district"], ascending=[False, True], kind="stable")
        return out[columns].reset_index(drop=True)

    def by_province(self) -> pd.DataFrame:
        """Households, pairs, distances, officers and cost per province.

        A household's province is the province of its district where that is
        a shipped district code (:func:`kuseo_match.reference.districts`),
        else its ``province`` cell in :attr:`households` where that names a
        province (a code, or a Thai or English name, as
        :func:`kuseo_match.reference.resolve_province` reads it); validation
        refuses a row whose two disagree, so this is the rule of
        :func:`kuseo_match.reference.province_codes`.  Officers likewise, from
        ``officer_load`` and :attr:`officers`.  Rows with neither go to one row
        whose ``province_code`` is ``"unknown"``.  Vectorised: a million
        households take well under a second.

        Returns
        -------
        pandas.DataFrame
            One row per province with households or officers, by
            ``province_code``, ``"unknown"`` last; columns ``province_code``,
            ``province_th``, ``province_en`` (None for ``"unknown"``),
            ``households``, ``paired``, ``unmatched``, ``unmatched_share``
            (``unmatched / households``, NaN without households),
            ``mean_distance_km`` and ``max_distance_km`` (over the pairs of
            its households; NaN without pairs or coordinates), ``officers``,
            ``slots`` (their capacity in all) and ``objective`` (the sum of
            ``cost`` over the pairs of its households: its share of
            :attr:`objective`, without the compact-pairs term).  The columns
            ``households``, ``paired``, ``unmatched``, ``officers``, ``slots``
            and ``objective`` add up to the whole run.  ``summary.json``, the
            workbook and the HTML report show this table when two or more of
            its rows have households.

        Examples
        --------
        >>> import kuseo_match as km
        >>> o, h = km.synthetic_country(households=800, officers=600, seed=1)
        >>> table = km.match(o, h).by_province()
        >>> int(table["households"].sum()), int(table["paired"].sum()), int(table["slots"].sum())
        (800, 800, 1200)
        >>> kk = table.set_index("province_code").loc["TH40"]
        >>> kk["province_th"], kk["province_en"], int(kk["households"]), int(kk["officers"])
        ('ขอนแก่น', 'Khon Kaen', 20, 15)
        """
        from .reference import provinces

        pairs, lost, load = self.pairs, self.unmatched, self.officer_load

        def column(frame: pd.DataFrame, name: str) -> pd.Series:  # missing in a hand-built one
            return frame[name] if name in frame.columns else pd.Series(np.nan, index=frame.index)

        def numbers(frame: pd.DataFrame, name: str) -> np.ndarray:
            return pd.to_numeric(column(frame, name), errors="coerce").to_numpy(float)

        both = [pairs, lost]
        hh = pd.DataFrame(
            {
                "province_code": self._provinces_of(
                    pd.concat([column(f, "household_id") for f in both], ignore_index=True),
                    pd.concat([column(f, "household_district") for f in both], ignore_index=True),
                    self.households,
                    "household_id",
                ),
                "paired": np.arange(len(pairs) + len(lost)) < len(pairs),
                "distance_km": np.concatenate(
                    [numbers(pairs, "distance_km"), np.full(len(lost), np.nan)]
                ),
                "cost": np.concatenate([numbers(pairs, "cost"), np.zeros(len(lost))]),
            }
        )
        capacity = numbers(load, "capacity")
        staff = pd.DataFrame(
            {
                "province_code": self._provinces_of(
                    column(load, "officer_id"),
                    column(load, "district"),
                    self.officers,
                    "officer_id",
                ),
                "capacity": np.where(np.isnan(capacity), self.policy.capacity, capacity),
            }
        )
        by_h = hh.groupby("province_code").agg(
            households=("paired", "size"),
            paired=("paired", "sum"),
            mean_distance_km=("distance_km", "mean"),
            max_distance_km=("distance_km", "max"),
            objective=("cost", "sum"),
        )
        by_o = staff.groupby("province_code").agg(
            officers=("capacity", "size"), slots=("capacity", "sum")
        )
        codes = sorted(set(by_h.index) | set(by_o.index), key=lambda c: (c == "unknown", c))
        out = by_h.join(by_o, how="outer").reindex(codes)
        count = ["households", "paired", "officers", "slots"]
        out[count] = out[count].fillna(0).astype("int64")
        out["objective"] = out["objective"].fillna(0.0)
        out["unmatched"] = out["households"] - out["paired"]
        out["unmatched_share"] = out["unmatched"] / out["households"].where(out["households"] > 0)
        names = provinces().set_index("province_code")
        for label in ("province_th", "province_en"):
            known = names[label].reindex(out.index)
            out[label] = known.astype(object).where(known.notna(), None)
        columns = [
            "province_th",
            "province_en",
            "households",
            "paired",
            "unmatched",
            "unmatched_share",
            "mean_distance_km",
            "max_distance_km",
            "officers",
            "slots",
            "objective",
        ]
        return out[columns].rename_axis("province_code").reset_index()

    @staticmethod
    def _provinces_of(
        ids: pd.Series, districts: pd.Series, table: pd.DataFrame | None, key: str
    ) -> np.ndarray:
        """Province codes of the rows ``ids``/``districts`` for :meth:`by_province`:
        the district's province, else the row's ``province`` cell in ``table``
        (found by ``key``), else ``"unknown"``; the cells are looked up only for
        rows whose district names no shipped district."""
        from .reference import province_codes

        def by_district(labels: pd.Series) -> np.ndarray:
            at, distinct = pd.factorize(labels)
            known = province_codes(pd.DataFrame({"district": np.asarray(distinct, dtype=object)}))
            known = np.append(known, np.array([None], dtype=object))  # at == -1: no district
            return known[at]

        out = by_district(districts)
        missing = pd.isna(out)
        usable = table is not None and {"province", key, "district"} <= set(table.columns)
        if missing.any() and table is not None and usable:
            rows = table[pd.isna(by_district(table["district"]))]
            cells = pd.Series(province_codes(rows), index=rows[key].to_numpy(dtype=object))
            cells = cells[~cells.index.duplicated()]
            wanted = ids[missing].to_numpy(dtype=object)
            out[missing] = pd.Series(wanted).map(cells).to_numpy(dtype=object)
        return np.where(pd.isna(out), "unknown", out)

    def quota_attainment(self) -> pd.DataFrame:
        """How each of the policy's quotas came out: one row per quota.

        Returns
        -------
        pandas.DataFrame
            ``quota`` (its name or selections), ``selected`` (households it
            selects), ``least`` and ``most`` (the pairs it allows), ``pairs``
            (the pairs it counts in this answer) and ``met``; empty without
            quotas or tables.

        Examples
        --------
        >>> import kuseo_match as km
        >>> o, h = km.synthetic_province(officers=40, households=60, seed=1)
        >>> quota = {"households": {"kind": "welfare"}, "officers": {"agency": "public_health"},
        ...          "min_count": 3, "name": "welfare with health"}
        >>> r = km.match(o, h, km.Policy(quotas=[quota]))
        >>> row = r.quota_attainment().iloc[0]
        >>> row["quota"], int(row["least"]), bool(row["pairs"] >= 3), bool(row["met"])
        ('welfare with health', 3, True, True)
        >>> row["text"].startswith("at least 3 of ")
        True
        """
        columns = ["quota", "selected", "least", "most", "pairs", "met", "text"]
        quotas = self.policy.quotas
        if not quotas or self.officers is None or self.households is None:
            return pd.DataFrame(columns=columns)
        from .fit import default_fit_table
        from .quotas import quota_terms

        table = self.policy.fit_table if self.policy.fit_table is not None else default_fit_table()
        terms = quota_terms(quotas, self.officers, self.households, table)
        o_keys = pd.Index(self.officers["officer_id"].astype(str))
        h_keys = pd.Index(self.households["household_id"].astype(str))
        o = o_keys.get_indexer(self.pairs["officer_id"].astype(str))
        h = h_keys.get_indexer(self.pairs["household_id"].astype(str))
        counts = terms.counts(o, h)
        selected = terms.households.sum(axis=1)
        met = (counts >= terms.lo) & (counts <= terms.hi)
        text = []
        for lo, hi, n, count, ok in zip(terms.lo, terms.hi, selected, counts, met, strict=True):
            bounds = []
            if lo > 0:
                bounds.append(f"at least {lo:,}")
            if hi < n:
                bounds.append(f"at most {hi:,}")
            text.append(
                f"{' and '.join(bounds) or 'any'} of {n:,}: {count:,}, {'met' if ok else 'NOT met'}"
            )
        return pd.DataFrame(
            {
                "quota": [q.label for q in quotas],
                "selected": selected,
                "least": terms.lo,
                "most": terms.hi,
                "pairs": counts,
                "met": met,
                "text": text,
            },
            columns=columns,
        )

    def summary(self) -> dict[str, Any]:
        """Headline numbers as plain Python values (JSON-serialisable).

        Returns
        -------
        dict
            ``households``, ``paired``, ``unmatched``, ``status``,
            ``objective``, ``mean_distance_km``, ``max_distance_km``,
            ``kind_fit_share`` (share of pairs whose agency fits the
            household's kind, i.e. ``kind_affinity >= 0.5``), ``officers``,
            ``officers_by_load`` ({load: count}), ``unmatched_by_code``
            ({reason_code: count}, the kinds of :data:`kuseo_match.labels.REASONS`),
            ``unmatched_reasons``
            ({reason: count}), ``unknown_agencies``.

        Examples
        --------
        >>> import kuseo_match as km
        >>> o, h = km.synthetic_province(officers=30, households=40, developable=20)
        >>> s = km.match(o, h).summary()
        >>> s["paired"] + s["unmatched"] == s["households"] == 40
        True
        """
        pairs = self.pairs
        dist = pairs["distance_km"].to_numpy(dtype=float) if len(pairs) else np.array([])
        fit = pairs["kind_affinity"].to_numpy(dtype=float) if len(pairs) else np.array([])
        finite_d = dist[np.isfinite(dist)]
        finite_f = fit[np.isfinite(fit)]
        loads = self.officer_load["load"].value_counts().sort_index()
        reasons = self.unmatched["reason"].value_counts()
        codes = (
            self.unmatched["reason_code"].fillna("").astype(str).value_counts()
            if "reason_code" in self.unmatched.columns
            else pd.Series(dtype=int)
        )
        return {
            "households": int(self.n_households),
            "paired": len(pairs),
            "unmatched": len(self.unmatched),
            "status": self.status,
            "objective": float(self.objective),
            "mean_distance_km": float(finite_d.mean()) if finite_d.size else None,
            "max_distance_km": float(finite_d.max()) if finite_d.size else None,
            "kind_fit_share": float((finite_f >= 0.5).mean()) if finite_f.size else None,
            "officers": len(self.officer_load),
            "officers_by_load": {int(k): int(v) for k, v in loads.items()},
            "unmatched_reasons": {str(k): int(v) for k, v in reasons.items()},
            "unmatched_by_code": {str(k): int(v) for k, v in codes.items()},
            "unknown_agencies": list(self.unknown_agencies),
        }

    def __repr__(self) -> str:
        return (
            f"Result(status={self.status!r}, paired={len(self.pairs)}, "
            f"unmatched={len(self.unmatched)}, objective={self.objective:.6g})"
        )
