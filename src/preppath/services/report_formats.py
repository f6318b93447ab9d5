"""The report as a small document (headings, paragraphs, quotes, lists, score tables) and its
Markdown and HTML renderings; `cli/render.py` draws the same document in the terminal.

`build_document` alone decides what a report shows and in what order. The renderers only
format blocks, so a format cannot leave out what another shows. Text everywhere may hold
`code` in backticks (commands, identifiers); each renderer shows it as code.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Literal

from preppath.services.inline_code import inline_spans
from preppath.services.views import Report, ReportAnswer, ReportQuestion
from preppath.services.wording import KEY_POINT_STATUS, star_summary

Mark = Literal["good", "bad", "partial", "info"]
MARKS: dict[str, str] = {"good": "✔", "bad": "✘", "partial": "◐", "info": "•"}


@dataclass(frozen=True)
class Paragraph:
    text: str
    style: Literal["plain", "summary", "meta"] = "plain"


@dataclass(frozen=True)
class Quote:
    """Longer text shown as a block: the person's answer or the model answer."""

    label: str
    detail: str | None
    text: str
    kind: Literal["answer", "model"]


@dataclass(frozen=True)
class Item:
    mark: Mark
    text: str


@dataclass(frozen=True)
class Items:
    title: str | None
    items: tuple[Item, ...]


@dataclass(frozen=True)
class ScoreRow:
    name: str
    value: float
    scale: int

    @property
    def shown(self) -> str:
        return f"{self.value:.0f}/{self.scale}" if self.scale == 100 else f"{self.value:.1f}/10"


@dataclass(frozen=True)
class Scores:
    title: str
    rows: tuple[ScoreRow, ...]


Block = Paragraph | Quote | Items | Scores


@dataclass(frozen=True)
class Section:
    title: str
    anchor: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Document:
    title: str
    intro: tuple[Block, ...]
    sections: tuple[Section, ...]


# --- what a report shows ------------------------------------------------------------------------


def build_document(report: Report) -> Document:
    intro: list[Block] = [Paragraph(report.summary, "summary")]
    if report.averages and report.overall is not None:
        rows = [ScoreRow(name, value, 10) for name, value in report.averages.items()]
        intro.append(Scores(f"Overall {report.overall:.0f}/100", tuple(rows)))
    if report.strengths:
        intro.append(
            Items("Strengths across your answers", tuple(Item("good", s) for s in report.strengths))
        )
    if report.usage.get("calls"):  # offline interviews cost nothing worth a line
        intro.append(Paragraph(f"Cloud usage: {report.usage['summary']}.", "meta"))
    sections = [_question_section(q) for q in report.questions]
    sections.append(
        Section(
            "Recommendations",
            "recommendations",
            (Items(None, tuple(Item("info", r) for r in report.recommendations)),),
        )
    )
    return Document(f"Interview {report.interview.id} report", tuple(intro), tuple(sections))


def _question_section(q: ReportQuestion) -> Section:
    meta = f"{q.type.replace('_', ' ')} · {q.difficulty} · {q.status}"
    blocks: list[Block] = [Paragraph(meta, "meta")]
    if q.scoring_note is not None:  # a newer answer than any feedback shown, still unscored
        blocks.append(Paragraph(q.scoring_note[0].upper() + q.scoring_note[1:] + "."))
    if q.answer is not None:
        blocks += _answer_blocks(q.answer)
    elif q.scoring_note is not None:
        pass
    elif q.status == "skipped":
        blocks.append(Paragraph("Skipped: compare the model answer with what you would say."))
    else:
        blocks.append(Paragraph("Not answered yet: its model answer appears once you answer it."))
    if q.model_answer is not None:
        blocks.append(Quote("Model answer", None, q.model_answer, "model"))
    return Section(f"Q{q.number}. {q.text}", f"q{q.number}", tuple(blocks))


def _answer_blocks(a: ReportAnswer) -> list[Block]:
    rows = tuple(ScoreRow(name, value, 10) for name, value in a.scores.items())
    blocks: list[Block] = [
        Quote("Your answer", a.given, a.text, "answer"),
        Scores(f"Score {a.overall}/100", rows),
    ]
    if a.strengths:
        blocks.append(Items("What worked", tuple(Item("good", s) for s in a.strengths)))
    if a.improvements:
        blocks.append(Items("To improve", tuple(Item("bad", s) for s in a.improvements)))
    if a.key_points:
        covered = sum(kp.status == "covered" for kp in a.key_points)
        items = []
        for kp in a.key_points:
            mark: Mark = (
                "good" if kp.status == "covered" else "partial" if kp.status == "partial" else "bad"
            )
            text = f"{kp.point}: {KEY_POINT_STATUS.get(kp.status, kp.status)}"
            if kp.matched:
                text += " (you said " + ", ".join(f"“{m}”" for m in kp.matched) + ")"
            if kp.correction:
                text += f"; in fact: {kp.correction}"
            items.append(Item(mark, text))
        title = f"Key points: {covered} of {len(a.key_points)} covered"
        blocks.append(Items(title, tuple(items)))
    if a.star:
        blocks.append(Paragraph(star_summary(a.star)))
    if a.delivery:
        blocks.append(Items("Delivery", tuple(Item("info", d) for d in a.delivery)))
    return blocks


