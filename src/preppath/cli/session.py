"""The guided interview (`preppath interview start`): ask, collect an answer, give feedback,
and close with the report. Resumes an unfinished interview where it stopped.

Answers come from an `AnswerCollector`: typed here, spoken when voice is available; both hand
back text (plus delivery data and a recording for speech) and the rest of the flow is the same.
"""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from rich.markup import escape
from rich.panel import Panel

from preppath.cli.common import console, notice
from preppath.domain import (
    AnswerSource,
    ExperienceLevel,
    InterviewStatus,
    InterviewType,
    parse_interview_type,
    parse_level,
    split_stacks,
)
from preppath.errors import ExitCode, PrepPathError

if TYPE_CHECKING:
    from preppath.services.answers import RecordingInfo
    from preppath.services.background import BackgroundScoring, Scored
    from preppath.services.context import AppContext
    from preppath.services.views import InterviewView, QuestionView

T = TypeVar("T")


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

    def present(
        self, question: QuestionView, interview_id: int, upcoming: QuestionView | None
    ) -> None:
        """Called when a question is shown (speaks it, for voice); `upcoming` is the question
        to be asked after it, if any (voice prepares its audio meanwhile)."""

    def stop(self, *, interrupted: bool = False) -> None:
        """The session ends (background work finishes or is parked), or is interrupted."""


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

    def present(
        self, question: QuestionView, interview_id: int, upcoming: QuestionView | None
    ) -> None:
        return None

    def stop(self, *, interrupted: bool = False) -> None:
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
    # Piped input is not echoed, so a prompt there only runs into the next output line.
    try:
        return console.input(prompt if interactive() else "", markup=False)
    except EOFError:
        raise InputEnded from None


def run_session(ctx: AppContext, opts: SessionOptions) -> None:
    try:
        _run(ctx, opts)
    except InputEnded:
        console.print("\nInput ended; everything answered so far is saved.")
    except SetupQuit:
        console.print("Nothing was created.")


def interactive() -> bool:
    """Whether a person is at the keyboard. Without one (a pipe, a file, /dev/null) nothing
    is asked: a prompt would consume a line meant as an answer, or the reverse."""
    return sys.stdin.isatty()


def _run(ctx: AppContext, opts: SessionOptions) -> None:
    from preppath.services.interviews import get_interview, start_interview

    if not interactive():
        _check_scripted(opts)
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
    if not interactive() and isinstance(collector, TypedCollector):
        notice(
            f"not a terminal: the answers to interview {view.id} are read from standard input, "
            "each ended by an empty line (/skip skips a question)"
        )
    try:
        _ask_all(ctx, view, collector)
    except InputEnded:
        console.print(f"\nInput ended. Resume with [bold]preppath interview start {view.id}[/].")


def _given(opts: SessionOptions) -> bool:
    """Whether the command line chose anything about a new interview."""
    return bool(opts.type or opts.role or opts.level or opts.stack or opts.count or opts.seed)


def _check_scripted(opts: SessionOptions) -> None:
    """Without a terminal, the set-up questions cannot be asked: piped lines must not be
    taken for them (nor, shifted by one, for answers). Go ahead only when the command line
    says which interview to run."""
    if opts.interview_id is not None or opts.review or _given(opts) or not opts.ask:
        return
    raise PrepPathError(
        "interview start needs a terminal to ask for its options; give them on the command "
        "line (--type, --role, --level, --stack, --count, or --yes for your last choices), or "
        "script it with `preppath interview create` and `preppath interview answer`",
        ExitCode.USAGE,
    )


def _resume_or_create(ctx: AppContext, opts: SessionOptions) -> InterviewView:
    from preppath.services.interviews import InterviewOptions, create_interview, get_interview
    from preppath.services.listing import ListFilters, list_interviews

    if opts.ask and not _given(opts) and interactive():
        unfinished = list_interviews(
            ctx, ListFilters(status=InterviewStatus.IN_PROGRESS, per_page=1)
        ).items
        if unfinished:
            last = unfinished[0]
            reply = _setup_line(
                f"Resume interview {last.id} ({last.role}, "
                f"{last.answered}/{last.question_count} answered)? [Y/n] "
            )
            if reply.lower() in ("", "y", "yes"):
                return get_interview(ctx, last.id)
    choices = _choose_options(ctx, opts)
    if not interactive():
        stack = ", ".join(choices.stack) or "from the role"
        kind = choices.type.value.replace("_", " ")
        notice(
            f"not a terminal, so nothing is asked: {choices.count} {kind} questions for "
            f"{choices.role} ({choices.level.value}; stack: {stack}), from the command line "
            "and your last choices"
        )
    view = create_interview(
        ctx,
        InterviewOptions(
            choices.type, choices.role, choices.level, choices.stack, choices.count, opts.seed
        ),
    )
    _save_last_choices(ctx, choices)
    for message in view.notices:
        notice(message)
    return view


