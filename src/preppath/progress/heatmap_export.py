"""Export a heatmap `Calendar` as a GitHub-like SVG or a self-contained HTML page."""

from __future__ import annotations

import html
import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path

from preppath.progress.heatmap import (
    MONTH_ABBR,
    TERMINAL_COLOURS,
    WEEKDAY_ROW_LABELS,
    Calendar,
    Day,
    breakdown_line,
    totals_line,
    weekday_row,
)

SVG_NS = "http://www.w3.org/2000/svg"

#: GitHub's light-theme calendar colours, level 0 to 4.
PALETTE = ("#ebedf0", "#9be9a8", "#40c463", "#30a14e", "#216e39")

CELL = 10  # square size in px, as on GitHub
GAP = 3  # space between squares
STEP = CELL + GAP
RADIUS = 2
LEFT = 32  # room for the weekday labels ("Wed" is about 25 px at 12 px)
TOP = 20  # room for the month labels
LEGEND_HEIGHT = 28
MIN_WIDTH = 420  # keeps the totals caption and the legend apart on short windows
FONT_PX = 12
FONT = "-apple-system,BlinkMacSystemFont,'Segoe UI',Helvetica,Arial,sans-serif"
TEXT_COLOUR = "#57606a"

_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

FORMATS = (".svg", ".html", ".htm")


def export(
    calendar: Calendar,
    path: str | os.PathLike[str],
    *,
    title: str | None = None,
    force: bool = False,
) -> Path:
    """Write `calendar` to `path` as SVG or HTML, chosen by the suffix; return the path.

    Raises ValueError naming the supported suffixes for any other suffix (checked before
    anything is written); an existing file needs `force` (see preppath.files.write_output).
    """
    from preppath.files import write_output

    target = Path(path)
    suffix = target.suffix.lower()
    if suffix == ".svg":
        content = '<?xml version="1.0" encoding="UTF-8"?>\n' + render_svg(calendar) + "\n"
    elif suffix in (".html", ".htm"):
        content = render_html(calendar, title=title)
    else:
        shown = suffix or "a file without a suffix"
        raise ValueError(f"cannot export a heatmap as {shown} ({target.name}): use .svg or .html")
    return write_output(target, content.encode("utf-8"), force=force)


def render_svg(calendar: Calendar) -> str:
    """The calendar as an SVG document (no XML prolog, so it can be inlined in HTML).

    One `<rect class="day">` per day of the window with `data-date`, `data-count` and
    `data-level` attributes and a `<title>` tooltip; month and weekday labels; a totals caption
    and a "Less ... More" legend.
    """
    grid_right = LEFT + len(calendar.columns) * STEP - GAP
    width = max(grid_right, MIN_WIDTH) + 10
    height = TOP + 7 * STEP - GAP + LEGEND_HEIGHT
    svg = ET.Element(
        "svg",
        {
            "xmlns": SVG_NS,
            "width": str(width),
            "height": str(height),
            "viewBox": f"0 0 {width} {height}",
            "role": "img",
            "class": "preppath-heatmap",
        },
    )
    ET.SubElement(svg, "title").text = totals_line(calendar)
    ET.SubElement(svg, "style").text = (
        # 12 px, as GitHub's labels: 9 px was hard to read, worse on a phone.
        f"text{{font-family:{FONT};font-size:{FONT_PX}px;fill:{TEXT_COLOUR}}}"
        "rect.day,rect.legend{shape-rendering:geometricPrecision;"
        "stroke:rgba(27,31,36,0.06);stroke-width:1}"
    )
    _add_labels(svg, calendar)
    days = ET.SubElement(svg, "g", {"class": "days"})
    for index, column in enumerate(calendar.columns):
        for day in column:
            if day is not None:
                _add_day(days, day, index, calendar)
    _add_footer(svg, calendar, grid_right, height)
    ET.indent(svg, space=" ")
    return ET.tostring(svg, encoding="unicode")


def _add_labels(svg: ET.Element, calendar: Calendar) -> None:
    for month in calendar.month_labels:
        x = LEFT + month.column * STEP
        ET.SubElement(svg, "text", {"x": str(x), "y": str(TOP - 7)}).text = month.label
    for row, label in enumerate(WEEKDAY_ROW_LABELS):
        if label:
            y = TOP + row * STEP + CELL - 1  # baseline near the bottom of the square
            ET.SubElement(svg, "text", {"x": "0", "y": str(y)}).text = label


