"""The concept lexicon: equivalent ways of saying one thing, and pairs of opposites, as data.

Groups live in `lexicon/*.toml` beside this module:

    [[concept]]                      # every term reads as the first one
    terms = ["io bound", "i/o-bound", "waiting on the network"]

    [[opposite]]                     # saying one where a key point says the other contradicts it
    terms = ["mutable", "immutable"]

Terms are read by the same rules as answers (stems, stop words dropped, negation), so "not
mutable" can sit in the group of "immutable", and "isn't waiting on the network" reads as a
negated "io bound".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from preppath.evaluation.tokens import Token, phrase_tokens

LEXICON_DIR = Path(__file__).parent / "lexicon"
Pattern = tuple[tuple[str, bool], ...]


@dataclass(frozen=True, eq=False)  # hashed by identity: it keys the compiled-phrase cache
class Lexicon:
    # first stem -> [(pattern, canonical stem)], longest pattern first
    concepts: dict[str, list[tuple[Pattern, str]]]
    opposites: dict[str, frozenset[str]]

    def normalise(self, tokens: Iterable[Token]) -> tuple[Token, ...]:
        """Replace each run of tokens that spells a lexicon term by its concept."""
        items = list(tokens)
        out: list[Token] = []
        i = 0
        while i < len(items):
            replaced = self._match_at(items, i)
            if replaced is None:
                out.append(items[i])
                i += 1
                continue
            token, length, consumed = replaced
            out.append(token)
            i += length
            if consumed:
                # The term used up its negator ("cannot change" is "immutable"): the words after
                # it in the negator's reach are no longer denied ("cannot change a tuple").
                while i < len(items) and items[i].negated:
                    out.append(Token(items[i].stem, items[i].start, items[i].end, False))
                    i += 1
        return tuple(out)

    def _match_at(self, items: list[Token], i: int) -> tuple[Token, int, bool] | None:
        for pattern, canonical in self.concepts.get(items[i].stem, ()):
            if i + len(pattern) > len(items):
                continue
            flips = {
                items[i + k].negated != negated
                for k, (stem, negated) in enumerate(pattern)
                if items[i + k].stem == stem
            }
            same = all(items[i + k].stem == stem for k, (stem, _) in enumerate(pattern))
            # A term that carries its own negation ("cannot change") must be said that way:
            # a bare "change" is not "not immutable".
            consumes = any(negated for _, negated in pattern)
            if consumes and flips != {False}:
                continue
            if same and len(flips) == 1:
                first, last = items[i], items[i + len(pattern) - 1]
                token = Token(canonical, first.start, last.end, flips.pop())
                return token, len(pattern), consumes
        return None

    def normalise_pattern(self, pattern: Pattern) -> Pattern:
        tokens = [Token(s, 0, 0, n) for s, n in pattern]
        return tuple((t.stem, t.negated) for t in self.normalise(tokens))

    def related(self, stem: str, present: set[str]) -> dict[str, bool]:
        """Which of the `present` stems are this one (True) or its opposite (False): the same
        answer as `opposite` for each, by set operations rather than one call per pair."""
        found = dict.fromkeys(self.opposites.get(stem, _NONE) & present, False)
        if stem.startswith(_NEGATING_PREFIXES):
            found.update((t, False) for t in present if _prefix_opposite(stem, t))
        else:
            found.update(
                (t, False)
                for t in present
                if t.startswith(_NEGATING_PREFIXES) and _prefix_opposite(stem, t)
            )
        if stem in present:
            found[stem] = True
        return found

    def opposite(self, a: str, b: str) -> bool:
        """One pair of stems, read as `related` reads them."""
        if b in self.opposites.get(a, _NONE):
            return True
        if a.startswith(_NEGATING_PREFIXES) or b.startswith(_NEGATING_PREFIXES):
            return _prefix_opposite(a, b)
        return False


# "uncommitted" denies "committed", "nonblocking" denies "blocking": English makes opposites
# with these prefixes, so any pack's words get their opposites without a list. Only un- and
# non-: in-, im- and dis- begin too many words that deny nothing (inform, import, display).
_NEGATING_PREFIXES = ("non", "un")
_NONE: frozenset[str] = frozenset()
# Stems that begin with a prefix's letters but are not built on it.
_NOT_PREFIXED = ("under", "until", "unit", "union", "uniqu", "univers", "unix", "unicod", "unif")
# Verbs whose un- undoes an action rather than denying a state: unmounting is an event of its own,
# so "cleanup runs when the component unmounts" says nothing against "runs once on mount", and
# JavaScript's unshift is no opposite of shift.
_REVERSIVE = (
    "unmount", "unlock", "undo", "unsubscrib", "uninstal", "unpack", "unload", "unwrap",
    "unregist", "unset", "unlink", "unzip", "unpin", "unshift", "unmarshal", "unwind", "unseal",
)  # fmt: skip


@cache
def _prefix_opposite(a: str, b: str) -> bool:
    for prefixed, plain in ((a, b), (b, a)):
        for prefix in _NEGATING_PREFIXES:
            if not prefixed.startswith(prefix) or prefixed.startswith(_NOT_PREFIXED + _REVERSIVE):
                continue
            rest = prefixed[len(prefix) :]
            # Stems of the two forms can end differently ("unord" / "order", "immut" /
            # "mutabl"), so the plain stem may run a few letters past the rest or stop short.
            short, long = sorted((rest, plain), key=len)
            if len(short) >= 3 and long.startswith(short) and len(long) - len(short) <= 3:
                return True
    return False


def _canonical(pattern: Pattern) -> str:
    return "_".join(s for s, _ in pattern)


def _collapsed(term: str, pattern: Pattern) -> bool:
    """A term of several words left with one ("read-only" -> "read", "same object" -> "object")
    would make that common word mean the whole concept everywhere."""
    return (
        len(pattern) == 1
        and len(term.replace("-", " ").split()) > 1
        and not any(n for _, n in pattern)
    )


def build_lexicon(groups: Iterable[list[str]], opposites: Iterable[list[str]] = ()) -> Lexicon:
    concepts: dict[str, list[tuple[Pattern, str]]] = {}
    for terms in groups:
        patterns = [p for t in terms if (p := phrase_tokens(t)) and not _collapsed(t, p)]
        if len(patterns) < 2:
            continue
        canonical = _canonical(patterns[0])
        for pattern in patterns:
            if len(pattern) == 1 and pattern[0] == (canonical, False):
                continue
            concepts.setdefault(pattern[0][0], []).append((pattern, canonical))
    for entries in concepts.values():
        entries.sort(key=lambda e: -len(e[0]))
    lexicon = Lexicon(concepts, {})
    pairs: dict[str, set[str]] = {}
    for terms in opposites:
        stems = [_canonical(lexicon.normalise_pattern(phrase_tokens(t))) for t in terms]
        for a in stems:
            pairs.setdefault(a, set()).update(b for b in stems if b != a)
    return Lexicon(concepts, {k: frozenset(v) for k, v in pairs.items()})


def lexicon_files() -> list[Path]:
    return sorted(LEXICON_DIR.glob("*.toml"))


@cache
def default_lexicon() -> Lexicon:
    from preppath.buildcache import cached

    here = Path(__file__).parent
    sources = [*lexicon_files(), Path(__file__), here / "tokens.py", here / "text.py"]
    return cached("lexicon", sources, _build_default)


def _build_default() -> Lexicon:
    import tomllib  # here: a fresh build cache needs no TOML parser

    groups: list[list[str]] = []
    opposites: list[list[str]] = []
    for path in lexicon_files():
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        groups += [list(g.get("terms", [])) for g in data.get("concept", [])]
        opposites += [list(g.get("terms", [])) for g in data.get("opposite", [])]
    return build_lexicon(groups, opposites)
