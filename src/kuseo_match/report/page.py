"""The HTML report: one self-contained page (:func:`render_report`, :func:`write_report`)."""

from __future__ import annotations

import base64
import logging
import math
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from .._version import __version__
from ..errors import ValidationError
from ..io.write import replace_file
from ..labels import LANGS, POLICY_FIELDS, REASONS, policy_lines
from ..result import Result
from .assets import PRINT_CSS, SCRIPT
from .district_lists import district_lists, left_out_note
from .fonts import CSS_FONT_STACK, EMBEDDED_FAMILY, embedded_font_css
from .inputs import (
    AGGREGATE_HOUSEHOLDS,
    canonical,
    is_synthetic,
    officer_capacity,
    reference_districts,
    result_households,
)
from .interactive_map import interactive_map, interactive_map_html
from .labels import (
    DISTRICT_LICENCE,
    DISTRICT_LICENCE_URL,
    DISTRICT_SOURCE,
    KIND_LABELS,
    SYNTHETIC_BANNER,
    TPMAP_SOURCE,
    fmt_int,
    fmt_km,
    fmt_price,
    fmt_share,
    ordered_kinds,
)
from .markup import card, cell, data_value, esc, num, reason_cell
from .static_map import plot_map, png_bytes
from .tables import COMPETENT, district_summary, need_coverage

logger = logging.getLogger(__name__)

_MAX_UNMATCHED_ROWS = 1000

_CSS = """
:root { --dev: #1b9e77; --wel: #d95f02; --off: #1f3a93; --bad: #d7191c; --line: #dddddd; }
* { box-sizing: border-box; }
body { font-family: FONTS; margin: 0; padding: 1.5rem 2rem 3rem; color: #222;
       background: #fafaf7; line-height: 1.45; max-width: 1200px; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
h2 { font-size: 1.2rem; margin: 2rem 0 .6rem; border-bottom: 2px solid var(--line);
     padding-bottom: .2rem; }
h2 small, .label small, th small { color: #666; font-weight: normal; }
.meta { color: #555; margin: 0 0 1rem; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(210px, 1fr));
         gap: .8rem; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: .7rem .9rem; }
.card .label { font-size: .9rem; }
.card .value { font-size: 1.7rem; font-weight: 700; margin-top: .2rem; }
.card.bad .value { color: var(--bad); }
h3 { font-size: 1rem; margin: 1.2rem 0 .4rem; }
table { border-collapse: collapse; background: #fff; font-size: .9rem; }
th, td { border: 1px solid var(--line); padding: .3rem .55rem; text-align: left;
         vertical-align: top; }
th { background: #f0efe9; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
tr.total td { font-weight: 700; background: #f7f6f1; }
tr.warn td { background: #fff1ef; }
.bars { display: grid; grid-template-columns: max-content 1fr max-content; gap: .25rem .6rem;
        align-items: center; max-width: 700px; }
.bar { height: 1.1rem; background: var(--off); border-radius: 3px; min-width: 2px; }
.map img { max-width: 100%; height: auto; border: 1px solid var(--line); background: #fff; }
.note { color: #666; font-size: .85rem; }
.scroll { max-height: 40rem; overflow: auto; display: inline-block; }
.synthetic { border: 3px solid var(--bad); background: #fff1ef; color: #8a1010;
              border-radius: 8px; padding: .7rem 1rem; margin: 0 0 1rem; font-size: 1.05rem; }
footer { margin-top: 2.5rem; color: #555; font-size: .85rem; }
footer h2 { font-size: 1rem; }
footer li { margin: .2rem 0; }
"""


