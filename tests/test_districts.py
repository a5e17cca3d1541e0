"""Districts written as people write them: a code, a Thai or English name, with or
without the อำเภอ / อ. / Amphoe prefix, in any case, names one shipped district
(:func:`kuseo_match.reference.district_candidates`), and matching normalises it to
the code.  Names that repeat across provinces are told apart by a ``province``
column or by the other rows, and refused when nothing tells them apart; warnings
say when the two tables share no district.  Header aliases (English and Thai) mean
the contract's columns.
"""

from __future__ import annotations

import functools
import logging
import re

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kuseo_match as km
from kuseo_match import ValidationError
from kuseo_match.reference import district_candidates

REFERENCE = km.districts().set_index("district_code")


def centroid(code: str) -> tuple[float, float]:
    """The shipped centroid of a district: a position plausible for it."""
    return float(REFERENCE.loc[code, "lat"]), float(REFERENCE.loc[code, "lon"])


#: Ways of writing a district, from its code.
SPELLINGS = {
    "code": lambda code: code,
    "lower-case code": str.lower,
    "4-digit code": lambda code: code[2:],
    "Thai": lambda code: REFERENCE.loc[code, "district_th"],
    "อำเภอ + Thai": lambda code: "อำเภอ" + REFERENCE.loc[code, "district_th"],
    "อ. + Thai": lambda code: "อ." + REFERENCE.loc[code, "district_th"],
    "English": lambda code: REFERENCE.loc[code, "district_en"],
    "English upper case": lambda code: REFERENCE.loc[code, "district_en"].upper(),
    "English lower case": lambda code: REFERENCE.loc[code, "district_en"].lower(),
    "Amphoe + English": lambda code: "Amphoe " + REFERENCE.loc[code, "district_en"],
}


def spelled(frame: pd.DataFrame, hows: list[str]) -> pd.DataFrame:
    """A copy whose district codes are rewritten, row by row, in the given ways."""
    labels = [SPELLINGS[how](code) for code, how in zip(frame["district"], hows, strict=True)]
    return frame.assign(district=labels)


def pairing(result: km.Result) -> set[tuple[str, str]]:
    return set(map(tuple, result.pairs[["officer_id", "household_id"]].to_numpy().tolist()))


@functools.cache
def _khon_kaen(seed: int) -> tuple[pd.DataFrame, pd.DataFrame, km.Result]:
    officers, households = km.synthetic_province("Khon Kaen", officers=25, households=40, seed=seed)
    return officers, households, km.match(officers, households)


def khon_kaen(seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame, km.Result]:
    """A small synthetic Khon Kaen (fresh copies) and its pairing with codes."""
    officers, households, result = _khon_kaen(seed)
    return officers.copy(), households.copy(), result


def place(table: str, rows: list[tuple[str, str]], **extra: list) -> pd.DataFrame:
    """A table of ``(district label, district whose centroid is the position)`` rows."""
    lat, lon = zip(*(centroid(where) for _, where in rows), strict=True)
    common = {"district": [label for label, _ in rows], "lat": lat, "lon": lon, **extra}
    if table == "officers":
        ids = [f"O{i + 1}" for i in range(len(rows))]
        return pd.DataFrame({"officer_id": ids, "agency": "interior", **common})
    ids = [f"H{i + 1}" for i in range(len(rows))]
    return pd.DataFrame({"household_id": ids, "kind": "welfare", **common})


# ======================================================================== candidates
@pytest.mark.parametrize(
    ("label", "codes"),
    [
        ("TH4002", ("TH4002",)),
        ("th4002", ("TH4002",)),
        ("4002", ("TH4002",)),
        (4002, ("TH4002",)),  # a code read from a spreadsheet as a number
        ("บ้านฝาง", ("TH4002",)),
        ("อำเภอบ้านฝาง", ("TH4002",)),
        ("อำเภอ บ้านฝาง", ("TH4002",)),
        ("อ.บ้านฝาง", ("TH4002",)),
        ("อ. บ้านฝาง", ("TH4002",)),
        ("กิ่งอำเภอบ้านฝาง", ("TH4002",)),
        (" บ้านฝาง ", ("TH4002",)),
        ("Ban Fang", ("TH4002",)),
        ("BAN FANG", ("TH4002",)),
        ("ban fang", ("TH4002",)),
        ("Amphoe Ban Fang", ("TH4002",)),
        ("amphoe ban fang", ("TH4002",)),
        ("Ban Fang District", ("TH4002",)),
        ("Ban-Fang", ("TH4002",)),
        ("BanFang", ("TH4002",)),
        ("Mueang Khon Kaen", ("TH4001",)),
        ("Muang Khon Kaen", ("TH4001",)),
        ("Amphoe Muang Khon Kaen", ("TH4001",)),
        ("เมืองขอนแก่น", ("TH4001",)),
        ("อ.เมืองขอนแก่น", ("TH4001",)),
        ("Khet Phra Nakhon", ("TH1001",)),
        ("เขตพระนคร", ("TH1001",)),
        ("Ubon Rat", ("TH4008",)),  # DISTRICT_ALIASES
        ("Chom Thong", ("TH1035", "TH5002")),
        ("จอมทอง", ("TH1035", "TH5002")),
        ("อำเภอจอมทอง", ("TH1035", "TH5002")),
        ("Chaloem Phra Kiat", ("TH1913", "TH3032", "TH3123", "TH5515", "TH8023")),
        ("เฉลิมพระเกียรติ", ("TH1913", "TH3032", "TH3123", "TH5515", "TH8023")),
        ("zone A", ()),
        ("Ban Nowhere", ()),
        ("TH9999", ()),
        ("TH40", ()),  # a province code is not a district
        ("", ()),
    ],
)
def test_district_candidates(label, codes: tuple[str, ...]) -> None:
    assert district_candidates(label) == codes


