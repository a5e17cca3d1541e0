"""One test per validation message (schema.py, policy.py, matcher.py, and the fit
tables a Policy loads), and a garbage-in check that only ValidationError escapes.

Every error must be a :class:`ValidationError`, hence a :class:`KuseoError` and a
:class:`ValueError`, whose text starts with the table and names the column.
"""

from __future__ import annotations

import logging
import math
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kuseo_match as km
from kuseo_match import KuseoError, Policy, ValidationError
from util import docstring_officers, garbage_values


def officers() -> pd.DataFrame:
    """The two officers of the ``match`` docstring."""
    return docstring_officers()


def households() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "household_id": [1, 2, 3],
            "kind": ["welfare", "developable", "พัฒนาได้"],
            "district": ["TH4001", "TH4001", "TH4002"],
            "lat": [16.45, 16.49, 16.51],
            "lon": [102.84, 102.89, 102.91],
            "need_health": [True, False, True],
        }
    )


def costs() -> pd.DataFrame:
    return pd.DataFrame(
        {"officer_id": ["A", "B", "B"], "household_id": [1, 2, 3], "cost": [1.0, 2.0, 3.0]}
    )


def check(err: ValidationError, table: str, column: str | None = None) -> None:
    """The error is of the one family and says where the problem is."""
    assert isinstance(err, ValidationError)
    assert isinstance(err, KuseoError) and isinstance(err, ValueError)
    assert err.table == table
    assert str(err).startswith(f"{table}:")
    if column is not None:
        assert column in str(err)


_VALID = object()  # "use the valid table" (None is a bad table too)


def bad_match(
    message: str,
    table: str,
    column: str | None = None,
    *,
    o=_VALID,
    h=_VALID,
    c=None,
    policy=None,
    **kwargs,
) -> ValidationError:
    """``match`` must raise a ValidationError with ``message`` (a literal) and name the place."""
    o = officers() if o is _VALID else o
    h = households() if h is _VALID else h
    with pytest.raises(ValidationError, match=re.escape(message)) as info:
        km.match(o, h, policy, costs=c, **kwargs)
    check(info.value, table, column)
    return info.value


def with_cell(frame: pd.DataFrame, column: str, value, row: int = 0) -> pd.DataFrame:
    """A copy with one cell replaced (the column becomes object dtype)."""
    out = frame.copy()
    out[column] = out[column].astype(object)
    out.at[row, column] = value
    return out


# ============================================================================= schema.py
NOT_FRAMES = [[{"officer_id": 1}], {"officer_id": [1]}, None, "x.csv", np.zeros((2, 5))]


@pytest.mark.parametrize(
    ("table", "value"),
    [
        *((t, v) for t in ("officers", "households") for v in NOT_FRAMES),
        *(("costs", v) for v in NOT_FRAMES if v is not None),  # costs=None: the built-in cost
    ],
)
def test_table_must_be_a_dataframe(table: str, value) -> None:
    args = (
        {"o": value}
        if table == "officers"
        else {"h": value}
        if table == "households"
        else {"c": value}
    )
    bad_match(f"must be a pandas DataFrame, not {type(value).__name__}", table, **args)


def test_pairs_of_pair_costs_must_be_a_dataframe() -> None:
    with pytest.raises(ValidationError, match="must be a pandas DataFrame, not list") as info:
        km.pair_costs(officers(), households(), [("A", 1)])
    check(info.value, "pairs")


def test_column_appears_twice() -> None:
    o = pd.concat([officers(), officers()[["district"]]], axis=1)
    err = bad_match("column appears twice; rename one", "officers", "district", o=o)
    assert err.column == "district"


@pytest.mark.parametrize(
    ("table", "drop", "missing"),
    [
        ("officers", ["agency"], "'agency'"),
        ("officers", ["officer_id", "district"], "'officer_id', 'district'"),
        ("officers", ["lat"], "'lat'"),
        ("households", ["kind"], "'kind'"),
        ("households", ["lat", "lon"], "'lat', 'lon'"),
        ("costs", ["cost"], "'cost'"),
        ("costs", ["household_id"], "'household_id'"),
    ],
)
def test_missing_columns(table: str, drop: list[str], missing: str) -> None:
    frames = {"officers": officers(), "households": households(), "costs": costs()}
    frames[table] = frames[table].drop(columns=drop)
    use_costs = table == "costs"
    err = bad_match(
        f"missing column(s) {missing}; found '",
        table,
        o=frames["officers"],
        h=frames["households"],
        c=frames["costs"] if use_costs else None,
    )
    remaining = [c for c in frames[table].columns]
    assert all(repr(c) in str(err) for c in remaining)


