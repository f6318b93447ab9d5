"""The end-of-interview report: summary, strengths, recommendations, and its export formats."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from pathlib import Path

from preppath.errors import ExitCode, PrepPathError
from preppath.messages import plural
from preppath.services.context import AppContext
from preppath.services.reading import SCORE_NAMES, get_interview
from preppath.services.report_formats import render_html, render_markdown
from preppath.services.views import (
    FeedbackView,
    InterviewView,
    QuestionView,
    Report,
    ReportAnswer,
    ReportKeyPoint,
    ReportQuestion,
    jsonable,
)
from preppath.services.wording import answer_label, describe_delivery, key_point_status


def build_report(ctx: AppContext, interview_id: int) -> Report:
    import dataclasses

    from preppath.spend.usage import totals_for_interview

    report = report_for(get_interview(ctx, interview_id))
    with ctx.reader() as db:
        used = totals_for_interview(db, interview_id)
    return dataclasses.replace(report, usage=used.to_dict() | {"summary": used.summary()})


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
        questions=[_report_question(q) for q in interview.questions],
    )


def _report_question(q: QuestionView) -> ReportQuestion:
    return ReportQuestion(
        number=q.id,
        text=q.text,
        type=q.type,
        difficulty=q.difficulty,
        status=f"scoring {q.scoring}" if q.scoring else q.status,
        answer=_report_answer(q.feedback) if q.feedback is not None else None,
        # A pending question may still be answered: its model answer would give it away.
        model_answer=q.expected_answer if q.status != "pending" else None,
        scoring_note=scoring_note(q),
    )


def scoring_note(q: QuestionView) -> str | None:
    """One line on an answer still without its score, or None."""
    if q.scoring == "pending":
        return "answer saved; scoring pending (`preppath jobs resume` runs it)"
    if q.scoring == "transcribing":  # an imported recording, stored before its transcript
        return "recording saved; transcription pending (`preppath jobs resume` runs it)"
    if q.scoring == "transcription_failed":
        reason = q.scoring_error or "no reason recorded"
        return (
            f"recording saved; transcription failed: {reason} "
            f"(`preppath jobs retry {q.scoring_job}`)"
        )
    if q.scoring == "failed":
        reason = q.scoring_error or "no reason recorded"
        return f"answer saved; scoring failed: {reason} (`preppath jobs retry {q.scoring_job}`)"
    return None


def _report_answer(fb: FeedbackView) -> ReportAnswer:
    return ReportAnswer(
        text=fb.answer,
        given=answer_label(fb.source, fb.attempt),
        source=fb.source,
        attempt=fb.attempt,
        overall=fb.overall,
        scores=dict(fb.scores),
        strengths=list(fb.strengths),
        improvements=list(fb.improvements),
        key_points=[
            ReportKeyPoint(
                point=str(kp.get("point", "")),
                status=key_point_status(kp),
                matched=[str(m) for m in kp.get("matched") or ()],
                correction=str(kp["correction"]) if kp.get("correction") else None,
            )
            for kp in fb.key_points
        ],
        star=fb.star,
        delivery=describe_delivery(fb.delivery),
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
        f"({interview.level}): {answered} of {plural(len(interview.questions), 'question')} "
        "answered"
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
        were = "was" if skipped == 1 else "were"
        recs.append(
            f"{plural(skipped, 'question')} {were} skipped; read the model answer and draft your "
            "own before your next session."
        )
    corrections = {
        kp["point"]: kp["correction"]
        for q in interview.questions
        if q.feedback
        for kp in q.feedback.key_points
        if key_point_status(kp) == "contradicted" and kp.get("correction")
    }
    for point, correction in list(corrections.items())[:3]:
        recs.append(f"Correct this: {point}. {correction}")
    missed = Counter(
        kp["point"]
        for q in interview.questions
        if q.feedback
        for kp in q.feedback.key_points
        if not kp.get("covered") and kp["point"] not in corrections
    )
    for point, _ in missed.most_common(3):
        recs.append(f"Key point to learn: {point}.")
    return recs or ["Keep going: practise a harder level or a new stack next."]


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