def test_every_district_is_found_by_each_spelling() -> None:
    # Thai names are checked where the name is unique; repeated ones include the code
    for code in REFERENCE.index:
        for how, spell in SPELLINGS.items():
            found = district_candidates(spell(code))
            assert code in found, (code, how)
            if how.endswith("code"):
                assert found == (code,), (code, how)


def test_mueang_alone_names_the_capital_districts() -> None:
    capitals = REFERENCE.index[REFERENCE["district_th"] == "เมือง" + REFERENCE["province_th"]]
    assert len(capitals) > 70
    for label in ("เมือง", "อ.เมือง", "อำเภอเมือง", "Mueang", "Muang", "Amphoe Mueang"):
        found = district_candidates(label)
        assert set(capitals) <= set(found), label
        assert not any(code.startswith("TH10") for code in found)  # Bangkok has no Mueang
    assert district_candidates("เมือง") == district_candidates("Mueang")


def test_mueang_alone_names_only_capital_districts() -> None:
    found = set(district_candidates("เมือง"))
    assert not found & {"TH3027", "TH3318", "TH4512", "TH5213"}
    assert all(code.endswith("01") for code in found)


def test_mueang_with_a_province_column_is_the_capital_of_roi_et() -> None:
    o = place("officers", [("TH4501", "TH4501")])
    h = place("households", [("อ.เมือง", "TH4501")], province=["ร้อยเอ็ด"])
    assert km.match(o, h).pairs["household_district"].tolist() == ["TH4501"]


@pytest.mark.parametrize(
    ("label", "code"),
    [
        ("ป้อมปราบศัตรูพ่าย", "TH1008"),
        ("เมืองประจวบคีรีขันธ์", "TH7701"),
        ("เมืองนครศรีธรรมราช", "TH8001"),
        ("อำเภอเมืองสุราษฎร์ธานี", "TH8401"),
    ],
)
def test_full_thai_names_of_long_districts(label: str, code: str) -> None:
    assert district_candidates(label) == (code,)


@pytest.mark.parametrize(
    ("label", "code"),
    [
        ("\u0e2d\u0e4d\u0e32\u0e40\u0e20\u0e2dบ้านฝาง", "TH4002"),
        ("น\u0e49\u0e4d\u0e32พอง", "TH4007"),
    ],
)
def test_sara_am_typed_as_two_characters(label: str, code: str) -> None:
    assert district_candidates(label) == (code,)


# ======================================================================== in matching
@pytest.mark.parametrize("how", list(SPELLINGS))
def test_household_names_give_the_pairing_of_codes(how: str) -> None:
    officers, households, coded = khon_kaen()
    result = km.match(officers, spelled(households, [how] * len(households)))
    assert pairing(result) == pairing(coded)
    assert result.objective == pytest.approx(coded.objective, abs=1e-9)
    pd.testing.assert_frame_equal(result.pairs, coded.pairs)  # districts shown as codes
    assert set(result.pairs["household_district"]) <= set(REFERENCE.index)
    assert result.households["district"].tolist() == coded.households["district"].tolist()


@settings(max_examples=25, deadline=None, derandomize=True)
@given(seed=st.integers(0, 3), keep_province=st.booleans(), data=st.data())
def test_random_spellings_give_the_pairing_of_codes(seed: int, keep_province: bool, data) -> None:
    officers, households, coded = khon_kaen(seed)
    ways = st.sampled_from(list(SPELLINGS))
    o_hows = data.draw(st.lists(ways, min_size=len(officers), max_size=len(officers)))
    h_hows = data.draw(st.lists(ways, min_size=len(households), max_size=len(households)))
    o, h = spelled(officers, o_hows), spelled(households, h_hows)
    if not keep_province:  # then the names alone must say it
        o, h = o.drop(columns="province"), h.drop(columns="province")
    result = km.match(o, h)
    assert pairing(result) == pairing(coded)
    assert result.objective == pytest.approx(coded.objective, abs=1e-9)
    for column in ("officer_district", "household_district"):
        assert result.pairs[column].tolist() == coded.pairs[column].tolist()