def _headline(result: Result, staff: pd.DataFrame) -> str:
    s = result.summary()
    share = s["kind_fit_share"]
    # one row per kind of reason (reason_code), in Thai and English; the exact text of
    # each household's reason is in unmatched.csv
    kinds = {k: v for k, v in s["unmatched_by_code"].items() if k in REASONS}
    if kinds and sum(kinds.values()) == s["unmatched"]:
        reasons = "".join(
            f'<tr data-reason="{esc(code)}" data-value="{count}">'
            f"<td>{esc(REASONS[code][0])} <small>{esc(REASONS[code][1])}</small></td>"
            f'<td class="n">{count:,}</td></tr>'
            for code, count in sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0]))
        )
    else:  # a result without reason codes (built by hand, or by an older version)
        reasons = "".join(
            f'<tr data-reason="{esc(reason)}" data-value="{count}"><td>{esc(reason)}</td>'
            f'<td class="n">{count:,}</td></tr>'
            for reason, count in sorted(
                s["unmatched_reasons"].items(), key=lambda kv: (-kv[1], kv[0])
            )
        )
    reason_table = (
        "<h3>เหตุที่ยังไม่ได้จับคู่ <small>Why households are unmatched</small></h3>"
        '<table id="unmatched-reasons"><thead><tr><th>เหตุผล <small>Reason</small></th>'
        f"<th>ครัวเรือน <small>Households</small></th></tr></thead><tbody>{reasons}</tbody>"
        "</table>"
        if reasons
        else ""
    )
    used = int((staff["load"] > 0).sum())
    cards = [
        card(
            "ครัวเรือนทั้งหมด",
            "Households",
            num("households", s["households"], fmt_int(s["households"])),
        ),
        card(
            "ครัวเรือนที่จับคู่แล้ว",
            "Households paired",
            num("paired", s["paired"], fmt_int(s["paired"])),
        ),
        card(
            "ยังไม่ได้จับคู่",
            "Households unmatched",
            num("unmatched", s["unmatched"], fmt_int(s["unmatched"])),
            bad=bool(s["unmatched"]),
        ),
        card(
            "ระยะทางเฉลี่ย (กม.)",
            "Mean distance (km)",
            num("mean-km", s["mean_distance_km"], fmt_km(s["mean_distance_km"])),
        ),
        card(
            "ระยะทางไกลสุด (กม.)",
            "Longest distance (km)",
            num("max-km", s["max_distance_km"], fmt_km(s["max_distance_km"])),
        ),
        card(
            "หน่วยงานเหมาะกับประเภทครัวเรือน",
            "Pairs whose agency fits the household kind",
            num("kind-fit-share", share, fmt_share(share)),
            '<div class="note">kind_affinity &ge; 0.5</div>',
        ),
        card("เจ้าหน้าที่", "Officers", num("officers", len(staff), fmt_int(len(staff)))),
        card("เจ้าหน้าที่ที่มีคู่", "Officers with households", num("officers-used", used, fmt_int(used))),
        card(
            "ที่ว่างทั้งหมด",
            "Slots (sum of capacities)",
            num("slots", int(staff["capacity"].sum()), fmt_int(staff["capacity"].sum())),
        ),
    ]
    return '<div class="cards" id="headline">' + "".join(cards) + "</div>" + reason_table


def _kinds_table(result: Result) -> str:
    hh = result_households(result)
    rows = []
    kinds = ordered_kinds(hh["kind"])
    for kind in kinds:
        mine = hh[hh["kind"] == kind]
        th, en = KIND_LABELS.get(str(kind), (str(kind), str(kind)))
        n, paired = len(mine), int(mine["paired"].sum())
        key = re.sub(r"[^A-Za-z0-9_-]+", "-", str(kind))
        rows.append(
            f'<tr data-kind="{esc(kind)}"><td>{esc(th)} / {esc(en)}</td>'
            + cell(f"kind-{key}-households", n, fmt_int(n))
            + cell(f"kind-{key}-paired", paired, fmt_int(paired))
            + f'<td class="n">{fmt_int(n - paired)}</td></tr>'
        )
    return (
        '<table id="kinds"><thead><tr><th>ประเภท <small>Kind</small></th>'
        "<th>ครัวเรือน <small>Households</small></th><th>จับคู่แล้ว <small>Paired</small></th>"
        "<th>ยังไม่ได้จับคู่ <small>Unmatched</small></th></tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table>"
    )


