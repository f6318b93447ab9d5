"""The guided interview (`preppath interview start`): ask, collect an answer, give feedback,
and close with the report. Resumes an unfinished interview where it stopped.

Answers come from an `AnswerCollector`: typed here, spoken when voice is available; both hand
back text (plus delivery data and a recording for speech) and the rest of the flow is the same.
"""

from __future__ import annotations

import contextlib
import json
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from rich.markup import escape
from rich.panel import Panel

from preppath.cli.common import console, notice
from preppath.domain import AnswerSource, ExperienceLevel, InterviewStatus, InterviewType
from preppath.errors import ExitCode, PrepPathError

if TYPE_CHECKING:
    from preppath.services.answers import RecordingInfo
    from preppath.services.context import AppContext
    from preppath.services.views import InterviewView, QuestionView


@dataclass(frozen=True)
class SessionOptions:
    interview_id: int | None = None
    type: InterviewType | None = None
    role: str | None = None
    level: ExperienceLevel | None = None
    stack: tuple[str, ...] = ()
    count: int | None = None
    seed: int | None = None
    review: bool = False
    voice: bool | None = None
    ask: bool = True


@dataclass(frozen=True)
class Collected:
    """What a collector hands back: an answer, or one of the session commands."""

    command: str | None = None  # "skip", "repeat", "quit"
    text: str = ""
    source: AnswerSource = AnswerSource.TYPED
    delivery: dict[str, Any] | None = None
    recording: RecordingInfo | None = None


class AnswerCollector(Protocol):
    def collect(self, question: QuestionView, interview_id: int) -> Collected: ...

    def present(self, question: QuestionView) -> None:
        """Called when a question is shown (speaks it, for voice)."""


COMMANDS = {
    "/skip": "skip",
    "/s": "skip",
    "/repeat": "repeat",
    "/r": "repeat",
    "/quit": "quit",
    "/q": "quit",
}


class TypedCollector:
    """Multi-line typed answers, finished by an empty line."""

    def present(self, question: QuestionView) -> None:
        return None

    def collect(self, question: QuestionView, interview_id: int) -> Collected:
        console.print(
            "[dim]Type your answer; an empty line sends it. /skip, /repeat or /quit instead.[/]"
        )
        return self.read_answer([])

    def read_answer(self, lines: list[str]) -> Collected:
        """Lines until an empty one; a command on the first line instead of an answer."""
        while True:
            try:
                line = read_line("> " if not lines else "… ")
            except InputEnded:
                if lines:  # Ctrl-D (or the pipe's end) after some text sends it
                    return Collected(text="\n".join(lines))
                raise
            if not lines and line.strip().lower() in COMMANDS:
                return Collected(command=COMMANDS[line.strip().lower()])
            if not line.strip():
                if lines:
                    return Collected(text="\n".join(lines))
                continue
            lines.append(line)


class InputEnded(Exception):
    """Standard input closed (Ctrl-D, or the end of a pipe): the session pauses, keeping what
    is saved; the ended input never becomes answer or option text."""


def read_line(prompt: str) -> str:
    try:
        return console.input(prompt, markup=False)
    except EOFError:
        raise InputEnded from None


def run_session(ctx: AppContext, opts: SessionOptions) -> None:
    try:
        _run(ctx, opts)
    except InputEnded:
        console.print("\nInput ended; everything answered so far is saved.")


def _run(ctx: AppContext, opts: SessionOptions) -> None:
    from preppath.services.interviews import get_interview, start_interview

    if opts.interview_id is not None:
        view = get_interview(ctx, opts.interview_id)
    elif opts.review:
        from preppath.services.retakes import create_review_interview

        view = create_review_interview(ctx, count=opts.count or 5)
    else:
        view = _resume_or_create(ctx, opts)
    if view.status in (InterviewStatus.COMPLETED.value, InterviewStatus.ABANDONED.value):
        console.print(f"Interview {view.id} is already {view.status}.")
        _close(ctx, view.id)
        return
    view = start_interview(ctx, view.id)
    collector = _collector(ctx, opts)
    try:
        _ask_all(ctx, view, collector)
    except InputEnded:
        console.print(f"\nInput ended. Resume with [bold]preppath interview start {view.id}[/].")


def _resume_or_create(ctx: AppContext, opts: SessionOptions) -> InterviewView:
    from preppath.services.interviews import InterviewOptions, create_interview, get_interview
    from preppath.services.listing import ListFilters, list_interviews

    explicit = opts.type or opts.role or opts.level or opts.stack or opts.count
    if opts.ask and not explicit and sys.stdin.isatty():
        unfinished = list_interviews(
            ctx, ListFilters(status=InterviewStatus.IN_PROGRESS, per_page=1)
        ).items
        if unfinished:
            last = unfinished[0]
            reply = read_line(
                f"Resume interview {last.id} ({last.role}, "
                f"{last.answered}/{last.question_count} answered)? [Y/n] "
            )
            if reply.strip().lower() in ("", "y", "yes"):
                return get_interview(ctx, last.id)
    choices = _choose_options(ctx, opts)
    view = create_interview(
        ctx,
        InterviewOptions(
            InterviewType(choices["type"]),
            choices["role"],
            ExperienceLevel(choices["level"]),
            tuple(choices["stack"]),
            int(choices["count"]),
            opts.seed,
        ),
    )
    _save_last_choices(ctx, choices)
    for message in view.notices:
        notice(message)
    return view