def test_codes_and_names_in_one_table() -> None:
    officers, households, coded = khon_kaen(1)
    hows = [list(SPELLINGS)[i % len(SPELLINGS)] for i in range(len(officers))]
    result = km.match(spelled(officers, hows), households)
    assert pairing(result) == pairing(coded)
    assert result.officer_load["district"].tolist() == coded.officer_load["district"].tolist()


def test_the_callers_tables_keep_their_labels() -> None:
    officers, households, _ = khon_kaen()
    h = spelled(households, ["อ. + Thai"] * len(households))
    before = h.copy()
    km.match(officers, h)
    pd.testing.assert_frame_equal(h, before)


# ===================================================================== repeated names
CM = "TH5002"  # จอมทอง, Chiang Mai (1,117 km2)
BKK = "TH1035"  # จอมทอง, Bangkok (17 km2)


@pytest.mark.parametrize(
    ("province", "code"),
    [
        ("เชียงใหม่", CM),
        ("จังหวัดเชียงใหม่", CM),
        ("Chiang Mai", CM),
        ("TH50", CM),
        ("th50", CM),
        ("กรุงเทพมหานคร", BKK),
        ("Bangkok", BKK),
        ("TH10", BKK),
    ],
)
def test_repeated_name_is_told_apart_by_a_province_column(province: str, code: str) -> None:
    o = place("officers", [("จอมทอง", code)], province=[province])
    h = place("households", [("Chom Thong", code), ("อำเภอจอมทอง", code)], province=[province] * 2)
    result = km.match(o, h)
    assert result.pairs["household_district"].tolist() == [code, code]
    assert result.pairs["officer_district"].tolist() == [code, code]
    assert result.pairs["cost"].max() < 5  # no cross-district penalty


@pytest.mark.parametrize(
    ("province", "code"),
    [("นครราชสีมา", "TH3032"), ("Buri Ram", "TH3123"), ("น่าน", "TH5515"), ("TH80", "TH8023")],
)
def test_name_of_five_districts_is_told_apart_by_a_province_column(
    province: str, code: str
) -> None:
    o = place("officers", [(code, code)])
    h = place("households", [("เฉลิมพระเกียรติ", code)], province=[province])
    assert km.match(o, h).pairs["household_district"].tolist() == [code]


def test_repeated_name_is_told_apart_by_the_other_rows() -> None:
    # the officers' unambiguous Chiang Mai districts say which จอมทอง is meant
    o = place("officers", [("TH5001", "TH5001"), ("แม่แจ่ม", "TH5003"), ("จอมทอง", CM)])
    h = place("households", [("จอมทอง", CM), ("Chom Thong", CM), ("Mae Chaem", "TH5003")])
    result = km.match(o, h)
    assert result.households["district"].tolist() == [CM, CM, "TH5003"]
    assert result.officers["district"].tolist() == ["TH5001", "TH5003", CM]


def test_repeated_name_in_bangkok_is_told_apart_by_the_other_rows() -> None:
    o = place("officers", [("เขตพระนคร", "TH1001"), ("จอมทอง", BKK)])
    h = place("households", [("Chom Thong", BKK)])
    assert km.match(o, h).pairs["household_district"].tolist() == [BKK]


def test_repeated_name_that_nothing_tells_apart_is_refused() -> None:
    o = place("officers", [("จอมทอง", CM)])
    h = place("households", [("จอมทอง", CM)])
    message = (
        "officers: column 'district', row 'O1', value 'จอมทอง': district 'จอมทอง' names 2 "
        "districts: TH1035 (Bangkok), TH5002 (Chiang Mai); give the code, or add a 'province' "
        "column"
    )
    with pytest.raises(ValidationError, match=f"^{re.escape(message)}$") as info:
        km.match(o, h)
    err = info.value
    assert (err.table, err.column, err.row, err.value) == ("officers", "district", "O1", "จอมทอง")


def test_repeated_name_between_rows_of_both_provinces_is_refused() -> None:
    o = place("officers", [("TH5001", "TH5001"), ("TH1001", "TH1001")])
    h = place("households", [("TH5001", "TH5001"), ("Chom Thong", CM)])
    with pytest.raises(
        ValidationError,
        match=re.escape(
            "district 'Chom Thong' names 2 districts: TH1035 (Bangkok), TH5002 (Chiang Mai)"
        ),
    ) as info:
        km.match(o, h)
    assert (info.value.table, info.value.row) == ("households", "H2")