def _add_day(parent: ET.Element, day: Day, column: int, calendar: Calendar) -> None:
    rect = ET.SubElement(
        parent,
        "rect",
        {
            "class": "day",
            "x": str(LEFT + column * STEP),
            "y": str(TOP + weekday_row(day.date) * STEP),
            "width": str(CELL),
            "height": str(CELL),
            "rx": str(RADIUS),
            "ry": str(RADIUS),
            "fill": PALETTE[day.level],
            "data-date": day.date.isoformat(),
            "data-count": str(day.count),
            "data-level": str(day.level),
        },
    )
    ET.SubElement(rect, "title").text = tooltip(day, calendar)


def tooltip(day: Day, calendar: Calendar) -> str:
    """ "3 answers on Tuesday, 3 Mar 2026" or "No answers on ..." (English, locale-free)."""
    when = (
        f"{_DAY_NAMES[day.date.weekday()]}, {day.date.day} "
        f"{MONTH_ABBR[day.date.month - 1]} {day.date.year}"
    )
    amount = calendar.units(day.count) if day.count else f"No {calendar.unit_plural}"
    return f"{amount} on {when}"


def _add_footer(svg: ET.Element, calendar: Calendar, grid_right: int, height: int) -> None:
    baseline = height - 8
    caption = f"{calendar.units(calendar.total)} {calendar.period}"
    ET.SubElement(svg, "text", {"x": str(LEFT), "y": str(baseline)}).text = caption
    # Right-align the legend with the grid, as GitHub does; at 12 px 'Less' and 'More' are
    # each about 30 px wide, with a 5 px gap to the squares.
    right = max(grid_right, MIN_WIDTH)
    x = right - 30 - len(PALETTE) * STEP
    more = {"x": str(right - 28), "y": str(baseline)}
    less = {"x": str(x - 35), "y": str(baseline)}
    ET.SubElement(svg, "text", less).text = "Less"
    for level, colour in enumerate(PALETTE):
        attrs = {
            "class": "legend",
            "x": str(x + level * STEP),
            "y": str(baseline - CELL + 1),
            "width": str(CELL),
            "height": str(CELL),
            "rx": str(RADIUS),
            "ry": str(RADIUS),
            "fill": colour,
            "data-legend-level": str(level),
        }
        ET.SubElement(svg, "rect", attrs)
    ET.SubElement(svg, "text", more).text = "More"


# The page must work offline and as an e-mail attachment: no external assets. The calendar is
# static SVG (readable without JavaScript); the script only adds a summary computed from the
# cells themselves, which also lets a headless-browser test check the DOM it sees.
_SCRIPT = """
(() => {
  const names = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
  const cells = document.querySelectorAll("rect.day[data-date]");
  const byWeekday = [0, 0, 0, 0, 0, 0, 0];
  let total = 0;
  let active = 0;
  for (const cell of cells) {
    const count = Number(cell.getAttribute("data-count"));
    const [y, m, d] = cell.getAttribute("data-date").split("-").map(Number);
    byWeekday[new Date(y, m - 1, d).getDay()] += count;  // local date: no UTC shift
    total += count;
    if (count > 0) active += 1;
  }
  // A narrow screen scrolls the calendar sideways: start at the latest weeks, as GitHub does.
  const figure = document.querySelector("figure");
  if (figure) figure.scrollLeft = figure.scrollWidth;
  const out = document.getElementById("insights");
  out.dataset.total = String(total);
  out.dataset.cells = String(cells.length);
  if (total === 0) {
    out.textContent = `No activity across ${cells.length} days yet.`;
    return;
  }
  const best = byWeekday.indexOf(Math.max(...byWeekday));
  const n = (value) => value.toLocaleString("en-US");  // same "1,220" as the totals line
  out.textContent = `${n(total)} ${total === 1 ? UNIT : UNITS} on ${n(active)} of ` +
    `${n(cells.length)} days; busiest weekday: ${names[best]} (${n(byWeekday[best])}).`;
})();
"""

