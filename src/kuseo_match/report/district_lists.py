"""Who is paired with whom, one section per district, for the district chief to sign.

Each household district gets a section (``section.district``, id
``district-<code>``): its Thai and English name, its totals (households,
paired, unmatched), a table of its pairs (officer id, agency, the officer's
other columns such as name and phone, household id, kind, needs, the
household's other columns such as village, distance), then its unmatched
households with their reason, and a signature line for the district chief.
The other columns are the caller's, joined as :func:`kuseo_match.io.with_details`
joins them into ``pairs.csv``.  Headers are in Thai with English beside;
the page's script (:mod:`~kuseo_match.report.assets`) sorts the tables and
filters their rows, and its print stylesheet starts each section on a new
A4 page.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..io.details import with_details
from ..labels import KIND_LABELS, NEED_LABELS
from ..result import Result
from ..schema import id_keys, need_flags
from ..synth import SYNTHETIC_COLUMN
from .labels import fmt_int, fmt_km
from .markup import data_value, esc, reason_cell

#: Columns of the caller's tables left out of the lists: the section names the
#: district (and so the province) and the page says when the data are synthetic.
_HIDDEN_DETAILS = frozenset({SYNTHETIC_COLUMN, "province"})
_SIGNATURE = (
    "ลงชื่อ ........................................ นายอำเภอ / District chief"
    "<br>วันที่ / Date ....................."
)


def district_lists(
    result: Result,
    officers: pd.DataFrame,
    households: pd.DataFrame,
    names: pd.DataFrame | None,
) -> str:
    """The HTML of the per-district pair lists: a search box and one section per
    household district (in district code order).

    Parameters
    ----------
    result : Result
        A matching result.
    officers, households : pandas.DataFrame
        The caller's frames (not changed); their columns outside the data
        contract are shown beside the officer and the household.
    names : pandas.DataFrame or None
        District names (``district_code``, ``district_th``, ``district_en``).

    Returns
    -------
    str
        HTML: ``#pair-search`` then ``section.district`` elements, each with
        ``table.pairs`` (rows ``tr[data-household]``), ``table.unmatched``
        when the district has unmatched households, and ``p.signature``.

    Examples
    --------
    >>> import kuseo_match as km
    >>> o, h = km.synthetic_province(officers=30, households=40, developable=20)
    >>> html = district_lists(km.match(o, h), o, h, None)
    >>> html.count('<section class="district"') == h["district"].nunique()
    True
    """
    pairs = _detailed(result.pairs, officers, households)
    lost = _detailed(result.unmatched, None, households)
    o_cols = [c for c in pairs.columns if c.startswith("officer_") and c not in result.pairs]
    h_cols = [c for c in pairs.columns if c.startswith("household_") and c not in result.pairs]
    u_cols = [c for c in lost.columns if c.startswith("household_") and c not in result.unmatched]
    needs = _needs_text(households)
    pairs["needs"] = needs.reindex(id_keys(pairs["household_id"])).to_numpy()
    pairs["agency"] = _agency_names(result, pairs["agency"])
    pairs = pairs.sort_values(
        ["officer_id", "distance_km", "household_id"], key=lambda s: s.astype(str)
    )
    lookup = _district_names(names)
    codes = sorted(
        set(pairs["household_district"].astype(str)) | set(lost["household_district"].astype(str))
    )
    by_code_pairs = dict(tuple(pairs.groupby(pairs["household_district"].astype(str))))
    by_code_lost = dict(tuple(lost.groupby(lost["household_district"].astype(str))))
    empty = pairs.iloc[:0]
    sections = [
        _section(
            code,
            lookup.get(code, (None, None)),
            by_code_pairs.get(code, empty),
            by_code_lost.get(code, lost.iloc[:0]),
            o_cols,
            h_cols,
            u_cols,
        )
        for code in codes
    ]
    search = (
        '<p class="search screen-only"><label>ค้นหา / Search '
        '<input type="search" id="pair-search" placeholder="รหัส ชื่อ หน่วยงาน / id, name, agency">'
        "</label></p>"
    )
    return search + "\n".join(sections)


def left_out_note(n_households: int, aggregate_above: int) -> str:
    """Above ``aggregate_above`` households: where the per-district lists are instead.

    Examples
    --------
    >>> "pairs.xlsx" in left_out_note(25_000, 20_000)
    True
    """
    return (
        '<p class="note" id="district-lists-left-out">'
        f"{n_households:,} ครัวเรือน มากกว่า {aggregate_above:,}: รายชื่อคู่ตามอำเภออยู่ใน "
        f"pairs.xlsx และ pairs.csv / {n_households:,} households, more than "
        f"{aggregate_above:,}: the lists of who is paired with whom, by district, are in "
        "pairs.xlsx and pairs.csv, not in this page.</p>"
    )


def _detailed(
    frame: pd.DataFrame, officers: pd.DataFrame | None, households: pd.DataFrame | None
) -> pd.DataFrame:
    """``frame`` with the caller's other columns, less the hidden ones."""
    out = with_details(frame, officers, households)
    hidden = [
        c
        for c in out.columns
        if c not in frame.columns
        and c.removeprefix("officer_").removeprefix("household_") in _HIDDEN_DETAILS
    ]
    return out.drop(columns=hidden)


