"""How well an officer's agency fits a household: the fit table and its score.

The fit table has one row per agency: its affinity (0-1) to *developable*
and *welfare* households, and its competence (0-1) in the five TPMAP need
dimensions.  The shipped default (``data/agency_fit.csv``) encodes the
agency table of the programme's reference note; users may pass their own.

The fit of agency *a* for household *h* of kind *k* with need flags *N*::

    fit = KIND_WEIGHT * affinity[a, k] + (1 - KIND_WEIGHT) * mean(competence[a, n] for n in N)

and ``fit = affinity[a, k]`` when the household has no need flag.  An agency
that is not in the table gets ``Policy.neutral_fit``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from .errors import ValidationError

__all__ = [
    "KIND_WEIGHT",
    "NEEDS",
    "FitTable",
    "default_fit_table",
    "normalise_agency",
]

#: The five TPMAP dimensions, in the order of the ``need_*`` columns.
NEEDS = ("health", "living", "education", "income", "access")
#: Household kinds, in the order of the affinity columns.
KINDS = ("developable", "welfare")
#: Weight of the kind affinity against the need competence in the fit.
KIND_WEIGHT = 0.5

_REQUIRED = ("agency", *KINDS, *NEEDS)


def normalise_agency(name: Any) -> str:
    """The lookup key of an agency name: case-folded; spaces, hyphens and slashes become ``_``.

    Examples
    --------
    >>> normalise_agency(" Public-Health ")
    'public_health'
    >>> normalise_agency("สาธารณสุข")
    'สาธารณสุข'
    """
    text = str(name).strip().casefold()
    text = re.sub(r"[\s\-/]+", "_", text)
    return text.strip("_")


@dataclass(frozen=True, eq=False)
class FitTable:
    """A validated agency fit table (use :meth:`from_frame` or :func:`default_fit_table`).

    Attributes
    ----------
    frame : pandas.DataFrame
        The table as given (a private copy).
    codes : tuple of str
        Agency codes, in table order.
    affinity : numpy.ndarray, shape (n_agencies, 2)
        Affinity to developable and welfare households.
    competence : numpy.ndarray, shape (n_agencies, 5)
        Competence in :data:`NEEDS`.
    """

    frame: pd.DataFrame
    codes: tuple[str, ...]
    affinity: np.ndarray
    competence: np.ndarray
    _lookup: dict[str, int] = field(repr=False)

    @classmethod
    def from_frame(cls, frame: pd.DataFrame) -> FitTable:
        """Check and index a fit table.

        Required columns: ``agency`` and the numeric columns ``developable``,
        ``welfare``, ``health``, ``living``, ``education``, ``income``,
        ``access`` (each in [0, 1]); optional ``name_th``, ``name_en`` and
        ``aliases`` (``;``-separated), all accepted as names of the agency.

        Examples
        --------
        >>> t = FitTable.from_frame(pd.DataFrame({"agency": ["police"], "developable": [0.5],
        ...     "welfare": [0.5], "health": [0.2], "living": [0.2], "education": [0.2],
        ...     "income": [0.2], "access": [0.6]}))
        >>> t.codes
        ('police',)
        """
        if not isinstance(frame, pd.DataFrame):
            raise ValidationError(
                f"must be a pandas DataFrame or a CSV path, not {type(frame).__name__}",
                table="fit_table",
            )
        missing = [c for c in _REQUIRED if c not in frame.columns]
        if missing:
            raise ValidationError(
                f"missing column(s) {', '.join(missing)}; a fit table needs {', '.join(_REQUIRED)}",
                table="fit_table",
            )
        frame = frame.reset_index(drop=True).copy()
        numbers = {}
        for col in (*KINDS, *NEEDS):
            values = pd.to_numeric(frame[col], errors="coerce").to_numpy(dtype=float)
            bad = ~np.isfinite(values) | (values < 0) | (values > 1)
            if bad.any():
                i = int(np.flatnonzero(bad)[0])
                raise ValidationError(
                    "must be a number in [0, 1]",
                    table="fit_table",
                    column=col,
                    row=str(frame.at[i, "agency"]),
                    value=frame.at[i, col],
                )
            numbers[col] = values
        lookup: dict[str, int] = {}
        codes: list[str] = []
        for i, row in frame.iterrows():
            code = "" if pd.isna(row["agency"]) else normalise_agency(row["agency"])
            if not code:
                raise ValidationError(
                    "agency code is empty", table="fit_table", column="agency", row=int(i)
                )
            names = [code]
            for col in ("name_th", "name_en"):
                if col in frame.columns and pd.notna(row[col]):
                    names.append(normalise_agency(row[col]))
            if "aliases" in frame.columns and pd.notna(row["aliases"]):
                names += [normalise_agency(a) for a in str(row["aliases"]).split(";") if a.strip()]
            for name in names:
                if lookup.get(name, i) != i:
                    raise ValidationError(
                        f"name {name!r} is used by two agencies "
                        f"({codes[lookup[name]]!r} and {code!r})",
                        table="fit_table",
                        column="agency",
                        row=code,
                    )
                lookup[name] = int(i)
            codes.append(code)
        affinity = np.column_stack([numbers[k] for k in KINDS])
        competence = np.column_stack([numbers[n] for n in NEEDS])
        return cls(frame, tuple(codes), affinity, competence, lookup)

    @classmethod
    def from_any(cls, table: Any) -> FitTable:
        """A :class:`FitTable` from a table, a CSV path, or an existing FitTable."""
        if isinstance(table, FitTable):
            return table
        if isinstance(table, str | Path):
            path = Path(table)
            if not path.is_file():
                raise ValidationError(f"no such file: {path}", table="fit_table")
            return cls.from_frame(pd.read_csv(path, encoding="utf-8-sig"))
        return cls.from_frame(table)

    def resolve(self, agencies: npt.ArrayLike) -> np.ndarray:
        """Row index in the table of each agency name (code, Thai or English name,
        alias); ``-1`` for agencies not in the table.

        Examples
        --------
        >>> t = default_fit_table()
        >>> t.resolve(["public_health", "สาธารณสุข", "Public Health", "police"]).tolist()
        [10, 10, 10, -1]
        """
        values = pd.Series(np.asarray(agencies, dtype=object))
        uniques, inverse = np.unique(values.astype(str).to_numpy(), return_inverse=True)
        idx = np.array([self._lookup.get(normalise_agency(u), -1) for u in uniques], dtype=np.int64)
        return idx[inverse] if len(values) else np.zeros(0, dtype=np.int64)

    def canonical(self, agencies: npt.ArrayLike) -> np.ndarray:
        """Agency codes for known agencies, the original text for the others."""
        agencies = np.asarray(agencies, dtype=object)
        idx = self.resolve(agencies)
        out = agencies.astype(object).copy()
        known = idx >= 0
        out[known] = np.asarray(self.codes, dtype=object)[idx[known]]
        return out

    def score(
        self,
        agency_idx: np.ndarray,
        welfare: np.ndarray,
        needs: np.ndarray,
        *,
        neutral_fit: float,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Fit and kind affinity of pairs, vectorised.

        Parameters
        ----------
        agency_idx : numpy.ndarray of int, shape (n_pairs,)
            From :meth:`resolve`; ``-1`` marks agencies not in the table.
        welfare : numpy.ndarray of bool, shape (n_pairs,)
            The household is a welfare household.
        needs : numpy.ndarray of bool, shape (n_pairs, 5)
            The household's need flags, in :data:`NEEDS` order.
        neutral_fit : float
            Fit (and affinity) of unknown agencies.

        Returns
        -------
        fit, affinity : numpy.ndarray, shape (n_pairs,)
        """
        known = agency_idx >= 0
        a = np.where(known, agency_idx, 0)
        affinity = self.affinity[a, welfare.astype(np.int64)]
        n_needs = needs.sum(axis=1)
        comp = (self.competence[a] * needs).sum(axis=1) / np.maximum(n_needs, 1)
        fit = np.where(n_needs > 0, KIND_WEIGHT * affinity + (1 - KIND_WEIGHT) * comp, affinity)
        fit = np.where(known, fit, neutral_fit)
        affinity = np.where(known, affinity, neutral_fit)
        return fit, affinity


@lru_cache(maxsize=1)
def _default() -> FitTable:
    with (
        resources.files("kuseo_match.data")
        .joinpath("agency_fit.csv")
        .open("r", encoding="utf-8") as fh
    ):
        return FitTable.from_frame(pd.read_csv(fh))


def default_fit_table() -> FitTable:
    """The shipped fit table (15 agencies; Thai names and aliases accepted).

    Examples
    --------
    >>> t = default_fit_table()
    >>> len(t.codes), t.codes[0]
    (15, 'community_development')
    >>> t.frame.columns[:4].tolist()
    ['agency', 'name_th', 'name_en', 'aliases']
    """
    return _default()
