"""Behavioural answers read as stories: the competency they show, against the one asked about,
their STAR parts and their specifics. Every story here is made up for the test."""

from __future__ import annotations

import re
from functools import cache

from preppath.bank.loader import load_bank
from preppath.evaluation.behavioral import Story, read_story
from preppath.evaluation.competency import cue_stems, evidence, sentence_reading
from preppath.evaluation.matching import units_of
from preppath.evaluation.rubric import RubricEvaluator, bank_idf, bank_topics
from preppath.values import Evaluation, Question


@cache
def _bank() -> tuple[RubricEvaluator, dict[str, Question]]:
    bank = load_bank(None)
    scorer = RubricEvaluator(bank_idf(bank.questions), topics=bank_topics(bank.questions))
    return scorer, bank.by_id()


def _evaluate(question_id: str, answer: str) -> Evaluation:
    scorer, questions = _bank()
    return scorer.evaluate(questions[question_id], answer)


def _story(question_id: str, answer: str) -> Story:
    question = _bank()[1][question_id]
    return read_story(answer, units_of(answer), question.tags, question.text)


OWNERSHIP_PLAIN = (
    "At a small charity I volunteered for, the donations spreadsheet was something everyone "
    "used and nobody looked after. Nobody owned it, so in March I said I would take care of it, "
    "even though it was not part of my job. I copied it into a proper database over three "
    "weekends, wrote a one-page guide and showed two other helpers how to run the monthly "
    "export. Since then the monthly figures have gone out on time every month."
)
STEPS_NOT_OWNERSHIP = (
    "At a small charity the donations spreadsheet was slow. The first step was to copy it into "
    "a database over three weekends; the next step was a one-page guide. I took a day off in "
    "between, then showed two other helpers how to run the export. The monthly figures now "
    "go out on time."
)


def test_cue_words_are_matched_with_their_small_words() -> None:
    """ "Stepped up" and "took it on" are not "step" and "took": a story of steps shows no
    ownership, a story of taking care of an unowned thing does."""
    plain = _story("behavioral-ownership-legacy", OWNERSHIP_PLAIN)
    steps = _story("behavioral-ownership-legacy", STEPS_NOT_OWNERSHIP)
    assert plain.relevance >= 0.8, plain
    assert not any("step" in cue for cue in steps.cues), steps
    assert steps.relevance < plain.relevance


FIRST_MONTHS = (
    "In my first months at a logistics firm I moved our invoices off a nightly batch job. I "
    "drafted two options, picked the queue-based one and built it over two weeks. Invoices now "
    "go out within a minute instead of overnight."
)


def test_the_question_words_every_story_uses_are_not_the_topic() -> None:
    """A question about taking over a team names "first" and "months"; a story that shares only
    those words shows nothing about taking over a team."""
    story = _story("behavioral-management-new-team", FIRST_MONTHS)
    assert story.relevance <= 0.25, story


MENTORING = (
    "Two years ago a junior colleague, Sam, joined our data team straight from a bootcamp, and "
    "I offered to be his mentor. In our first one-on-one he said code review scared him. I "
    "paired with him twice a week and explained how I read a pull request, then let him review "
    "mine first. By the end of the quarter he was reviewing on his own and had shipped the "
    "export feature, and his confidence in meetings grew visibly."
)


def test_a_vivid_story_of_another_competency_is_off_topic() -> None:
    """A mentoring story told for a disagreement question touches "colleague" and "explained"
    in passing; mentoring dominates it, so it scores in the off-topic band and is told what
    the question asked for and what the story shows instead."""
    story = _story("behavioral-conflict-peer", MENTORING)
    result = _evaluate("behavioral-conflict-peer", MENTORING)
    assert story.relevance < 0.2, story
    assert result.overall <= 30, result
    note = next(line for line in result.improvements if "does not show" in line)
    assert "a time you disagreed with a colleague" in note
    assert "mentoring" in note


def test_a_well_told_story_off_the_question_keeps_little_for_its_telling() -> None:
    """Structure and specifics do not carry a story that misses the question: it stays well
    inside the off-topic band, not at its top."""
    result = _evaluate("behavioral-conflict-peer", MENTORING)
    assert result.overall <= 25, result


def test_a_cue_across_a_transcript_cut_is_still_read() -> None:
    """A transcript has no full stops and is read in stretches of twenty words; a phrase that
    falls across a cut still counts."""
    opening = (
        "last year on the billing team my lead wanted to rewrite the whole invoice job "
        "from scratch and i "
    )
    assert len(opening.split()) == 19
    spoken = (
        opening + "pushed back because the old job only failed on one retry path so i showed "
        "him the logs from the last three months and we fixed that path in two days and the "
        "failures stopped"
    )
    story = _story("behavioral-conflict-peer", spoken)
    assert "pushed back" in story.cues, story


PLAIN_STAR = (
    "I was the only data analyst at a regional housing charity, and about three weeks before "
    "a big grant report the funder changed the figures it wanted. Producing the new numbers "
    "was my job. I rebuilt the tenancy queries, checked each total against last year's "
    "report and walked the director through the differences. The report was approved on the "
    "first submission and the grant was renewed."
)


