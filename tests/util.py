"""Hypothesis strategies for the matching tests: small officer and household tables.

The tables look like the caller's raw input (before validation): ids that are
whole numbers or text, capacities that may be missing, empty or text, Thai kind
labels, need flags as bools, 0/1 or words, agencies from the shipped fit table
(by code, Thai or English name) and agencies it does not know.  Coordinates
come from a shared pool inside a Khon Kaen-like box, so officers and households
often stand on exactly the same spot (distance ties, zero distances).

Hypothesis draws the structure (sizes, id style, which columns exist and in
what form, the policy) and a seed; a numpy generator seeded by it fills the
cells and picks the pairs of a ``costs`` table.  An instance then stays small
in hypothesis' choice sequence even with 60 x 100 pairs, and a derandomized
run of 100 examples sees 100 different tables rather than near-copies.

Also :func:`run_cli`, the command run in this process, for the CLI tests.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from hypothesis import strategies as st

from kuseo_match import Policy

#: A box around Khon Kaen province (decimal degrees).
LAT_RANGE = (15.5, 17.2)
LON_RANGE = (101.7, 103.3)
#: District labels: plain labels, not codes, since positions are drawn anywhere in
#: the box (a code would tie a row to its district's area; see test_districts.py).
DISTRICTS = ("D1", "D2", "D3", "D4")
#: Agencies of the shipped fit table, by code, Thai name and English name.
KNOWN_AGENCIES = (
    "public_health",
    "agriculture",
    "interior",
    "education",
    "social_development",
    "community_development",
    "local_administration",
    "สาธารณสุข",
    "เกษตร",
    "พัฒนาชุมชน",
    "Public Health",
    "Employment",
)
#: Agencies the fit table does not know (they get ``Policy.neutral_fit``).
UNKNOWN_AGENCIES = ("police", "army", "courts", "ตำรวจ")
#: Kind labels the schema accepts, with the kind they mean.
KIND_LABELS = {
    "developable": "developable",
    "welfare": "welfare",
    "พัฒนาได้": "developable",
    "สงเคราะห์": "welfare",
    "ครัวเรือนสงเคราะห์": "welfare",
    "Developable": "developable",
}
NEEDS = ("health", "living", "education", "income", "access")
NEED_COLUMNS = tuple(f"need_{n}" for n in NEEDS)
#: Flag spellings and their meaning (``None``: empty, i.e. not flagged).
FLAG_TEXT = {
    "yes": True,
    "no": False,
    "1": True,
    "0": False,
    "true": True,
    "False": False,
    "ใช่": True,
    "": False,
}


@dataclass(frozen=True)
class Instance:
    """One matching instance: raw tables, a policy and (maybe) a costs table."""

    officers: pd.DataFrame
    households: pd.DataFrame
    policy: Policy
    costs: pd.DataFrame | None = None

    def __repr__(self) -> str:  # hypothesis prints this for a failing example
        with pd.option_context(
            "display.max_rows", 200, "display.max_columns", 20, "display.width", 200
        ):
            parts = [
                f"officers=\n{self.officers!r}",
                f"households=\n{self.households!r}",
                f"policy={self.policy!r}",
            ]
            if self.costs is not None:
                parts.append(f"costs=\n{self.costs!r}")
        return "Instance(\n" + "\n".join(parts) + "\n)"


# ----------------------------------------------------------------------------- pieces
# Hypothesis draws the structure (sizes, column kinds, id style) and a seed; a
# numpy generator fills the cells.  Derandomized runs then see ~80 different
# tables in 80 examples instead of many near-copies.
seeds = st.integers(0, 2**32 - 1)


@st.composite
def point_pools(draw, max_size: int = 40) -> np.ndarray:
    """A pool of points, shape (n, 2); rows pick from it, so duplicates are common."""
    rng = np.random.default_rng(draw(seeds))
    n = draw(st.integers(1, max_size))
    lat = rng.uniform(*LAT_RANGE, n).round(4)
    lon = rng.uniform(*LON_RANGE, n).round(4)
    return np.column_stack([lat, lon])


def _ids(rng: np.random.Generator, style: str, n: int, prefix: str) -> pd.Series:
    """``n`` unique ids: whole numbers (maybe negative) or text (Latin or Thai)."""
    if style == "int":
        return pd.Series(rng.choice(2 * 10**9, n, replace=False) - 10**9, dtype="int64")
    if style == "small_int":
        return pd.Series(rng.permutation(n), dtype="int64")
    numbers = rng.choice(10**5, n, replace=False)
    head = prefix if style == "text" else {"O": "จนท-", "H": "ครัวเรือน-"}[prefix]
    return pd.Series([f"{head}{k}" for k in numbers], dtype=object)


def _pick(rng: np.random.Generator, values, n: int) -> pd.Series:
    values = list(values)
    return pd.Series([values[i] for i in rng.integers(0, len(values), n)], dtype=object)


id_styles = st.sampled_from(["int", "small_int", "text", "thai"])


def _capacity(rng: np.random.Generator, mode: str, n: int) -> pd.Series | None:
    """``None`` (no capacity column) or a column: ints, floats with NaN (empty:
    the policy's default), or text with blanks."""
    if mode == "absent":
        return None
    if mode == "int":
        return pd.Series(rng.integers(0, 4, n), dtype="int64")
    if mode == "float_nan":
        values = rng.integers(0, 4, n).astype(float)
        values[rng.random(n) < 0.3] = np.nan
        return pd.Series(values, dtype="float64")
    return _pick(rng, ["0", "1", "2", "3", " 2 ", ""], n)


@st.composite
def officers_tables(draw, pool=None, min_size: int = 0, max_size: int = 60) -> pd.DataFrame:
    """A raw officers table (``officer_id, agency, district, lat, lon[, capacity]``).

    Capacities 0-3 as int, float with NaN or text with blanks, or no column.
    """
    pool = pool if pool is not None else draw(point_pools())
    n = draw(st.integers(min_size, max_size))
    style = draw(id_styles)
    capacity_mode = draw(st.sampled_from(["absent", "int", "int", "float_nan", "text"]))
    unknown = draw(st.sampled_from([0.0, 0.2]))  # share of agencies not in the fit table
    rng = np.random.default_rng(draw(seeds))
    at = rng.integers(0, len(pool), n)
    agency = _pick(rng, KNOWN_AGENCIES, n)
    odd = rng.random(n) < unknown
    agency[odd] = _pick(rng, UNKNOWN_AGENCIES, int(odd.sum())).to_numpy()
    frame = pd.DataFrame(
        {
            "officer_id": _ids(rng, style, n, "O"),
            "agency": agency,
            "district": _pick(rng, DISTRICTS, n),
            "lat": pd.Series(pool[at, 0], dtype="float64"),
            "lon": pd.Series(pool[at, 1], dtype="float64"),
        }
    )
    capacity = _capacity(rng, capacity_mode, n)
    if capacity is not None:
        frame["capacity"] = capacity.to_numpy()
    return frame


def _flags(rng: np.random.Generator, mode: str, n: int) -> pd.Series | None:
    """``None`` (no column) or a need-flag column as bools, 0/1 or words with blanks."""
    if mode == "absent":
        return None
    if mode == "bool":
        return pd.Series(rng.random(n) < 0.4, dtype=bool)
    if mode == "int":
        return pd.Series((rng.random(n) < 0.4).astype(np.int64), dtype="int64")
    return _pick(rng, [*FLAG_TEXT, None], n)


@st.composite
def households_tables(draw, pool=None, min_size: int = 0, max_size: int = 100) -> pd.DataFrame:
    """A raw households table (``household_id, kind, district, lat, lon, need_*``);
    kinds in English or Thai, need flags as bools, 0/1 or words (some columns absent)."""
    pool = pool if pool is not None else draw(point_pools())
    n = draw(st.integers(min_size, max_size))
    style = draw(id_styles)
    flag_modes = [draw(st.sampled_from(["absent", "bool", "int", "text"])) for _ in NEEDS]
    rng = np.random.default_rng(draw(seeds))
    at = rng.integers(0, len(pool), n)
    frame = pd.DataFrame(
        {
            "household_id": _ids(rng, style, n, "H"),
            "kind": _pick(rng, KIND_LABELS, n),
            "district": _pick(rng, DISTRICTS, n),
            "lat": pd.Series(pool[at, 0], dtype="float64"),
            "lon": pd.Series(pool[at, 1], dtype="float64"),
        }
    )
    for col, mode in zip(NEED_COLUMNS, flag_modes, strict=True):
        flags = _flags(rng, mode, n)
        if flags is not None:
            frame[col] = flags.to_numpy()
    return frame


@st.composite
def policies(draw, small_k: bool = True, distance_limit: bool = True) -> Policy:
    """Policies with random weights; a small ``candidate_k`` forces the certificate
    to add pairs the first round did not see."""
    limits = (
        st.one_of(st.none(), st.sampled_from([2.0, 10.0, 30.0, 80.0]), st.floats(0.5, 250.0))
        if distance_limit
        else st.none()
    )
    ks = st.sampled_from([1, 2, 3, 16]) if small_k else st.just(16)
    return Policy(
        capacity=draw(st.integers(0, 3)),
        max_distance_km=draw(limits),
        fit_weight=draw(st.one_of(st.sampled_from([0.0, 10.0]), st.floats(0.0, 40.0))),
        cross_district_penalty=draw(st.one_of(st.sampled_from([0.0, 5.0]), st.floats(0.0, 20.0))),
        neutral_fit=draw(st.floats(0.0, 1.0)),
        candidate_k=draw(ks),
    )


@st.composite
def instances(
    draw,
    max_officers: int = 60,
    max_households: int = 100,
    small_k: bool = True,
    distance_limit: bool = True,
) -> Instance:
    """Officers, households (sharing a point pool) and a policy; built-in costs."""
    pool = draw(point_pools())
    officers = draw(officers_tables(pool, max_size=max_officers))
    households = draw(households_tables(pool, max_size=max_households))
    policy = draw(policies(small_k=small_k, distance_limit=distance_limit))
    return Instance(officers, households, policy)


@st.composite
def costs_tables(draw, officers: pd.DataFrame, households: pd.DataFrame) -> pd.DataFrame:
    """An explicit ``costs`` table over the given tables.

    *dense*: every pair; *sparse*: a random share of pairs (often leaving
    households with no pair at all); *empty*: no pair.  Costs are whole numbers
    from a small range (many ties; int64 column) or fractions (float column).
    Whole-number ids are sometimes written as text (``"17"`` names id 17), and
    the rows are in random order.
    """
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    o_ids = officers["officer_id"].to_numpy(dtype=object)
    h_ids = households["household_id"].to_numpy(dtype=object)
    o_idx, h_idx = np.meshgrid(np.arange(len(o_ids)), np.arange(len(h_ids)), indexing="ij")
    o_idx, h_idx = o_idx.ravel(), h_idx.ravel()
    mode = draw(st.sampled_from(["dense", "sparse", "sparse", "empty"]))
    if mode == "sparse":
        keep = rng.random(len(o_idx)) < draw(st.sampled_from([0.02, 0.1, 0.3, 0.7]))
    else:
        keep = np.full(len(o_idx), mode == "dense")
    o_idx, h_idx = o_idx[keep], h_idx[keep]
    order = rng.permutation(len(o_idx))
    o_idx, h_idx = o_idx[order], h_idx[order]
    kind = draw(st.sampled_from(["int", "float", "float_rounded"]))
    top = draw(st.sampled_from([1, 3, 20, 1000, 10**6]))
    if kind == "int":
        cost = pd.Series(rng.integers(0, top + 1, len(o_idx)), dtype="int64")
    elif kind == "float":
        cost = pd.Series(rng.uniform(0.0, top, len(o_idx)), dtype="float64")
    else:
        cost = pd.Series(np.round(rng.uniform(0.0, top, len(o_idx)), 1), dtype="float64")
    o_col = pd.Series(o_ids[o_idx], dtype=object)
    h_col = pd.Series(h_ids[h_idx], dtype=object)
    if draw(st.booleans()):  # whole-number ids given as text
        o_col = o_col.map(str)
        h_col = h_col.map(str)
    return pd.DataFrame({"officer_id": o_col, "household_id": h_col, "cost": cost})


@st.composite
def costs_instances(draw, max_officers: int = 60, max_households: int = 100) -> Instance:
    """An :class:`Instance` with a ``costs`` table; sometimes without coordinates."""
    inst = draw(instances(max_officers=max_officers, max_households=max_households))
    costs = draw(costs_tables(inst.officers, inst.households))
    officers, households = inst.officers, inst.households
    if draw(st.booleans()):  # costs= needs no coordinates
        officers = officers.drop(columns=["lat", "lon"])
        households = households.drop(columns=["lat", "lon"])
    return Instance(officers, households, inst.policy, costs)


# ----------------------------------------------------------------------------- garbage
#: Cell values that are wrong somewhere (to check that only ValidationError escapes).
garbage_values = st.one_of(
    st.sampled_from(
        [
            None,
            math.nan,
            math.inf,
            -math.inf,
            "",
            " ",
            "abc",
            "16.4x",
            True,
            False,
            -1,
            1.5,
            10**30,
            -(10**30),
            95.0,
            200.0,
            "๑๖.๔",
            "N/A",
            b"bytes",
            (1, 2),
            pd.NaT,
            pd.Timestamp("2020-01-01"),
            1 + 2j,
        ]
    ),
    st.text(max_size=6),
    st.floats(),
    st.integers(),
)


def docstring_officers() -> pd.DataFrame:
    """The two officers of the ``km.match`` docstring example."""
    return pd.DataFrame(
        {
            "officer_id": ["A", "B"],
            "agency": ["public_health", "agriculture"],
            "district": ["TH4001", "TH4001"],
            "lat": [16.44, 16.50],
            "lon": [102.83, 102.90],
            "capacity": [1, 2],
        }
    )


def docstring_households() -> pd.DataFrame:
    """The three households of the ``km.match`` docstring example."""
    return pd.DataFrame(
        {
            "household_id": [1, 2, 3],
            "kind": ["welfare", "developable", "พัฒนาได้"],
            "district": "TH4001",
            "lat": [16.45, 16.49, 16.51],
            "lon": [102.84, 102.89, 102.91],
        }
    )


def geo_model(officers: pd.DataFrame, households: pd.DataFrame, policy: Policy, options=None):
    """The built-in cost model ``km.match`` builds for these tables (for tests that
    look inside the solver); ``options`` is a :class:`kuseo_match.solve.SolveOptions`."""
    from kuseo_match.candidates import GeoCostModel, Problem
    from kuseo_match.schema import validate_tables

    problem = Problem.from_validated(
        *validate_tables(
            officers,
            households,
            default_capacity=policy.capacity,
            coordinate_check=policy.coordinate_check,
        )
    )
    return GeoCostModel(problem, policy, options)


def run_cli(capsys, *argv: object) -> tuple[int, str, str]:
    """``kuseo-match argv...`` in this process: the exit status, stdout and stderr."""
    from kuseo_match import cli

    code = cli.main([str(a) for a in argv])
    captured = capsys.readouterr()
    assert isinstance(code, int)
    return code, captured.out, captured.err
