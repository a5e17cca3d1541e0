"""The short summary a matching command prints."""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence
from pathlib import Path

from ..io.write_xlsx import display_width
from ..labels import REASONS, policy_lines
from ..policy import Policy
from ..result import Result
from .lang import _, language
from .outputs import not_written


def print_summary(
    args: argparse.Namespace,
    result: Result,
    title: str,
    out: Path,
    seconds: float,
    written: Sequence[Path],
) -> None:
    if args.quiet:
        return
    s = result.summary()
    n = s["households"]
    share = s["paired"] / n if n else 1.0
    loads = s["officers_by_load"]
    top = max(loads, default=0)
    counts = [loads.get(k, 0) for k in range(top + 1)]
    status = {
        "optimal": _("optimal (proven over every allowed pair)"),
        "feasible": _("feasible (time limit reached before optimality was proven)"),
        "approximate": _(
            "approximate (optimal for rounded costs; within {tolerance} of the optimum)"
        ).format(tolerance=f"{result.stats.get('objective_tolerance', float('nan')):.3g}"),
    }.get(s["status"], s["status"])
    rows = [
        ("Households paired", f"{s['paired']:,} of {n:,} ({share:.1%})"),
        ("Mean distance", _km(s["mean_distance_km"], s["paired"])),
        ("Longest distance", _km(s["max_distance_km"], s["paired"])),
        ("Agency fits kind", _share(s["kind_fit_share"], "of pairs")),
        (
            _("Officers with {loads} households").format(loads="/".join(map(str, range(top + 1)))),
            " / ".join(f"{c:,}" for c in counts),
        ),
        ("Policy", _policy_line(result.policy)),
        ("Status", status),
        ("Time", f"matching {result.stats.get('seconds', 0.0):.2f} s, total {seconds:.1f} s"),
    ]
    if result.gap is not None:
        rows.append(("Gap", f"{result.gap:.2%} above the best bound ({_gap_note(result)})"))
    for quota in result.quota_attainment().itertuples(index=False):
        rows.append(("Quota", f"{quota.quota}: {quota.text}"))
    if result.changes is not None:
        rows.append(("Rematch", _rematch_line(result)))
        beyond = result.stats.get("beyond_fresh") or []
        if beyond:
            rows.append(
                (
                    "Warning",
                    f"{len(beyond):,} household(s) re-paired farther than a fresh pairing's "
                    f"longest pair ({result.stats['fresh_longest_km']:.1f} km), such as "
                    f"{', '.join(map(str, beyond[:3]))}; set churn_cost in the policy to let "
                    "kept pairs move instead",
                )
            )
    if result.parts is not None:
        retried = result.stats.get("parts_retried", 0)
        rows.append(
            (
                "Parts",
                f"{len(result.parts):,} ({result.stats.get('part_mode', 'exact')}; largest "
                f"{int(result.parts['households'].max()):,} households, "
                f"{float(result.parts['seconds'].max()):.1f} s"
                + (f"; {retried} submitted again after a lost worker" if retried else "")
                + ")",
            )
        )
    dearest = result.prices_by_district()
    dearest = dearest[dearest["top_price"] > 0].head(3)
    if len(dearest):
        rows.append(
            (
                "One more officer saves most",
                ", ".join(
                    f"{r.district} (up to {r.top_price:.1f}, mean {r.mean_price:.1f})"
                    for r in dearest.itertuples(index=False)
                ),
            )
        )
    if s["unmatched"]:
        kinds = {k: v for k, v in s["unmatched_by_code"].items() if k in REASONS}
        if kinds and sum(kinds.values()) == s["unmatched"]:  # by kind of reason
            which = 0 if language() == "th" else 1
            reasons = [(REASONS[k][which], v) for k, v in kinds.items()]
        else:
            reasons = list(s["unmatched_reasons"].items())
        reasons.sort(key=lambda kv: -kv[1])
        for reason, count in reasons[:3]:
            rows.append(("Unmatched", f"{count:,}: {reason}"))
        if len(reasons) > 3:
            rows.append(("Unmatched", f"... {len(reasons) - 3} more reasons in unmatched.csv"))
    rows.append(("Outputs", f"{out}{os.sep} ({', '.join(p.name for p in written)})"))
    left_out = not_written(
        result,
        geojson=args.geojson,
        pair_sheets=args.pair_sheets,
        table_format=getattr(args, "output_format", "csv"),
    )
    for name, why in left_out.items():
        rows.append(("Not written", f"{name}: {why}"))
    rows = [(_(label), value) for label, value in rows]  # the row names in --lang
    width = max(display_width(label) for label, _value in rows)
    print(title)
    for label, value in rows:
        print(f"  {label}{' ' * (width - display_width(label))}  {value}")


def _policy_line(policy: Policy) -> str:
    """The policy in plain words, in the command's language: capacity, then the
    settings that differ from the defaults (:func:`kuseo_match.labels.policy_lines`)."""
    return "; ".join(policy_lines(policy, language()))


def _km(value: float | None, paired: int) -> str:
    if value is None:
        return "n/a (no pairs)" if paired == 0 else "n/a (no coordinates)"
    return f"{value:.1f} km"


def _share(value: float | None, what: str) -> str:
    return "n/a" if value is None else f"{value:.1%} {what}"


def _gap_note(result: Result) -> str:
    """Over which pairs the bound behind the gap holds."""
    over = result.stats.get("proven_over")
    return f"bound over {over}" if over else "CP-SAT's bound"


def _rematch_line(result: Result) -> str:
    """A rematch in one line: pairs kept, moved (and why), new and left.

    Examples
    --------
    >>> import kuseo_match as km
    >>> o, h = km.synthetic_province(officers=30, households=40, seed=1)
    >>> first = km.match(o, h)
    >>> _rematch_line(km.rematch(first.pairs, o.iloc[1:], h))
    'kept 38, moved 2 (officer left 2), new 0, left 0'
    """
    changes = result.changes
    assert changes is not None
    old, new = changes["old_officer_id"].notna(), changes["new_officer_id"].notna()
    moved = changes[old & new]
    why = ", ".join(f"{reason} {n:,}" for reason, n in moved["reason"].value_counts().items())
    return (
        f"kept {int(result.stats.get('pairs_kept', 0)):,}, moved {len(moved):,}"
        + (f" ({why})" if why else "")
        + f", new {int((~old & new).sum()):,}, left {int((old & ~new).sum()):,}"
    )