# --- Markdown -----------------------------------------------------------------------------------

# Characters that would turn an answer's `*args`, `__init__` or `<b>` into emphasis or markup.
_MD_ALWAYS = re.compile(r"([\\`*\[\]<])")
_MD_UNDERSCORE = re.compile(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")
_MD_ENTITY = re.compile(r"&(?=#?\w+;)")
_MD_LINE_START = re.compile(r"^(\s*)([#>+=-]|\d+[.)])", re.MULTILINE)


def _md_plain(text: str) -> str:
    text = _MD_ALWAYS.sub(r"\\\1", text)
    text = _MD_UNDERSCORE.sub(r"\\_", text)
    text = _MD_ENTITY.sub("&amp;", text)
    return _MD_LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), text)


def md_inline(text: str) -> str:
    return "".join(f"`{piece}`" if code else _md_plain(piece) for piece, code in inline_spans(text))


def render_markdown(report: Report) -> str:
    doc = build_document(report)
    lines = [f"# {md_inline(doc.title)}", ""]
    for block in doc.intro:
        lines += _md_block(block)
    for section in doc.sections:
        lines += [f"## {md_inline(' '.join(section.title.split()))}", ""]
        for block in section.blocks:
            lines += _md_block(block)
    return "\n".join(lines).rstrip("\n") + "\n"


def _md_block(block: Block) -> list[str]:
    if isinstance(block, Paragraph):
        text = md_inline(block.text)
        return [f"*{text}*" if block.style == "meta" else text, ""]
    if isinstance(block, Quote):
        label = f"**{block.label}**" + (f" ({md_inline(block.detail)})" if block.detail else "")
        quoted = [f"> {line}".rstrip() for line in md_inline(block.text).splitlines()]
        return [label + ":", "", *quoted, ""]
    if isinstance(block, Items):
        head = [f"**{md_inline(block.title)}**", ""] if block.title else []
        # A plain item is a plain Markdown bullet; "- •" would draw two.
        items = [
            f"- {md_inline(i.text)}"
            if i.mark == "info"
            else f"- {MARKS[i.mark]} {md_inline(i.text)}"
            for i in block.items
        ]
        return [*head, *items, ""]
    return [f"**{block.title}**: " + ", ".join(f"{r.name} {r.shown}" for r in block.rows), ""]


# --- HTML ---------------------------------------------------------------------------------------


def html_inline(text: str) -> str:
    return "".join(
        f"<code>{html.escape(piece)}</code>" if code else html.escape(piece)
        for piece, code in inline_spans(text)
    )