def _needs_table(result: Result, households: pd.DataFrame) -> str:
    cover = need_coverage(result, households)
    if cover.empty:
        return '<p class="note">ไม่มีข้อมูลความต้องการ / The households table has no need columns.</p>'
    rows = []
    for rec in cover.itertuples(index=False):
        key = rec.need.removeprefix("need_")
        share = None if math.isnan(rec.share_paired) else float(rec.share_paired)
        skilled = None if math.isnan(rec.share_competent) else float(rec.share_competent)
        rows.append(
            f'<tr data-need="{esc(key)}"><td>{esc(rec.label_th)} / {esc(rec.label_en)}</td>'
            + cell(f"need-{key}-households", rec.households, fmt_int(rec.households))
            + cell(f"need-{key}-paired", rec.paired, fmt_int(rec.paired))
            + cell(f"need-{key}-share", share, fmt_share(share))
            + cell(f"need-{key}-competent", rec.competent, fmt_int(rec.competent))
            + cell(f"need-{key}-competent-share", skilled, fmt_share(skilled))
            + "</tr>"
        )
    head = "".join(
        f"<th>{th} <small>{en}</small></th>"
        for th, en in (
            ("มิติ", "Need"),
            ("ครัวเรือนที่มีปัญหา", "Households with the need"),
            ("จับคู่แล้ว", "Paired"),
            ("สัดส่วน", "Share paired"),
            ("หน่วยงานถนัดด้านนี้", "Paired with a competent agency"),
            ("สัดส่วน", "Share"),
        )
    )
    custom = result.policy.fit_table is not None
    return (
        f'<table id="needs"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
        '<p class="note">ครัวเรือนหนึ่งอาจมีปัญหาหลายมิติ / A household may have several needs. '
        "An agency is competent in a need when the "
        f"{'custom' if custom else 'default'} fit table rates it {COMPETENT:g} or more; "
        "agencies missing from the fit table are not counted.</p>"
    )


def _load_bars(staff: pd.DataFrame) -> str:
    counts = staff["load"].astype(int).value_counts()
    top = int(max([0, *counts.index, *staff["capacity"]]))
    peak = max(int(counts.max()) if len(counts) else 0, 1)
    rows = []
    for load in range(top + 1):
        n = int(counts.get(load, 0))
        rows.append(
            f'<div class="bar-label">{load} ครัวเรือน / households</div>'
            f'<div class="bar-track"><div class="bar" style="width:{100 * n / peak:.1f}%">'
            f"</div></div>"
            f'<div class="bar-count" data-load="{load}" data-value="{n}">{n:,}</div>'
        )
    return '<div class="bars" id="load-histogram">' + "".join(rows) + "</div>"


def _district_table(result: Result, table: pd.DataFrame, provinces: bool) -> str:
    """The per-district table (``table``: :func:`district_summary`), with each
    district's province when the run spans several."""
    where = _district_provinces(table["district_code"]) if provinces else None
    rows = []
    for i, rec in enumerate(table.itertuples(index=False)):
        warn = ' class="warn"' if rec.unmatched else ""
        mean_km = float(rec.mean_km)
        rows.append(
            f'<tr data-district="{esc(rec.district_code)}"{warn}><td>{esc(rec.district_code)}</td>'
            f"<td>{esc(rec.district_th if isinstance(rec.district_th, str) else '')}</td>"
            f"<td>{esc(rec.district_en if isinstance(rec.district_en, str) else '')}</td>"
            + ("" if where is None else f'<td data-col="province">{esc(where[i])}</td>')
            + "".join(
                f'<td class="n" data-col="{col}" data-value="{int(getattr(rec, col))}">'
                f"{int(getattr(rec, col)):,}</td>"
                for col in ("households", "officers", "slots", "paired", "unmatched")
            )
            + f'<td class="n" data-col="mean_km" data-value="{esc(data_value(mean_km))}">'
            f"{fmt_km(mean_km)}</td>"
            + "".join(
                f'<td class="n" data-col="{col}" '
                f'data-value="{esc(data_value(float(getattr(rec, col))))}">'
                f"{fmt_price(float(getattr(rec, col)))}</td>"
                for col in ("mean_price", "top_price")
            )
            + "</tr>"
        )
    dist = pd.to_numeric(result.pairs["distance_km"], errors="coerce")
    total_km = float(dist.mean()) if dist.notna().any() else None
    total = (
        f'<tr class="total"><td colspan="{3 if where is None else 4}">รวม / Total</td>'
        + "".join(
            f'<td class="n">{int(table[col].sum()):,}</td>'
            for col in ("households", "officers", "slots", "paired", "unmatched")
        )
        + f'<td class="n">{fmt_km(total_km)}</td>'
        + f'<td class="n">{fmt_price(float(table["mean_price"].mean()))}</td>'
        + f'<td class="n">{fmt_price(float(table["top_price"].max()))}</td></tr>'
    )
    head = "".join(
        f"<th>{th} <small>{en}</small></th>"
        for th, en in (
            ("รหัส", "Code"),
            ("อำเภอ", "District (Thai)"),
            ("", "District (English)"),
            *([("จังหวัด", "Province")] if where is not None else []),
            ("ครัวเรือน", "Households"),
            ("เจ้าหน้าที่", "Officers"),
            ("ที่ว่าง", "Slots"),
            ("จับคู่แล้ว", "Paired"),
            ("ยังไม่ได้จับคู่", "Unmatched"),
            ("ระยะเฉลี่ย กม.", "Mean km"),
            ("ราคาเฉลี่ย", "Mean price"),
            ("ราคาสูงสุด", "Top price"),
        )
    )
    note = (
        '<p class="note" id="prices-note">ราคาของเจ้าหน้าที่คือต้นทุนรวมที่ลดลงได้มากที่สุด '
        "เมื่อเจ้าหน้าที่คนนั้นรับเพิ่มอีก 1 ครัวเรือน / An officer's price (in the cost's unit, "
        "km-equivalents with the built-in cost) is the most one more slot for that officer "
        "would save: districts with high prices are where one more officer would save most."
        + _dearest(result)
        + "</p>"
    )
    return note + (
        f'<table id="districts"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}'
        f"</tbody><tfoot>{total}</tfoot></table>"
    )


