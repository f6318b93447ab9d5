"""Reading and validating question packs, with errors that name the file and line."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from preppath.bank.sources import BUILTIN_DIR as BUILTIN_DIR  # where callers have looked for it
from preppath.bank.sources import code_files
from preppath.bank.sources import pack_files as pack_files
from preppath.domain import (
    ExperienceLevel,
    QuestionDifficulty,
    QuestionType,
    parse_level,
    parse_question_type,
)
from preppath.values import KeyPoint, Misconception, Question, Weights

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")
MAX_PHRASINGS = 12
KEY_POINT_KEYS = {"point", "phrasings", "explain", "misconceptions"}
REQUIRED = ("id", "type", "difficulty", "levels", "stack", "text", "expected_answer", "key_points")


@dataclass(frozen=True)
class PackError:
    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass(frozen=True)
class Pack:
    path: Path
    name: str
    questions: tuple[Question, ...]
    errors: tuple[PackError, ...]


class _Lines:
    """Finds the line of the n-th `[[question]]` block and of a key inside it."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.starts = [
            i for i, line in enumerate(self.lines) if re.match(r"\s*\[\[\s*question\s*\]\]", line)
        ]

    def block(self, index: int) -> tuple[int, int]:
        start = self.starts[index] if index < len(self.starts) else 0
        end = self.starts[index + 1] if index + 1 < len(self.starts) else len(self.lines)
        return start, end

    def of(self, index: int, key: str | None = None, nth_point: int | None = None) -> int:
        start, end = self.block(index)
        if nth_point is not None:
            points = [
                i
                for i in range(start, end)
                if re.match(r"\s*\[\[\s*question\.key_points\s*\]\]", self.lines[i])
            ]
            if nth_point < len(points):
                start = points[nth_point]
        if key:
            pattern = re.compile(rf"\s*{re.escape(key)}\s*=")
            for i in range(start, end):
                if pattern.match(self.lines[i]):
                    return i + 1
        return start + 1


# The largest shipped pack is under 100 KB; a pack of megabytes is a wrong file, and reading a
# 2 GB one whole took 4 GB of memory.
MAX_PACK_BYTES = 4 * 1024 * 1024


def load_pack(path: Path) -> Pack:
    try:
        with path.open("rb") as fh:
            raw = fh.read(MAX_PACK_BYTES + 1)
        if len(raw) > MAX_PACK_BYTES:
            limit = f"a question pack is at most {MAX_PACK_BYTES // (1024 * 1024)} MB"
            return Pack(path, path.stem, (), (PackError(path, 0, f"too large: {limit}"),))
        text = raw.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return Pack(path, path.stem, (), (PackError(path, 0, f"cannot read: {exc}"),))
    import tomllib  # parsing happens only when the cached bank is rebuilt (see load_bank)

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        line = int(match.group(1)) if match else 0
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        return Pack(path, path.stem, (), (PackError(path, line, f"not valid TOML: {message}"),))
    lines = _Lines(text)
    errors: list[PackError] = []
    questions: list[Question] = []
    raw_questions = data.get("question")
    if not isinstance(raw_questions, list) or not raw_questions:
        errors.append(PackError(path, 1, "no [[question]] tables found"))
        raw_questions = []
    pack_name = str(data.get("pack", {}).get("name", path.stem))
    for index, raw in enumerate(raw_questions):
        found: list[tuple[str | None, int | None, str]] = []
        question = _parse_question(raw, found)
        for key, point, message in found:
            errors.append(PackError(path, lines.of(index, key, point), message))
        if question is not None and not found:
            if any(q.id == question.id for q in questions):
                line = lines.of(index, "id")
                errors.append(PackError(path, line, f"question {question.id!r} appears twice"))
                continue
            questions.append(question)
    return Pack(path, pack_name, tuple(questions), tuple(errors))


