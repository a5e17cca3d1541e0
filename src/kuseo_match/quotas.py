"""Quotas: bounds on how many households of a kind go to a group of officers.

A quota selects households (by ``kind``, a ``need``, or ``district``) and
officers (by ``agency`` or ``district``) and bounds the number of pairs
between the two selections, as a count or as a share of the selected
households::

    # at least 60 % of welfare households with a health or social-development officer
    Quota(households={"kind": "welfare"},
          officers={"agency": ["public_health", "social_development"]}, min_share=0.6)
    # the police carry at most 10 % of all households
    Quota(officers={"agency": "police"}, max_share=0.1)

In TOML, one ``[[quotas]]`` table (``[[policy.quotas]]`` under ``[policy]``)
per quota, with the same keys::

    [[quotas]]
    name = "welfare with care agencies"
    households = { kind = "welfare" }
    officers = { agency = ["public_health", "social_development"] }
    min_share = 0.6

Grammar:

* ``households``: a table of ``kind`` (``welfare``/``developable`` or their
  Thai names), ``need`` (``health``, ``living``, ``education``, ``income``,
  ``access``: households with that need flag) and ``district``; each a value
  or a list (any of them); several keys: all must hold.  Absent: every
  household.
* ``officers``: a table of ``agency`` (codes, Thai or English names, as the
  fit table reads them) and ``district``.  Absent: every officer.
* a ``district`` is read as the tables' districts are: a code, or a Thai or
  English name with or without ``อำเภอ``/``อ.``/``Amphoe`` (``"บ้านฝาง"``,
  ``"Ban Fang"``, ``"อ.บ้านฝาง"`` and ``"TH4002"`` select the same
  district; :func:`kuseo_match.schema.district_codes`).  An ``agency`` that
  is neither in the fit table nor among the officers' agencies but close to a
  name of either (``pubic_health``) is refused with the closest names, never
  a silent selection of no officer; one close to none selects no officer,
  with a warning.
* ``min_count``, ``max_count``: whole numbers of pairs; ``min_share``,
  ``max_share`` in [0, 1]: shares of the *selected households in the
  table*, paired or not (so leaving a household unpaired never helps to
  meet a quota), rounded up for a minimum and down for a maximum.

Quotas are hard.  Locked pairs count towards them.  A flow cannot express
them, so a policy with quotas whose flow answer breaks one is solved on
CP-SAT (:mod:`kuseo_match.solve.refine`).

Bounds that cannot hold are refused before any solving
(:func:`quota_terms`): one quota's least count above its most, and two
quotas on nested selections whose bounds contradict each other: when quota
A's households and officers are among quota B's (the same selections
included), every pair A counts B counts too, so A's least count must fit
under B's most; and when they select the same officers, B counts beyond A
only pairs of its other households, at most one each, so B's least count
must fit under A's most plus those households.  Other combinations (quotas
that overlap without nesting, several quotas together, officers' capacity)
are left to the solver.
"""

from __future__ import annotations

import difflib
import logging
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .errors import ValidationError, shown
from .fit import NEEDS, FitTable, normalise_agency
from .schema import district_codes

__all__ = ["Quota", "QuotaTerms", "quota_table", "quota_terms"]

log = logging.getLogger("kuseo_match")

_HOUSEHOLD_KEYS = ("kind", "need", "district")
_OFFICER_KEYS = ("agency", "district")