def _district_provinces(codes: pd.Series) -> list[str]:
    """ "ขอนแก่น / Khon Kaen" for each district code ("" where it names no province)."""
    from ..reference import province_codes, provinces

    names = provinces().set_index("province_code")
    label = names["province_th"] + " / " + names["province_en"]
    found = pd.Series(province_codes(pd.DataFrame({"district": codes.to_numpy()})))
    return found.map(label).fillna("").tolist()


def _province_table(table: pd.DataFrame) -> str:
    """The per-province table (``table``: :meth:`Result.by_province`)."""
    counts = ("households", "paired", "unmatched")
    rows = []
    for rec in table.itertuples(index=False):
        warn = ' class="warn"' if rec.unmatched else ""
        th = rec.province_th if isinstance(rec.province_th, str) else "ไม่ทราบ"
        en = rec.province_en if isinstance(rec.province_en, str) else "unknown"
        share = float(rec.unmatched_share)
        cells = [
            *((col, int(getattr(rec, col)), fmt_int(getattr(rec, col))) for col in counts),
            ("unmatched_share", share, fmt_share(share)),
            *(
                (col, float(getattr(rec, col)), fmt_km(float(getattr(rec, col))))
                for col in ("mean_distance_km", "max_distance_km")
            ),
            *(
                (col, int(getattr(rec, col)), fmt_int(getattr(rec, col)))
                for col in ("officers", "slots")
            ),
            ("objective", float(rec.objective), f"{float(rec.objective):,.1f}"),
        ]
        rows.append(
            f'<tr data-province="{esc(rec.province_code)}"{warn}><td>{esc(rec.province_code)}</td>'
            f"<td>{esc(th)}</td><td>{esc(en)}</td>"
            + "".join(
                f'<td class="n" data-col="{col}" data-value="{esc(data_value(value))}">'
                f"{esc(text)}</td>"
                for col, value, text in cells
            )
            + "</tr>"
        )
    n, lost = int(table["households"].sum()), int(table["unmatched"].sum())
    total = (
        '<tr class="total"><td colspan="3">รวม / Total</td>'
        + "".join(f'<td class="n">{fmt_int(table[col].sum())}</td>' for col in counts)
        + f'<td class="n">{fmt_share(lost / n if n else None)}</td><td></td>'
        + f'<td class="n">{fmt_km(float(table["max_distance_km"].max()))}</td>'
        + "".join(
            f'<td class="n">{fmt_int(table[col].sum())}</td>' for col in ("officers", "slots")
        )
        + f'<td class="n">{float(table["objective"].sum()):,.1f}</td></tr>'
    )
    head = "".join(
        f"<th>{th} <small>{en}</small></th>"
        for th, en in (
            ("รหัส", "Code"),
            ("จังหวัด", "Province (Thai)"),
            ("", "Province (English)"),
            ("ครัวเรือน", "Households"),
            ("จับคู่แล้ว", "Paired"),
            ("ยังไม่ได้จับคู่", "Unmatched"),
            ("สัดส่วน", "Unmatched share"),
            ("ระยะเฉลี่ย กม.", "Mean km"),
            ("ไกลสุด กม.", "Longest km"),
            ("เจ้าหน้าที่", "Officers"),
            ("ที่ว่าง", "Slots"),
            ("ต้นทุน", "Cost (objective)"),
        )
    )
    return (
        f'<table id="provinces"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}'
        f"</tbody><tfoot>{total}</tfoot></table>"
        '<p class="note">จังหวัดของครัวเรือนตามอำเภอ หรือคอลัมน์ province / A household\'s '
        "province is its district's, else its <code>province</code> column's; cost is the "
        "sum of its pairs' costs (its share of the objective).</p>"
    )