def _needs_text(households: pd.DataFrame) -> pd.Series:
    """Thai names of each household's needs ("สุขภาพ, รายได้"), indexed by id key."""
    flags = need_flags(households)
    present = [need for need in NEED_LABELS if need in flags.columns]
    text = pd.Series("", index=flags.index, dtype=object)
    for need in present:
        label = NEED_LABELS[need][0]
        has = flags[need].fillna(False).astype(bool)
        text = text.where(~has, text.where(text == "", text + ", ") + label)
    text.index = id_keys(flags["household_id"])
    return text[~text.index.duplicated()]


def _agency_names(result: Result, agencies: pd.Series) -> np.ndarray:
    """Each agency as its Thai name and code ("สาธารณสุข (public_health)") where the
    policy's fit table knows it, else as written."""
    from ..fit import default_fit_table

    table = result.policy.fit_table if result.policy.fit_table is not None else default_fit_table()
    frame = table.frame
    thai = dict(zip(frame["agency"], frame.get("name_th", frame["agency"]), strict=True))
    codes = table.canonical(agencies.to_numpy(dtype=object))
    return np.array(
        [
            f"{thai[c]} ({c})" if isinstance(thai.get(c), str) else str(a)
            for c, a in zip(codes, agencies, strict=True)
        ],
        dtype=object,
    )


def _district_names(names: pd.DataFrame | None) -> dict[str, tuple[str | None, str | None]]:
    if names is None:
        return {}
    table = names.drop_duplicates("district_code")
    return {
        str(code): (th if isinstance(th, str) else None, en if isinstance(en, str) else None)
        for code, th, en in zip(
            table["district_code"], table["district_th"], table["district_en"], strict=True
        )
    }


def _head(columns: list[tuple[str, str, str]]) -> str:
    """``<thead>`` of (Thai, English, type) headers; type "number" sorts by value."""
    cells = "".join(
        f'<th data-type="{kind}">{esc(th)} <small>{esc(en)}</small></th>'
        if th
        else f'<th data-type="{kind}">{esc(en)}</th>'
        for th, en, kind in columns
    )
    return f"<thead><tr>{cells}</tr></thead>"


def _detail_head(columns: list[str], role: str) -> list[tuple[str, str, str]]:
    return [("", c.removeprefix(f"{role}_"), "text") for c in columns]


def _td(value: object) -> str:
    return "<td></td>" if pd.isna(value) else f"<td>{esc(value)}</td>"


def _kind(value: object) -> str:
    th, _ = KIND_LABELS.get(str(value), (str(value), str(value)))
    return f'<td data-value="{esc(value)}">{esc(th)}</td>'


def _section(
    code: str,
    name: tuple[str | None, str | None],
    pairs: pd.DataFrame,
    lost: pd.DataFrame,
    o_cols: list[str],
    h_cols: list[str],
    u_cols: list[str],
) -> str:
    th, en = name
    title = " / ".join(n for n in (f"อำเภอ{th}" if th else None, en) if n) or code
    n_paired, n_lost = len(pairs), len(lost)
    head = _head(
        [
            ("รหัสเจ้าหน้าที่", "Officer id", "text"),
            ("หน่วยงาน", "Agency", "text"),
            *_detail_head(o_cols, "officer"),
            ("รหัสครัวเรือน", "Household id", "text"),
            ("ประเภท", "Kind", "text"),
            ("ความต้องการ", "Needs", "text"),
            *_detail_head(h_cols, "household"),
            ("ระยะทาง (กม.)", "Distance (km)", "number"),
        ]
    )
    rows = "".join(
        f'<tr data-household="{esc(rec["household_id"])}">'
        + _td(rec["officer_id"])
        + _td(rec["agency"])
        + "".join(_td(rec[c]) for c in o_cols)
        + _td(rec["household_id"])
        + _kind(rec["kind"])
        + _td(rec["needs"])
        + "".join(_td(rec[c]) for c in h_cols)
        + f'<td class="n" data-value="{esc(data_value(float(rec["distance_km"])))}">'
        f"{fmt_km(float(rec['distance_km']))}</td></tr>"
        for rec in pairs.to_dict("records")
    )
    parts = [
        f'<section class="district" id="district-{esc(code)}" data-district="{esc(code)}">',
        f"<h3>{esc(title)} <small>{esc(code)}</small></h3>",
        f'<p class="totals">ครัวเรือน / Households <b data-col="households">'
        f"{fmt_int(n_paired + n_lost)}</b> · จับคู่แล้ว / Paired "
        f'<b data-col="paired">{fmt_int(n_paired)}</b> · ยังไม่ได้จับคู่ / Unmatched '
        f'<b data-col="unmatched">{fmt_int(n_lost)}</b></p>',
        f'<table class="pairs sortable">{head}<tbody>{rows}</tbody></table>' if n_paired else "",
    ]
    if n_lost:
        lost_head = _head(
            [
                ("รหัสครัวเรือน", "Household id", "text"),
                ("ประเภท", "Kind", "text"),
                *_detail_head(u_cols, "household"),
                ("เหตุผล", "Reason", "text"),
            ]
        )
        lost_rows = "".join(
            f'<tr data-household="{esc(rec["household_id"])}">'
            + _td(rec["household_id"])
            + _kind(rec["kind"])
            + "".join(_td(rec[c]) for c in u_cols)
            + reason_cell(rec["reason"], rec.get("reason_code"))
            + "</tr>"
            for rec in lost.to_dict("records")
        )
        parts += [
            "<h4>ครัวเรือนที่ยังไม่ได้จับคู่ <small>Unmatched households</small></h4>",
            f'<table class="unmatched sortable">{lost_head}<tbody>{lost_rows}</tbody></table>',
        ]
    parts += [f'<p class="signature">{_SIGNATURE}</p>', "</section>"]
    return "\n".join(parts)
