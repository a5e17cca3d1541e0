"""The analyst's texts in Thai and English (:mod:`kuseo_match.labels`): a label for every
policy field, a code with both texts for every kind of unmatched reason, and policies
in plain words (issue 21, item 4)."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

import kuseo_match as km
from kuseo_match import cli, io
from kuseo_match.answer import answer
from kuseo_match.instance import prepare, solve
from kuseo_match.labels import (
    COLUMN_LABELS,
    KIND_LABELS,
    NEED_LABELS,
    POLICY_FIELDS,
    REASONS,
    policy_lines,
    reason_code_of,
)
from kuseo_match.result import (
    OFFICER_LOAD_COLUMNS,
    PAIR_COLUMNS,
    PART_COLUMNS,
    UNMATCHED_COLUMNS,
)
from kuseo_match.schema import contract_column
from util import docstring_households, docstring_officers

THAI = re.compile(r"[\u0e00-\u0e7f]")


def _thai_and_english(pair: tuple[str, str]) -> None:
    th, en = pair
    assert th.strip() and THAI.search(th), pair
    assert en.strip() and not THAI.search(en), pair


# ------------------------------------------------------------------------------ labels
def test_every_policy_field_has_a_label() -> None:
    assert list(POLICY_FIELDS) == [f.name for f in dataclasses.fields(km.Policy)]
    for pair in POLICY_FIELDS.values():
        _thai_and_english(pair)


@pytest.mark.parametrize("table", [REASONS, KIND_LABELS, NEED_LABELS], ids=str)
def test_every_label_has_thai_and_english(table) -> None:
    for pair in table.values():
        _thai_and_english(pair)


def test_labels_are_read_only() -> None:
    with pytest.raises(TypeError):
        REASONS["new"] = ("", "")  # type: ignore[index]


# ----------------------------------------------------------------------- column labels
def test_every_column_of_the_result_tables_has_a_label() -> None:
    empty = km.Result(
        pd.DataFrame(columns=list(PAIR_COLUMNS)),
        pd.DataFrame(columns=list(UNMATCHED_COLUMNS)),
        "optimal",
        0.0,
    )
    codes = pd.DataFrame(
        {c: ["TH4001"] for c in ("officer_district", "household_district", "district")}
    )
    written = {
        *PAIR_COLUMNS,
        *UNMATCHED_COLUMNS,
        *OFFICER_LOAD_COLUMNS,
        *PART_COLUMNS,
        *empty.by_province().columns,
        *io.with_district_names(codes).columns,
    }
    assert len(written) == 39  # the district names: six columns beside the three codes
    assert written - set(COLUMN_LABELS) == set()
    for pair in COLUMN_LABELS.values():
        _thai_and_english(pair)


def test_a_thai_column_label_that_is_a_header_alias_means_that_column() -> None:
    """Read with the Thai row as its header, a sheet's alias columns keep their meaning."""
    aliases = {c: contract_column(th) for c, (th, _) in COLUMN_LABELS.items()}
    assert {c: a for c, a in aliases.items() if a is not None and a != c} == {}
    assert aliases["officer_id"] == "officer_id" and aliases["kind"] == "kind"


def test_every_sheet_of_pairs_xlsx_has_a_thai_label_above_each_column(tmp_path: Path) -> None:
    """A country run: summary, provinces, pairs, unmatched and district sheets."""
    officers, households = km.synthetic_country(households=60, officers=20, seed=3)
    result = km.match(officers, households)
    assert len(result.unmatched)  # 40 slots for 60 households
    book = openpyxl.load_workbook(io.write_pairs_xlsx(result, tmp_path / "pairs.xlsx"))
    assert book.sheetnames[:4] == ["summary", "provinces", "pairs", "unmatched"]
    for sheet in book.worksheets:
        thai, names = ([c.value for c in row] for row in sheet.iter_rows(max_row=2))
        unlabelled = [n for t, n in zip(thai, names, strict=True) if not t]
        assert unlabelled == [], sheet.title
        assert thai == [COLUMN_LABELS[n][0] for n in names]
        assert all(THAI.search(t) for t in thai)


# ------------------------------------------------------------------------ reason codes
@pytest.fixture(scope="module")
def country() -> tuple[pd.DataFrame, pd.DataFrame]:
    # 150 officers of capacity 2 for 600 households: at least 300 stay unmatched
    return km.synthetic_country(households=600, officers=150, seed=1)


def _costs_run() -> km.Result:
    """Household 1 listed with A only, 2 with A and B (both taken), 3 not listed."""
    costs = pd.DataFrame(
        {"officer_id": ["A", "A", "B"], "household_id": [1, 2, 2], "cost": [1, 2, 9]}
    )
    officers = docstring_officers().assign(capacity=[1, 0])
    return km.match(officers, docstring_households(), costs=costs)


