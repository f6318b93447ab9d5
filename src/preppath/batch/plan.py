"""A batch plan file: what it may say, and every problem in it as `FILE:LINE: message`.

The format (documented in docs/batch.md):

    interviews:
      - type: technical        # or behavioral, system_design, mixed (the usual spellings)
        role: Backend Engineer
        level: mid
        stack: [python, sql]   # or "python,sql"
        count: 2               # questions to draw (default: one per answer)
        seed: 42               # a reproducible draw
        answers:               # by position: the first answers question 1
          - text: "An answer typed into the plan"
          - file: answers/two.txt
      - questions: [python-gil]   # named bank questions instead of a draw
        answers:
          - audio: answers/gil.wav
          - skip: true

Paths are relative to the plan's folder and may not lead out of it (through `..`, an absolute
path or a symbolic link): a plan handed around cannot make PrepPath read ~/.ssh.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from preppath.batch.yamltree import KeyPath, YamlSyntaxError, YamlTree, load_tree
from preppath.domain import (
    ExperienceLevel,
    InterviewType,
    parse_interview_type,
    parse_level,
    split_stacks,
)
from preppath.errors import ExitCode, PrepPathError

MAX_PLAN_BYTES = 1 << 20
MAX_QUESTIONS = 20  # as in services.interviews, which this module must not import (it is light)

PLAN_KEYS = frozenset({"interviews"})
INTERVIEW_KEYS = frozenset(
    {"type", "role", "level", "stack", "count", "seed", "questions", "answers"}
)
ANSWER_KINDS = ("text", "file", "audio", "skip")
DRAW_KEYS = ("count", "stack", "seed")  # meaningless beside named questions

AnswerKind = Literal["text", "file", "audio", "skip"]


@dataclass(frozen=True)
class PlannedAnswer:
    kind: AnswerKind
    value: str
    """The text itself, or the resolved path of a text or audio file ("" for a skip)."""
    line: int


@dataclass(frozen=True)
class PlannedInterview:
    index: int
    line: int
    type: InterviewType | None
    role: str | None
    level: ExperienceLevel
    stack: tuple[str, ...]
    count: int | None
    seed: int | None
    questions: tuple[str, ...]
    answers: tuple[PlannedAnswer, ...]

    @property
    def question_count(self) -> int:
        return len(self.questions) or self.count or len(self.answers) or 5


@dataclass(frozen=True)
class Plan:
    path: Path
    sha256: str
    """Of the plan file's bytes: the key its progress is recorded under, so an edited plan
    is a new plan and never resumes from the old one's progress."""
    interviews: tuple[PlannedInterview, ...]

    @property
    def answer_count(self) -> int:
        return sum(len(i.answers) for i in self.interviews)


class PlanInvalid(PrepPathError):
    def __init__(self, path: Path, problems: list[str]) -> None:
        count = len(problems)
        super().__init__(
            f"{path}: {count} problem{'s' if count != 1 else ''} in the plan", ExitCode.INVALID
        )
        self.problems = problems