def _dearest(result: Result, n: int = 3) -> str:
    """' Most: TH4008 (top 7.50, mean 3.20), ...' for the dearest districts."""
    top = result.prices_by_district()
    top = top[top["top_price"] > 0].head(n)
    if top.empty:
        return ""
    items = ", ".join(
        f"{esc(r.district)} ({fmt_price(r.top_price)}, {esc('mean')} {fmt_price(r.mean_price)})"
        for r in top.itertuples(index=False)
    )
    return f" มากที่สุด / Most: {items}."


def _unmatched_table(result: Result) -> str:
    lost = result.unmatched
    if lost.empty:
        return '<p class="note" id="no-unmatched">ทุกครัวเรือนมีคู่แล้ว / Every household is paired.</p>'
    shown = lost.sort_values(["household_district", "household_id"], key=lambda s: s.astype(str))
    shown = shown.head(_MAX_UNMATCHED_ROWS)
    rows = "".join(
        f'<tr data-household="{esc(rec.household_id)}"><td>{esc(rec.household_id)}</td>'
        f"<td>{esc(KIND_LABELS.get(str(rec.kind), (rec.kind,))[0])} ({esc(rec.kind)})</td>"
        f"<td>{esc(rec.household_district)}</td>"
        f"{reason_cell(rec.reason, getattr(rec, 'reason_code', None))}</tr>"
        for rec in shown.itertuples(index=False)
    )
    more = (
        f'<p class="note">แสดง {len(shown):,} จาก {len(lost):,} / Showing {len(shown):,} of '
        f"{len(lost):,}.</p>"
        if len(lost) > len(shown)
        else ""
    )
    return (
        '<div class="scroll"><table id="unmatched-households"><thead><tr>'
        "<th>ครัวเรือน <small>Household</small></th><th>ประเภท <small>Kind</small></th>"
        "<th>อำเภอ <small>District</small></th><th>เหตุผล <small>Reason</small></th></tr>"
        f"</thead><tbody>{rows}</tbody></table></div>{more}"
    )


def _unmatched_by_district(result: Result, table: pd.DataFrame, provinces: bool) -> str:
    """Above the aggregation threshold: unmatched households per district (most first),
    with the most common reason, instead of one row per household."""
    lost = result.unmatched
    if lost.empty:
        return _unmatched_table(result)
    # the most common kind of reason (reason_code) when the result has codes, else
    # the most common sentence
    coded = "reason_code" in lost.columns and lost["reason_code"].isin(list(REASONS)).all()
    by = lost["reason_code"] if coded else lost["reason"]
    reasons = (
        lost.groupby([lost["household_district"].astype(str), by.astype(str).rename("reason")])
        .size()
        .rename("n")
        .reset_index()
        .sort_values(["n", "reason"], ascending=[False, True], kind="stable")
        .drop_duplicates("household_district")
        .set_index("household_district")
    )
    shown = table[table["unmatched"] > 0].sort_values(
        ["unmatched", "district_code"], ascending=[False, True], kind="stable"
    )
    where = _district_provinces(shown["district_code"]) if provinces else None
    rows = []
    for i, rec in enumerate(shown.itertuples(index=False)):
        code = str(rec.district_code)
        if code not in reasons.index:
            reason = "<td></td>"
        elif coded:
            key, n = reasons.at[code, "reason"], int(reasons.at[code, "n"])
            reason = reason_cell(f"{REASONS[key][1]} ({n:,})", key)
        else:
            reason = reason_cell(f"{reasons.at[code, 'reason']} ({int(reasons.at[code, 'n']):,})")
        share = rec.unmatched / rec.households if rec.households else None
        rows.append(
            f'<tr data-district="{esc(code)}"><td>{esc(code)}</td>'
            f"<td>{esc(rec.district_th if isinstance(rec.district_th, str) else '')}</td>"
            f"<td>{esc(rec.district_en if isinstance(rec.district_en, str) else '')}</td>"
            + ("" if where is None else f"<td>{esc(where[i])}</td>")
            + f'<td class="n" data-col="unmatched" data-value="{int(rec.unmatched)}">'
            f"{fmt_int(rec.unmatched)}</td>"
            f'<td class="n">{fmt_int(rec.households)}</td><td class="n">{fmt_share(share)}</td>'
            f"{reason}</tr>"
        )
    head = "".join(
        f"<th>{th} <small>{en}</small></th>"
        for th, en in (
            ("รหัส", "Code"),
            ("อำเภอ", "District (Thai)"),
            ("", "District (English)"),
            *([("จังหวัด", "Province")] if where is not None else []),
            ("ยังไม่ได้จับคู่", "Unmatched"),
            ("ครัวเรือน", "Households"),
            ("สัดส่วน", "Share"),
            ("เหตุผลที่พบมากที่สุด", "Most common reason"),
        )
    )
    return (
        f'<p class="note" id="unmatched-by-district">{len(lost):,} ครัวเรือนตามอำเภอ '
        "(รายชื่อและเหตุผลอยู่ใน unmatched.csv) / households by district; each household "
        "and its reason is in unmatched.csv and pairs.xlsx.</p>"
        '<div class="scroll"><table id="unmatched-districts"><thead><tr>'
        f"{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
    )