def _stopped_run(officers: pd.DataFrame, households: pd.DataFrame) -> km.Result:
    """An answer whose search a time limit stopped (not proven)."""
    instance = prepare(officers, households)
    outcome, extra = solve(instance)
    return answer(instance, dataclasses.replace(outcome, certified=False), extra)


RUNS = {
    "distance": lambda o, h: km.match(o, h, km.Policy(max_distance_km=5)),
    "distance in district": lambda o, h: km.match(
        o, h, km.Policy(max_distance_km=10, same_district=True)
    ),
    "same_district": lambda o, h: km.match(o, h, km.Policy(same_district=True)),
    "same_province": lambda o, h: km.match(o, h, km.Policy(same_province=True)),
    "all slots taken": lambda o, h: km.match(o, h),
    "no officers": lambda o, h: km.match(o.iloc[:0], h.head(3)),
    "no capacity": lambda o, h: km.match(o.head(5).assign(capacity=0), h.head(3)),
    "quota": lambda o, h: km.match(
        o.head(20), h.head(10), km.Policy(quotas=[km.Quota(max_count=5)])
    ),
    "costs": lambda o, h: _costs_run(),
    "time limit": lambda o, h: _stopped_run(o, h),
}


@pytest.fixture(scope="module")
def runs(country) -> dict[str, km.Result]:
    return {name: run(*country) for name, run in RUNS.items()}


@pytest.mark.parametrize("name", list(RUNS))
def test_every_reason_has_a_code_with_thai_text(runs, name: str) -> None:
    lost = runs[name].unmatched
    assert len(lost) and list(lost.columns) == list(UNMATCHED_COLUMNS)
    for reason, code in zip(lost["reason"], lost["reason_code"], strict=True):
        assert code in REASONS, (code, reason)
        assert THAI.search(REASONS[code][0])
        # the codes of an older unmatched.csv, read back from its texts, are the same
        assert reason_code_of(reason) == code, reason


def test_the_runs_produce_every_kind_of_reason(runs) -> None:
    seen = {code for r in runs.values() for code in r.unmatched["reason_code"]}
    assert seen == set(REASONS)


def test_reason_codes_by_policy(runs) -> None:
    def codes(name: str) -> set[str]:
        return set(runs[name].unmatched["reason_code"])

    assert codes("distance") == {"no_officer_within_reach", "officers_full"}
    assert codes("same_district") == {"no_officer_in_district", "district_officers_full"}
    assert codes("same_province") == {"no_officer_in_province", "province_officers_full"}
    assert codes("all slots taken") == {"all_slots_taken"}
    assert codes("costs") == {"not_in_costs", "costs_officers_full"}
    assert codes("quota") == {"quota"}
    assert codes("time limit") == {"time_limit"}


def test_no_unmatched_gives_an_empty_code_column() -> None:
    result = km.match(docstring_officers(), docstring_households())
    assert result.unmatched.empty and "reason_code" in result.unmatched.columns


def test_reason_code_of_an_unknown_text() -> None:
    assert reason_code_of("no helper nearby") is None
    assert reason_code_of(float("nan")) is None


def test_load_result_fills_the_codes_of_an_older_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], country
) -> None:
    officers, households = country
    inputs = tmp_path / "in"
    io.write_csv(officers.head(30), inputs / "officers.csv")
    io.write_csv(households.head(120), inputs / "households.csv")
    out = tmp_path / "out"
    argv = ["solve", inputs / "officers.csv", inputs / "households.csv", "--out", out, "-q"]
    assert cli.main([str(a) for a in argv]) == 1  # households left unmatched
    written = io.read_table(out / "unmatched.csv")
    assert set(UNMATCHED_COLUMNS) <= set(written.columns)
    fresh, _, _ = cli.load_result(out)
    io.write_csv(written.drop(columns="reason_code"), out / "unmatched.csv")  # as before
    older, _, _ = cli.load_result(out)
    assert older.unmatched["reason_code"].tolist() == fresh.unmatched["reason_code"].tolist()
    assert set(older.unmatched["reason_code"]) == {"all_slots_taken"}


# ------------------------------------------------------------------------ policy lines
def test_default_policy_lines() -> None:
    assert policy_lines(km.Policy(), "en") == ["capacity 2 households per officer"]
    assert policy_lines(km.Policy()) == ["เจ้าหน้าที่ 1 คนดูแลได้ 2 ครัวเรือน"]
    assert policy_lines(km.Policy(capacity=1), "en") == ["capacity 1 household per officer"]