def test_missing_columns_of_an_empty_frame_says_no_columns() -> None:
    bad_match(
        "missing column(s) 'officer_id', 'agency', 'district'; found no columns",
        "officers",
        o=pd.DataFrame(),
    )


@pytest.mark.parametrize("value", [None, math.nan, pd.NA])
@pytest.mark.parametrize(
    ("table", "column"), [("officers", "officer_id"), ("households", "household_id")]
)
def test_id_is_missing(table: str, column: str, value) -> None:
    frame = with_cell(officers() if table == "officers" else households(), column, value, row=1)
    args = {"o": frame} if table == "officers" else {"h": frame}
    err = bad_match("id is missing; every row needs an id", table, column, **args)
    assert err.row == 1


@pytest.mark.parametrize(
    ("ids", "type_name"),
    [
        ([1.5, 2.5], "float"),
        ([True, False], "bool"),
        ([1, True], "bool"),
        (["A", 2.5], "float"),
        ([b"A", b"B"], "bytes"),
    ],
)
def test_ids_must_be_text_or_whole_numbers(ids: list, type_name: str) -> None:
    o = officers().assign(officer_id=pd.Series(ids, dtype=object))
    bad_match(f"ids must be text or whole numbers, not {type_name}", "officers", "officer_id", o=o)


def test_whole_number_float_ids_are_accepted() -> None:
    o = officers().assign(officer_id=[1.0, 2.0])
    assert len(km.match(o, households()).pairs) == 3


@pytest.mark.parametrize("ids", [["A", "A"], [1, "1"], [7, 7]])
def test_duplicate_id(ids: list) -> None:
    o = officers().assign(officer_id=pd.Series(ids, dtype=object))
    bad_match("duplicate id; ids must be unique", "officers", "officer_id", o=o)
    h = households().assign(household_id=pd.Series([*ids, "other"], dtype=object))
    bad_match("duplicate id; ids must be unique", "households", "household_id", h=h)


@pytest.mark.parametrize("value", ["", "   ", None, math.nan])
@pytest.mark.parametrize(
    ("table", "column"),
    [
        ("officers", "agency"),
        ("officers", "district"),
        ("households", "kind"),
        ("households", "district"),
    ],
)
def test_text_is_empty(table: str, column: str, value) -> None:
    frame = with_cell(officers() if table == "officers" else households(), column, value)
    args = {"o": frame} if table == "officers" else {"h": frame}
    err = bad_match("is empty", table, column, **args)
    assert err.row in ("A", 1)  # the first row's id, as the table has it


def _with_coordinates(values: list) -> pd.DataFrame:
    return (
        officers().drop(columns=["lat", "lon"]).assign(coordinates=pd.Series(values, dtype=object))
    )


@pytest.mark.parametrize("value", [None, math.nan])
def test_coordinates_are_missing(value) -> None:
    o = _with_coordinates([value, "16.5, 102.9"])
    bad_match("coordinates are missing", "officers", "coordinates", o=o)


@pytest.mark.parametrize("value", ["abc", "16.43", "16.4; 102.8; x", ""])
def test_not_a_coordinate_pair(value: str) -> None:
    o = _with_coordinates([value, "16.5, 102.9"])
    bad_match(
        "is not a coordinate pair; write decimal degrees like '16.43, 102.83'",
        "officers",
        "coordinates",
        o=o,
    )


@pytest.mark.parametrize("column", ["lat", "lon"])
def test_degrees_not_true_false(column: str) -> None:
    bad_match(
        "must be a number of degrees, not true/false",
        "officers",
        column,
        o=officers().assign(**{column: [True, False]}),
    )


@pytest.mark.parametrize("value", [math.nan, None])
@pytest.mark.parametrize("table", ["officers", "households"])
def test_degrees_missing(table: str, value) -> None:
    frame = officers() if table == "officers" else households()
    frame = frame.assign(lon=frame["lon"].astype(float))
    frame.loc[1, "lon"] = value
    args = {"o": frame} if table == "officers" else {"h": frame}
    bad_match("is missing; give decimal degrees (WGS84)", table, "lon", **args)


