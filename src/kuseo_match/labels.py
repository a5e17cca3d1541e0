"""The texts an analyst reads, in Thai and English, in one place.

* :data:`REASONS`: each kind of reason why a household stays unmatched, by its
  code (the ``reason_code`` column of ``Result.unmatched``), as a Thai and an
  English text.  The ``reason`` column keeps the full English sentence with its
  counts; the code groups the households that share a cause.
* :data:`POLICY_FIELDS`: a Thai and an English label for every
  :class:`~kuseo_match.policy.Policy` field.
* :data:`KIND_LABELS`, :data:`NEED_LABELS`: the household kinds and needs.
* :data:`COLUMN_LABELS`: a Thai and an English label for every column of the
  tables the package writes (``pairs.xlsx`` shows the Thai ones above the
  column names).
* :func:`policy_lines`: a policy in plain words, Thai or English.
* :func:`reason_code_of`: the code of a ``reason`` text, for tables written
  before the ``reason_code`` column existed.

Every mapping holds ``(thai, english)`` pairs; ``lang="th"`` picks the first.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import fields
from types import MappingProxyType
from typing import Final

import pandas as pd

from .errors import ValidationError
from .fit import default_fit_table
from .policy import Policy
from .quotas import Quota

__all__ = [
    "COLUMN_LABELS",
    "KIND_LABELS",
    "LANGS",
    "NEED_LABELS",
    "POLICY_FIELDS",
    "REASONS",
    "policy_lines",
    "reason_code_of",
]

#: The languages of every label, in the order of the ``(thai, english)`` pairs.
LANGS: Final = ("th", "en")

#: Why a household stays unmatched: ``reason_code -> (thai, english)``.  The
#: ``reason`` column of ``Result.unmatched`` says the same in a full English
#: sentence with the counts (how many officers, how many km).
REASONS: Final[Mapping[str, tuple[str, str]]] = MappingProxyType(
    {
        "no_officers": ("ไม่มีเจ้าหน้าที่ในข้อมูล", "there are no officers"),
        "no_capacity": (
            "ไม่มีเจ้าหน้าที่ที่รับครัวเรือนได้ (ความจุเป็น 0 ทุกคน)",
            "no officer has capacity (every capacity is 0)",
        ),
        "not_in_costs": (
            "ตาราง costs ไม่มีเจ้าหน้าที่ที่ยังรับได้สำหรับครัวเรือนนี้",
            "no officer with capacity is listed for this household in costs",
        ),
        "costs_officers_full": (
            "เจ้าหน้าที่ที่ตาราง costs ระบุไว้สำหรับครัวเรือนนี้รับครบแล้วทุกคน",
            "the officers listed for it in costs are all full",
        ),
        "no_officer_within_reach": (
            "ไม่มีเจ้าหน้าที่ในระยะทางที่กำหนด",
            "no officer within the distance limit",
        ),
        "officers_full": (
            "เจ้าหน้าที่ในระยะทางที่กำหนดรับครบแล้วทุกคน",
            "the officers within the distance limit are all full",
        ),
        "no_officer_in_district": (
            "ไม่มีเจ้าหน้าที่ที่ยังรับได้ในอำเภอเดียวกัน",
            "no officer with capacity in its district",
        ),
        "district_officers_full": (
            "เจ้าหน้าที่ในอำเภอเดียวกันรับครบแล้วทุกคน",
            "the officers of its district are all full",
        ),
        "no_officer_in_province": (
            "ไม่มีเจ้าหน้าที่ที่ยังรับได้ในจังหวัดเดียวกัน",
            "no officer with capacity in its province",
        ),
        "province_officers_full": (
            "เจ้าหน้าที่ในจังหวัดเดียวกันรับครบแล้วทุกคน",
            "the officers of its province are all full",
        ),
        "all_slots_taken": (
            "เจ้าหน้าที่ทุกคนรับครบแล้ว (ครัวเรือนมากกว่าที่เจ้าหน้าที่รับได้)",
            "all officer slots are taken (more households than slots)",
        ),
        "quota": (
            "ไม่ได้จับคู่เพื่อให้เป็นไปตามโควตา",
            "left unpaired so that the quotas hold",
        ),
        "time_limit": (
            "ยังไม่ได้จับคู่เมื่อหมดเวลาคำนวณ ให้เพิ่มเวลาแล้วคำนวณใหม่",
            "not paired when the time limit stopped the search; run again with a longer time limit",
        ),
    }
)

#: How this version's ``reason`` texts begin, for each code (see :func:`reason_code_of`).
_REASON_STARTS: Final = tuple(
    (code, re.compile(pattern))
    for code, pattern in (
        ("no_officers", r"there are no officers"),
        ("no_capacity", r"no officer has capacity"),
        ("not_in_costs", r"no officer with capacity is listed for this household in costs"),
        ("costs_officers_full", r"the [\d,]+ officer\(s\) listed for it in costs are all full"),
        ("no_officer_within_reach", r"no officer within "),
        ("officers_full", r"the [\d,]+ officer\(s\) within .* are all full"),
        ("no_officer_in_district", r"no officer with capacity in its district"),
        ("district_officers_full", r"the [\d,]+ officer\(s\) of its district are all full"),
        ("no_officer_in_province", r"no officer with capacity in its province"),
        ("province_officers_full", r"the [\d,]+ officer\(s\) of its province are all full"),
        ("all_slots_taken", r"all [\d,]+ officer slots are taken"),
        ("quota", r"left unpaired so that the quotas hold"),
        ("time_limit", r"not paired when the time limit stopped the search"),
    )
)

#: A label for every :class:`~kuseo_match.policy.Policy` field: ``name -> (thai, english)``.
POLICY_FIELDS: Final[Mapping[str, tuple[str, str]]] = MappingProxyType(
    {
        "capacity": ("ครัวเรือนต่อเจ้าหน้าที่", "Households per officer"),
        "capacity_by": ("ครัวเรือนต่อเจ้าหน้าที่ตามตำแหน่ง", "Households per officer by rank"),
        "max_distance_km": ("ระยะทางสูงสุด (กม.)", "Longest allowed distance (km)"),
        "fit_weight": ("น้ำหนักความเหมาะสม (กม.)", "Fit weight (km-equivalents)"),
        "cross_district_penalty": (
            "ค่าปรับข้ามอำเภอ (กม.)",
            "Cross-district penalty (km-equivalents)",
        ),
        "neutral_fit": (
            "ความเหมาะสมของหน่วยงานที่ไม่อยู่ในตาราง",
            "Neutral fit (agencies not in the fit table)",
        ),
        "fit_table": ("ตารางความเหมาะสมของหน่วยงาน", "Agency fit table"),
        "candidate_k": (
            "เจ้าหน้าที่ที่พิจารณาต่อครัวเรือนในรอบแรก",
            "Candidate officers per household (first round)",
        ),
        "objective": ("เป้าหมายการจับคู่", "Objective"),
        "min_load": ("ครัวเรือนขั้นต่ำต่อเจ้าหน้าที่", "Least households per officer"),
        "same_district": ("จับคู่ในอำเภอเดียวกันเท่านั้น", "Same district only"),
        "same_province": ("จับคู่ในจังหวัดเดียวกันเท่านั้น", "Same province only"),
        "coordinate_check": ("การตรวจพิกัดที่ผิดปกติ", "Impossible coordinates"),
        "quotas": ("โควตา", "Quotas"),
        "pair_distance_weight": (
            "น้ำหนักระยะระหว่างครัวเรือนของเจ้าหน้าที่คนเดียวกัน",
            "Compact pairs (weight of the km between an officer's households)",
        ),
        "churn_cost": (
            "ค่าการย้ายครัวเรือนเดิมไปเจ้าหน้าที่คนอื่น (กม.)",
            "Cost of moving a previous household (km-equivalents)",
        ),
    }
)

#: Household kinds: ``kind -> (thai, english)``.
KIND_LABELS: Final[Mapping[str, tuple[str, str]]] = MappingProxyType(
    {
        "developable": ("ครัวเรือนพัฒนาได้", "Developable"),
        "welfare": ("ครัวเรือนสงเคราะห์", "Welfare"),
    }
)

#: Household need columns: ``need_<need> -> (thai, english)``, in report order.
NEED_LABELS: Final[Mapping[str, tuple[str, str]]] = MappingProxyType(
    {
        "need_health": ("สุขภาพ", "Health"),
        "need_living": ("ความเป็นอยู่", "Living standards"),
        "need_education": ("การศึกษา", "Education"),
        "need_income": ("รายได้", "Income"),
        "need_access": ("การเข้าถึงบริการรัฐ", "Access to public services"),
    }
)


#: The columns of the tables the package writes: ``column -> (thai, english)``.
#: Every column of ``Result.pairs``, ``Result.unmatched``, ``Result.officer_load``,
#: ``Result.parts`` and :meth:`~kuseo_match.result.Result.by_province`, the district
#: names beside a district code (:func:`kuseo_match.io.with_district_names`) and the
#: columns of the ``summary`` and district sheets of ``pairs.xlsx``.  The columns
#: that carry the input tables' other columns (``officer_name``,
#: ``household_village``) have none.  The Thai words are those of the report and
#: of :data:`POLICY_FIELDS`; an id, agency, kind, district or cost label is also a
#: header alias the input tables may use (:data:`kuseo_match.schema.COLUMN_ALIASES`).
COLUMN_LABELS: Final[Mapping[str, tuple[str, str]]] = MappingProxyType(
    {
        # Result.pairs
        "officer_id": ("รหัสเจ้าหน้าที่", "Officer id"),
        "household_id": ("รหัสครัวเรือน", "Household id"),
        "cost": ("ต้นทุน", "Cost"),
        "distance_km": ("ระยะทาง (กม.)", "Distance (km)"),
        "fit": ("ความเหมาะสมของหน่วยงาน", "Agency fit"),
        "kind_affinity": ("ความเหมาะสมกับประเภทครัวเรือน", "Agency fit to the household kind"),
        "agency": ("หน่วยงาน", "Agency"),
        "officer_district": ("อำเภอของเจ้าหน้าที่", "Officer's district"),
        "kind": ("ประเภทครัวเรือน", "Household kind"),
        "household_district": ("อำเภอของครัวเรือน", "Household's district"),
        # district names beside the codes
        "officer_district_th": ("ชื่ออำเภอของเจ้าหน้าที่ (ไทย)", "Officer's district (Thai)"),
        "officer_district_en": (
            "ชื่ออำเภอของเจ้าหน้าที่ (อังกฤษ)",
            "Officer's district (English)",
        ),
        "household_district_th": ("ชื่ออำเภอของครัวเรือน (ไทย)", "Household's district (Thai)"),
        "household_district_en": (
            "ชื่ออำเภอของครัวเรือน (อังกฤษ)",
            "Household's district (English)",
        ),
        "district_th": ("ชื่ออำเภอ (ไทย)", "District (Thai)"),
        "district_en": ("ชื่ออำเภอ (อังกฤษ)", "District (English)"),
        # Result.unmatched, and the district sheets of pairs.xlsx
        "reason": ("เหตุผล", "Reason"),
        "reason_code": ("รหัสเหตุผล", "Reason code"),
        "status": ("สถานะ", "Status"),
        # Result.officer_load
        "district": ("อำเภอ", "District"),
        "capacity": ("จำนวนครัวเรือนที่รับได้", "Capacity"),
        "load": ("จำนวนครัวเรือนที่ดูแล", "Load"),
        "price": ("ราคา", "Price"),
        # the summary sheet of pairs.xlsx
        "section": ("หมวด", "Section"),
        "key": ("รายการ", "Item"),
        "value": ("ค่า", "Value"),
        # Result.by_province
        "province_code": ("รหัสจังหวัด", "Province code"),
        "province_th": ("ชื่อจังหวัด (ไทย)", "Province (Thai)"),
        "province_en": ("ชื่อจังหวัด (อังกฤษ)", "Province (English)"),
        "households": ("ครัวเรือน", "Households"),
        "paired": ("จับคู่แล้ว", "Paired"),
        "unmatched": ("ยังไม่ได้จับคู่", "Unmatched"),
        "unmatched_share": ("สัดส่วนที่ยังไม่ได้จับคู่", "Unmatched share"),
        "mean_distance_km": ("ระยะทางเฉลี่ย (กม.)", "Mean distance (km)"),
        "max_distance_km": ("ระยะทางไกลสุด (กม.)", "Longest distance (km)"),
        "officers": ("เจ้าหน้าที่", "Officers"),
        "slots": ("ที่ว่างทั้งหมด", "Slots (sum of capacities)"),
        "objective": ("ต้นทุนรวม", "Total cost (objective)"),
        # Result.parts
        "part": ("ส่วน", "Part"),
        "provinces": ("จังหวัดในส่วนนี้", "Provinces"),
        "seconds": ("เวลา (วินาที)", "Seconds"),
        "tries": ("จำนวนครั้งที่คำนวณ", "Tries"),
    }
)


def reason_code_of(reason: object) -> str | None:
    """The :data:`REASONS` code of a ``reason`` text this version writes.

    For ``unmatched.csv`` files written before the ``reason_code`` column
    existed; a result made now carries its codes.

    Parameters
    ----------
    reason : str
        A ``reason`` cell of ``Result.unmatched``.

    Returns
    -------
    str or None
        The code; None for a text (or a missing cell) of no known kind.

    Examples
    --------
    >>> reason_code_of("the 3 officer(s) within 30 km are all full")
    'officers_full'
    >>> reason_code_of("no officer within 30 km in its district (same_district)")
    'no_officer_within_reach'
    >>> print(reason_code_of("no helper"))
    None
    """
    if not isinstance(reason, str):
        return None
    return next((code for code, start in _REASON_STARTS if start.match(reason)), None)


def policy_lines(policy: Policy, lang: str = "th") -> list[str]:
    """A policy in plain words: the capacity, then each setting that differs from
    the defaults (one line per quota), in :class:`~kuseo_match.policy.Policy`
    field order.

    Parameters
    ----------
    policy : Policy
    lang : {"th", "en"}, default "th"

    Returns
    -------
    list of str

    Raises
    ------
    ValidationError
        ``lang`` is neither ``"th"`` nor ``"en"``.

    Examples
    --------
    >>> import kuseo_match as km
    >>> policy = km.Policy(max_distance_km=25, same_district=True, min_load=1,
    ...     quotas=[km.Quota(households={"kind": "welfare"},
    ...         officers={"agency": ["public_health", "social_development"]}, min_share=0.5)])
    >>> for line in policy_lines(policy, "en"):
    ...     print(line)
    capacity 2 households per officer
    pairs within 25 km
    at least 1 household per officer (of capacity 1 or more)
    only pairs in the same district
    at least 50 % of welfare households with public_health, social_development
    >>> policy_lines(policy)[1]
    'จับคู่ในระยะไม่เกิน 25 กม.'
    >>> policy_lines(km.Policy(objective="bottleneck"), "en")
    ['capacity 2 households per officer', 'bottleneck: the longest pair as short as possible']
    """
    if lang not in LANGS:
        raise ValidationError("must be 'th' or 'en'", table="lang", value=lang)
    at = LANGS.index(lang)
    default = Policy().to_dict()
    settings = policy.to_dict()
    names = [f.name for f in fields(Policy)]
    shown = ["capacity"] + [n for n in names if n != "capacity" and settings[n] != default[n]]
    return [pair[at] for name in shown for pair in _PHRASES[name](policy)]


Phrases = list[tuple[str, str]]


def _n(x: float) -> str:
    """A number as the analyst writes it: ``25`` not ``25.0``, ``1,200`` households."""
    return f"{x:,}" if isinstance(x, int) else f"{x:g}"


def _households(n: int) -> str:
    return f"{n:,} household" + ("" if n == 1 else "s")


def _capacity(p: Policy) -> Phrases:
    return [
        (
            f"เจ้าหน้าที่ 1 คนดูแลได้ {_n(p.capacity)} ครัวเรือน",
            f"capacity {_households(p.capacity)} per officer",
        )
    ]


def _capacity_by(p: Policy) -> Phrases:
    if p.capacity_by is None:
        return [("ความจุไม่ขึ้นกับตำแหน่ง", "capacity not by rank")]
    ranks = ", ".join(f"{rank} {n}" for rank, n in p.capacity_by.values)
    column = p.capacity_by.column
    return [
        (
            f"จำนวนครัวเรือนตามตำแหน่ง (คอลัมน์ {column}): {ranks}",
            f"households per officer by {column}: {ranks}",
        )
    ]


def _max_distance(p: Policy) -> Phrases:
    if p.max_distance_km is None:
        return [("จับคู่ได้ทุกระยะทาง", "pairs at any distance")]
    km = _n(p.max_distance_km)
    return [(f"จับคู่ในระยะไม่เกิน {km} กม.", f"pairs within {km} km")]


def _fit_weight(p: Policy) -> Phrases:
    km = _n(p.fit_weight)
    return [
        (
            f"หน่วยงานที่ไม่เหมาะสมเลยนับเป็นระยะไกลขึ้น {km} กม.",
            f"a completely unfitting agency counts as {km} km farther",
        )
    ]


def _cross_district(p: Policy) -> Phrases:
    km = _n(p.cross_district_penalty)
    return [
        (
            f"คู่ข้ามอำเภอนับเป็นระยะไกลขึ้น {km} กม.",
            f"a pair across districts counts as {km} km farther",
        )
    ]


def _neutral_fit(p: Policy) -> Phrases:
    fit = _n(p.neutral_fit)
    return [
        (
            f"หน่วยงานที่ไม่อยู่ในตารางความเหมาะสมได้ค่าความเหมาะสม {fit}",
            f"agencies not in the fit table fit {fit}",
        )
    ]


def _fit_table(p: Policy) -> Phrases:
    if p.fit_table is None:
        return [("ตารางความเหมาะสมที่มากับโปรแกรม", "the shipped fit table")]
    return [("ตารางความเหมาะสมของผู้ใช้", "a custom fit table")]


def _candidate_k(p: Policy) -> Phrases:
    k = _n(p.candidate_k)
    return [
        (
            f"พิจารณาเจ้าหน้าที่ {k} คนต่อครัวเรือนในรอบแรก (มีผลต่อความเร็วเท่านั้น)",
            f"{k} candidate officers per household at first (speed only)",
        )
    ]


def _objective(p: Policy) -> Phrases:
    if p.objective == "bottleneck":
        return [
            (
                "ให้คู่ที่ไกลที่สุดใกล้ที่สุดเท่าที่ทำได้",
                "bottleneck: the longest pair as short as possible",
            )
        ]
    return [("ต้นทุนรวมต่ำที่สุด", "the least total cost")]


def _min_load(p: Policy) -> Phrases:
    n = p.min_load
    return [
        (
            f"เจ้าหน้าที่ดูแลอย่างน้อย {_n(n)} ครัวเรือน (ผู้ที่รับได้ตั้งแต่ {_n(n)} ครัวเรือน)",
            f"at least {_households(n)} per officer (of capacity {_n(n)} or more)",
        )
    ]


def _same_district(p: Policy) -> Phrases:
    if not p.same_district:
        return [("จับคู่ข้ามอำเภอได้", "pairs across districts allowed")]
    return [("จับคู่เฉพาะในอำเภอเดียวกัน", "only pairs in the same district")]


def _same_province(p: Policy) -> Phrases:
    if not p.same_province:
        return [("จับคู่ข้ามจังหวัดได้", "pairs across provinces allowed")]
    return [("จับคู่เฉพาะในจังหวัดเดียวกัน", "only pairs in the same province")]


def _coordinate_check(p: Policy) -> Phrases:
    if p.coordinate_check == "warn":
        return [
            (
                "พิกัดที่ผิดปกติ: เตือนแล้วใช้ต่อ",
                "impossible coordinates kept, with a warning",
            )
        ]
    return [("ไม่รับพิกัดที่ผิดปกติ", "impossible coordinates refused")]


def _quotas(p: Policy) -> Phrases:
    return [_quota(q, p) for q in p.quotas]


def _quota(q: Quota, p: Policy) -> tuple[str, str]:
    """One quota in words: "at least 50 % of welfare households with public_health"."""
    th: list[str] = []
    en: list[str] = []
    for attr, th_word, en_word in (
        ("min_count", "อย่างน้อย", "at least"),
        ("min_share", "อย่างน้อย", "at least"),
        ("max_count", "ไม่เกิน", "at most"),
        ("max_share", "ไม่เกิน", "at most"),
    ):
        value = getattr(q, attr)
        if value is None:
            continue
        if attr.endswith("share"):
            pct = _n(100 * value)
            th.append(f"{th_word}ร้อยละ {pct}")
            en.append(f"{en_word} {pct} %")
        else:
            th.append(f"{th_word} {_n(value)}")
            en.append(f"{en_word} {_n(value)}")
    houses = dict(q.households)
    kinds = houses.get("kind", ())
    th_h = "หรือ".join(KIND_LABELS[k][0] for k in kinds) or "ครัวเรือน"
    en_h = " or ".join(kinds) + " households" if kinds else "households"
    if "need" in houses:
        needs = houses["need"]
        th_h += "ที่ต้องการด้าน" + "หรือ".join(NEED_LABELS[f"need_{n}"][0] for n in needs)
        en_h += " in need of " + " or ".join(needs)
    if "district" in houses:
        th_h += " ในอำเภอ " + " หรือ ".join(houses["district"])
        en_h += " of district " + " or ".join(houses["district"])
    if not houses:
        th_h, en_h = "ครัวเรือนทั้งหมด", "all households"
    officers = dict(q.officers)
    agencies = officers.get("agency", ())
    th_names, en_names = _agency_names(p, agencies)
    th_o = ", ".join(th_names) or "เจ้าหน้าที่"
    en_o = ", ".join(en_names) or "officers"
    if "district" in officers:
        th_o += " อำเภอ " + " หรือ ".join(officers["district"])
        en_o += " of district " + " or ".join(officers["district"])
    th_o, en_o = (f"จับคู่กับ {th_o}", f"with {en_o}") if officers else ("ที่ได้จับคู่", "paired")
    name = f"{q.name}: " if q.name else ""
    return (
        f"{name}{' และ'.join(th)} ของ{th_h} {th_o}",
        f"{name}{' and '.join(en)} of {en_h} {en_o}",
    )


def _agency_names(p: Policy, agencies: Sequence[str]) -> tuple[list[str], list[str]]:
    """The agencies by their Thai names and by their codes in the policy's fit table;
    as written where the table does not know them (or has no Thai name)."""
    table = p.fit_table or default_fit_table()
    at = table.resolve(list(agencies))
    th = table.frame["name_th"] if "name_th" in table.frame.columns else None
    return (
        [
            str(th.iloc[i]) if th is not None and i >= 0 and pd.notna(th.iloc[i]) else a
            for a, i in zip(agencies, at, strict=True)
        ],
        [table.codes[i] if i >= 0 else a for a, i in zip(agencies, at, strict=True)],
    )


def _pair_distance(p: Policy) -> Phrases:
    w = _n(p.pair_distance_weight)
    return [
        (
            f"คู่กระชับ: ระยะระหว่างครัวเรือนของเจ้าหน้าที่คนเดียวกันคิด {w} ต่อ กม.",
            f"compact pairs: each km between two households of one officer counts {w}",
        )
    ]


def _churn_cost(p: Policy) -> Phrases:
    if p.churn_cost is None:
        return [
            (
                "คงคู่เดิมไว้ เว้นแต่ต้องย้ายเพื่อจับคู่ครัวเรือนได้มากขึ้น",
                "previous pairs kept unless covering more households needs a move",
            )
        ]
    km = _n(p.churn_cost)
    return [
        (
            f"ย้ายครัวเรือนเดิมไปเจ้าหน้าที่คนอื่นนับเป็นระยะไกลขึ้น {km} กม.",
            f"moving a previous household to another officer counts as {km} km",
        )
    ]


#: How each policy field reads, ``name -> policy -> [(thai, english), ...]``.
_PHRASES: Final[Mapping[str, Callable[[Policy], Phrases]]] = MappingProxyType(
    {
        "capacity": _capacity,
        "capacity_by": _capacity_by,
        "max_distance_km": _max_distance,
        "fit_weight": _fit_weight,
        "cross_district_penalty": _cross_district,
        "neutral_fit": _neutral_fit,
        "fit_table": _fit_table,
        "candidate_k": _candidate_k,
        "objective": _objective,
        "min_load": _min_load,
        "same_district": _same_district,
        "same_province": _same_province,
        "coordinate_check": _coordinate_check,
        "quotas": _quotas,
        "pair_distance_weight": _pair_distance,
        "churn_cost": _churn_cost,
    }
)
