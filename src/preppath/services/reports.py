"""The end-of-interview report: summary, strengths, recommendations, and its export formats."""

from __future__ import annotations

import html
import json
from collections import Counter, defaultdict
from pathlib import Path

from preppath.errors import ExitCode, PrepPathError
from preppath.messages import agree, plural
from preppath.services.context import AppContext
from preppath.services.interviews import get_interview
from preppath.services.views import FeedbackView, InterviewView, Report, jsonable

SCORE_NAMES = ("correctness", "completeness", "clarity")


def build_report(ctx: AppContext, interview_id: int) -> Report:
    return report_for(get_interview(ctx, interview_id))


def report_for(interview: InterviewView) -> Report:
    answered = [q for q in interview.questions if q.feedback is not None]
    skipped = sum(q.status == "skipped" for q in interview.questions)
    feedback = [q.feedback for q in answered if q.feedback is not None]
    averages = (
        {
            name: round(sum(f.scores[name] for f in feedback) / len(feedback), 1)
            for name in SCORE_NAMES
        }
        if feedback
        else {}
    )
    overall = round(sum(f.overall for f in feedback) / len(feedback), 1) if feedback else None
    by_topic: dict[str, list[int]] = defaultdict(list)
    for q in answered:
        assert q.feedback is not None
        for topic in q.tags or q.stack or [q.type]:
            by_topic[topic].append(q.feedback.overall)
    topic_avg = {t: sum(v) / len(v) for t, v in by_topic.items()}
    weakest = [t for t, avg in sorted(topic_avg.items(), key=lambda kv: kv[1]) if avg < 70][:3]
    return Report(
        interview=interview,
        overall=overall,
        averages=averages,
        answered=len(answered),
        skipped=skipped,
        summary=_summary(interview, overall, averages, len(answered), skipped),
        strengths=_top_strengths(answered_feedback=feedback),
        recommendations=_recommendations(interview, weakest, averages, skipped),
        weakest_topics=weakest,
    )


def _summary(
    interview: InterviewView,
    overall: float | None,
    averages: dict[str, float],
    answered: int,
    skipped: int,
) -> str:
    head = (
        f"{interview.type.replace('_', ' ').title()} interview for {interview.role} "
        f"({interview.level}): {answered} of "
        f"{plural(len(interview.questions), 'question')} answered"
    )
    if skipped:
        head += f", {skipped} skipped"
    if overall is None:
        return head + "; nothing scored yet."
    best = max(averages, key=averages.__getitem__)
    worst = min(averages, key=averages.__getitem__)
    if averages[best] == averages[worst]:
        return f"{head}. Overall {overall:.0f}/100, even across {', '.join(averages)}."
    return (
        f"{head}. Overall {overall:.0f}/100; strongest on {best} ({averages[best]:.1f}/10), "
        f"weakest on {worst} ({averages[worst]:.1f}/10)."
    )


def _top_strengths(answered_feedback: list[FeedbackView]) -> list[str]:
    counts: Counter[str] = Counter()
    for fb in answered_feedback:
        for s in fb.strengths:
            counts[s.split(" (", 1)[0]] += 1
    return [s for s, _ in counts.most_common(5)]


def _recommendations(
    interview: InterviewView, weakest: list[str], averages: dict[str, float], skipped: int
) -> list[str]:
    recs = []
    if weakest:
        recs.append(
            "Revisit these topics: "
            + ", ".join(weakest)
            + " (practise with `preppath interview start --review`)."
        )
    if averages.get("completeness", 10) < 6:
        recs.append(
            "Cover more of the expected points: before answering, list the 3-4 things "
            "the question needs and touch each."
        )
    if averages.get("clarity", 10) < 6:
        recs.append(
            "Structure answers in full sentences: lead with the answer, then the why, "
            "then an example."
        )
    if interview.type in ("behavioral", "mixed"):
        missing = Counter(
            part
            for q in interview.questions
            if q.feedback and q.feedback.star
            for part, ok in q.feedback.star.items()
            if not ok
        )
        if missing:
            parts = ", ".join(p for p, _ in missing.most_common())
            recs.append(
                f"Behavioural stories lacked: {parts}. Use STAR and end with a measurable result."
            )
    if skipped:
        recs.append(
            f"{plural(skipped, 'question')} {agree(skipped, 'was')} skipped; draft an answer "
            f"for {'it' if skipped == 1 else 'each'} before your next session."
        )
    missed = Counter(
        kp["point"]
        for q in interview.questions
        if q.feedback
        for kp in q.feedback.key_points
        if not kp.get("covered")
    )
    for point, _ in missed.most_common(3):
        recs.append(f"Key point to learn: {point}.")
    return recs or ["Keep going: practise a harder level or a new stack next."]