def _html_paragraphs(text: str) -> str:
    paragraphs = [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    return "".join(
        "<p>" + "<br>".join(html_inline(line) for line in p.splitlines()) + "</p>"
        for p in paragraphs
    )


def _html_block(block: Block) -> str:
    if isinstance(block, Paragraph):
        cls = f' class="{block.style}"' if block.style != "plain" else ""
        return f"<p{cls}>{html_inline(block.text)}</p>"
    if isinstance(block, Quote):
        detail = (
            f' <span class="given">({html_inline(block.detail)})</span>' if block.detail else ""
        )
        return (
            f'<figure class="quote {block.kind}"><figcaption><strong>{html.escape(block.label)}'
            f"</strong>{detail}</figcaption><blockquote>{_html_paragraphs(block.text)}"
            "</blockquote></figure>"
        )
    if isinstance(block, Items):
        head = f"<h3>{html_inline(block.title)}</h3>" if block.title else ""
        items = "".join(
            # The text is one span so the flex row has two children: mark and text, however
            # much inline code the text holds.
            f'<li class="{i.mark}"><span class="mark" aria-hidden="true">{MARKS[i.mark]}</span>'
            f"<span>{html_inline(i.text)}</span></li>"
            for i in block.items
        )
        return f'{head}<ul class="items">{items}</ul>'
    rows = "".join(
        f'<tr><th scope="row">{html.escape(r.name)}</th><td>{r.shown}</td>'
        f'<td class="bar" aria-hidden="true"><span class="track"><span class="fill" '
        f'style="width:{100 * r.value / r.scale:.0f}%"></span></span></td></tr>'
        for r in block.rows
    )
    return (
        f'<table class="scores"><caption>{html.escape(block.title)}</caption>'
        f"<tbody>{rows}</tbody></table>"
    )


# Light and dark colours meet WCAG AA (4.5:1) for text on their backgrounds; the print sheet
# drops backgrounds and the dark theme, keeps the score bars, and keeps each answer with its
# heading. The page is self-contained: no fonts, images or scripts from anywhere.
_STYLE = """
:root { color-scheme: light dark; --fg: #1f2328; --muted: #59636e; --bg: #ffffff;
  --line: #d1d9e0; --panel: #f6f8fa; --good: #1a7f37; --bad: #9a6700; --partial: #0969da;
  --bar: #0969da; --code: #eff2f5; }
@media screen and (prefers-color-scheme: dark) {
  :root { --fg: #e6edf3; --muted: #9198a1; --bg: #0d1117; --line: #3d444d; --panel: #151b23;
    --good: #3fb950; --bad: #d29922; --partial: #4493f8; --bar: #4493f8; --code: #262c36; }
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; background: var(--bg); color: var(--fg);
  font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
main { max-width: 46rem; margin: 0 auto; padding: 2rem 1.25rem 3rem; }
h1 { font-size: 1.75rem; line-height: 1.25; margin: 0 0 .75rem; }
h2 { font-size: 1.25rem; line-height: 1.35; margin: 0 0 .25rem; }
h3 { font-size: .95rem; margin: 1.25rem 0 .35rem; }
p { margin: .5rem 0; }
.summary { font-size: 1.05rem; }
.meta { color: var(--muted); margin-top: 0; }
section { border-top: 1px solid var(--line); margin-top: 2rem; padding-top: 1.5rem; }
code { font: .9em ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
  background: var(--code); border-radius: 4px; padding: .1em .3em; overflow-wrap: anywhere;
  -webkit-box-decoration-break: clone; box-decoration-break: clone; }
.quote { margin: 1rem 0; }
.quote figcaption { margin-bottom: .25rem; }
.given { color: var(--muted); }
blockquote { margin: 0; padding: .5rem 1rem; background: var(--panel);
  border-left: 4px solid var(--line); border-radius: 0 6px 6px 0; overflow-wrap: anywhere; }
.quote.model blockquote { border-left-color: var(--good); }
.items { list-style: none; padding: 0; margin: .25rem 0; }
.items li { display: flex; gap: .5rem; margin: .3rem 0; }
.mark { flex: none; width: 1.1em; text-align: center; font-weight: 700; }
.good .mark { color: var(--good); }
.bad .mark { color: var(--bad); }
.partial .mark { color: var(--partial); }
.info .mark { color: var(--muted); }
.scores { border-collapse: collapse; margin: 1rem 0; min-width: min(100%, 22rem); }
.scores caption { text-align: left; font-weight: 700; font-size: 1.05rem; padding-bottom: .35rem; }
.scores th, .scores td { padding: .3rem .75rem .3rem 0; border-bottom: 1px solid var(--line);
  text-align: left; font-variant-numeric: tabular-nums; }
.scores th[scope=row] { font-weight: 400; }
.bar { width: 45%; padding-right: 0; }
.track { display: block; height: .5rem; border-radius: 4px; background: var(--line); }
.fill { display: block; height: 100%; min-width: 3px; border-radius: 4px; background: var(--bar); }
@media (max-width: 30rem) {
  main { padding: 1.25rem 1rem 2rem; }
  h1 { font-size: 1.45rem; }
  h2 { font-size: 1.1rem; }
  .bar { width: 30%; }
}
@media print {
  @page { margin: 18mm 16mm; }
  body { font-size: 11pt; background: #fff; color: #000; }
  main { max-width: none; padding: 0; }
  section { break-inside: auto; margin-top: 1.25rem; padding-top: 1rem; }
  h2, h3, figcaption, caption { break-after: avoid; }
  li, tr, blockquote p { break-inside: avoid; }
  blockquote { background: none; border-left: 2px solid #777; }
  code { background: none; padding: 0; }
  .track, .fill { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
}
"""


def render_html(report: Report) -> str:
    doc = build_document(report)
    intro = "".join(_html_block(b) for b in doc.intro)
    sections = "".join(
        f'<section id="{s.anchor}"><h2>{html_inline(s.title)}</h2>'
        + "".join(_html_block(b) for b in s.blocks)
        + "</section>"
        for s in doc.sections
    )
    return (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>PrepPath: {html.escape(doc.title)}</title>\n<style>{_STYLE}</style>\n</head>\n"
        f"<body>\n<main>\n<header><h1>{html_inline(doc.title)}</h1>{intro}</header>\n"
        f"{sections}\n</main>\n</body>\n</html>\n"
    )
