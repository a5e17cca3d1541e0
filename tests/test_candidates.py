"""Ball queries of the built-in cost model against brute force.

The certificate relies on these queries never missing an officer; they run
as one pass for small queries and per class of radii for large ones, and
both ways must return exactly the brute-force pairs.
"""

from __future__ import annotations

import numpy as np
import pytest

import kuseo_match as km
from kuseo_match.candidates import GeoCostModel
from kuseo_match.geo import chord_from_km
from kuseo_match.solve import SolveOptions
from util import geo_model


@pytest.fixture(params=["one pass", "per class of radii"])
def passes(request: pytest.FixtureRequest) -> SolveOptions:
    # one pass of the k-d tree for small queries; per class of radii for large ones
    return SolveOptions(one_pass_pairs=250_000 if request.param == "one pass" else 1)


def _model(policy: km.Policy, seed: int = 3, options: SolveOptions | None = None) -> GeoCostModel:
    o, h = km.synthetic_province(officers=80, households=300, seed=seed)
    return geo_model(o, h, policy, options)


def _pairs(o: np.ndarray, h: np.ndarray) -> set[tuple[int, int]]:
    pairs = set(zip(o.tolist(), h.tolist(), strict=True))
    assert len(pairs) == len(o), "a pair came back twice"
    return pairs


def test_lifted_group_balls_equal_brute_force(passes: SolveOptions) -> None:
    model = _model(km.Policy(), options=passes)
    rng = np.random.default_rng(7)
    households = rng.choice(model.problem.n_households, 200, replace=False)
    radius = rng.uniform(0.2, 60.0, len(households))  # spans several classes
    for group, members in enumerate(model.groups):
        lift = rng.uniform(0.0, 8.0, len(members))
        got = _pairs(*model.within_group(group, households, radius, lift))
        chord = np.linalg.norm(
            model._o_xyz[members][None, :, :] - model._h_xyz[households][:, None, :], axis=2
        )
        inside = np.hypot(chord, lift[None, :]) <= radius[:, None]
        rows, cols = np.nonzero(inside)
        assert got == _pairs(members[cols], households[rows])


@pytest.mark.parametrize("limit", [None, 15.0])
def test_distance_balls_equal_brute_force(passes: SolveOptions, limit: float | None) -> None:
    model = _model(km.Policy(max_distance_km=limit), options=passes)
    rng = np.random.default_rng(11)
    households = np.arange(model.problem.n_households)
    radius = rng.uniform(0.5, 40.0, len(households))
    got = _pairs(*model.within(households, radius))
    active = model.active
    chord = np.linalg.norm(
        model._o_xyz[active][None, :, :] - model._h_xyz[households][:, None, :], axis=2
    )
    reach = radius if limit is None else np.minimum(radius, limit)
    inside = chord <= chord_from_km(reach)[:, None]
    if limit is not None:  # and the exact great-circle limit
        rows, cols = np.nonzero(inside)
        d = model.distance_km(active[cols], households[rows])
        inside[rows[d > limit], cols[d > limit]] = False
    rows, cols = np.nonzero(inside)
    assert got == _pairs(active[cols], households[rows])


def test_cheapest_is_the_set_a_stable_sort_takes() -> None:
    from kuseo_match.solve.table import cheapest as _cheapest

    rng = np.random.default_rng(0)
    for _ in range(200):
        n, p = rng.integers(1, 20), rng.integers(1, 30)
        cost = rng.integers(0, 5, (n, p)).astype(float)  # many ties
        cost[rng.random((n, p)) < 0.2] = np.inf
        k = int(rng.integers(1, 35))
        rank = np.argsort(cost, axis=1, kind="stable")
        expected = np.zeros(cost.shape, dtype=bool)
        np.put_along_axis(expected, rank[:, :k], True, axis=1)
        assert (_cheapest(cost, k) == expected).all()