def _parse_question(
    raw: dict[str, Any], found: list[tuple[str | None, int | None, str]]
) -> Question | None:
    def fail(key: str | None, message: str, point: int | None = None) -> None:
        found.append((key, point, message))

    ident = raw.get("id")
    label = f"question {ident!r}" if isinstance(ident, str) else "question"
    for key in REQUIRED:
        if key not in raw:
            fail(None, f"{label}: missing required key {key!r}")
    if found:
        return None
    if not isinstance(ident, str) or not ID_PATTERN.match(ident):
        fail("id", f"{label}: id must be lowercase letters, digits and dashes")
    # Types and levels are read as the commands read them (`behavioural`, `sr` …), and
    # stored by their canonical names.
    qtype = _parsed(raw.get("type"), parse_question_type)
    if qtype is None:
        allowed = ", ".join(QuestionType)
        fail("type", f"{label}: type {raw.get('type')!r} is not one of {allowed}")
    _check_choice(raw, "difficulty", QuestionDifficulty, label, fail)
    levels = [
        level.value if (level := _parsed(lv, parse_level)) else lv
        for lv in _string_list(raw, "levels", label, fail)
    ]
    bad_levels = [lv for lv in levels if lv not in set(ExperienceLevel)]
    if bad_levels or not levels:
        allowed = ", ".join(ExperienceLevel)
        fail("levels", f"{label}: levels must be one or more of {allowed}")
    stack = [s.lower() for s in _string_list(raw, "stack", label, fail)]
    tags = [t.lower() for t in _string_list(raw, "tags", label, fail)] if "tags" in raw else []
    for key in ("text", "expected_answer"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            fail(key, f"{label}: {key} must be non-empty text")
    key_points = _parse_key_points(raw.get("key_points"), label, fail)
    weights = _parse_weights(raw.get("weights"), label, fail)
    if found:
        return None
    return Question(
        id=str(ident),
        type=str(qtype),
        difficulty=str(raw["difficulty"]),
        levels=tuple(levels),
        stack=tuple(stack),
        tags=tuple(tags),
        text=" ".join(str(raw["text"]).split()),
        expected_answer=" ".join(str(raw["expected_answer"]).split()),
        key_points=tuple(key_points),
        weights=weights,
    )


def _parsed(value: object, parse: Any) -> Any:
    try:
        return parse(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _check_choice(
    raw: dict[str, Any], key: str, enum: Iterable[str], label: str, fail: Any
) -> None:
    allowed = list(enum)
    if raw.get(key) not in allowed:
        fail(key, f"{label}: {key} {raw.get(key)!r} is not one of {', '.join(allowed)}")


def _string_list(raw: dict[str, Any], key: str, label: str, fail: Any) -> list[str]:
    value = raw.get(key)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        fail(key, f"{label}: {key} must be a list of strings")
        return []
    return [str(v) for v in value]


def _parse_key_points(value: Any, label: str, fail: Any) -> list[KeyPoint]:
    if not isinstance(value, list) or not 3 <= len(value) <= 6:
        fail("key_points", f"{label}: needs 3 to 6 [[question.key_points]] tables")
        return []
    points = []
    for n, item in enumerate(value):
        point = item.get("point") if isinstance(item, dict) else None
        phrasings = item.get("phrasings") if isinstance(item, dict) else None
        if not isinstance(point, str) or not point.strip():
            fail("point", f"{label}: key point {n + 1} needs a non-empty 'point'", n)
            continue
        if (
            not isinstance(phrasings, list)
            or not 1 <= len(phrasings) <= MAX_PHRASINGS
            or not all(isinstance(p, str) and p.strip() for p in phrasings)
        ):
            fail(
                "phrasings",
                f"{label}: key point {n + 1} needs 1 to {MAX_PHRASINGS} non-empty phrasings",
                n,
            )
            continue
        hollow = [p for p in phrasings if not _has_content(p)]
        if hollow:
            fail(
                "phrasings",
                f"{label}: key point {n + 1} phrasing {hollow[0]!r} has only "
                "common words, so it can never match",
                n,
            )
            continue
        unknown = sorted(set(item) - KEY_POINT_KEYS)
        if unknown:
            fail(unknown[0], f"{label}: key point {n + 1} has unknown key {unknown[0]!r}", n)
            continue
        explain = item.get("explain", "")
        if not isinstance(explain, str):
            fail("explain", f"{label}: key point {n + 1} explain must be text", n)
            continue
        wrong = _parse_misconceptions(item.get("misconceptions", []), f"{label}: key point {n + 1}")
        if isinstance(wrong, str):
            fail("misconceptions", wrong, n)
            continue
        points.append(
            KeyPoint(
                point.strip(),
                tuple(p.strip() for p in phrasings),
                " ".join(explain.split()),
                wrong,
            )
        )
    return points


def _parse_misconceptions(value: Any, label: str) -> tuple[Misconception, ...] | str:
    """The wrong claims of one key point, or the reason they cannot be used."""
    if not isinstance(value, list):
        return f"{label}: misconceptions must be a list of {{ claim, correction }} tables"
    found = []
    for m, item in enumerate(value, start=1):
        if not isinstance(item, dict) or set(item) != {"claim", "correction"}:
            return f"{label}: misconception {m} needs exactly 'claim' and 'correction'"
        claim, correction = item["claim"], item["correction"]
        if not isinstance(claim, str) or not isinstance(correction, str) or not correction.strip():
            return f"{label}: misconception {m} needs a non-empty claim and correction"
        if not _has_content(claim):
            return (
                f"{label}: misconception {m} claim {claim!r} has only common words, "
                "so it can never match"
            )
        found.append(Misconception(" ".join(claim.split()), " ".join(correction.split())))
    return tuple(found)


def _parse_weights(value: Any, label: str, fail: Any) -> Weights:
    if value is None:
        return Weights()
    names = ("correctness", "completeness", "clarity")
    if not isinstance(value, dict) or set(value) != set(names):
        fail("weights", f"{label}: weights needs exactly {', '.join(names)}")
        return Weights()
    numbers = [value[n] for n in names]
    if not all(isinstance(v, int | float) and v >= 0 for v in numbers):
        fail("weights", f"{label}: weights must be numbers >= 0")
        return Weights()
    if abs(sum(numbers) - 1.0) > 0.001:
        fail("weights", f"{label}: weights must sum to 1.0 (they sum to {sum(numbers):g})")
        return Weights()
    return Weights(*(float(v) for v in numbers))


def _has_content(phrase: str) -> bool:
    """Whether any word survives stop-word and negator removal (else it can never match)."""
    # Imported here: the stemmer behind it is needed to check packs, not to load the cache.
    from preppath.evaluation.tokens import phrase_tokens

    return bool(phrase_tokens(phrase))


@dataclass(frozen=True)
class Bank:
    questions: tuple[Question, ...]
    errors: tuple[PackError, ...]

    def by_id(self) -> dict[str, Question]:
        return {q.id: q for q in self.questions}

    def stacks(self) -> set[str]:
        return {s for q in self.questions for s in q.stack}


@cache
def load_bank(user_dir: Path | None = None) -> Bank:
    """All packs; a question whose id repeats an earlier one is reported and skipped. Built
    once per change of the pack files and then loaded from the build cache."""
    from preppath.buildcache import cached

    files = pack_files(user_dir)
    name = "bank-with-user-packs" if user_dir is not None else "bank"
    return cached(name, [*files, *code_files()], lambda: _build_bank(files))


def _build_bank(files: list[Path]) -> Bank:
    questions: list[Question] = []
    errors: list[PackError] = []
    seen: dict[str, Path] = {}
    for path in files:
        pack = load_pack(path)
        errors.extend(pack.errors)
        for q in pack.questions:
            if q.id in seen:
                errors.append(PackError(path, 0, f"question {q.id!r} repeats one in {seen[q.id]}"))
                continue
            seen[q.id] = path
            questions.append(q)
    return Bank(tuple(questions), tuple(errors))