def test_policy_lines_with_quotas_min_load_and_distance() -> None:
    quota = km.Quota(
        households={"kind": "welfare"},
        officers={"agency": ["public_health", "social_development"]},
        min_share=0.5,
    )
    policy = km.Policy(max_distance_km=25.0, min_load=1, same_district=True, quotas=[quota])
    assert policy_lines(policy, "en") == [
        "capacity 2 households per officer",
        "pairs within 25 km",
        "at least 1 household per officer (of capacity 1 or more)",
        "only pairs in the same district",
        "at least 50 % of welfare households with public_health, social_development",
    ]
    assert policy_lines(policy, "th") == [
        "เจ้าหน้าที่ 1 คนดูแลได้ 2 ครัวเรือน",
        "จับคู่ในระยะไม่เกิน 25 กม.",
        "เจ้าหน้าที่ดูแลอย่างน้อย 1 ครัวเรือน (ผู้ที่รับได้ตั้งแต่ 1 ครัวเรือน)",
        "จับคู่เฉพาะในอำเภอเดียวกัน",
        "อย่างน้อยร้อยละ 50 ของครัวเรือนสงเคราะห์ จับคู่กับ สาธารณสุข, พัฒนาสังคมและความมั่นคงของมนุษย์",
    ]


def test_policy_lines_bottleneck_and_named_quota() -> None:
    bottleneck = km.Policy(objective="bottleneck")
    assert policy_lines(bottleneck, "en")[1] == "bottleneck: the longest pair as short as possible"
    assert THAI.search(policy_lines(bottleneck)[1])
    capped = km.Policy(
        quotas=[
            km.Quota(officers={"agency": "สาธารณสุข"}, max_share=0.1, name="health cap"),
            km.Quota(households={"need": ["health", "access"]}, min_count=30, max_count=40),
        ]
    )
    assert policy_lines(capped, "en")[1:] == [
        "health cap: at most 10 % of all households with public_health",
        "at least 30 and at most 40 of households in need of access or health paired",
    ]
    assert policy_lines(capped, "th")[1:] == [
        "health cap: ไม่เกินร้อยละ 10 ของครัวเรือนทั้งหมด จับคู่กับ สาธารณสุข",
        "อย่างน้อย 30 และไม่เกิน 40 ของครัวเรือนที่ต้องการด้านการเข้าถึงบริการรัฐหรือสุขภาพ ที่ได้จับคู่",
    ]


def _every_field_changed() -> km.Policy:
    return km.Policy(
        capacity=3,
        capacity_by={"column": "rank", "values": {"division head": 8, "ordinary cadre": 4}},
        max_distance_km=30,
        fit_weight=4.0,
        cross_district_penalty=2.5,
        neutral_fit=0.3,
        fit_table=km.default_fit_table().frame,
        candidate_k=8,
        min_load=1,
        same_district=True,
        same_province=True,
        coordinate_check="warn",
        quotas=[km.Quota(households={"kind": "welfare", "district": "TH4001"}, min_share=0.6)],
        pair_distance_weight=0.5,
        churn_cost=10.0,
    )


@pytest.mark.parametrize("lang", ["th", "en"])
def test_every_setting_reads_in_plain_words(lang: str) -> None:
    lines = policy_lines(_every_field_changed(), lang)
    assert len(lines) == len(POLICY_FIELDS) - 1  # all but the default objective
    assert len(set(lines)) == len(lines)
    for line in lines:
        assert not re.search(r"[{}\[\]]|\w\(|'|None|True|False", line), line
    assert all(THAI.search(line) for line in lines) == (lang == "th")
    # the bottleneck objective cannot go with quotas or compact pairs
    assert len(policy_lines(km.Policy(objective="bottleneck", min_load=1), lang)) == 3


def test_policy_lines_refuses_an_unknown_language() -> None:
    with pytest.raises(km.ValidationError, match="must be 'th' or 'en'"):
        policy_lines(km.Policy(), "fr")


# ------------------------------------------------------------------------- CLI summary
def test_cli_summary_prints_the_policy_in_words(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    officers, households = km.synthetic_province(officers=30, households=40, seed=1)
    inputs = tmp_path / "in"
    io.write_csv(officers, inputs / "officers.csv")
    io.write_csv(households, inputs / "households.csv")
    (inputs / "policy.toml").write_text(
        'min_load = 1\nmax_distance_km = 60.0\n\n[[quotas]]\nhouseholds = { kind = "welfare" }\n'
        'officers = { agency = ["public_health", "social_development"] }\nmax_share = 1.0\n',
        encoding="utf-8",
    )
    argv = [
        "solve",
        inputs / "officers.csv",
        inputs / "households.csv",
        "--out",
        tmp_path / "out",
        "--policy",
        inputs / "policy.toml",
    ]
    cli.main([str(a) for a in argv])
    stdout = capsys.readouterr().out
    (line,) = [line for line in stdout.splitlines() if line.strip().startswith("Policy")]
    assert line.split("Policy", 1)[1].strip() == (
        "capacity 2 households per officer; pairs within 60 km; at least 1 household per "
        "officer (of capacity 1 or more); at most 100 % of welfare households with "
        "public_health, social_development"
    )
    for repr_text in ("Quota(", "CapacityBy(", "{", "[", "quotas", "min_load"):
        assert repr_text not in line, repr_text