def test_star_parts_are_read_from_plain_ways_of_telling_a_story() -> None:
    """A scene set by who and where the person was, a responsibility stated as "was my job"
    and an outcome of approval and renewal are situation, task and result."""
    story = _story("behavioral-communication-bad-news", PLAIN_STAR)
    assert story.star == {"situation": True, "task": True, "action": True, "result": True}


CONFLICT = (
    "Last year a colleague and I disagreed about how to store audit events: she argued for a "
    "new database and I pushed back because the old one had room for years. We agreed to a "
    "one-week trial of my option, I built it and we compared the costs together. The trial "
    "held up and we saved a migration of several months."
)


def test_a_question_open_to_any_story_is_answered_by_any_good_one() -> None:
    """ "The accomplishment you are most proud of" can be a story of resolving a disagreement: no
    competency is off topic for it."""
    story = _story("behavioral-growth-proud", CONFLICT)
    assert story.relevance == 1.0, story


def test_a_person_is_not_what_they_do() -> None:
    """The stemmer files "customer" with "custom" and "manager" with "managed"; a cue for one
    is not evidence of the other."""
    lesson = re.compile("learned")
    custom = sentence_reading(["we built a custom export tool"], lesson)
    customer = sentence_reading(["our biggest customer asked for an export"], lesson)
    cue = frozenset({cue_stems("customer")})
    assert evidence(cue, custom) == {}
    assert evidence(cue, customer) == {"customer": 1.0}


GREW_SOMEONE = (
    "Last autumn Priti joined the team from a support role and was struggling with our "
    "deployment scripts. Every Tuesday I walked her through one script and showed her how I "
    "would change it, then gave her a stretch task for the week. By spring she was running "
    "releases by herself, and in June she moved into a full developer role."
)


def test_plain_words_for_helping_someone_grow_are_cues() -> None:
    """ "Walked her through", "showed her how", "a stretch task" and "by herself" say a story
    is about growing someone, without the words mentor or coaching."""
    story = _story("behavioral-management-career-growth", GREW_SOMEONE)
    assert story.relevance >= 0.8, story


INITIATIVE = (
    "In my second year at a travel site I noticed that our booking emails went out in the "
    "wrong time zone for about one customer in ten. Nobody had asked me to look at it, but I "
    "traced it to one date helper over two evenings in my spare time and fixed it. Complaints "
    "about wrong times stopped within a week."
)


def test_initiative_in_plain_words_is_ownership() -> None:
    """Noticing a problem nobody asked about and fixing it in one's own time shows ownership."""
    story = _story("behavioral-ownership-beyond-role", INITIATIVE)
    assert story.relevance >= 0.8, story


def test_where_things_stood_later_is_a_result() -> None:
    """ "By spring she was running releases by herself" tells what changed: a STAR result."""
    story = _story("behavioral-management-career-growth", GREW_SOMEONE)
    assert story.star["result"], story


def test_a_one_line_story_is_neither_passable_nor_clear_prose() -> None:
    """One sentence about a disagreement, however on topic, is not a passable answer, is not
    praised as clear prose, and is told what a full answer adds."""
    result = _evaluate(
        "behavioral-conflict-peer",
        "I disagreed with a colleague about caching once, and we talked it through and agreed.",
    )
    assert result.overall < 40, result
    assert not any(s.startswith("Clear prose") for s in result.strengths)
    assert any("Too short" in line for line in result.improvements)


FEEDBACK_BEFORE_A_DEADLINE = (
    "Last spring, two weeks before a deadline, my lead told me my pull requests were so large "
    "that reviews were running late and the release date was at risk. I asked for two "
    "examples, and she showed me one with forty files. From then on I split my work into "
    "small changes, and we shipped on time; my reviews now come back within a day."
)


def test_a_deadline_in_the_background_does_not_make_a_story_about_deadlines() -> None:
    """ "Deadline", "late" and "on time" set the scene of a feedback story; they are not
    evidence that it answers a question about deadlines instead."""
    story = _story("behavioral-feedback-received", FEEDBACK_BEFORE_A_DEADLINE)
    assert story.relevance >= 0.8, story


def test_the_stand_alone_star_check_reads_stories_as_the_scorer_does() -> None:
    """star.star_parts gives the scorer's own STAR reading, not a second set of phrases."""
    from preppath.evaluation.star import star_parts

    assert star_parts(PLAIN_STAR) == _story("behavioral-communication-bad-news", PLAIN_STAR).star


TUNING_A_QUERY = (
    "Last year our checkout had a failure rate of about two percent at lunchtime peaks. I "
    "profiled the payment step over a week, found one slow query on the orders table and "
    "added an index for it. The failure rate fell to 0.1 percent within two days."
)


def test_a_system_failing_is_scenery_not_a_story_about_a_mistake() -> None:
    """ "The failure rate" describes the system; a tuning story that mentions it does not
    answer a question about a project that failed."""
    story = _story("behavioral-failure-project", TUNING_A_QUERY)
    assert story.relevance <= 0.3, story
