"""The shipped bank's data works with the scorer: model answers get full credit, known wrong
claims never fire on them, and the pack format checks misconceptions."""

from __future__ import annotations

from pathlib import Path

from conftest import Runner
from preppath.bank.loader import BUILTIN_DIR, load_pack
from preppath.evaluation.bankcheck import pack_findings

PACK = """
[pack]
name = "mine"

[[question]]
id = "my-tuples"
type = "technical"
difficulty = "easy"
levels = ["junior"]
stack = ["python"]
text = "Are tuples mutable?"
expected_answer = "No. A tuple is immutable, so it can be used as a dictionary key."

[[question.key_points]]
point = "Tuples are immutable"
explain = "Once a tuple is built its items cannot be replaced."
phrasings = ["tuple is immutable"]
misconceptions = [
  { claim = "tuples are mutable", correction = "Tuples cannot change after creation." },
]

[[question.key_points]]
point = "So they are hashable"
phrasings = ["dictionary key"]
misconceptions = [ { claim = "" } ]

[[question.key_points]]
point = "Lists are not"
phrasings = ["lists are mutable"]
"""


def test_every_shipped_pack_passes_the_scoring_check() -> None:
    """No shipped model answer misses or contradicts its own key points."""
    findings = [line for path in sorted(BUILTIN_DIR.glob("*.toml")) for line in pack_findings(path)]
    assert findings == []


def test_misconceptions_are_parsed_and_bad_ones_named_with_their_line(tmp_path: Path) -> None:
    """A claim without its correction is an error at its line; good ones load."""
    path = tmp_path / "mine.toml"
    path.write_text(PACK, encoding="utf-8")
    pack = load_pack(path)
    assert [e.message for e in pack.errors] == [
        "question 'my-tuples': key point 2: misconception 1 needs exactly 'claim' and 'correction'"
    ]
    assert pack.errors[0].line == PACK.splitlines().index('misconceptions = [ { claim = "" } ]') + 1


def test_validate_warns_when_the_model_answer_misses_a_point(tmp_path: Path, run: Runner) -> None:
    """`questions validate` prints a warning, not an error, for data the scorer cannot use."""
    fixed = PACK.replace('misconceptions = [ { claim = "" } ]\n', "")
    path = tmp_path / "mine.toml"
    path.write_text(fixed, encoding="utf-8")
    result = run("questions", "validate", str(path))
    assert result.code == 0, result
    expected = (
        "warning: my-tuples: key point 3 ('Lists are not'): the model answer does not state it"
    )
    assert expected in result.stderr
