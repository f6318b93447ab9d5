"""Checks that a pack's data works with the scorer, beyond its format.

- the question's own model answer states every key point (else the bank marks its own answer
  as missing a point it makes);
- no misconception claim fires on the model answer (else a correct answer is "corrected");
- every claim and phrasing can match at all (it states itself).

    python -m preppath.evaluation.bankcheck PACK.toml [PACK.toml ...]

Prints one line per finding, `FILE: question-id: message`, and exits 1 when there are any.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path

from preppath.bank.loader import load_pack
from preppath.evaluation.contrast import contrast_of, question_terms
from preppath.evaluation.matching import best_hit, sayings_of, units_of
from preppath.evaluation.points import judge
from preppath.values import Question


def _states_itself(phrase: str, terms: frozenset[str]) -> bool:
    hit = best_hit(phrase, units_of(phrase, terms=terms))
    return hit is not None and hit.complete and hit.polarity == "affirmed"


def question_findings(question: Question) -> list[str]:
    found: list[str] = []
    terms = question_terms(question.text)
    model = units_of(question.expected_answer, terms=terms)
    phrases = tuple(x for p in question.key_points for x in (p.point, *p.phrasings))
    sayings = sayings_of(phrases, terms=terms)
    for n, point in enumerate(question.key_points, start=1):
        judgement = judge(
            point,
            model,
            contrast_of(question.text),
            mentions=question.type != "behavioral",
            sayings=sayings,
        )
        if judgement.status == "contradicted":
            found.append(
                f"key point {n}: the model answer is read as contradicting it (“{judgement.said}”)"
            )
        elif judgement.status != "covered":
            found.append(f"key point {n} ({point.point!r}): the model answer does not state it")
        for phrasing in point.phrasings:
            if not _states_itself(phrasing, terms):
                found.append(f"key point {n}: phrasing {phrasing!r} cannot match itself")
        for wrong in point.misconceptions:
            if not _states_itself(wrong.claim, terms):
                found.append(f"key point {n}: claim {wrong.claim!r} cannot match itself")
    return found


def pack_findings(path: Path) -> list[str]:
    pack = load_pack(path)
    lines = [str(e) for e in pack.errors]
    for question in pack.questions:
        lines += [f"{path}: {question.id}: {f}" for f in question_findings(question)]
    return lines


def main(argv: Iterable[str] | None = None) -> int:
    paths = [Path(a) for a in (list(argv) if argv is not None else sys.argv[1:])]
    if not paths:
        print("usage: python -m preppath.evaluation.bankcheck PACK.toml [...]", file=sys.stderr)
        return 2
    findings = [line for path in paths for line in pack_findings(path)]
    for line in findings:
        print(line)
    print(f"{len(findings)} finding(s) in {len(paths)} pack(s)", file=sys.stderr)
    return 1 if findings else 0


if __name__ == "__main__":
    raise SystemExit(main())