@pytest.mark.parametrize("value", [math.inf, -math.inf, "inf"])
def test_degrees_not_finite(value) -> None:
    o = (
        with_cell(officers(), "lat", value)
        if isinstance(value, str)
        else officers().assign(lat=[value, 16.5])
    )
    bad_match("must be a finite number; give decimal degrees (WGS84)", "officers", "lat", o=o)


@pytest.mark.parametrize("value", ["abc", "16,4x", "N/A"])
def test_degrees_text_that_is_no_number(value: str) -> None:
    bad_match(
        "is not a number of degrees; write decimal degrees like 16.43",
        "households",
        "lat",
        h=with_cell(households(), "lat", value),
    )


@pytest.mark.parametrize("lat", [95.0, -90.5, 1e9])
def test_latitude_out_of_range(lat: float) -> None:
    err = bad_match(
        "latitude must be in [-90, 90]", "officers", "lat", o=officers().assign(lat=[lat, 16.5])
    )
    assert "swapped" not in str(err)  # lon 102.83 cannot be a latitude


def test_latitude_out_of_range_and_swapped() -> None:
    o = officers().assign(lat=[102.8, 16.5], lon=[16.4, 102.9])
    err = bad_match(
        "latitude must be in [-90, 90]; lat and lon look swapped (Thailand is near "
        "lat 15, lon 101)",
        "officers",
        "lat",
        o=o,
    )
    assert err.value == 102.8 and err.row == "A"


@pytest.mark.parametrize("lon", [200.0, -180.5])
def test_longitude_out_of_range(lon: float) -> None:
    bad_match(
        "longitude must be in [-180, 180]",
        "households",
        "lon",
        h=households().assign(lon=[102.8, lon, 102.9]),
    )


def test_capacity_not_true_false() -> None:
    bad_match(
        "must be a whole number >= 0, not true/false",
        "officers",
        "capacity",
        o=officers().assign(capacity=[True, False]),
    )


@pytest.mark.parametrize("value", [-1, 1.5, "two", "abc", math.inf, -0.5])
def test_capacity_must_be_a_whole_number(value) -> None:
    err = bad_match(
        "must be a whole number >= 0",
        "officers",
        "capacity",
        o=with_cell(officers(), "capacity", value),
    )
    assert err.row == "A"


@pytest.mark.parametrize("value", ["maybe", "2", "ja", 5])
def test_need_flag_must_be_true_or_false(value) -> None:
    bad_match(
        "must be true or false (or 1/0, yes/no)",
        "households",
        "need_health",
        h=with_cell(households(), "need_health", value),
    )


@pytest.mark.parametrize("value", ["poor", "developible", "ยากจน"])
def test_unknown_kind(value: str) -> None:
    err = bad_match(
        "unknown kind; use 'developable' (พัฒนาได้) or 'welfare' (สงเคราะห์)",
        "households",
        "kind",
        h=with_cell(households(), "kind", value),
    )
    assert err.value == value


@pytest.mark.parametrize(
    ("column", "value", "what"),
    [
        ("officer_id", "Z", "officers"),
        ("household_id", 99, "households"),
        ("household_id", "01", "households"),  # ids are matched as text: "01" is not 1
    ],
)
def test_costs_id_not_found(column: str, value, what: str) -> None:
    c = with_cell(costs(), column, value, row=2)
    err = bad_match(f"id not found in the {what} table (1 row(s) like this)", "costs", column, c=c)
    assert err.row == 2


def test_pair_costs_id_not_found() -> None:
    with pytest.raises(
        ValidationError, match=re.escape("id not found in the officers table (2 row(s) like this)")
    ) as info:
        km.pair_costs(
            officers(),
            households(),
            pd.DataFrame({"officer_id": ["X", "Y"], "household_id": [1, 2]}),
        )
    check(info.value, "pairs", "officer_id")


@pytest.mark.parametrize("second", [1, "1"])
def test_costs_duplicate_pair(second) -> None:
    c = pd.DataFrame(
        {
            "officer_id": ["A", "A"],
            "household_id": pd.Series([1, second], dtype=object),
            "cost": [1.0, 2.0],
        }
    )
    err = bad_match("appears twice; give each pair once", "costs", c=c)
    assert "pair ('A', " in str(err) and err.row == 1


def test_costs_not_true_false() -> None:
    bad_match(
        "must be a number, not true/false",
        "costs",
        "cost",
        c=costs().assign(cost=[True, False, True]),
    )


