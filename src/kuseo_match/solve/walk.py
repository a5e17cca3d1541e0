"""Quotas to a proof without CP-SAT: the walk between two priced flows.

For one quota the flow breaks (say at least ``lo`` of its pairs), a bonus
``lam`` on each of its pairs gives the Lagrangian ``g(lam) = min over
pairings (cost - lam * count)``: concave and piecewise linear in ``lam``, each
piece the line of one pairing.  At a breakpoint ``lam*`` two certified flows
are optimal at once, one short of the quota (``count < lo``) and one meeting
it.  Their difference is a circulation; split into cycles, each cycle costs
``0`` at ``lam*`` (neither flow can improve on the other), so the first flow
with any set of the cycles applied is optimal at ``lam*`` too, and each cycle
moves the count by a whole number.  A set of cycles that brings the count to
``lo`` exactly gives a pairing that is optimal at ``lam*`` and meets the
quota with equality: its cost is ``g(lam*) + lam* * lo``, the Lagrangian bound
itself, so it is optimal over every allowed pair (both flows were certified
over every allowed pair).  A quota on at most ``hi`` pairs is the same with a
charge instead of a bonus.

:func:`breakpoint` finds ``lam*`` from two flows on either side by the
intersection of their lines, probing there until no third pairing is below
both; :func:`walk` splits the difference and picks the cycles (a subset sum
over small whole numbers).  Either may give up (None); CP-SAT then does the
work, as it does for several broken quotas and for compact pairs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["breakpoint", "walk"]

#: Probes of the breakpoint search before it gives up.
PROBES = 12


def breakpoint(
    short: tuple[float, int, Any],
    met: tuple[float, int, Any],
    probe: Callable[[float], tuple[float, int, Any] | None],
    sign: float,
    meets: Callable[[int], bool],
    tolerance: float,
) -> tuple[float, tuple[float, int, Any], tuple[float, int, Any]] | None:
    """The price at which a pairing that breaks the quota and one that meets it are
    both optimal.

    ``short`` and ``met`` are ``(cost, count, pairs)`` of two optimal flows on
    either side; ``probe(price)`` solves at a price (``sign * price`` on each
    quota pair: -1 a bonus for a least count, +1 a charge for a most) and
    returns the same triple, or None; ``meets(count)`` says which side a count
    is on.  Returns ``(price, short, met)`` with both optimal at ``price`` to
    within ``tolerance``, or None.

    Examples
    --------
    Three pairings (cost, count): (0, 1), (3, 3), (10, 5); the quota wants at
    least 4, so the breakpoint is at a bonus of 3.5, between the last two:

    >>> lines = [(0.0, 1, "a"), (3.0, 3, "b"), (10.0, 5, "c")]
    >>> best = lambda p: min(lines, key=lambda x: x[0] - p * x[1])
    >>> price, short, met = breakpoint(lines[0], lines[2], best, -1.0, lambda n: n >= 4, 1e-9)
    >>> price, short[2], met[2]
    (3.5, 'b', 'c')
    """
    for _ in range(PROBES):
        # the two lines meet where cost_s + sign p count_s == cost_m + sign p count_m
        (cs, ns, _), (cm, nm, _) = short, met
        if ns == nm:
            return None
        price = (cm - cs) / (sign * (ns - nm))
        if not price > 0:
            return None
        got = probe(price)
        if got is None:
            return None
        if got[0] + sign * price * got[1] >= cs + sign * price * ns - tolerance:
            return price, short, met  # nothing below both lines: a breakpoint
        # a third pairing below both: it takes the place of the one on its side
        if meets(got[1]):
            met = got
        else:
            short = got
    return None


def walk(
    start: tuple[np.ndarray, np.ndarray],
    end: tuple[np.ndarray, np.ndarray],
    counted: Callable[[np.ndarray, np.ndarray], np.ndarray],
    change: int,
) -> tuple[np.ndarray, np.ndarray] | None:
    """Pairs of ``start`` with some cycles of the difference towards ``end`` applied,
    so that the quota's count moves by exactly ``change``; None if no set of
    cycles does.

    ``start`` and ``end`` are ``(o, h)`` pairings of as many households;
    ``counted(o, h)`` says which pairs the quota counts.

    Examples
    --------
    Two officers of one household each; the quota counts officer 1's pairs:

    >>> a = (np.array([0, 0]), np.array([0, 1]))
    >>> b = (np.array([1, 1]), np.array([0, 1]))
    >>> o, h = walk(a, b, lambda o, h: o == 1, 1)
    >>> sorted(zip(o.tolist(), h.tolist()))
    [(0, 0), (1, 1)]
    """
    ao, ah = (np.asarray(x, np.int64) for x in start)
    bo, bh = (np.asarray(x, np.int64) for x in end)
    a_keys = set(zip(ao.tolist(), ah.tolist(), strict=True))
    b_keys = set(zip(bo.tolist(), bh.tolist(), strict=True))
    add = sorted(b_keys - a_keys)
    drop = sorted(a_keys - b_keys)
    if change == 0:
        return ao, ah
    # the circulation end - start: pair arcs h -> o (added) and o -> h (dropped), the
    # source's arcs to households paired in one only, the sink's to officers whose
    # load changed; nodes as ("h", i), ("o", j), "s", "t"
    out: dict[object, list[tuple[object, int]]] = defaultdict(list)  # node -> [(next, delta)]
    matched_a, matched_b = set(ah.tolist()), set(bh.tolist())
    for o, h in add:
        out[("h", h)].append((("o", o), int(counted(np.array([o]), np.array([h]))[0])))
    for o, h in drop:
        out[("o", o)].append((("h", h), -int(counted(np.array([o]), np.array([h]))[0])))
    for h in matched_b - matched_a:
        out["s"].append((("h", h), 0))
    for h in matched_a - matched_b:
        out[("h", h)].append(("s", 0))
    load: dict[int, int] = defaultdict(int)
    for o in bo.tolist():
        load[o] += 1
    for o in ao.tolist():
        load[o] -= 1
    for o, d in load.items():
        for _ in range(abs(d)):
            if d > 0:
                out[("o", o)].append(("t", 0))
            else:
                out["t"].append((("o", o), 0))
    cycles = _cycles(out)
    moves = [sum(delta for _, _, delta in c) for c in cycles]
    chosen = _subset(moves, change)
    if chosen is None:
        return None
    keys = set(a_keys)
    for i in chosen:
        for u, v, _ in cycles[i]:
            if u[0] == "h" and v[0] == "o":
                keys.add((v[1], u[1]))
            elif u[0] == "o" and v[0] == "h":
                keys.discard((u[1], v[1]))
    pairs = sorted(keys, key=lambda x: (x[1], x[0]))
    return (np.array([p[0] for p in pairs], np.int64), np.array([p[1] for p in pairs], np.int64))


def _cycles(out: dict) -> list[list[tuple]]:
    """A circulation's arcs (each node's list of ``(next, delta)``; every node has as
    many arcs in as out) split into cycles of ``(from, to, delta)``."""
    cycles = []
    for first in list(out):
        while out[first]:
            path, seen = [], {first: 0}
            node = first
            while True:
                nxt, delta = out[node].pop()
                path.append((node, nxt, delta))
                if nxt in seen:  # close the loop there; what led to it stays a path
                    at = seen[nxt]
                    cycles.append(path[at:])
                    # put back the arcs before the loop, to be walked again
                    for u, v, dl in path[:at]:
                        out[u].append((v, dl))
                    break
                seen[nxt] = len(path)
                node = nxt
    return cycles


def _subset(moves: list[int], target: int) -> list[int] | None:
    """Indices of ``moves`` that add up to ``target`` (a subset sum by reachable sums),
    preferring few cycles; None if none do."""
    reach: dict[int, list[int]] = {0: []}
    for i, m in enumerate(moves):
        if m == 0:
            continue
        for total, used in list(reach.items()):
            t = total + m
            if t not in reach and abs(t) <= abs(target) + sum(abs(x) for x in moves):
                reach[t] = [*used, i]
                if t == target:
                    return reach[t]
    return reach.get(target)