@dataclass(frozen=True)
class Choices:
    type: InterviewType
    role: str
    level: ExperienceLevel
    stack: tuple[str, ...]
    count: int


def _choose_options(ctx: AppContext, opts: SessionOptions) -> Choices:
    """The options for a new interview: those given on the command line as they are; in a
    terminal the others are asked for, each offering the last choice (or a default)."""
    last = _load_last_choices(ctx)
    kind = opts.type or _lenient(parse_interview_type, last.get("type")) or InterviewType.TECHNICAL
    role = opts.role or _text(last.get("role")) or "Software Engineer"
    level = opts.level or _lenient(parse_level, last.get("level")) or ExperienceLevel.MID
    remembered = last.get("stack")
    last_stack = split_stacks(str(s) for s in remembered) if isinstance(remembered, list) else ()
    stack = opts.stack or last_stack
    count = opts.count or _count(last.get("count")) or 5
    if opts.ask and interactive():
        if opts.type is None:
            types = ", ".join(InterviewType)
            kind = _ask_choice(f"Interview type ({types})", kind, parse_interview_type)
        if opts.role is None:
            role = _setup_line(f"Role [{role}]: ") or role
        if opts.level is None:
            levels = ", ".join(ExperienceLevel)
            level = _ask_choice(f"Level ({levels})", level, parse_level)
        # Behavioural questions are about you, not a technology: no stack to ask for.
        if not opts.stack and kind != InterviewType.BEHAVIORAL:
            shown = ", ".join(stack) or "from the role"
            stack = split_stacks([_setup_line(f"Stack, comma-separated [{shown}]: ")]) or stack
        if opts.count is None:
            count = _ask_count(count)
    return Choices(kind, role, level, stack, count)


class SetupQuit(Exception):
    """/quit at a set-up prompt: leave before anything is created."""


def _setup_line(prompt: str) -> str:
    # The session's /quit works here too; otherwise it would become a role named "/quit".
    reply = read_line(prompt).strip()
    if COMMANDS.get(reply.lower()) == "quit":
        raise SetupQuit
    return reply


def _ask_choice(label: str, default: T, parse: Callable[[str], T]) -> T:
    while True:
        reply = _setup_line(f"{label} [{default}]: ")
        if not reply:
            return default
        try:
            return parse(reply)
        except ValueError as exc:
            console.print(f"[yellow]{escape(str(exc))}[/]")


def _ask_count(default: int) -> int:
    from preppath.services.interviews import MAX_QUESTIONS

    while True:
        reply = _setup_line(f"Questions [{default}]: ")
        if not reply:
            return default
        if reply.isascii() and reply.isdigit() and 1 <= int(reply) <= MAX_QUESTIONS:
            return int(reply)
        console.print(f"[yellow]Give a number from 1 to {MAX_QUESTIONS}.[/]")