def load_plan(path: Path, bank_types: Mapping[str, str]) -> Plan:
    """The plan at `path`, checked against the bank (`bank_types`: question id -> type).
    Raises PlanInvalid listing every problem found, or PrepPathError if it cannot be read."""
    data = _read(path)
    try:
        tree = load_tree(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise PlanInvalid(path, [f"{path}:1: the plan is not UTF-8 text"]) from None
    except YamlSyntaxError as exc:
        raise PlanInvalid(path, [f"{path}:{exc.line}: {exc.message}"]) from None
    checker = _Checker(path, tree, bank_types)
    interviews = checker.plan()
    if checker.found:
        raise PlanInvalid(path, checker.problems)
    return Plan(path, hashlib.sha256(data).hexdigest(), interviews)


def _read(path: Path) -> bytes:
    try:
        if path.stat().st_size > MAX_PLAN_BYTES:
            raise PrepPathError(f"{path} is over {MAX_PLAN_BYTES >> 20} MB", ExitCode.INVALID)
        return path.read_bytes()
    except FileNotFoundError:
        raise PrepPathError(f"{path} does not exist", ExitCode.NOT_FOUND) from None
    except IsADirectoryError:
        raise PrepPathError(f"{path} is a folder, not a plan file", ExitCode.USAGE) from None
    except OSError as exc:
        raise PrepPathError(f"cannot read {path}: {exc.strerror}", ExitCode.INVALID) from None


class _Checker:
    """Walks the plan once, turning what is valid into values and noting every problem."""

    def __init__(self, path: Path, tree: YamlTree, bank_types: Mapping[str, str]) -> None:
        self.path = path
        self.folder = path.resolve().parent
        self.tree = tree
        self.bank_types = bank_types
        self.found: list[tuple[int, str]] = list(tree.problems)

    @property
    def problems(self) -> list[str]:
        """In the order of the file's lines, as an editor shows them."""
        ordered = sorted(self.found, key=lambda problem: problem[0])
        return [f"{self.path}:{line}: {message}" for line, message in ordered]

    def fail(self, where: KeyPath, message: str) -> None:
        self.found.append((self.tree.line(where), message))

    def plan(self) -> tuple[PlannedInterview, ...]:
        root = self.tree.value
        if not isinstance(root, dict):
            self.fail((), "a plan is a mapping with an `interviews:` list")
            return ()
        self._unknown_keys(root, (), PLAN_KEYS, "the plan")
        interviews = root.get("interviews")
        if not isinstance(interviews, list) or not interviews:
            self.fail(("interviews",), "`interviews` must be a list of at least one interview")
            return ()
        found = [self._interview(i, raw) for i, raw in enumerate(interviews)]
        return tuple(item for item in found if item is not None)

    def _unknown_keys(
        self, raw: dict[str, Any], where: KeyPath, allowed: frozenset[str], what: str
    ) -> None:
        for key in raw:
            if key not in allowed:
                self.fail(
                    (*where, key),
                    f"unknown key {key!r} in {what}; use {', '.join(sorted(allowed))}",
                )

    def _interview(self, index: int, raw: Any) -> PlannedInterview | None:
        where: KeyPath = ("interviews", index)
        label = f"interview {index + 1}"
        if not isinstance(raw, dict):
            self.fail(where, f"{label} must be a mapping (type, role, answers …)")
            return None
        before = len(self.found)
        self._unknown_keys(raw, where, INTERVIEW_KEYS, label)
        kind = self._parsed(raw, where, "type", parse_interview_type)
        level = self._parsed(raw, where, "level", parse_level) or ExperienceLevel.MID
        role = self._text(raw, where, "role")
        questions = self._questions(raw, where, kind)
        if questions:
            drawn = [key for key in DRAW_KEYS if key in raw]
            if drawn:
                self.fail(
                    (*where, drawn[0]),
                    f"{', '.join(drawn)} draw questions; "
                    "`questions` names them: give one or the other",
                )
        elif "role" not in raw and "questions" not in raw:
            self.fail(where, f"{label} needs a `role` (or `questions`)")
        stack = self._stack(raw, where)
        count = self._whole(raw, where, "count", 1, MAX_QUESTIONS)
        seed = self._whole(raw, where, "seed", 0, 2**31 - 1)
        answers = self._answers(raw, where)
        listed = raw.get("answers")
        given = len(listed) if isinstance(listed, list) else 0  # invalid entries count too
        limit = len(questions) or count
        if limit is not None and given > limit:
            self.fail((*where, "answers", limit), f"{given} answers for {limit} questions")
        if count is None and not questions and given > MAX_QUESTIONS:
            self.fail((*where, "answers"), f"at most {MAX_QUESTIONS} answers per interview")
        if len(self.found) > before:
            return None
        return PlannedInterview(
            index=index,
            line=self.tree.line(where),
            type=kind,
            role=role,
            level=level,
            stack=stack,
            count=count,
            seed=seed,
            questions=questions,
            answers=answers,
        )

    def _parsed(
        self, raw: dict[str, Any], where: KeyPath, key: str, parse: Callable[[str], Any]
    ) -> Any:
        if key not in raw:
            return None
        value = raw[key]
        if not isinstance(value, str):
            self.fail((*where, key), f"`{key}` must be text")
            return None
        try:
            return parse(value)
        except ValueError as exc:
            self.fail((*where, key), str(exc))
            return None

    def _text(self, raw: dict[str, Any], where: KeyPath, key: str) -> str | None:
        if key not in raw:
            return None
        value = raw[key]
        if not isinstance(value, str) or not value.strip():
            self.fail((*where, key), f"`{key}` must be non-empty text")
            return None
        return value.strip()

    def _whole(
        self, raw: dict[str, Any], where: KeyPath, key: str, low: int, high: int
    ) -> int | None:
        if key not in raw:
            return None
        value = raw[key]
        # YAML's `true` is a bool, which Python counts as an int: not a count.
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.fail((*where, key), f"`{key}` must be a whole number from {low} to {high}")
            return None
        return value

    def _stack(self, raw: dict[str, Any], where: KeyPath) -> tuple[str, ...]:
        value = raw.get("stack", [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.fail((*where, "stack"), "`stack` must be a technology or a list of them")
            return ()
        return split_stacks(value)

    def _questions(
        self, raw: dict[str, Any], where: KeyPath, kind: InterviewType | None
    ) -> tuple[str, ...]:
        if "questions" not in raw:
            return ()
        value = raw["questions"]
        here = (*where, "questions")
        if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
            self.fail(here, "`questions` must be a list of bank question ids")
            return ()
        if len(value) > MAX_QUESTIONS:
            self.fail(here, f"at most {MAX_QUESTIONS} questions per interview")
        seen: set[str] = set()
        for i, ident in enumerate(value):
            if ident in seen:
                self.fail((*here, i), f"question {ident!r} is listed twice")
                continue
            seen.add(ident)
            own = self.bank_types.get(ident)
            if own is None:
                self.fail((*here, i), f"unknown question {ident!r} (see `preppath questions list`)")
            elif kind is not None and kind is not InterviewType.MIXED and own != kind.value:
                self.fail((*here, i), f"question {ident!r} is {own}, not {kind.value}")
        return tuple(value)

    def _answers(self, raw: dict[str, Any], where: KeyPath) -> tuple[PlannedAnswer, ...]:
        value = raw.get("answers", [])
        here = (*where, "answers")
        if not isinstance(value, list):
            self.fail(here, "`answers` must be a list (one entry per question, in order)")
            return ()
        found = [self._answer(entry, (*here, i)) for i, entry in enumerate(value)]
        return tuple(a for a in found if a is not None)

    def _answer(self, entry: Any, where: KeyPath) -> PlannedAnswer | None:
        kinds = ", ".join(ANSWER_KINDS)
        if not isinstance(entry, dict) or len(entry) != 1:
            self.fail(where, f'an answer is one of {kinds}, e.g. `- text: "…"`')
            return None
        ((kind, value),) = entry.items()
        here = (*where, kind)
        line = self.tree.line(here)
        if kind not in ANSWER_KINDS:
            self.fail(here, f"unknown key {kind!r} in an answer; use {kinds}")
            return None
        if kind == "skip":
            if value is not True:
                self.fail(here, "`skip` takes `true`")
                return None
            return PlannedAnswer("skip", "", line)
        if not isinstance(value, str) or not value.strip():
            self.fail(here, f"`{kind}` must be non-empty text")
            return None
        if kind == "text":
            return PlannedAnswer("text", value, line)
        resolved = self._inside(value, here)
        if resolved is None:
            return None
        if kind == "audio" and not _audio_suffix(resolved):
            self.fail(here, f"{value} is not a recording PrepPath reads; use {_audio_kinds()}")
            return None
        return PlannedAnswer(kind, str(resolved), line)

    def _inside(self, name: str, where: KeyPath) -> Path | None:
        """`name` resolved against the plan's folder, if it stays inside it and is a file."""
        candidate = Path(name)
        resolved = (self.folder / candidate).resolve()
        if candidate.is_absolute() or not resolved.is_relative_to(self.folder):
            self.fail(
                where,
                f"{name} is outside the plan's folder {self.folder}; plans may "
                "only read files beside them",
            )
            return None
        if not resolved.exists():
            self.fail(where, f"{name} does not exist (paths are relative to the plan)")
            return None
        if not resolved.is_file():
            self.fail(where, f"{name} is not a file")
            return None
        return resolved


def _audio_suffix(path: Path) -> bool:
    # The decoder module loads PyAV and numpy: only plans with recordings pay for it.
    from preppath.voice.decode import SUPPORTED_EXTENSIONS

    return path.suffix.lower() in SUPPORTED_EXTENSIONS


def _audio_kinds() -> str:
    from preppath.voice.decode import SUPPORTED_EXTENSIONS

    return ", ".join(ext.lstrip(".") for ext in SUPPORTED_EXTENSIONS)