@pytest.mark.parametrize("value", [math.nan, None, -1.0, math.inf, -math.inf, "abc", ""])
def test_cost_must_be_finite_and_not_negative(value) -> None:
    err = bad_match(
        "cost must be a finite number >= 0",
        "costs",
        "cost",
        c=with_cell(costs(), "cost", value, row=1),
    )
    assert err.row == 1


# ============================================================================= policy.py
NUMBER_FIELDS = ["max_distance_km", "fit_weight", "cross_district_penalty", "neutral_fit"]


@pytest.mark.parametrize("value", ["3", True, [1]])
@pytest.mark.parametrize("name", NUMBER_FIELDS)
def test_policy_number_must_be_a_number(name: str, value) -> None:
    with pytest.raises(
        ValidationError, match=re.escape(f"must be a number, not {type(value).__name__}")
    ) as info:
        Policy(**{name: value})
    check(info.value, "policy", repr(name))
    assert info.value.column == name


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
@pytest.mark.parametrize("name", NUMBER_FIELDS)
def test_policy_number_must_be_finite(name: str, value: float) -> None:
    with pytest.raises(ValidationError, match="must be a finite number") as info:
        Policy(**{name: value})
    check(info.value, "policy", repr(name))


@pytest.mark.parametrize("name", [n for n in NUMBER_FIELDS if n != "max_distance_km"])
def test_policy_number_must_not_be_negative(name: str) -> None:
    with pytest.raises(ValidationError, match=re.escape("must be >= 0")) as info:
        Policy(**{name: -0.5})
    check(info.value, "policy", repr(name))


# one message for 0 and for negative distances (an issue found -5 said '>= 0', 0 '> 0')
@pytest.mark.parametrize("value", [0, 0.0, -0.5, -5])
def test_policy_max_distance_must_be_positive(value: float) -> None:
    with pytest.raises(
        ValidationError, match=re.escape("must be > 0 (or None for no limit)")
    ) as info:
        Policy(max_distance_km=value)
    check(info.value, "policy", "'max_distance_km'")


def test_policy_neutral_fit_at_most_one() -> None:
    with pytest.raises(ValidationError, match=re.escape("must be in [0, 1]")) as info:
        Policy(neutral_fit=1.01)
    check(info.value, "policy", "'neutral_fit'")


@pytest.mark.parametrize("value", [2.0, 1.5, "2", True, None])
@pytest.mark.parametrize("name", ["capacity", "candidate_k"])
def test_policy_whole_number_fields(name: str, value) -> None:
    with pytest.raises(
        ValidationError, match=re.escape(f"must be a whole number, not {type(value).__name__}")
    ) as info:
        Policy(**{name: value})
    check(info.value, "policy", repr(name))


@pytest.mark.parametrize(("name", "value", "lo"), [("capacity", -1, 0), ("candidate_k", 0, 1)])
def test_policy_whole_number_lower_bound(name: str, value: int, lo: int) -> None:
    with pytest.raises(ValidationError, match=re.escape(f"must be >= {lo}")) as info:
        Policy(**{name: value})
    check(info.value, "policy", repr(name))


def test_policy_replace_is_checked() -> None:
    with pytest.raises(ValidationError, match="must be >= 1"):
        Policy().replace(candidate_k=0)


@pytest.mark.parametrize("value", [[("capacity", 3)], "capacity=3", None])
def test_policy_from_dict_needs_a_mapping(value) -> None:
    with pytest.raises(
        ValidationError,
        match=re.escape(f"a policy must be a mapping of settings, not {type(value).__name__}"),
    ) as info:
        Policy.from_dict(value)
    check(info.value, "policy")


def test_policy_unknown_setting_with_suggestion() -> None:
    with pytest.raises(
        ValidationError,
        match=re.escape(
            "unknown setting; did you mean 'capacity'? Known: capacity, capacity_by, "
            "max_distance_km,"
        ),
    ) as info:
        Policy.from_dict({"capasity": 3})
    check(info.value, "policy", "'capasity'")


def test_policy_unknown_setting_without_suggestion() -> None:
    with pytest.raises(ValidationError, match=r"unknown setting; Known: capacity") as info:
        Policy.from_dict({"zzz": 3})
    assert "did you mean" not in str(info.value)


def test_policy_from_toml_no_such_file(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="no such file: ") as info:
        Policy.from_toml(tmp_path / "missing.toml")
    check(info.value, "policy")