def _policy_table(result: Result) -> str:
    """The policy in plain words (Thai, then English), its settings with their
    labels, and a separate technical block with the run's figures."""
    settings = result.policy.to_dict()
    words = "".join(
        f'<li lang="{lang}">{esc(line)}</li>'
        for lang in LANGS
        for line in policy_lines(result.policy, lang)
    )
    rows = "".join(
        f'<tr data-key="{esc(key)}"><th>{esc(" / ".join(POLICY_FIELDS.get(key, (key, key))))} '
        f"<small>{esc(key)}</small></th>"
        f"<td>{esc('none' if value is None else value)}</td></tr>"
        for key, value in settings.items()
        if key != "quotas"  # in words above
    )
    run = {
        "status": result.status,
        "objective": f"{result.objective:,.3f}",
        "unknown_agencies": ", ".join(map(str, result.unknown_agencies)) or "–",
        **{f"stats.{k}": v for k, v in result.stats.items() if not isinstance(v, Mapping)},
    }
    run_rows = "".join(
        f'<tr data-key="{esc(key)}"><th>{esc(key)}</th>'
        f"<td>{esc(f'{value:.6g}' if isinstance(value, float) else value)}</td></tr>"
        for key, value in run.items()
    )
    return (
        f'<ul id="policy-words">{words}</ul>'
        f'<table id="policy"><tbody>{rows}</tbody></table>'
        f'<h3>การคำนวณ <small>Run</small></h3><table id="run"><tbody>{run_rows}</tbody></table>'
    )


def _synthetic_banner() -> str:
    lead, rest = SYNTHETIC_BANNER
    return (
        f'<p class="synthetic" id="synthetic-banner"><strong>{esc(lead)}</strong> {esc(rest)}</p>'
    )


def _sources(result: Result, synthetic: bool) -> str:
    """The footer: where the shown data come from, and their licences."""
    licence = f'<a href="{esc(DISTRICT_LICENCE_URL)}" rel="license">{esc(DISTRICT_LICENCE)}</a>'
    if result.policy.fit_table is None:
        fit = (
            "the default table (data/agency_fit.csv), kuseo_match's own encoding of the "
            "agency table of the programme's reference note"
        )
    else:
        fit = "the custom fit table given in the policy"
    items = [
        "อำเภอ: ขอบเขต ชื่อ และจุดศูนย์กลาง / Districts: boundaries, names and centroids "
        f"(computed from the boundaries): {esc(DISTRICT_SOURCE)}. Licence: {licence}.",
        f"ความเหมาะสมของหน่วยงาน / Agency–need fit: {esc(fit)}.",
    ]
    if synthetic:
        items.append(
            "ครัวเรือนสังเคราะห์ / Synthetic households (kuseo_match.synth): need shares and, "
            f"in Khon Kaen, district weights derived from {esc(TPMAP_SOURCE)}."
        )
    return (
        '<footer id="sources"><h2>แหล่งข้อมูล <small>Data sources</small></h2><ul>'
        + "".join(f"<li>{item}</li>" for item in items)
        + f"</ul><p>kuseo_match {esc(__version__)}</p></footer>"
    )