def test_province_column_that_contradicts_the_district_is_refused() -> None:
    o = place("officers", [("TH4002", "TH4002")])
    h = place("households", [("Ban Fang", "TH4002")], province=["Chiang Mai"])
    message = (
        "households: column 'district', row 'H1', value 'Ban Fang': district 'Ban Fang' is in "
        "Khon Kaen (TH4002), not in the row's province TH50; correct the district or the province"
    )
    with pytest.raises(ValidationError, match=f"^{re.escape(message)}$"):
        km.match(o, h)


def test_mueang_in_a_khon_kaen_table_is_mueang_khon_kaen() -> None:
    o = place("officers", [("TH4001", "TH4001"), ("Ban Fang", "TH4002")])
    h = place("households", [("อ.เมือง", "TH4001"), ("Mueang", "TH4001")])
    result = km.match(o, h)
    assert result.households["district"].tolist() == ["TH4001", "TH4001"]


# ========================================================================= warnings
def district_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "kuseo_match" and r.levelno == logging.WARNING and "district" in r.getMessage()
    ]


def test_no_district_in_common_is_warned_about(caplog: pytest.LogCaptureFixture) -> None:
    o = place("officers", [("TH4001", "TH4001"), ("TH4001", "TH4001")])
    h = place("households", [("zone A", "TH4001"), ("zone A", "TH4001")])
    with caplog.at_level(logging.WARNING, logger="kuseo_match"):
        result = km.match(o, h)
    (message,) = district_warnings(caplog)
    assert message.startswith(
        "no district of the officers table occurs in the households table (officers: "
        "'TH4001'; households: 'zone A'), so every pair pays cross_district_penalty"
    )
    # and so it does: cost = distance + fit_weight * (1 - fit) + cross_district_penalty
    p = result.pairs
    penalty = p["cost"] - p["distance_km"] - result.policy.fit_weight * (1 - p["fit"])
    assert penalty.to_numpy() == pytest.approx([result.policy.cross_district_penalty] * 2)


def test_unknown_labels_beside_codes_are_warned_about(caplog: pytest.LogCaptureFixture) -> None:
    o = place("officers", [("TH4001", "TH4001")])
    h = place("households", [("TH4001", "TH4001"), ("zone B", "TH4001"), ("zone A", "TH4001")])
    with caplog.at_level(logging.WARNING, logger="kuseo_match"):
        km.match(o, h)
    (message,) = district_warnings(caplog)
    assert message == (
        "households: 2 district label(s) are neither a code nor a name of a Thai district and "
        "are used as they are: 'zone A', 'zone B'"
    )


def test_shared_plain_labels_are_not_warned_about(caplog: pytest.LogCaptureFixture) -> None:
    o = place("officers", [("zone A", "TH4001"), ("zone B", "TH4001")])
    h = place("households", [("zone A", "TH4001"), ("zone B", "TH4001")])
    with caplog.at_level(logging.WARNING, logger="kuseo_match"):
        result = km.match(o, h)
    assert district_warnings(caplog) == []
    assert set(result.pairs["household_district"]) == {"zone A", "zone B"}


# =================================================================== header aliases
def test_thai_and_english_headers_give_the_pairing_of_the_contract_names() -> None:
    officers, households, coded = khon_kaen(2)
    o = officers.rename(columns={"lat": "latitude", "lon": "longitude", "agency": "หน่วยงาน"})
    h = households.rename(
        columns={
            "lat": "ละติจูด",
            "lon": "ลองจิจูด",
            "district": "อำเภอ",
            "kind": "ประเภทครัวเรือน",
        }
    )
    result = km.match(o, h)
    assert pairing(result) == pairing(coded)
    assert result.objective == pytest.approx(coded.objective, abs=1e-9)
    pd.testing.assert_frame_equal(result.pairs, coded.pairs)


def test_district_wins_over_its_thai_alias() -> None:
    officers, households, coded = khon_kaen(2)
    h = households.assign(**{"อำเภอ": "บ้านฝาง"})  # another district's name: must not be used
    result = km.match(officers, h)
    pd.testing.assert_frame_equal(result.pairs, coded.pairs)
    assert result.households["district"].tolist() == coded.households["district"].tolist()
    assert set(result.households["อำเภอ"]) == {"บ้านฝาง"}  # kept as an extra column


def test_two_aliases_of_one_column_are_refused() -> None:
    _, households, _ = khon_kaen()
    h = households.rename(columns={"lat": "latitude"}).assign(**{"ละติจูด": households["lat"]})
    officers = place("officers", [("TH4001", "TH4001")])
    message = (
        "households: column 'ละติจูด': columns 'latitude' and 'ละติจูด' both mean 'lat'; keep "
        "one, or name the one to use 'lat'"
    )
    with pytest.raises(ValidationError, match=f"^{re.escape(message)}$") as info:
        km.match(officers, h)
    assert (info.value.table, info.value.column) == ("households", "ละติจูด")