def _selector(
    name: str, value: Any, keys: tuple[str, ...]
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    where = f"quotas.{name}"
    if value is None:
        return ()
    if not isinstance(value, dict):
        raise ValidationError(
            f"must be a table of {', '.join(keys)}, not {type(value).__name__}",
            table="policy",
            column=where,
        )
    out = []
    for key, values in value.items():
        if key not in keys:
            raise ValidationError(
                f"unknown key {key!r}; known: {', '.join(keys)}", table="policy", column=where
            )
        items = [values] if isinstance(values, str | int) else values
        if not isinstance(items, list | tuple) or not items:
            raise ValidationError(
                f"{key} must be a value or a non-empty list", table="policy", column=where
            )
        text = tuple(sorted({str(v).strip() for v in items}))
        if key == "kind":
            from .schema import KIND_ALIASES

            bad = [v for v in text if v.casefold() not in KIND_ALIASES]
            if bad:
                raise ValidationError(
                    f"kind {bad[0]!r} is not welfare or developable", table="policy", column=where
                )
            text = tuple(sorted({KIND_ALIASES[v.casefold()] for v in text}))
        if key == "need":
            bad = [v for v in text if v.casefold() not in NEEDS]
            if bad:
                raise ValidationError(
                    f"need {bad[0]!r} is not one of {', '.join(NEEDS)}",
                    table="policy",
                    column=where,
                )
            text = tuple(sorted({v.casefold() for v in text}))
        out.append((key, text))
    return tuple(sorted(out))


@dataclass(frozen=True)
class Quota:
    """Bounds on the pairs between selected households and selected officers.

    Parameters
    ----------
    households : dict, optional
        ``{"kind": ..., "need": ..., "district": ...}`` (see the module text);
        absent: every household.
    officers : dict, optional
        ``{"agency": ..., "district": ...}``; absent: every officer.
    min_count, max_count : int, optional
        Bounds on the number of such pairs.
    min_share, max_share : float, optional
        Bounds as shares in [0, 1] of the number of selected households.
    name : str, optional
        A label for messages (default: built from the selections).

    Examples
    --------
    >>> q = Quota(households={"kind": "สงเคราะห์"},
    ...           officers={"agency": ["public_health", "social_development"]}, min_share=0.6)
    >>> q.label
    'kind=welfare -> agency=public_health|social_development'
    >>> q.bounds(513)
    (308, 513)
    """

    households: Any = None
    officers: Any = None
    min_count: int | None = None
    max_count: int | None = None
    min_share: float | None = None
    max_share: float | None = None
    name: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "households", _selector("households", self.households, _HOUSEHOLD_KEYS)
        )
        object.__setattr__(self, "officers", _selector("officers", self.officers, _OFFICER_KEYS))
        for field_name in ("min_count", "max_count"):
            v = getattr(self, field_name)
            if v is not None and (isinstance(v, bool) or not isinstance(v, int) or v < 0):
                raise ValidationError(
                    "must be a whole number >= 0",
                    table="policy",
                    column=f"quotas.{field_name}",
                    value=v,
                )
        for field_name in ("min_share", "max_share"):
            v = getattr(self, field_name)
            if v is not None and (
                isinstance(v, bool) or not isinstance(v, int | float) or not 0 <= v <= 1
            ):
                raise ValidationError(
                    "must be a share in [0, 1]",
                    table="policy",
                    column=f"quotas.{field_name}",
                    value=v,
                )
        if all(
            getattr(self, f) is None for f in ("min_count", "max_count", "min_share", "max_share")
        ):
            raise ValidationError(
                "needs a bound: min_count, max_count, min_share or max_share",
                table="policy",
                column="quotas",
            )
        if self.name is not None and not isinstance(self.name, str):
            raise ValidationError(
                "must be text", table="policy", column="quotas.name", value=self.name
            )

    @classmethod
    def from_any(cls, value: Any) -> Quota:
        """A quota from a :class:`Quota` or a mapping of its fields (a TOML table)."""
        if isinstance(value, Quota):
            return value
        if not isinstance(value, dict):
            raise ValidationError(
                f"each quota must be a table of settings, not {type(value).__name__}",
                table="policy",
                column="quotas",
            )
        known = (
            "households",
            "officers",
            "min_count",
            "max_count",
            "min_share",
            "max_share",
            "name",
        )
        unknown = [k for k in value if k not in known]
        if unknown:
            raise ValidationError(
                f"unknown key {unknown[0]!r}; known: {', '.join(known)}",
                table="policy",
                column="quotas",
            )
        return cls(**value)

    @property
    def label(self) -> str:
        """The quota's name, or its selections as text."""
        if self.name:
            return self.name

        def text(sel: tuple) -> str:
            return ", ".join(f"{k}={'|'.join(v)}" for k, v in sel) or "all"

        return f"{text(self.households)} -> {text(self.officers)}"

    def bounds(self, selected: int) -> tuple[int, int]:
        """The least and most pairs allowed when ``selected`` households are selected."""
        lo, hi = 0, selected
        if self.min_count is not None:
            lo = max(lo, self.min_count)
        if self.max_count is not None:
            hi = min(hi, self.max_count)
        if self.min_share is not None:
            lo = max(lo, math.ceil(self.min_share * selected - 1e-9))
        if self.max_share is not None:
            hi = min(hi, math.floor(self.max_share * selected + 1e-9))
        return lo, hi

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key in ("households", "officers"):
            sel = getattr(self, key)
            if sel:
                out[key] = {k: list(v) for k, v in sel}
        for key in ("min_count", "max_count", "min_share", "max_share", "name"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        return out


@dataclass(frozen=True, eq=False)
class QuotaTerms:
    """Quotas on a validated problem: which officers and households each selects
    (boolean masks over the canonically ordered rows) and its bounds."""

    quotas: tuple[Quota, ...]
    officers: np.ndarray  # (n_quotas, n_officers) bool
    households: np.ndarray  # (n_quotas, n_households) bool
    lo: np.ndarray
    hi: np.ndarray

    def counts(self, o: np.ndarray, h: np.ndarray) -> np.ndarray:
        """Pairs ``(o[i], h[i])`` counted by each quota."""
        if len(self.quotas) == 0:
            return np.zeros(0, np.int64)
        return (self.officers[:, o] & self.households[:, h]).sum(axis=1)

    def broken(self, o: np.ndarray, h: np.ndarray) -> np.ndarray:
        """Which quotas the pairs break."""
        n = self.counts(o, h)
        return (n < self.lo) | (n > self.hi)


def quota_terms(
    quotas: tuple[Quota, ...], officers: pd.DataFrame, households: pd.DataFrame, fit_table
) -> QuotaTerms:
    """The masks and bounds of ``quotas`` on validated tables.

    A ``district`` of a selection is read as the tables' districts are
    (:func:`kuseo_match.schema.district_codes`: ``"บ้านฝาง"``, ``"Ban Fang"``
    and ``"อ.บ้านฝาง"`` select ``TH4002``).

    Raises
    ------
    ValidationError
        When a quota names an agency in neither the fit table nor the
        officers table but close to a name of either (a misspelling:
        :func:`_check_agencies`), a
        district name shared by several provinces that the tables do not tell
        apart, or when a quota's bounds contradict each other on these tables
        (its least count above its most), or two quotas' do
        (:func:`_contradictions`).

    Examples
    --------
    >>> import kuseo_match as km
    >>> from kuseo_match.fit import default_fit_table
    >>> o, h = km.synthetic_province(officers=20, households=40, seed=1)
    >>> q = Quota(households={"district": "อ.เมืองขอนแก่น"}, min_count=0)
    >>> terms = quota_terms((q,), o, h, default_fit_table())
    >>> int(terms.households.sum()), int((h["district"] == "TH4001").sum())
    (8, 8)
    """
    n_q = len(quotas)
    om = np.ones((n_q, len(officers)), dtype=bool)
    hm = np.ones((n_q, len(households)), dtype=bool)
    agencies = np.array(
        [
            normalise_agency(a)
            for a in fit_table.canonical(officers["agency"].to_numpy(dtype=object))
        ],
        dtype=object,
    )
    known = pd.unique(
        np.concatenate(
            [
                officers["district"].to_numpy(dtype=object),
                households["district"].to_numpy(dtype=object),
            ]
        )
    )

    def districts(values: tuple[str, ...], where: str) -> list[str]:
        return list(district_codes(values, known, column=f"quotas.{where}.district"))

    lo = np.zeros(n_q, np.int64)
    hi = np.zeros(n_q, np.int64)
    for i, q in enumerate(quotas):
        for key, values in q.officers:
            if key == "agency":
                _check_agencies(i, q, values, fit_table, agencies)
                wanted = {
                    normalise_agency(a) for a in fit_table.canonical(np.array(values, dtype=object))
                }
                om[i] &= np.isin(agencies, list(wanted))
            else:
                selected = districts(values, "officers")
                om[i] &= officers["district"].astype(str).isin(selected).to_numpy()
        for key, values in q.households:
            if key == "kind":
                hm[i] &= households["kind"].isin(values).to_numpy()
            elif key == "need":
                hm[i] &= households[[f"need_{v}" for v in values]].to_numpy(dtype=bool).any(axis=1)
            else:
                selected = districts(values, "households")
                hm[i] &= households["district"].astype(str).isin(selected).to_numpy()
        lo[i], hi[i] = q.bounds(int(hm[i].sum()))
        if lo[i] > hi[i]:
            raise ValidationError(
                f"quota {q.label!r} asks for at least {lo[i]} and at most {hi[i]} pairs "
                f"({int(hm[i].sum())} households selected)",
                table="policy",
                column="quotas",
            )
    _contradictions(tuple(quotas), om, hm, lo, hi)
    return QuotaTerms(tuple(quotas), om, hm, lo, hi)


def _check_agencies(
    i: int, quota: Quota, values: Iterable[str], fit_table: FitTable, agencies: np.ndarray
) -> None:
    """Refuse a misspelt agency of quota ``i``: one that is neither in the fit table
    (by code, name or alias) nor among the officers' ``agencies`` (normalised, as
    selected) but close to a name of either (:mod:`difflib`, as
    :meth:`Policy.from_dict` does), naming the closest.  An agency close to none
    (a policy file shared by provinces, the police where none serve) selects no
    officer, with a warning.

    Examples
    --------
    >>> from kuseo_match.fit import default_fit_table
    >>> q = Quota(officers={"agency": "pubic_health"}, min_count=1, name="care")
    >>> _check_agencies(0, q, ["pubic_health"], default_fit_table(), np.array(["police"]))
    Traceback (most recent call last):
    ...
    kuseo_match.errors.ValidationError: policy: field 'quotas.officers.agency', value \
'pubic_health': unknown agency 'pubic_health'; did you mean 'public_health'? (quota #1 'care'; \
an agency must be in the fit table or the officers table)
    """
    present = {str(a) for a in agencies}
    for value in values:
        if fit_table.resolve([value])[0] >= 0 or normalise_agency(value) in present:
            continue
        names = _agency_names(fit_table)
        names.update((a, a) for a in present)  # the officers' agencies, as they are
        close = difflib.get_close_matches(normalise_agency(value), list(names), n=3, cutoff=0.6)
        if not close:
            log.warning(
                "quota #%d %s: agency %s is in neither the fit table nor the officers table; "
                "it selects no officer",
                i + 1,
                shown(quota.label),
                shown(value),
            )
            continue
        options = " or ".join(map(repr, dict.fromkeys(names[c] for c in close)))
        raise ValidationError(
            f"unknown agency {value!r}; did you mean {options}? (quota #{i + 1} "
            f"{shown(quota.label)}; an agency must be in the fit table or the officers table)",
            table="policy",
            column="quotas.officers.agency",
            value=value,
        )


def _agency_names(fit_table: FitTable) -> dict[str, str]:
    """Every name the fit table reads (code, ``name_th``, ``name_en``, ``aliases``),
    as :func:`~kuseo_match.fit.normalise_agency` keys it, and the code it names."""
    frame = fit_table.frame
    texts = [
        str(v) for c in ("agency", "name_th", "name_en") if c in frame for v in frame[c].dropna()
    ]
    if "aliases" in frame:
        texts += [a for v in frame["aliases"].dropna() for a in str(v).split(";") if a.strip()]
    found = fit_table.resolve(np.array(texts, dtype=object))
    return {
        normalise_agency(t): fit_table.codes[k] for t, k in zip(texts, found, strict=True) if k >= 0
    }


def _contradictions(
    quotas: tuple[Quota, ...], om: np.ndarray, hm: np.ndarray, lo: np.ndarray, hi: np.ndarray
) -> None:
    """Refuse two quotas whose bounds cannot hold together on these tables.

    For every two quotas A and B with A's selected households among B's and
    A's selected officers among B's (equal selections included; compared on
    the tables, so two spellings of one selection are one):

    * every pair A counts B counts too, so A's least count must be at most B's
      most: ``lo[A] <= hi[B]``;
    * when they select the same officers, B counts beyond A only pairs of its
      households outside A's, at most one pair each (a household has one
      officer): ``lo[B] <= hi[A] + |households of B not of A|``.

    Parameters
    ----------
    quotas : tuple of Quota
    om, hm : numpy.ndarray of bool, shape (n_quotas, n_officers), (n_quotas, n_households)
        The officers and households each quota selects.
    lo, hi : numpy.ndarray of int, shape (n_quotas,)
        Each quota's least and most count (:meth:`Quota.bounds`).

    Raises
    ------
    ValidationError
        For the first two quotas found, naming both (number and label) and their
        bounds.

    Examples
    --------
    >>> om, hm = np.ones((2, 3), bool), np.ones((2, 10), bool)
    >>> qs = (Quota(min_share=0.3, name="care"), Quota(max_share=0.1, name="cap"))
    >>> _contradictions(qs, om, hm, np.array([3, 0]), np.array([10, 1]))
    Traceback (most recent call last):
    ...
    kuseo_match.errors.ValidationError: policy: field 'quotas': quotas #1 'care' and #2 'cap' \
contradict each other: they select the same households and officers, so #2 counts every pair #1 \
counts, and #1's least of 3 pairs (of 10 households selected) is more than the 1 that #2 allows \
at most (of 10); loosen one of them
    """
    size = hm.sum(axis=1)

    def name(k: int) -> str:
        return f"#{k + 1} {shown(quotas[k].label)}"

    def refuse(a: int, b: int, reason: str) -> ValidationError:
        return ValidationError(
            f"quotas {name(a)} and {name(b)} contradict each other: {reason}; loosen one of them",
            table="policy",
            column="quotas",
        )

    for a in range(len(quotas)):
        for b in range(len(quotas)):
            if a == b or (hm[a] & ~hm[b]).any() or (om[a] & ~om[b]).any():
                continue  # A's selection is not inside B's
            same_h = not (hm[b] & ~hm[a]).any()
            same_o = not (om[b] & ~om[a]).any()
            if lo[a] > hi[b]:
                how = (
                    "they select the same households and officers"
                    if same_h and same_o
                    else f"#{a + 1}'s households and officers are among #{b + 1}'s"
                )
                raise refuse(
                    min(a, b),
                    max(a, b),
                    f"{how}, so #{b + 1} counts every pair #{a + 1} counts, and "
                    f"#{a + 1}'s least of {lo[a]} pairs (of {size[a]} households selected) is "
                    f"more than the {hi[b]} that #{b + 1} allows at most (of {size[b]})",
                )
            extra = int(size[b] - size[a])
            if same_o and extra > 0 and lo[b] > hi[a] + extra:
                raise refuse(
                    min(a, b),
                    max(a, b),
                    f"they select the same officers and #{b + 1}'s {size[b]} households are "
                    f"#{a + 1}'s {size[a]} and {extra} more, at most one pair each, so "
                    f"#{b + 1}'s least of {lo[b]} pairs needs at least {lo[b] - extra} pairs "
                    f"of #{a + 1}, which allows at most {hi[a]}",
                )


def quota_table(terms: QuotaTerms, o: np.ndarray, h: np.ndarray) -> pd.DataFrame:
    """One row per quota: ``quota``, ``households`` selected, ``officers``
    selected, ``pairs`` counted, ``min``, ``max``, ``met``."""
    n = terms.counts(o, h)
    return pd.DataFrame(
        {
            "quota": [q.label for q in terms.quotas],
            "households": terms.households.sum(axis=1).astype(np.int64),
            "officers": terms.officers.sum(axis=1).astype(np.int64),
            "pairs": np.asarray(n, np.int64),
            "min": terms.lo,
            "max": terms.hi,
            "met": (n >= terms.lo) & (n <= terms.hi),
        }
    )