def render_markdown(report: Report) -> str:
    iv = report.interview
    lines = [f"# Interview {iv.id} report", "", report.summary, ""]
    if report.averages:
        lines += ["| score | average |", "| --- | --- |"]
        lines += [f"| {k} | {v:.1f}/10 |" for k, v in report.averages.items()]
        lines += [f"| overall | {report.overall:.0f}/100 |", ""]
    for q in iv.questions:
        lines += [f"## Q{q.id}. {q.text}", "", f"*{q.type}, {q.difficulty}, {q.status}*", ""]
        if q.feedback:
            fb = q.feedback
            lines += [
                f"**Your answer** ({fb.source}, attempt {fb.attempt}): {fb.answer}",
                "",
                f"**Score:** {fb.overall}/100 — "
                + ", ".join(f"{k} {v:.1f}" for k, v in fb.scores.items()),
                "",
            ]
            lines += [f"- ✔ {s}" for s in fb.strengths] + [f"- ✘ {s}" for s in fb.improvements]
            lines += ["", f"**Model answer:** {q.expected_answer}", ""]
    lines += ["## Recommendations", ""] + [f"- {r}" for r in report.recommendations]
    return "\n".join(lines) + "\n"


def render_html(report: Report) -> str:
    e = html.escape
    iv = report.interview
    parts = [f"<h1>Interview {iv.id} report</h1>", f"<p>{e(report.summary)}</p>"]
    for q in iv.questions:
        parts.append(
            f"<section><h2>Q{q.id}. {e(q.text)}</h2><p><em>{e(q.type)}, "
            f"{e(q.difficulty)}, {e(q.status)}</em></p>"
        )
        if q.feedback:
            fb = q.feedback
            items = "".join(f"<li class=good>{e(s)}</li>" for s in fb.strengths)
            items += "".join(f"<li class=bad>{e(s)}</li>" for s in fb.improvements)
            parts.append(
                f"<p><strong>Your answer:</strong> {e(fb.answer)}</p>"
                f"<p class=score>{fb.overall}/100</p><ul>{items}</ul>"
                f"<details><summary>Model answer</summary>"
                f"<p>{e(q.expected_answer)}</p></details>"
            )
        parts.append("</section>")
    recs = "".join(f"<li>{e(r)}</li>" for r in report.recommendations)
    parts.append(f"<h2>Recommendations</h2><ul>{recs}</ul>")
    style = (
        "body{font:15px/1.5 system-ui,sans-serif;max-width:48rem;margin:2rem auto;"
        "padding:0 1rem;color:#1f2328}.good{color:#1a7f37}.bad{color:#9a6700}"
        ".score{font-size:1.4rem;font-weight:600}section{border-top:1px solid #d0d7de}"
    )
    return (
        f"<!doctype html><html lang=en><meta charset=utf-8><title>PrepPath interview "
        f"{iv.id}</title><style>{style}</style><body>{''.join(parts)}</body></html>\n"
    )


def render(report: Report, fmt: str) -> str:
    if fmt == "markdown":
        return render_markdown(report)
    if fmt == "html":
        return render_html(report)
    if fmt == "json":
        return json.dumps(jsonable(report), indent=2, ensure_ascii=False) + "\n"
    raise PrepPathError(f"unknown report format {fmt!r} (markdown, json, html)", ExitCode.USAGE)


def write_report(report: Report, fmt: str, output: Path, *, force: bool = False) -> Path:
    """Write the report to `output`, private (it holds the person's answers); an existing file
    needs `force`."""
    from preppath.files import write_output

    return write_output(output, render(report, fmt).encode("utf-8"), force=force, private=True)
