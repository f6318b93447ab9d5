"""Choosing questions for an interview from the bank: fitting, varied, fresh, reproducible."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from preppath.bank.roles import Role
from preppath.domain import ExperienceLevel, InterviewType, QuestionType
from preppath.values import Question

LEVEL_ORDER = [lv.value for lv in ExperienceLevel]


@dataclass(frozen=True)
class Criteria:
    interview_type: InterviewType
    level: str
    stacks: tuple[str, ...]
    count: int
    role: Role | None = None
    seed: int = 0
    recently_seen: tuple[str, ...] = ()
    """Bank ids the profile saw lately, most recent first; they are drawn last."""


def type_plan(interview_type: InterviewType, count: int) -> list[QuestionType]:
    """How many of each question type: a mixed interview is about half technical and a quarter
    each behavioural and system design, with at least one of each once there are three."""
    if interview_type != InterviewType.MIXED:
        return [QuestionType(interview_type.value)] * count
    cycle = [
        QuestionType.TECHNICAL,
        QuestionType.BEHAVIORAL,
        QuestionType.SYSTEM_DESIGN,
        QuestionType.TECHNICAL,
    ]
    return [cycle[i % len(cycle)] for i in range(count)]


def select_questions(bank: Sequence[Question], criteria: Criteria) -> list[Question]:
    rng = random.Random(criteria.seed)
    plan = type_plan(criteria.interview_type, criteria.count)
    chosen: list[Question] = []
    for qtype in dict.fromkeys(plan):
        wanted = plan.count(qtype)
        pool = [q for q in bank if q.type == qtype and q not in chosen]
        chosen.extend(_pick(pool, wanted, qtype, criteria, rng))
    # Follow the plan's order, so a mixed interview alternates types instead of grouping them;
    # a type whose pool ran short simply has fewer turns.
    by_type: dict[str, list[Question]] = {}
    for q in chosen:
        by_type.setdefault(q.type, []).append(q)
    return [by_type[t.value].pop(0) for t in plan if by_type.get(t.value)]


def _pick(
    pool: list[Question], wanted: int, qtype: QuestionType, criteria: Criteria, rng: random.Random
) -> list[Question]:
    ranked = sorted(pool, key=lambda q: _rank(q, qtype, criteria, rng.random()))
    if qtype != QuestionType.TECHNICAL or not criteria.stacks:
        return ranked[:wanted]
    # Round-robin over the requested stacks so `--stack python --stack sql` gets both.
    picked: list[Question] = []
    queues = {s: [q for q in ranked if s in q.stack] for s in criteria.stacks}
    while len(picked) < wanted and any(queues.values()):
        for stack in criteria.stacks:
            queue = queues[stack]
            while queue and queue[0] in picked:
                queue.pop(0)
            if queue and len(picked) < wanted:
                picked.append(queue.pop(0))
    rest = [q for q in ranked if q not in picked]
    return picked + rest[: wanted - len(picked)]


def _rank(
    q: Question, qtype: QuestionType, criteria: Criteria, jitter: float
) -> tuple[int, int, int, int, float]:
    seen = criteria.recently_seen
    # Unseen first; among seen ones, the longest ago first.
    freshness = len(seen) - seen.index(q.id) if q.id in seen else 0
    level_gap = _level_gap(q.levels, criteria.level)
    stack_miss = 0
    if qtype == QuestionType.TECHNICAL:
        stack_miss = 0 if set(q.stack) & set(criteria.stacks) else 1
    topic_miss = 0
    if qtype == QuestionType.BEHAVIORAL and criteria.role and criteria.role.behavioral_tags:
        topic_miss = 0 if set(q.tags) & set(criteria.role.behavioral_tags) else 1
    return (stack_miss, freshness, level_gap, topic_miss, jitter)


def _level_gap(levels: Sequence[str], level: str) -> int:
    if level in levels or level not in LEVEL_ORDER:
        return 0
    target = LEVEL_ORDER.index(level)
    return min(
        (abs(LEVEL_ORDER.index(lv) - target) for lv in levels if lv in LEVEL_ORDER), default=9
    )
