"""Export a heatmap `Calendar` as a GitHub-like SVG or a self-contained HTML page."""

from __future__ import annotations

import html
import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path

from preppath.progress.heatmap import (
    MONTH_ABBR,
    WEEKDAY_ROW_LABELS,
    Calendar,
    Day,
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
LEFT = 30  # room for the weekday labels
TOP = 20  # room for the month labels
LEGEND_HEIGHT = 28
MIN_WIDTH = 420  # keeps the totals caption and the legend apart on short windows
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
        f"text{{font-family:{FONT};font-size:9px;fill:{TEXT_COLOUR}}}"
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
    # Right-align the legend with the grid, as GitHub does; 'More' is about 24px wide.
    right = max(grid_right, MIN_WIDTH)
    x = right - 24 - len(PALETTE) * STEP - 4
    more = {"x": str(right - 22), "y": str(baseline)}
    less = {"x": str(x - 26), "y": str(baseline)}
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

_STYLE = """
body { font-family: %(font)s; color: #24292f; background: #fff; margin: 2rem; }
h1 { font-size: 1.4rem; font-weight: 600; margin: 0 0 .25rem; }
.totals { color: %(muted)s; margin: 0 0 1rem; }
figure { margin: 0; padding: 16px; border: 1px solid #d0d7de; border-radius: 6px;
         display: inline-block; max-width: 100%%; overflow-x: auto; }
#insights { color: %(muted)s; min-height: 1.2em; }
"""


def render_html(calendar: Calendar, *, title: str | None = None) -> str:
    """A self-contained HTML page: heading, totals line, the SVG calendar and a JS summary."""
    heading = title or "PrepPath practice"
    unit, units = _js_string(calendar.unit), _js_string(calendar.unit_plural)
    unit_js = f"const UNIT = {unit}, UNITS = {units};"
    style = _STYLE % {"font": FONT, "muted": TEXT_COLOUR}
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(heading)}</title>\n<style>{style}</style>\n</head>\n<body>\n"
        f"<main>\n<h1>{html.escape(heading)}</h1>\n"
        f'<p class="totals">{html.escape(totals_line(calendar))}</p>\n'
        f"<figure>\n{render_svg(calendar)}\n</figure>\n"
        '<p id="insights" aria-live="polite"></p>\n</main>\n'
        f"<script>\n{unit_js}{_SCRIPT}</script>\n</body>\n</html>\n"
    )


def _js_string(value: str) -> str:
    # json.dumps gives a valid JS string literal; escaping "<" keeps "</script>" out of the page.
    return json.dumps(value).replace("<", "\\u003c")
