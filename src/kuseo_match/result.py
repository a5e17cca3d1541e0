"""The frozen :class:`Result` of a matching run, and its summaries.

``Result.pairs`` is the long table of chosen pairs, ``Result.unmatched`` says
why each remaining household has no helper; together they hold every input
household exactly once.  ``Result.objective`` equals ``pairs["cost"].sum()``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from .policy import Policy

__all__ = ["PAIR_COLUMNS", "UNMATCHED_COLUMNS", "Result"]

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
UNMATCHED_COLUMNS = ("household_id", "kind", "household_district", "reason")


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
        Columns :data:`UNMATCHED_COLUMNS`: each household without a helper
        and a reason a person can act on.
    status : {"optimal", "feasible", "approximate"}
        ``"optimal"`` only when the pairing is proven optimal over every
        allowed pair (not only the candidates the solver saw);
        ``"feasible"`` when a time limit stopped the proof;
        ``"approximate"`` when it is proven optimal only for the costs
        rounded to the solver's integer grid and that rounding may matter
        (``stats["objective_tolerance"]`` above 1e-6 of the objective).
    objective : float
        Total cost of the pairs; equals ``pairs["cost"].sum()``.
    stats : Mapping[str, Any]
        Solve statistics: ``candidate_pairs``, ``rounds``, ``seconds`` (and
        per-stage seconds), ``cost_scale``, ``objective_tolerance``.
    policy : Policy
        The policy used.
    unknown_agencies : tuple of str
        Agencies found in the officers table but not in the fit table (they
        got ``policy.neutral_fit``).
    officer_load : pandas.DataFrame
        Per officer: ``officer_id``, ``agency``, ``district``, ``capacity``,
        ``load`` (households paired with the officer).
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
        default_factory=lambda: pd.DataFrame(
            columns=["officer_id", "agency", "district", "capacity", "load"]
        )
    )
    officers: pd.DataFrame | None = field(default=None, repr=False)
    households: pd.DataFrame | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "stats", MappingProxyType(dict(self.stats)))

    @property
    def n_households(self) -> int:
        """Number of input households (paired + unmatched)."""
        return len(self.pairs) + len(self.unmatched)

    def summary(self) -> dict[str, Any]:
        """Headline numbers as plain Python values (JSON-serialisable).

        Returns
        -------
        dict
            ``households``, ``paired``, ``unmatched``, ``status``,
            ``objective``, ``mean_distance_km``, ``max_distance_km``,
            ``kind_fit_share`` (share of pairs whose agency fits the
            household's kind, i.e. ``kind_affinity >= 0.5``), ``officers``,
            ``officers_by_load`` ({load: count}), ``unmatched_reasons``
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
            "unknown_agencies": list(self.unknown_agencies),
        }

    def __repr__(self) -> str:
        return (
            f"Result(status={self.status!r}, paired={len(self.pairs)}, "
            f"unmatched={len(self.unmatched)}, objective={self.objective:.6g})"
        )