def render_report(
    result: Result,
    officers: pd.DataFrame,
    households: pd.DataFrame,
    *,
    map_png: bytes | None = None,
    title: str | None = None,
    districts: pd.DataFrame | None = None,
    boundaries: Mapping[str, Any] | None = None,
    embed_font: bool = True,
    aggregate_above: int = AGGREGATE_HOUSEHOLDS,
) -> str:
    """One self-contained HTML page about a matching result (Thai and English).

    The page holds the headline numbers, households by kind, need coverage,
    officers' load, a per-province table (``#provinces``, when the households
    lie in more than one province: :meth:`Result.by_province`), a
    per-district table (with each district's province then), the map (a
    PNG, then on a screen the interactive map of
    :mod:`~kuseo_match.report.interactive_map`, ``#map-interactive``, with
    BokehJS inline), the unmatched households and the policy used.  Above ``aggregate_above``
    households the map is :func:`plot_map`'s district map and the unmatched
    households are counted per district (``#unmatched-districts``, with the
    most common reason) instead of listed one by one.  A footer
    (``#sources``) credits the district data (RTSD via UN OCHA, with a link
    to its CC BY-IGO 3.0 licence) and the agency-need fit table.  When
    :func:`is_synthetic` holds for the frames, a banner
    (``#synthetic-banner``) at the top says that every officer and household
    is generated, and the footer credits TPMAP, from which the synthetic
    households' needs are drawn.  Images are inline (base64 data
    URIs); there is no stylesheet link, external font or script source,
    and the licence link is the page's only external address.  All user
    text (ids, agencies, reasons, districts, the caller's other columns) is
    escaped.

    Up to ``aggregate_above`` households, the page ends with one section
    per household district listing who is paired with whom
    (``section.district``, :mod:`~kuseo_match.report.district_lists`): the
    officer (id, agency, and the officers table's other columns such as a
    name or phone), the household (id, kind, needs, and the households
    table's other columns), the distance, then the district's unmatched
    households with their reason, its totals and a signature line for the
    district chief.  One inline script (:mod:`~kuseo_match.report.assets`)
    sorts these tables when a header is clicked and filters their rows from
    a search box (``#pair-search``); printed (A4), each district starts a
    new page and the search box is hidden.  Above ``aggregate_above`` the
    lists are left out and a note (``#district-lists-left-out``) points to
    ``pairs.xlsx`` and ``pairs.csv``.

    Headline numbers carry stable ids and a ``data-value`` with the raw
    number (empty when undefined): ``households``, ``paired``,
    ``unmatched``, ``mean-km``, ``max-km``, ``kind-fit-share`` (0-1),
    ``officers``, ``officers-used``, ``slots``; per need
    ``need-<name>-households``, ``need-<name>-paired``,
    ``need-<name>-share``; per kind ``kind-<kind>-households`` and
    ``kind-<kind>-paired``.  Unmatched reasons are ``tr[data-reason]``,
    load bars ``[data-load]``, district rows ``tr[data-district]`` and
    province rows ``tr[data-province]`` with cells ``td[data-col]``.

    Parameters
    ----------
    result : Result
        A matching result.
    officers, households : pandas.DataFrame
        The frames given to :func:`kuseo_match.match` (not changed).
    map_png : bytes, optional
        A PNG to show as the map; default :func:`plot_map` at 120 dpi (the
        map section says why when the frames have no coordinates).
    title : str, optional
        Page heading; default a bilingual "pairing report".
    districts, boundaries : optional
        Reference tables, as for :func:`plot_map`.
    embed_font : bool, default True
        Embed the Thai font found by :func:`thai_font` (about 300 kB as a
        data URI) so Thai renders on machines without a Thai font; the
        system font stack follows it.
    aggregate_above : int, default :data:`AGGREGATE_HOUSEHOLDS`
        Most households shown one by one (on the map, in the unmatched
        list and in the per-district lists).

    Returns
    -------
    str
        The HTML document.

    Examples
    --------
    >>> import kuseo_match as km
    >>> o, h = km.synthetic_province(officers=30, households=40, developable=20)
    >>> page = render_report(km.match(o, h), o, h)
    >>> page.startswith("<!DOCTYPE html>") and '<html lang="th">' in page
    True
    """
    officers = canonical(officers, "officers")
    households = canonical(households, "households")
    title = title or "รายงานการจับคู่เจ้าหน้าที่กับครัวเรือน / Officer–household pairing report"
    staff = officer_capacity(result, officers)
    if map_png is None:
        try:
            fig = plot_map(
                result,
                officers,
                households,
                districts=districts,
                boundaries=boundaries,
                aggregate_above=aggregate_above,
            )
        except ValidationError as exc:
            logger.warning("no map in the report: %s", exc)
            map_html = f'<p class="note" id="no-map">ไม่มีแผนที่ / No map: {esc(exc)}</p>'
        else:
            map_png = png_bytes(fig, 120)
    if map_png is not None:
        encoded = base64.b64encode(map_png).decode("ascii")
        map_html = (
            f'<img id="map" alt="แผนที่การจับคู่ / Map of the pairs" '
            f'src="data:image/png;base64,{encoded}">'
        )
    try:
        layout = interactive_map(
            result,
            officers,
            households,
            districts=districts,
            boundaries=boundaries,
            aggregate_above=aggregate_above,
        )
    except ValidationError as exc:
        logger.warning("no interactive map in the report: %s", exc)
        interactive = ""
    else:  # on a screen only: the print stylesheet hides .map-interactive
        interactive = (
            f'<div class="map-interactive" id="map-interactive">'
            f"{interactive_map_html(layout)}</div>"
        )
    fonts = CSS_FONT_STACK
    font_css = embedded_font_css() if embed_font else ""
    if font_css:
        fonts = f'"{EMBEDDED_FAMILY}", {fonts}'
    css = font_css + _CSS.replace("FONTS", fonts) + PRINT_CSS
    n_unmatched = len(result.unmatched)
    synthetic = is_synthetic(officers, households)
    by_province = result.by_province()
    several = int((by_province["households"] > 0).sum()) > 1
    by_district = district_summary(result, officers, households, districts=districts)
    unmatched = (
        _unmatched_by_district(result, by_district, several)
        if result.n_households > aggregate_above
        else _unmatched_table(result)
    )
    lists = (
        left_out_note(result.n_households, aggregate_above)
        if result.n_households > aggregate_above
        else district_lists(result, officers, households, reference_districts(districts))
    )
    sections = [
        *([_synthetic_banner()] if synthetic else []),
        f"<h1>{esc(title)}</h1>",
        f'<p class="meta">สถานะ / Status: <b id="status" data-value="{esc(result.status)}">'
        f"{esc(result.status)}</b></p>",
        "<h2>ตัวเลขสำคัญ <small>Headline numbers</small></h2>",
        _headline(result, staff),
        "<h2>ตามประเภทครัวเรือน <small>By household kind</small></h2>",
        _kinds_table(result),
        "<h2>มิติความต้องการ <small>Need dimensions</small></h2>",
        _needs_table(result, households),
        "<h2>ภาระงานของเจ้าหน้าที่ <small>Officers' load</small></h2>",
        _load_bars(staff),
        *(
            ["<h2>ตามจังหวัด <small>By province</small></h2>", _province_table(by_province)]
            if several
            else []
        ),
        "<h2>ตามอำเภอ <small>By district</small></h2>",
        _district_table(result, by_district, several),
        "<h2>แผนที่ <small>Map</small></h2>",
        f'<div class="map">{map_html}</div>',
        interactive,
        f"<h2>ครัวเรือนที่ยังไม่ได้จับคู่ ({n_unmatched:,}) <small>Unmatched households</small></h2>",
        unmatched,
        "<h2>นโยบายที่ใช้ <small>Policy used</small></h2>",
        _policy_table(result),
        '<h2 id="district-lists">รายชื่อคู่ตามอำเภอ '
        "<small>Who is paired with whom, by district</small></h2>",
        lists,
        _sources(result, synthetic),
    ]
    return (
        '<!DOCTYPE html>\n<html lang="th">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(title)}</title>\n<style>\n{css}</style>\n</head>\n<body>\n"
        + "\n".join(sections)
        + f"\n<script>{SCRIPT}</script>\n</body>\n</html>\n"
    )


def write_report(
    result: Result,
    officers: pd.DataFrame,
    households: pd.DataFrame,
    path: str | Path,
    *,
    map_png: bytes | None = None,
    **kwargs: Any,
) -> Path:
    """Write :func:`render_report` to an HTML file (UTF-8).

    Parameters
    ----------
    result, officers, households, map_png
        As for :func:`render_report`.
    path : str or pathlib.Path
        File to write (its folder must exist); overwritten.
    **kwargs
        Passed to :func:`render_report` (``title``, ``districts``,
        ``boundaries``, ``embed_font``, ``aggregate_above``).

    Returns
    -------
    pathlib.Path
        ``path``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import kuseo_match as km
    >>> o, h = km.synthetic_province(officers=30, households=40, developable=20)
    >>> out = write_report(km.match(o, h), o, h, pathlib.Path(tempfile.mkdtemp()) / "r.html")
    >>> "</html>" in out.read_text(encoding="utf-8")
    True
    """
    page = render_report(result, officers, households, map_png=map_png, **kwargs)
    return replace_file(path, page.encode("utf-8"))