def _lenient(parse: Callable[[str], T], value: object) -> T | None:
    """A remembered choice, or None when the file holds something no longer valid."""
    try:
        return parse(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _text(value: object) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _count(value: object) -> int | None:
    return value if isinstance(value, int) and value > 0 else None


def _state_file(ctx: AppContext) -> Any:
    return ctx.paths.data_dir / f"last-choices-{ctx.profile}.json"


def _load_last_choices(ctx: AppContext) -> dict[str, Any]:
    try:
        data = json.loads(_state_file(ctx).read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def _save_last_choices(ctx: AppContext, choices: Choices) -> None:
    data = {
        "type": choices.type.value,
        "role": choices.role,
        "level": choices.level.value,
        "stack": list(choices.stack),
        "count": choices.count,
    }
    if choices.type == InterviewType.BEHAVIORAL and not choices.stack:
        # Not asked for a behavioural interview: keep the stack remembered for the next one.
        data["stack"] = _load_last_choices(ctx).get("stack", [])
    # Remembering defaults is a convenience; never fail the session over it.
    from preppath.storage import write_private_text

    with contextlib.suppress(OSError):
        write_private_text(_state_file(ctx), json.dumps(data))


def _collector(ctx: AppContext, opts: SessionOptions) -> AnswerCollector:
    # Piped input means a script is answering: record only when asked to explicitly.
    default = ctx.settings.voice and interactive()
    wants_voice = opts.voice if opts.voice is not None else default
    if not wants_voice:
        return TypedCollector()
    from preppath.cli.voice_session import voice_collector

    collector = voice_collector(ctx)
    return collector if collector is not None else TypedCollector()


def _ask_all(ctx: AppContext, view: InterviewView, collector: AnswerCollector) -> None:
    background = _background_scoring(ctx)
    interrupted = False
    try:
        _ask_each(ctx, view, collector, background)
    except KeyboardInterrupt:
        interrupted = True
        collector.stop(interrupted=True)  # speech made ahead: parked at once
        if background is not None:
            background.stop(on_wait=_say_finishing)  # scorings finish or go back to the queue
        raise
    finally:
        if not interrupted:
            collector.stop()


def _say_finishing(running: int, grace_s: float) -> None:
    from preppath.messages import plural

    them = "it" if running == 1 else "them"
    notice(
        f"finishing {plural(running, 'scoring')} under way (up to {grace_s:g} s); "
        f"Ctrl-C again leaves {them} queued for `preppath jobs resume`"
    )


def _background_scoring(ctx: AppContext) -> BackgroundScoring | None:
    """A cloud scorer takes seconds: its jobs run while the person answers the next question.
    Offline scoring takes milliseconds, so it is waited for and shown at once, as before.
    Either way, jobs an earlier run left unfinished are run now."""
    from preppath.providers import factory
    from preppath.services.background import BackgroundScoring

    if factory.provider_name(ctx.settings, "evaluation") == "offline":
        from preppath.jobs.pool import Pool

        Pool(ctx).run()
        return None
    background = BackgroundScoring(ctx)
    background.kick()
    return background


def _ask_each(
    ctx: AppContext,
    view: InterviewView,
    collector: AnswerCollector,
    background: BackgroundScoring | None,
) -> None:
    from preppath.services.answers import answer_question, skip_question, store_answer

    total = len(view.questions)
    # Answered questions, and those answered and awaiting their score, are not asked again.
    to_ask = [
        q
        for q in view.questions
        if q.status == "pending" and q.scoring not in ("pending", "transcribing")
    ]
    for index, question in enumerate(to_ask):
        upcoming = to_ask[index + 1] if index + 1 < len(to_ask) else None
        while True:
            if background is not None:
                _show_scored(background.ready())
            console.print(
                Panel(
                    escape(question.text),
                    expand=False,
                    title=f"Question {question.id}/{total}",
                    subtitle=f"{question.type.replace('_', ' ')}, {question.difficulty}",
                )
            )
            collector.present(question, view.id, upcoming)
            got = collector.collect(question, view.id)
            if got.command == "repeat":
                continue
            break
        if got.command == "quit":
            _wait_for_scores(background)
            console.print(f"Paused. Resume with [bold]preppath interview start {view.id}[/].")
            return
        if got.command == "skip":
            from preppath.cli.render import print_unlocks

            print_unlocks(skip_question(ctx, view.id, question.id).unlocked)
            continue
        if background is not None:
            submitted = store_answer(
                ctx,
                view.id,
                question.id,
                got.text,
                source=got.source,
                delivery=got.delivery,
                recording=got.recording,
            )
            background.submit(question.id, submitted)
            console.print(
                f"[dim]Answer {question.id} saved; it is scored while you go on, and its "
                "feedback appears when ready.[/]"
            )
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
        if not interactive():
            # Piped: the next line is the next answer, not a reply to this prompt.
            continue
        reply = read_line("[Enter] next · [m] model answer · [q] quit: ").strip().lower()
        if reply == "m":
            console.print(
                Panel(escape(question.expected_answer), title="Model answer", expand=False)
            )
            reply = read_line("[Enter] next · [q] quit: ").strip().lower()
        if reply in ("q", "/q", "/quit") and not result.interview_completed:
            console.print(f"Paused. Resume with [bold]preppath interview start {view.id}[/].")
            return
    _wait_for_scores(background)
    _close(ctx, view.id)


def _wait_for_scores(background: BackgroundScoring | None) -> None:
    """Show what is ready, then wait for (and show) the feedback still being scored."""
    if background is None:
        return
    _show_scored(background.ready())
    if background.pending:
        from preppath.messages import plural

        with console.status(f"Scoring {plural(background.pending, 'answer')}…"):
            scored = background.wait_all()
        _show_scored(scored)


def _show_scored(scored: list[Scored]) -> None:
    from preppath.cli.render import print_answer_result

    for item in scored:
        if item.result is not None:
            print_answer_result(item.result)
        else:
            console.print(f"[yellow]Question {item.question_id}: {escape(item.error or '')}[/]")


def _close(ctx: AppContext, interview_id: int) -> None:
    from preppath.cli.render import print_report
    from preppath.services.reports import build_report

    print_report(build_report(ctx, interview_id))