def test_policy_from_toml_not_valid_toml(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text("capacity = [\n", encoding="utf-8")
    with pytest.raises(ValidationError, match=re.escape(f"{path} is not valid TOML: ")) as info:
        Policy.from_toml(path)
    check(info.value, "policy")


@pytest.mark.parametrize("text", ["max_distanse_km = 30\n", "[policy]\nmax_distanse_km = 30\n"])
def test_policy_from_toml_unknown_key(tmp_path: Path, text: str) -> None:
    path = tmp_path / "policy.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValidationError, match="did you mean 'max_distance_km'"):
        Policy.from_toml(path)


def test_policy_from_toml_reads_a_policy_table_and_a_relative_fit_table(tmp_path: Path) -> None:
    km.default_fit_table().frame.to_csv(tmp_path / "fit.csv", index=False)
    (tmp_path / "policy.toml").write_text(
        '[policy]\ncapacity = 3\nmax_distance_km = 25.5\nfit_table = "fit.csv"\n', encoding="utf-8"
    )
    policy = Policy.from_toml(tmp_path / "policy.toml")
    assert (policy.capacity, policy.max_distance_km) == (3, 25.5)
    assert policy.fit_table is not None and policy.to_dict()["fit_table"] == "custom"


def test_policy_from_toml_bad_value(tmp_path: Path) -> None:
    (tmp_path / "policy.toml").write_text('capacity = "two"\n', encoding="utf-8")
    with pytest.raises(ValidationError, match="must be a whole number, not str"):
        Policy.from_toml(tmp_path / "policy.toml")


# ----------------------------------------------------------------------------- fit tables
def _fit_frame() -> pd.DataFrame:
    return km.default_fit_table().frame.copy()


def test_fit_table_must_be_a_frame_or_path() -> None:
    with pytest.raises(
        ValidationError, match="must be a pandas DataFrame or a CSV path, not int"
    ) as info:
        Policy(fit_table=3)
    check(info.value, "fit_table")


def test_fit_table_no_such_file(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="no such file: ") as info:
        Policy(fit_table=str(tmp_path / "missing.csv"))
    check(info.value, "fit_table")


def test_fit_table_missing_columns() -> None:
    with pytest.raises(
        ValidationError,
        match=re.escape(
            "missing column(s) welfare; a fit table needs agency, developable, welfare"
        ),
    ):
        Policy(fit_table=_fit_frame().drop(columns="welfare"))


@pytest.mark.parametrize("value", [1.5, -0.1, "high", math.nan])
def test_fit_table_numbers_in_zero_one(value) -> None:
    with pytest.raises(ValidationError, match=re.escape("must be a number in [0, 1]")) as info:
        Policy(fit_table=with_cell(_fit_frame(), "health", value, row=2))
    check(info.value, "fit_table", "'health'")


@pytest.mark.parametrize(
    "value",
    [
        math.nan,
        "",
        " - ",
        None,  # regression: was taken as the agency "none"
    ],
)
def test_fit_table_agency_code_empty(value) -> None:
    with pytest.raises(ValidationError, match="agency code is empty") as info:
        Policy(fit_table=with_cell(_fit_frame(), "agency", value, row=1))
    check(info.value, "fit_table", "'agency'")


def test_fit_table_name_used_by_two_agencies() -> None:
    with pytest.raises(ValidationError, match="is used by two agencies"):
        Policy(fit_table=with_cell(_fit_frame(), "name_en", "Agricultural Extension", row=0))


# ============================================================================= matcher.py
@pytest.mark.parametrize("policy", ["strict", 3, ["capacity"], km.default_fit_table()])
def test_policy_of_the_wrong_type(policy) -> None:
    bad_match(
        f"must be a kuseo_match.Policy (or a dict of settings), not {type(policy).__name__}",
        "policy",
        policy=policy,
    )


def test_policy_dict_is_checked() -> None:
    bad_match("did you mean 'max_distance_km'", "policy", policy={"max_distanse_km": 5})


@pytest.mark.parametrize("value", [0, -1, 0.0, math.nan, math.inf, True, "5", [5]])
def test_time_limit(value) -> None:
    err = bad_match("must be a number of seconds > 0, or None", "time_limit", time_limit=value)
    assert err.value is value


def test_policy_is_checked_before_the_tables() -> None:
    bad_match("must be a kuseo_match.Policy", "policy", o=[], policy="x")


# ============================================================================= garbage in
TABLE_COLUMNS = {
    "officers": ["officer_id", "agency", "district", "lat", "lon", "capacity"],
    "households": ["household_id", "kind", "district", "lat", "lon", "need_health"],
    "costs": ["officer_id", "household_id", "cost"],
}


@settings(max_examples=150, deadline=None, derandomize=True)
@given(
    table=st.sampled_from(list(TABLE_COLUMNS)),
    data=st.data(),
    value=garbage_values,
    row=st.integers(0, 1),
    use_costs=st.booleans(),
)
def test_garbage_cells_raise_only_validation_errors(table, data, value, row, use_costs) -> None:
    column = data.draw(st.sampled_from(TABLE_COLUMNS[table]), label="column")
    frames = {"officers": officers(), "households": households(), "costs": costs()}
    frames[table] = with_cell(frames[table], column, value, row=row)
    use_costs = use_costs or table == "costs"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            logging.getLogger("kuseo_match").disabled = True
            result = km.match(
                frames["officers"],
                frames["households"],
                costs=frames["costs"] if use_costs else None,
            )
    except ValidationError as err:
        check(err, err.table)
        assert err.table in {"officers", "households", "costs"}
        return
    finally:
        logging.getLogger("kuseo_match").disabled = False
    assert len(result.pairs) + len(result.unmatched) == 3


# ----------------------------------------------------------------------------- regressions
# Found by the garbage test above: degree text that geopy parses was written into
# the read-only array of to_numpy() (pandas copy-on-write) and raised a bare
# ValueError; a capacity beyond int64 overflowed and reached OR-Tools.
@pytest.mark.parametrize("value", ["16°26'24\"N", "16 26' 24\" N", "N 16.44"])
def test_degree_text_parsed_by_geopy(value: str) -> None:
    o = with_cell(officers(), "lat", value)
    result = km.match(o, households())
    assert result.status == "optimal"
    assert result.officer_load["officer_id"].tolist() == ["A", "B"]


@pytest.mark.parametrize("value", [1_000_001, 2**62, 10**30, float(2**63), 1e300])
def test_capacity_must_be_at_most_a_million(value) -> None:
    err = bad_match(
        "must be at most 1,000,000 households",
        "officers",
        "capacity",
        o=with_cell(officers(), "capacity", value),
    )
    assert err.row == "A"


def test_capacity_of_a_million_is_fine() -> None:
    o = officers().assign(capacity=[1_000_000, 1_000_000])
    assert len(km.match(o, households()).pairs) == 3


# ====================================================== positions and files (issue 10)
def _centroid(code: str) -> tuple[float, float]:
    """The shipped centroid of a district (a position surely inside Thailand)."""
    row = km.districts().set_index("district_code").loc[code]
    return float(row["lat"]), float(row["lon"])


def _km_from_centroid(code: str, lat: float, lon: float) -> float:
    from kuseo_match.geo import haversine_km

    return float(haversine_km(lat, lon, *_centroid(code)))


def _moved(frame: pd.DataFrame, row: int, lat: float, lon: float) -> pd.DataFrame:
    """A copy with row ``row`` at (lat, lon)."""
    out = frame.assign(lat=frame["lat"].astype(float), lon=frame["lon"].astype(float))
    out.loc[row, ["lat", "lon"]] = [lat, lon]
    return out


REFUSED = (
    "; give the position (decimal degrees), or use coordinate_check='warn' "
    "(--coordinate-check warn) if it is right"
)
FAR_KK = _centroid("TH4020")  # Phu Pha Man, Khon Kaen: 104 km from Mueang Khon Kaen
SARABURI = _centroid("TH1901")  # Mueang Saraburi: 298 km from Mueang Khon Kaen
CHIANG_MAI = _centroid("TH5001")
PARIS = (48.85, 2.35)


def _pairing(result: km.Result) -> list[tuple]:
    return sorted(map(tuple, result.pairs[["officer_id", "household_id"]].to_numpy().tolist()))


@pytest.mark.parametrize(
    ("column", "text", "value"), [("lat", "16,49", 16.49), ("lon", "102,89", 102.89)]
)
def test_decimal_comma_is_read_as_a_decimal_point_with_a_warning(
    caplog: pytest.LogCaptureFixture, column: str, text: str, value: float
) -> None:
    h = with_cell(households(), column, text, row=1)
    with caplog.at_level(logging.WARNING, logger="kuseo_match"):
        result = km.match(officers(), h)
    assert result.households.set_index("household_id").loc[2, column] == value
    assert _pairing(result) == _pairing(km.match(officers(), households()))
    (record,) = [r for r in caplog.records if "decimal comma" in r.getMessage()]
    assert record.name == "kuseo_match" and record.levelno == logging.WARNING
    assert f"column {column!r}" in record.getMessage() and repr(text) in record.getMessage()


@pytest.mark.parametrize("column", ["lat", "lon"])
@pytest.mark.parametrize("text", ["16.49, 102.89", "16,49; 102,89", "16.49 102.89"])
def test_two_numbers_in_one_coordinate_cell(column: str, text: str) -> None:
    err = bad_match(
        "is not a number of degrees; write decimal degrees like 16.43 (one number per cell: "
        "the other coordinate goes in its own column)",
        "households",
        column,
        h=with_cell(households(), column, text, row=1),
    )
    assert err.column == column and err.value == text


@pytest.mark.parametrize(("table", "row", "named"), [("officers", 1, "B"), ("households", 1, 2)])
def test_zero_zero_is_a_placeholder(table: str, row: int, named) -> None:
    frame = _moved(officers() if table == "officers" else households(), row, 0.0, 0.0)
    err = bad_match(
        "lat = lon = 0 is a placeholder for a missing position, not a place" + REFUSED,
        table,
        "lat, lon",
        **({"o": frame} if table == "officers" else {"h": frame}),
    )
    assert (err.column, err.row, err.value) == ("lat, lon", named, (0.0, 0.0))


@pytest.mark.parametrize(("table", "row", "named"), [("officers", 0, "A"), ("households", 2, 3)])
def test_position_outside_thailand(table: str, row: int, named) -> None:
    frame = _moved(officers() if table == "officers" else households(), row, *PARIS)
    err = bad_match(
        "the position is outside the area of Thailand's districts (the nearest centroid, ",
        table,
        "lat, lon",
        **({"o": frame} if table == "officers" else {"h": frame}),
    )
    assert str(err).endswith(" km away)" + REFUSED)
    assert (err.row, err.value) == (named, PARIS)


def test_household_far_from_its_district() -> None:
    away = _km_from_centroid("TH4001", *SARABURI)
    assert 290 < away < 310
    err = bad_match(
        f"the position is {away:,.0f} km from the centroid of its district TH4001 Mueang Khon "
        "Kaen (Khon Kaen), more than the 74 km a position in it can be" + REFUSED,
        "households",
        "lat, lon",
        h=_moved(households(), 1, *SARABURI),
    )
    assert (err.row, err.value) == (2, SARABURI)


@pytest.mark.parametrize(
    "position",
    [FAR_KK, _centroid("TH4405")],  # in Khon Kaen, 104 km away; in Maha Sarakham, 29 km away
)
def test_officer_far_from_its_district_but_plausible_is_accepted(position) -> None:
    # officers may sit at the provincial office, or just over the border of their district
    result = km.match(_moved(officers(), 1, *position), households())
    assert len(result.pairs) == 3
    assert result.officers.set_index("officer_id").loc["B", "lat"] == position[0]


def test_household_where_an_officer_may_be_is_refused() -> None:
    away = _km_from_centroid("TH4001", *FAR_KK)
    bad_match(
        f"the position is {away:,.0f} km from the centroid of its district TH4001",
        "households",
        "lat, lon",
        h=_moved(households(), 0, *FAR_KK),
    )


def test_officer_outside_its_districts_province() -> None:
    away = _km_from_centroid("TH4001", *CHIANG_MAI)
    err = bad_match(
        "the position is outside the province of the officer's district TH4001 Mueang Khon "
        f"Kaen (Khon Kaen): {away:,.0f} km from that district" + REFUSED,
        "officers",
        "lat, lon",
        o=_moved(officers(), 1, *CHIANG_MAI),
    )
    assert (err.row, err.value) == ("B", CHIANG_MAI)


@pytest.mark.parametrize(
    ("table", "position", "explained"),
    [
        ("households", (0.0, 0.0), "lat = lon = 0 is a placeholder"),
        ("households", PARIS, "outside the area of Thailand's districts"),
        ("households", SARABURI, "km from the centroid of its district TH4001"),
        ("officers", CHIANG_MAI, "outside the province of the officer's district TH4001"),
    ],
)
def test_coordinate_check_warn_keeps_implausible_positions(
    caplog: pytest.LogCaptureFixture, table: str, position, explained: str
) -> None:
    o = _moved(officers(), 1, *position) if table == "officers" else officers()
    h = _moved(households(), 1, *position) if table == "households" else households()
    with pytest.raises(ValidationError, match=re.escape(explained)):
        km.match(o, h)
    with caplog.at_level(logging.WARNING, logger="kuseo_match"):
        result = km.match(o, h, Policy(coordinate_check="warn"))
    assert result.status == "optimal" and result.n_households == 3
    frame = result.officers if table == "officers" else result.households
    assert tuple(frame[["lat", "lon"]].iloc[1]) == position  # kept as given
    (record,) = [r for r in caplog.records if "implausible position" in r.getMessage()]
    assert record.name == "kuseo_match" and record.levelno == logging.WARNING
    message = record.getMessage()
    assert message.startswith(f"{table}: 1 implausible position(s) kept (coordinate_check='warn')")
    assert explained in message


def test_policy_coordinate_check_must_be_refuse_or_warn() -> None:
    with pytest.raises(ValidationError, match=re.escape("must be 'refuse' or 'warn'")) as info:
        Policy(coordinate_check="x")
    check(info.value, "policy", "coordinate_check")
    assert info.value.value == "x"
    bad_match(
        "must be 'refuse' or 'warn'",
        "policy",
        "coordinate_check",
        policy={"coordinate_check": "off"},
    )


def test_validate_tables_coordinate_check_must_be_refuse_or_warn() -> None:
    from kuseo_match.schema import validate_tables

    with pytest.raises(ValidationError, match=re.escape("must be 'refuse' or 'warn'")) as info:
        validate_tables(officers(), households(), coordinate_check="x")
    check(info.value, "policy", "coordinate_check")


HOUSEHOLDS_CSV = (
    "household_id,kind,district,lat,lon\n"
    "H1,welfare,TH4001,16.45,102.84\n"
    ",,,,\n"  # an empty row, as Excel writes it: skipped, but the rows below keep their numbers
    "H2,developable,TH4001,{lat},{lon}\n"
)


@pytest.mark.parametrize(
    ("lat", "lon", "column", "message"),
    [
        ('"16.49, 102.89"', "102.89", "lat", "is not a number of degrees"),
        ("0", "0", "lat, lon", "lat = lon = 0 is a placeholder"),
        ("48.85", "2.35", "lat, lon", "outside the area of Thailand's districts"),
    ],
)
def test_messages_about_a_file_name_it_and_its_spreadsheet_row(
    tmp_path: Path, lat: str, lon: str, column: str, message: str
) -> None:
    path = tmp_path / "households.csv"
    path.write_text(HOUSEHOLDS_CSV.format(lat=lat, lon=lon), encoding="utf-8")
    h = km.read_table(path)
    assert len(h) == 2
    with pytest.raises(ValidationError, match=re.escape(message)) as info:
        km.match(officers(), h)
    err = info.value
    assert str(err).startswith(f"households.csv: column {column!r}, row 4 (id 'H2'), value ")
    assert (err.file, err.row, err.id, err.table, err.column) == (
        "households.csv",
        4,
        "H2",
        "households",
        column,
    )


def test_validation_error_names_file_row_and_id() -> None:
    err = ValidationError(
        "must be >= 0",
        table="officers",
        column="capacity",
        row=np.int64(5),
        value=np.int64(-1),
        file="officers.xlsx, sheet 'data'",
        id=np.str_("OF-7"),
    )
    assert str(err) == (
        "officers.xlsx, sheet 'data': column 'capacity', row 5 (id 'OF-7'), value -1: must be >= 0"
    )
    assert (err.table, err.file, err.row, err.id, err.value, err.reason) == (
        "officers",
        "officers.xlsx, sheet 'data'",
        5,
        "OF-7",
        -1,
        "must be >= 0",
    )
    assert type(err.row) is int and type(err.value) is int  # numpy scalars unwrapped
    # without a file the table opens the message, and a row without an id is shown alone
    assert str(ValidationError("x", table="officers", row=5)) == "officers: row 5: x"


def test_row_names_an_int_id_the_same_way_in_every_message() -> None:
    cell = bad_match(
        "is not a number of degrees",
        "households",
        "lat",
        h=with_cell(households(), "lat", "16.49, 102.89", row=1),
    )
    place = bad_match(
        "lat = lon = 0 is a placeholder", "households", h=_moved(households(), 1, 0.0, 0.0)
    )
    assert place.row == 2
    assert cell.row == place.row
