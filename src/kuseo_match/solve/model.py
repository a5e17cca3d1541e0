"""What the solver needs of a cost model, as one typed protocol.

The cost models live with the candidates (:mod:`kuseo_match.candidates`:
``GeoCostModel``, the built-in cost, and ``TableCostModel``, a ``costs``
table); the solver and the checks that explain a pair read them only through
:class:`CostModel` (with :class:`ListedModel` for a table that lists every
allowed pair and :class:`Pricing` for a model that finds them by geography,
told apart by :func:`is_listed` / :func:`is_priced`), so no code probes a
model with ``getattr`` or ``hasattr``.
"""

from __future__ import annotations

from typing import Any, Protocol, TypeGuard

import numpy as np

__all__ = ["CostModel", "ListedModel", "Pricing", "is_listed", "is_priced"]


class CostModel(Protocol):
    """A cost model as the solver sees it."""

    #: The tables in canonical order (:class:`~kuseo_match.candidates.Problem`).
    problem: Any
    #: Added costs per household (:class:`~kuseo_match.candidates.Adjust`).
    adjust: Any
    #: Every allowed pair is listed (a ``costs`` table): no search beyond the
    #: listed pairs is needed to prove an answer.
    lists_every_pair: bool

    @property
    def every_pair_allowed(self) -> bool:
        """Whether every pair with an officer of capacity > 0 is allowed."""
        ...

    @property
    def geo(self) -> Any:
        """The geographic model giving distances and positions (the model itself
        for the built-in cost, a costs table's when there are coordinates), or None."""
        ...

    def costs(self, o: np.ndarray, h: np.ndarray) -> Any:
        """:class:`~kuseo_match.candidates.PairCosts` of pairs ``(o[i], h[i])``."""
        ...

    def max_cost_bound(self) -> float:
        """A bound on the absolute cost of any allowed pair (the integer scale)."""
        ...

    def with_adjust(self, adjust: Any) -> CostModel:
        """The same model with other added costs (quota prices, churn)."""
        ...


class ListedModel(CostModel, Protocol):
    """A model that lists every allowed pair (a ``costs`` table)."""

    o: np.ndarray
    h: np.ndarray
    cost: np.ndarray

    def all_pairs(self) -> tuple[np.ndarray, np.ndarray]:
        """Every allowed pair, as officer and household positions."""
        ...


class Pricing(CostModel, Protocol):
    """What the certificate needs of a cost model that does not list every allowed
    pair: costs of given pairs, and the geometry to find the pairs that matter."""

    groups: list[np.ndarray]

    @property
    def max_distance_km(self) -> float | None:
        """The distance limit of an allowed pair (None: none)."""
        ...

    @property
    def same_district(self) -> bool:
        """Whether officer and household must share a district."""
        ...

    @property
    def cross_district_penalty(self) -> float:
        """What a pair across districts adds to the cost."""
        ...

    @property
    def fit_weight(self) -> float:
        """The weight of the agency's fit in the cost."""
        ...

    def penalty_bound(self, households: np.ndarray) -> np.ndarray:
        """Lower bound of ``cost - distance`` per household and agency group."""
        ...

    def within(self, households: np.ndarray, radius_km: np.ndarray) -> tuple[np.ndarray, ...]:
        """Allowed pairs of each household with the officers within its radius."""
        ...

    def lifted(self, officers: np.ndarray, lift_km: np.ndarray) -> Any:
        """A k-d tree of officers of one group lifted by ``lift_km`` (a 4th coordinate)."""
        ...

    def within_lifted(
        self, tree: Any, officers: np.ndarray, households: np.ndarray, radius_km: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Pairs with the officers within the radius in their :meth:`lifted` tree."""
        ...

    def nearest_among(
        self, officers: np.ndarray, households: np.ndarray, k: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """Pairs of each household with its ``k`` nearest of ``officers``."""
        ...

    def nearest_of(
        self, officers: np.ndarray, households: np.ndarray, k: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """Pairs of each officer with its ``k`` nearest of ``households``."""
        ...


def is_listed(model: CostModel) -> TypeGuard[ListedModel]:
    """Whether ``model`` lists every allowed pair (narrows its type)."""
    return model.lists_every_pair


def is_priced(model: CostModel) -> TypeGuard[Pricing]:
    """Whether ``model`` finds its pairs by geography (narrows its type)."""
    return not model.lists_every_pair
