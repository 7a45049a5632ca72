"""The story timeline as chart geometry (one row per outlet, a dot per time bin sized by its count).

The numbers are computed here and drawn as inline SVG by the ``_timeline.html`` template, so
outlet names reach the page only through Jinja's escaping and the page needs no script.
"""
from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Any

WIDTH = 480
MARGIN = 14
ROW = 34
TOP = 8
AXIS = 26
MAX_ROWS = 10
PALETTE = ("#1f6feb", "#d1495b", "#2a9d8f", "#e9a23b", "#6a4c93", "#3d5a80", "#c05780", "#588157", "#8d6e63",
           "#0081a7", "#7d8597")


def _parse(start: str) -> datetime:
    d = datetime.fromisoformat(start)
    return d if d.tzinfo else d.replace(tzinfo=UTC)


def _label(d: datetime, unit: str) -> str:
    day = f"{d.day} {d:%b}"
    return f"{day} {d:%H}h" if unit == "hour" else day


def timeline_chart(timeline: dict[str, Any]) -> dict[str, Any] | None:
    """Geometry for ``_timeline.html``; None when no article of the story is dated."""
    bins = timeline["bins"]
    if not bins:
        return None
    unit = timeline["unit"]
    step = timedelta(hours=1) if unit == "hour" else timedelta(days=1)
    totals: dict[str, int] = {}
    first_seen: dict[str, str] = {}
    for b in bins:
        totals[b["outlet"]] = totals.get(b["outlet"], 0) + b["articles"]
        first_seen.setdefault(b["outlet"], b["start"])
    ranked = sorted(totals, key=lambda o: (-totals[o], first_seen[o], o))
    shown = sorted(ranked[:MAX_ROWS] if len(ranked) <= MAX_ROWS else ranked[: MAX_ROWS - 1],
                   key=lambda o: (first_seen[o], o))
    other = [o for o in ranked if o not in shown]
    labels = [o or "(no outlet)" for o in shown] + ([f"{len(other)} other outlets"] if other else [])
    row_of = {o: i for i, o in enumerate(shown)} | {o: len(shown) for o in other}

    t0 = min(_parse(b["start"]) for b in bins)
    t1 = max(_parse(b["start"]) for b in bins) + step
    span = max((t1 - t0).total_seconds(), 1.0)
    inner = WIDTH - 2 * MARGIN

    def x(t: datetime) -> float:
        return round(MARGIN + inner * (t - t0).total_seconds() / span, 1)

    rows = [{"label": label, "y": TOP + ROW * i + 12, "line_y": TOP + ROW * i + 24,
             "color": PALETTE[i % len(PALETTE)]} for i, label in enumerate(labels)]
    merged: dict[tuple[int, str], list[int]] = {}
    for b in bins:
        counts = merged.setdefault((row_of[b["outlet"]], b["start"]), [0, 0])
        counts[0] += b["articles"]
        counts[1] += b["copies"]
    points = []
    for (row, start), (n, copies) in sorted(merged.items()):
        t = _parse(start)
        what = f"{n} article{'s' if n != 1 else ''}"
        if copies:
            what += f" ({copies} cop{'ies' if copies != 1 else 'y'})"
        points.append({"cx": x(t + step / 2), "cy": rows[row]["line_y"], "r": round(3 + 2.5 * math.sqrt(n), 1),
                       "color": rows[row]["color"], "title": f"{labels[row]}, {_label(t, unit)}: {what}"})
    height = TOP + ROW * len(rows) + AXIS
    n_ticks = min(5, max(2, round(span / step.total_seconds()) + 1))
    ticks = []
    for k in range(n_ticks):
        t = t0 + (t1 - t0) * k / (n_ticks - 1)
        ticks.append({"x": x(t), "label": _label(t, unit),
                      "anchor": "start" if k == 0 else "end" if k == n_ticks - 1 else "middle",
                      # narrow screens keep the first, middle and last labels only
                      "minor": 0 < k < n_ticks - 1 and k != n_ticks // 2})
    return {"width": WIDTH, "height": height, "axis_y": height - AXIS + 4, "rows": rows, "points": points,
            "ticks": ticks, "unit": unit, "undated": timeline["undated"]}
