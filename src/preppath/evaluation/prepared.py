"""The question side of scoring, read once with the bank and loaded by each answer.

Scoring an answer also reads its question: every phrasing, misconception and explanation, the
question itself and its model answer, by the same rules as the answer (tokens.read, then the
lexicon). That is about 170 readings and 15 ms, the same every time the question is answered.
The build cache keeps them for every bank question, user packs included, keyed by the packs,
the lexicon files and the modules that decide how a phrase reads; `preload` hands one
question's readings to the matcher before it scores. A question the build has not seen (one a
model wrote, or one whose pack changed after its interview was made) is read as before: the
readings are the same either way, only their cost differs.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterable, Mapping
from pathlib import Path

from preppath.evaluation.contrast import CONTRASTS_AHEAD, TERMS_AHEAD, Contrast
from preppath.evaluation.lexicon import Pattern
from preppath.evaluation.matching import READ_AHEAD, SAYINGS_AHEAD
from preppath.values import Question

Entry = tuple[frozenset[str], Contrast | None, dict[str, Pattern], str, frozenset[Pattern]]
"""A question's terms and contrast, each phrase's pattern, its model answer and that answer's
sayings."""


def question_phrases(question: Question) -> list[str]:
    """Every phrase scoring reads for a question with `compile_phrase` (rubric._parts): its
    key points' and, for a story, the cues `behavioral.read_story` looks for."""
    found = [question.text]
    for kp in question.key_points:
        found += [kp.point, kp.explain, *kp.phrasings, *(m.claim for m in kp.misconceptions)]
    if question.type == "behavioral":
        from preppath.evaluation.behavioral import story_cues

        found += story_cues(question.tags, question.text)
    return found


def read_ahead(questions: Iterable[Question]) -> dict[str, bytes]:
    """Each question's readings by its text, pickled one by one: an answer unpickles its own."""
    from preppath.evaluation.contrast import contrast_of, question_terms
    from preppath.evaluation.matching import compile_phrase, model_sayings

    found: dict[str, bytes] = {}
    for q in questions:
        terms = question_terms(q.text)
        phrases = {p: compile_phrase(p, terms=terms) for p in question_phrases(q)}
        sayings = model_sayings(q.expected_answer, terms)
        entry: Entry = (terms, contrast_of(q.text), phrases, q.expected_answer, sayings)
        found[q.text] = pickle.dumps(entry, protocol=pickle.HIGHEST_PROTOCOL)
    return found


def preload(readings: Mapping[str, bytes], question_text: str) -> None:
    """Give the matcher the readings of the question with this text, if `read_ahead` read it."""
    entry = readings.get(question_text)
    if entry is None:
        return
    terms, contrast, phrases, model, sayings = pickle.loads(entry)
    TERMS_AHEAD[question_text] = terms
    CONTRASTS_AHEAD[question_text] = contrast
    READ_AHEAD.update(((phrase, terms), pattern) for phrase, pattern in phrases.items())
    SAYINGS_AHEAD[(model, terms)] = sayings


def bank_readings(user_dir: Path | None) -> Mapping[str, bytes]:
    """`read_ahead` of the whole bank, from the build cache when nothing it reads has changed."""
    from preppath.bank.sources import code_files, pack_files
    from preppath.buildcache import cached_entries
    from preppath.evaluation.lexicon import lexicon_files

    def build() -> dict[str, bytes]:
        from preppath.bank.loader import load_bank

        return read_ahead(load_bank(user_dir).questions)

    here = Path(__file__).parent
    sources = [*pack_files(user_dir), *code_files(), *here.glob("*.py"), *lexicon_files()]
    sources.append(here / "competencies.toml")  # the cues a story is read for
    name = "readings-with-user-packs" if user_dir is not None else "readings"
    return cached_entries(name, sources, build)