# Light colours are GitHub's; dark ones are GitHub's dark theme, where the scale runs the other
# way (brighter is busier), so the page swaps the palette instead of inverting it. Print uses
# the light page and keeps the cell colours, which carry the data.
_STYLE = """
:root { color-scheme: light dark; --fg: #1f2328; --muted: %(muted)s; --bg: #ffffff;
  --line: #d1d9e0; --l0: %(l0)s; --l1: %(l1)s; --l2: %(l2)s; --l3: %(l3)s; --l4: %(l4)s;
  --cell-line: rgba(27, 31, 36, 0.06); }
@media screen and (prefers-color-scheme: dark) {
  :root { --fg: #e6edf3; --muted: #9198a1; --bg: #0d1117; --line: #3d444d; --l0: #161b22;
    --l1: %(d1)s; --l2: %(d2)s; --l3: %(d3)s; --l4: %(d4)s;
    --cell-line: rgba(240, 246, 252, 0.06); }
}
body { font-family: %(font)s; color: var(--fg); background: var(--bg); margin: 0; }
main { max-width: 60rem; margin: 0 auto; padding: 2rem 1.25rem; }
h1 { font-size: 1.4rem; font-weight: 600; margin: 0 0 .25rem; }
.totals, .counted, #insights { color: var(--muted); }
.totals { margin: 0; }
.counted { margin: .15rem 0 1rem; font-size: .9rem; }
figure { margin: 0; padding: 16px; border: 1px solid var(--line); border-radius: 6px;
  display: inline-block; max-width: 100%%; overflow-x: auto; box-sizing: border-box; }
figure svg { display: block; }
.preppath-heatmap text { fill: var(--muted); }
.preppath-heatmap rect.day, .preppath-heatmap rect.legend { stroke: var(--cell-line); }
.preppath-heatmap [data-level="0"], .preppath-heatmap [data-legend-level="0"] { fill: var(--l0); }
.preppath-heatmap [data-level="1"], .preppath-heatmap [data-legend-level="1"] { fill: var(--l1); }
.preppath-heatmap [data-level="2"], .preppath-heatmap [data-legend-level="2"] { fill: var(--l2); }
.preppath-heatmap [data-level="3"], .preppath-heatmap [data-legend-level="3"] { fill: var(--l3); }
.preppath-heatmap [data-level="4"], .preppath-heatmap [data-legend-level="4"] { fill: var(--l4); }
#insights { min-height: 1.2em; }
@media (max-width: 30rem) {
  main { padding: 1.25rem 1rem; }
  figure { display: block; padding: 12px; }
}
@media print {
  body { background: #fff; color: #000; }
  main { max-width: none; padding: 0; }
  figure { display: block; overflow: visible; border: none; padding: 0; }
  figure svg { width: 100%%; height: auto; }
  .preppath-heatmap rect { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
}
"""


def render_html(calendar: Calendar, *, title: str | None = None) -> str:
    """A self-contained HTML page: heading, totals line, the SVG calendar and a JS summary."""
    heading = title or "PrepPath practice"
    unit, units = _js_string(calendar.unit), _js_string(calendar.unit_plural)
    unit_js = f"const UNIT = {unit}, UNITS = {units};"
    colours = dict(zip(("l0", "l1", "l2", "l3", "l4"), PALETTE, strict=True))
    colours |= dict(zip(("d1", "d2", "d3", "d4"), TERMINAL_COLOURS[1:], strict=True))
    style = _STYLE % {"font": FONT, "muted": TEXT_COLOUR, **colours}
    counted = breakdown_line(calendar)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(heading)}</title>\n<style>{style}</style>\n</head>\n<body>\n"
        f"<main>\n<h1>{html.escape(heading)}</h1>\n"
        f'<p class="totals">{html.escape(totals_line(calendar))}</p>\n'
        + (f'<p class="counted">{html.escape(counted)}</p>\n' if counted else "")
        + f"<figure>\n{render_svg(calendar)}\n</figure>\n"
        '<p id="insights" aria-live="polite"></p>\n</main>\n'
        f"<script>\n{unit_js}{_SCRIPT}</script>\n</body>\n</html>\n"
    )


def _js_string(value: str) -> str:
    # json.dumps gives a valid JS string literal; escaping "<" keeps "</script>" out of the page.
    return json.dumps(value).replace("<", "\\u003c")
