"""The HTML report and the heatmap page looked at as a person would: rendered by headless
Chromium at a desktop and a phone width, in light and dark mode, and in print. Each view is
checked for its content, text contrast (WCAG AA), nothing running off the screen or overlapping,
and the print sheet; its screenshot is kept under tmp/artifacts/pages/ for a human to look at."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from browser import CHROMIUM, NO_CHROMIUM, Browser, Page, pdf_pages, png_size
from conftest import ROOT, Runner
from preppath.services.context import AppContext
from report_scenario import QUESTIONS, make_report_interview

pytestmark = [
    pytest.mark.skipif(CHROMIUM is None, reason=NO_CHROMIUM),
    pytest.mark.usefixtures("fresh_database"),
]

ARTIFACTS = ROOT / "tmp" / "artifacts" / "pages"
VIEWS = {"desktop": (1280, 900), "phone": (375, 812)}

# Measures the page as rendered: every piece of visible text with its contrast against what is
# behind it, the smallest text, horizontal overflow, and blocks that overlap their neighbours.
PROBE = r"""
(() => {
  const rgb = (c) => {
    const m = (c || "").match(/[\d.]+/g);
    if (!m) return null;
    const [r, g, b, a] = m.map(Number);
    return { r, g, b, a: a === undefined ? 1 : a };
  };
  const lin = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
  const lum = (c) => 0.2126 * lin(c.r) + 0.7152 * lin(c.g) + 0.0722 * lin(c.b);
  const contrast = (a, b) => {
    const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
    return (hi + 0.05) / (lo + 0.05);
  };
  const behind = (el) => {
    for (let n = el; n; n = n.parentElement) {
      const c = rgb(getComputedStyle(n).backgroundColor);
      if (c && c.a > 0.5) return c;
    }
    return { r: 255, g: 255, b: 255, a: 1 };
  };
  const scrolls = (el) => {
    for (let n = el.parentElement; n; n = n.parentElement) {
      if (["auto", "scroll"].includes(getComputedStyle(n).overflowX)) return true;
    }
    return false;
  };
  const texts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    const text = node.textContent.trim();
    if (!text || ["SCRIPT", "STYLE", "TITLE", "title"].includes(el.tagName)) continue;
    const style = getComputedStyle(el);
    const box = el.getBoundingClientRect();
    if (style.visibility === "hidden" || style.display === "none" || !box.width) continue;
    const fg = rgb(el instanceof SVGElement ? style.fill : style.color);
    const bg = behind(el);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
    texts.push({
      text: text.slice(0, 60), size, ratio: contrast(fg, bg), needed: large ? 3 : 4.5,
      offscreen: !scrolls(el) && box.right > innerWidth + 1,
    });
  }
  const overlaps = [];
  for (const box of document.querySelectorAll("main, header, section, figure, li")) {
    const kids = [...box.children].filter((k) => k.getBoundingClientRect().height > 0);
    for (let i = 1; i < kids.length; i++) {
      const [a, b] = [kids[i - 1].getBoundingClientRect(), kids[i].getBoundingClientRect()];
      const sideBySide = b.left >= a.right - 1;
      if (!sideBySide && b.top < a.bottom - 1) {
        overlaps.push(`${kids[i - 1].tagName} / ${kids[i].tagName} in ${box.tagName}`);
      }
    }
  }
  const page = getComputedStyle(document.body);
  return {
    low_contrast: texts.filter((t) => t.ratio < t.needed),
    smallest_text: Math.min(...texts.map((t) => t.size)),
    offscreen: texts.filter((t) => t.offscreen).map((t) => t.text),
    overflows: document.documentElement.scrollWidth > innerWidth + 1,
    overlaps,
    dark: matchMedia("(prefers-color-scheme: dark)").matches,
    background_luminance: lum(behind(document.body)),
    text_luminance: lum(rgb(page.color)),
    text: document.body.innerText,
  };
})()
"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with Browser() as b:
        yield b


def look(browser: Browser, page_file: Path, name: str, **view: Any) -> tuple[Page, dict[str, Any]]:
    """Open the page in one view, keep its screenshot, and measure it."""
    page = browser.open_page(page_file.as_uri(), **view)
    shot = page.screenshot(ARTIFACTS / f"{name}.png")
    assert png_size(shot)[0] == view["width"]  # the whole width, nothing cut off
    return page, page.evaluate(PROBE)


def assert_readable(found: dict[str, Any], view: str) -> None:
    """Text passes WCAG AA contrast, is 12 px or more, stays on screen and does not overlap."""
    assert found["low_contrast"] == [], f"{view}: text below WCAG AA contrast"
    assert found["smallest_text"] >= 12, view
    assert found["offscreen"] == [] and not found["overflows"], f"{view}: runs off the screen"
    assert found["overlaps"] == [], f"{view}: overlapping blocks"


def assert_scheme(found: dict[str, Any], dark: bool, view: str) -> None:
    """Dark mode is a dark page with light text; light mode (and print) the other way round."""
    assert found["dark"] is dark, view
    if dark:
        assert found["background_luminance"] < 0.05 and found["text_luminance"] > 0.6, view
    else:
        assert found["background_luminance"] > 0.9 and found["text_luminance"] < 0.05, view


# --- the interview report -----------------------------------------------------------------------


@pytest.fixture
def report_page(app: AppContext, run: Runner, tmp_path: Path) -> Path:
    interview_id, _ = make_report_interview(app, run)
    result = run("interview", "report", str(interview_id), "--format", "html")
    assert result.code == 0, result.stderr
    page = tmp_path / "report.html"
    page.write_text(result.stdout, encoding="utf-8")
    return page