def _choose_options(ctx: AppContext, opts: SessionOptions) -> dict[str, Any]:
    last = _load_last_choices(ctx)
    choices: dict[str, Any] = {
        "type": opts.type.value if opts.type else last.get("type", "technical"),
        "role": opts.role or last.get("role", "Software Engineer"),
        "level": opts.level.value if opts.level else last.get("level", "mid"),
        "stack": list(opts.stack) or last.get("stack", []),
        "count": opts.count or last.get("count", 5),
    }
    if not opts.ask or not sys.stdin.isatty():
        return choices
    types = ", ".join(t.value for t in InterviewType)
    choices["type"] = _ask_choice(
        f"Interview type ({types})", choices["type"], [t.value for t in InterviewType]
    )
    choices["role"] = read_line(f"Role [{choices['role']}]: ").strip() or choices["role"]
    choices["level"] = _ask_choice(
        "Level (junior, mid, senior, lead)", choices["level"], [lv.value for lv in ExperienceLevel]
    )
    stack_default = ", ".join(choices["stack"]) or "from the role"
    stack = read_line(f"Stack, comma-separated [{stack_default}]: ").strip()
    if stack:
        choices["stack"] = [s.strip() for s in stack.split(",") if s.strip()]
    count = read_line(f"Questions [{choices['count']}]: ").strip()
    if count:
        if not (count.isascii() and count.isdigit()):
            raise PrepPathError(
                f"number of questions must be a number, not {count!r}", ExitCode.USAGE
            )
        choices["count"] = int(count)
    return choices


def _ask_choice(label: str, default: str, allowed: list[str]) -> str:
    while True:
        reply = read_line(f"{label} [{default}]: ").strip().lower().replace(" ", "_")
        if not reply:
            return default
        if reply in allowed:
            return reply
        console.print(f"[yellow]Choose one of: {', '.join(allowed)}[/]")


def _state_file(ctx: AppContext) -> Any:
    return ctx.paths.data_dir / f"last-choices-{ctx.profile}.json"


def _load_last_choices(ctx: AppContext) -> dict[str, Any]:
    try:
        data = json.loads(_state_file(ctx).read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def _save_last_choices(ctx: AppContext, choices: dict[str, Any]) -> None:
    # Remembering defaults is a convenience; never fail the session over it.
    from preppath.storage import write_private_text

    with contextlib.suppress(OSError):
        write_private_text(_state_file(ctx), json.dumps(choices))


def _collector(ctx: AppContext, opts: SessionOptions) -> AnswerCollector:
    # Piped input means a script is answering: record only when asked to explicitly.
    default = ctx.settings.voice and sys.stdin.isatty()
    wants_voice = opts.voice if opts.voice is not None else default
    if not wants_voice:
        return TypedCollector()
    from preppath.cli.voice_session import voice_collector

    collector = voice_collector(ctx)
    return collector if collector is not None else TypedCollector()


def _ask_all(ctx: AppContext, view: InterviewView, collector: AnswerCollector) -> None:
    from preppath.services.answers import answer_question, skip_question

    total = len(view.questions)
    for question in view.questions:
        if question.status != "pending":
            continue
        while True:
            console.print(
                Panel(
                    escape(question.text),
                    expand=False,
                    title=f"Question {question.id}/{total}",
                    subtitle=f"{question.type.replace('_', ' ')}, {question.difficulty}",
                )
            )
            collector.present(question)
            got = collector.collect(question, view.id)
            if got.command == "repeat":
                continue
            break
        if got.command == "quit":
            console.print(f"Paused. Resume with [bold]preppath interview start {view.id}[/].")
            return
        if got.command == "skip":
            from preppath.cli.render import print_unlocks

            print_unlocks(skip_question(ctx, view.id, question.id).unlocked)
            continue
        with console.status("Scoring your answer…"):
            result = answer_question(
                ctx,
                view.id,
                question.id,
                got.text,
                source=got.source,
                delivery=got.delivery,
                recording=got.recording,
            )
        from preppath.cli.render import print_answer_result

        print_answer_result(result)
        reply = read_line("[Enter] next · [m] model answer · [q] quit: ").strip().lower()
        if reply == "m":
            console.print(
                Panel(escape(question.expected_answer), title="Model answer", expand=False)
            )
            reply = read_line("[Enter] next · [q] quit: ").strip().lower()
        if reply in ("q", "/q", "/quit") and not result.interview_completed:
            console.print(f"Paused. Resume with [bold]preppath interview start {view.id}[/].")
            return
    _close(ctx, view.id)


def _close(ctx: AppContext, interview_id: int) -> None:
    from preppath.cli.render import print_report
    from preppath.services.reports import build_report

    print_report(build_report(ctx, interview_id))
