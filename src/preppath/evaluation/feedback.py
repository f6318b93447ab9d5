"""What the rubric tells the person: observations with their evidence, and ideas to add.

Strengths quote the person's own words. A contradiction says what was said and what is true.
A missed point is taught as an idea ("assignment does not copy…"), never as a word to insert.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from preppath.evaluation.points import Judgement
from preppath.evaluation.text import analyse
from preppath.values import Question

if TYPE_CHECKING:
    from preppath.evaluation.behavioral import Story
    from preppath.evaluation.rubric import _Parts


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def _point_lines(
    question: Question, judgements: list[Judgement]
) -> tuple[list[str], list[str], list[str]]:
    strengths: list[str] = []
    wrong: list[str] = []
    missing: list[str] = []
    for point, j in zip(question.key_points, judgements, strict=True):
        idea = f" {point.explain}" if point.explain else ""
        if j.status == "covered":
            strengths.append(f"Covered: {point.point} (you said “{j.said}”)")
        elif j.status == "partial":
            missing.append(f"Only partly covered: {point.point} (you said “{j.said}”).{idea}")
        elif j.status == "contradicted":
            wrong.append(f"You said “{j.said}”; {j.correction}")
        else:
            missing.append(f"Missing: {point.point}.{idea}")
    return strengths, wrong, missing


def _story_lines(story: Story, tags: tuple[str, ...]) -> tuple[list[str], list[str]]:
    strengths: list[str] = []
    improvements: list[str] = []
    asked = ", ".join(tags) or "the competency asked about"
    if story.narrative < 0.4:
        improvements.append(
            "This describes what you usually do, not a time it happened: tell one specific story "
            "(when it was, what you did, what changed)"
        )
    if story.relevance < 0.4:
        improvements.append(
            f"The story does not show what the question asks about ({asked}); choose one where "
            "that is the point"
        )
    elif story.cues:
        strengths.append(f"On the question's theme ({asked}): you said “{story.cues[0]}”")
    missing = [part for part, ok in story.star.items() if not ok]
    advice = {
        "situation": "set the scene: when and where it happened",
        "task": "say what you were responsible for or trying to achieve",
        "action": "say what you yourself did, told with “I”",
        "result": "say what changed in the end, with a number if you have one",
    }
    if not missing and story.narrative >= 0.4:
        strengths.append("Complete STAR structure: situation, task, action and result")
    for part in missing:
        improvements.append(f"STAR {part} missing: {advice[part]}")
    if story.star["action"] and story.we_actions > 2 * max(story.i_actions, 1):
        improvements.append(
            f"Told mostly with “we” ({_plural(story.we_actions, 'time')} against "
            f"{story.i_actions} with “I”): make your own part clear"
        )
    if story.asks_lesson and not story.lesson:
        improvements.append("The question asks what you learned: end with the lesson")
    if story.specificity >= 0.6:
        strengths.append("Specific: numbers, names and time frames make the story credible")
    elif story.narrative >= 0.4:
        improvements.append(
            "Add specifics: numbers, the systems or people involved, how long it took"
        )
    return strengths, improvements


def feedback(
    question: Question, judgements: list[Judgement], p: _Parts, spoken: bool, text: str
) -> tuple[list[str], list[str]]:
    strengths, wrong, missing = _point_lines(question, judgements)
    improvements: list[str] = list(p.notes) + wrong
    analysed = analyse(text)
    words = len(analysed.words)
    if words and p.prose < 0.5:
        improvements.append(
            f"Answer in full sentences: this reads as a list of terms "
            f"(only {analysed.stop_ratio:.0%} linking words)"
        )
    if p.story is not None:
        story_strengths, story_improvements = _story_lines(p.story, question.tags)
        strengths += story_strengths
        improvements += story_improvements
        improvements += [m for m in missing if m.startswith("Only partly")]
    else:
        if words and p.topic < 0.5:
            improvements.append(
                f"Much of the answer is off the question's topic (topic match {p.topic:.0%}); "
                "answer what was asked first"
            )
        improvements += missing
    if p.substance < 1 and words:
        ideas = [
            pt.point.rstrip(".")
            for pt, j in zip(question.key_points, judgements, strict=True)
            if j.status in ("missed", "partial")
        ][:2]
        more = f"; a full answer would also cover: {'; '.join(ideas)}" if ideas else ""
        improvements.append(
            f"Too short for a {question.difficulty} question ({_plural(words, 'word')}){more}"
        )
    clear = (
        p.prose >= 0.8
        and p.topic >= 0.8
        and p.length >= 0.8
        and not p.contradicted
        and not spoken
        and analysed.sentences
        and 8 <= words / analysed.sentences <= 30
    )
    if clear:
        strengths.append(
            f"Clear prose: {_plural(analysed.sentences, 'sentence')} of "
            f"{words // analysed.sentences} words on average"
        )
    return strengths, improvements