@pytest.mark.parametrize("view", VIEWS)
@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_report_page_reads_well(browser: Browser, report_page: Path, view: str, dark: bool) -> None:
    """At a desktop and a phone width, light and dark, the report shows every question with its
    answer, score breakdown and model answer, readable and within the screen."""
    width, height = VIEWS[view]
    name = f"report-{view}-{'dark' if dark else 'light'}"
    page, found = look(browser, report_page, name, width=width, height=height, dark=dark)
    assert_readable(found, name)
    assert_scheme(found, dark, name)
    text = " ".join(found["text"].split())
    for ident, (_, question, model) in QUESTIONS.items():
        assert question.replace("`", "") in text
        # Answered and skipped questions show their model answer; the pending one does not.
        assert (model in text) is (ident != "rl-pending"), ident
    assert text.count("Model answer") == 3
    assert "spoken, imported from a file, attempt 1" in text
    assert "Pace: " in text and "Fillers: " in text
    assert page.evaluate("document.querySelectorAll('table.scores tbody tr').length") == 9
    assert "`" not in text  # backticks became code
    assert page.evaluate("[...document.querySelectorAll('code')].map(c => c.textContent)")[:2] == [
        "*args",
        "**kwargs",
    ]
    if view == "phone":  # the viewport tag keeps a phone at its own width, not 980 px zoomed out
        assert page.evaluate("innerWidth") == width
    page.close()


def test_report_page_prints_cleanly(browser: Browser, report_page: Path) -> None:
    """In print the report is black on white even when the reader uses dark mode, keeps the
    score bars, keeps list items and headings with their text, and becomes a PDF of pages."""
    page, found = look(browser, report_page, "report-print", width=794, height=1123,
                       dark=True, print_media=True)  # fmt: skip
    assert found["background_luminance"] > 0.95 and found["text_luminance"] < 0.01
    assert found["low_contrast"] == [] and found["overlaps"] == []
    styles = page.evaluate(
        """({li: getComputedStyle(document.querySelector('li')).breakInside,
             h2: getComputedStyle(document.querySelector('h2')).breakAfter,
             bar: getComputedStyle(document.querySelector('.fill')).printColorAdjust,
             quote: getComputedStyle(document.querySelector('blockquote')).backgroundColor})"""
    )
    assert styles == {"li": "avoid", "h2": "avoid", "bar": "exact", "quote": "rgba(0, 0, 0, 0)"}
    pdf = page.pdf(ARTIFACTS / "report.pdf")
    assert pdf_pages(pdf) >= 2
    page.close()


# --- the heatmap page ---------------------------------------------------------------------------


@pytest.fixture
def heatmap_page(run: Runner, tmp_path: Path) -> Path:
    today = datetime.now(UTC).date()
    for days_ago in (1, 1, 1, 3, 9, 120):
        moment = datetime.combine(today - timedelta(days=days_ago), datetime.min.time())
        at = moment.replace(hour=12).isoformat()
        assert run("activity", "track", "practice", "--at", at).code == 0
    page = tmp_path / "heatmap.html"
    result = run("heatmap", "--export", str(page))
    assert result.code == 0, result.stderr
    return page


@pytest.mark.parametrize("view", VIEWS)
@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_heatmap_page_reads_well(
    browser: Browser, heatmap_page: Path, view: str, dark: bool
) -> None:
    """The calendar page at both widths and in both schemes: its totals say what they count,
    empty days take the scheme's shade, and a phone starts at the latest weeks."""
    width, height = VIEWS[view]
    name = f"heatmap-{view}-{'dark' if dark else 'light'}"
    page, found = look(browser, heatmap_page, name, width=width, height=height, dark=dark)
    assert_readable(found, name)
    assert_scheme(found, dark, name)
    text = " ".join(found["text"].split())
    assert "6 activities in the last year, 4 active days" in text
    assert "Counted: 6 practice sessions" in text
    assert "6 activities on 4 of 365 days" in text  # the page's script ran
    cells = page.evaluate(
        """(() => {
          const lum = (c) => c.match(/\\d+/g).slice(0, 3).map(Number).reduce((a, b) => a + b);
          const days = [...document.querySelectorAll('rect.day')];
          const empty = days.find(d => d.dataset.level === '0');
          const busiest = days.find(d => d.dataset.level === '4');
          const figure = document.querySelector('figure');
          return {n: days.length, empty: lum(getComputedStyle(empty).fill),
                  busiest: lum(getComputedStyle(busiest).fill),
                  latest_shown: figure.scrollLeft + figure.clientWidth >= figure.scrollWidth - 1};
        })()"""
    )
    assert cells["n"] == 365
    if dark:  # GitHub's dark scale: empty days nearly black, busy days bright green
        assert cells["empty"] < 150 < cells["busiest"]
    else:
        assert cells["empty"] > 600 > cells["busiest"]
    assert cells["latest_shown"], "the newest weeks are scrolled out of view"
    page.close()


def test_heatmap_page_prints_cleanly(browser: Browser, heatmap_page: Path) -> None:
    """In print the calendar fits the page width, keeps its cell colours and is not dark."""
    page, found = look(browser, heatmap_page, "heatmap-print", width=794, height=1123,
                       dark=True, print_media=True)  # fmt: skip
    assert found["background_luminance"] > 0.95
    assert not found["overflows"] and found["offscreen"] == []
    fit = page.evaluate(
        """(() => {
          const svg = document.querySelector('svg').getBoundingClientRect();
          const adjust = getComputedStyle(document.querySelector('rect.day')).printColorAdjust;
          return {fits: svg.right <= innerWidth, adjust};
        })()"""
    )
    assert fit == {"fits": True, "adjust": "exact"}
    assert pdf_pages(page.pdf(ARTIFACTS / "heatmap.pdf")) == 1
    page.close()
