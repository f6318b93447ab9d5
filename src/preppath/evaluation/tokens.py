"""Reading an answer as statements: tokens with their place in the text, clauses, and negation.

The scorer credits a key point only when one clause states it, so the reading keeps what a bag of
words loses: where each word stands (to quote the person's own words back), which clause it
belongs to (so "tuples are mutable and lists are immutable" is two statements), and whether a
negator ("not", "can't", "instead of" ...) earlier in its clause flips it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from preppath.evaluation.text import STOP_WORDS, stem

# Whole technical terms first, so "I/O", "C++", "Node.js", "CI/CD" and "O(n log n)" stay one token.
_TOKEN = re.compile(
    r"""
    (?P<bigo>\bo\(\s*[a-z0-9^*+ ]{1,16}\))               # O(1), O(n log n), O(n^2)
    | (?P<slash>\b[a-z]{1,3}/[a-z]{1,3}\b)              # i/o, ci/cd, tcp/ip, pub/sub
    | (?P<lang>\b[a-z]\+\+|\b[a-z]\#|\.net\b)            # c++, c#, f#, .net
    | (?P<dotted>\b[a-z][a-z0-9]*\.js\b)                 # node.js, next.js
    | (?P<member>\b[a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)+\b)  # promise.all, ctx.done
    | (?P<number>\d+(?:[.,]\d+)*(?:\s?%)?)
    | (?P<word>[a-z][a-z0-9']*(?:-[a-z0-9][a-z0-9']*)*)
    | (?P<punct>[.!?](?=\s|$)|[;:,()\u2014\u2013]|\s-\s|\n\s*\n)  # a hard wrap is no break
    """,
    re.VERBOSE,
)


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Filler for the prose measure, but meaning for a statement: "the same object", "update the
# database before deleting the cache key", "all workers start at once" (which without "once"
# would be said by "the workers start in order").
MATCH_STOP_WORDS = STOP_WORDS - {"same", "before", "after", "once"}


# "avoid" and "prevent" deny what follows as "not" does: "avoid sync calls" ~ "don't do sync calls".
# A negator governs the few content words after it ("not hashable or usable as keys"), not the
# rest of a long unpunctuated spoken run.
NEGATION_SCOPE = 4
NEGATORS = _wordset(
    "not no never cannot without neither nor none nothing nobody nowhere "
    "avoid avoids avoided avoiding prevent prevents prevented preventing"
)
# "not only X but also Y" and "no matter" do not deny what follows.
_FAIL_FORMS = _wordset("fail fails failed failing")
_NOT_NEGATING_AFTER = {"not": {"only", "just", "merely"}, "no": {"matter", "doubt"}}
_NEGATING_PAIRS = {("instead", "of"), ("rather", "than")}

# A clause starts before these words, unless the next word carries on the same subject
# ("tuples are hashable and can be keys").
_CLAUSE_WORDS = _wordset(
    "and but or so because while whereas although though since unless however whereas "
    "then therefore otherwise"
)
# "and" / "or" join two statements only when both sides have a verb ("tuples are mutable and
# lists are not"); between nouns ("impact and urgency") they join words within one statement.
_JOINERS = _wordset("and or")
AUXILIARIES = _wordset(
    "can could may might must shall should will would is are was were be been being has have had "
    "do does did cannot can't won't isn't aren't doesn't don't didn't wasn't weren't also still "
    "only just always never often usually"
)
# Clauses that open like this continue the previous clause's subject ("…, which means they…").
# So do clauses whose subject is a pronoun for it ("read committed is the lowest: it allows
# dirty reads"), within one sentence.
_CONTINUATIONS = (
    frozenset({"which", "who", "that", "whose", "where", "also", "so"})
    | frozenset({"it", "they", "this", "these", "those", "it's", "they're"})
    | AUXILIARIES
)


_SUBJECTS = _wordset("i you we they he she")


@dataclass(frozen=True)
class Token:
    """One content word: its stem (or a concept from the lexicon), where it stands in the
    original text, and whether a negator earlier in its clause flips it."""

    stem: str
    start: int
    end: int
    negated: bool = False


@dataclass(frozen=True)
class Clause:
    tokens: tuple[Token, ...]
    continues: bool
    """Opens without its own subject, so its statement may borrow the previous clause's."""
    sentence: int = 0


@dataclass(frozen=True)
class Reading:
    text: str
    clauses: tuple[Clause, ...]


def _normal(kind: str, raw: str) -> str:
    if kind == "bigo":
        return re.sub(r"\s+", "", raw)
    if kind == "slash":
        return raw.replace("/", "")
    if kind == "dotted":
        return raw.replace(".", "")
    if kind == "number":
        return raw.replace(" ", "")
    return raw


def read(text: str, terms: frozenset[str] = frozenset()) -> Reading:
    """Split an answer into clauses of content tokens with negation marked. `terms` are words
    the question uses as names although English uses them as function words (SQL's WHERE and
    HAVING, TypeScript's any and never): they are kept as content, never read as negators."""
    lowered = text.lower().replace("’", "'")
    clauses: list[Clause] = []
    tokens: list[Token] = []
    continues = False
    negated = False
    scope = 0
    opening = True
    pending: str | None = None  # "instead"/"rather" waiting for "of"/"than"
    matches = list(_TOKEN.finditer(lowered))

    clause_words: list[str] = []
    sentence_start = True
    sentence = 0
    list_end = -1  # the commas before this position separate the items of one list

    def close() -> None:
        nonlocal tokens, negated, opening, continues, clause_words, sentence, scope
        if tokens:
            clauses.append(Clause(tuple(tokens), continues, sentence))
        tokens, negated, opening, continues = [], False, True, False
        scope = 0
        clause_words = []

    for n, m in enumerate(matches):
        kind = m.lastgroup or "word"
        raw = m.group(kind)
        if kind == "punct":
            if raw == "," and tokens and (n < list_end or (list_end := _list_end(matches, n)) > n):
                continue  # "it caches, retries and logs" is one statement of three verbs
            close()
            sentence_start = raw.strip() in {".", "!", "?", ""}
            sentence += sentence_start
            continue
        value = _normal(kind, raw)
        word = value.strip("'")
        if word.endswith("'s"):
            word = word[:-2]
        clause_words.append(word)
        nxt = matches[n + 1].group(0).strip() if n + 1 < len(matches) else ""
        if (
            kind == "word"
            and word in _JOINERS
            and not (_has_verb(clause_words) and _has_verb(_ahead(matches, n)))
        ):
            continue
        if kind == "word" and word in _CLAUSE_WORDS:
            if tokens and nxt not in AUXILIARIES:
                close()
                continues = False
            elif tokens:
                # "never throws but may lag": the same subject goes on, its denial does not.
                negated, scope = False, 0
                continue
            else:
                continues = continues or nxt in AUXILIARIES
            opening = False
            continue
        if opening:
            # "…, which means" borrows the subject before it; a new sentence has its own.
            continues = word in _CONTINUATIONS and not sentence_start
            opening = False
            sentence_start = False
        if word in _SUBJECTS:
            # A new subject starts a new statement, even in unpunctuated speech: "you don't
            # stash it in a struct you always call cancel" does not deny the call.
            negated, scope = False, 0
        if kind == "word" and word in terms:
            tokens.append(Token(stem(word), m.start(), m.end(), negated))
            pending = None
            continue
        if pending is not None and (pending, word) in _NEGATING_PAIRS:
            negated, scope = _negate(negated, scope), NEGATION_SCOPE
            pending = None
            # "instead of" is a negator, not content: "merge instead of rebasing" is the two
            # statements it joins, which the matcher may then find in either order.
            if tokens and tokens[-1].stem == "instead":
                tokens.pop()
            continue
        pending = word if word in {"instead", "rather"} else None
        # "none of them" denies; "use None as the default" names Python's None.
        python_none = word == "none" and nxt not in {"of", "", ".", ",", ";", "!", "?"}
        # "fails to speed it up" denies the speed-up as "doesn't speed it up" does.
        fails_to = word in _FAIL_FORMS and nxt == "to"
        if (word in NEGATORS or word.endswith("n't") or fails_to) and not python_none:
            if nxt not in _NOT_NEGATING_AFTER.get(word, ()):
                negated, scope = _negate(negated, scope), NEGATION_SCOPE
            continue
        for part, start, end in _parts(kind, word, m.start(), m.end()):
            tokens.append(Token(part, start, end, negated))
            scope -= 1
            if scope == 0:
                negated = False
    close()
    return Reading(text, tuple(clauses))


def _negate(negated: bool, scope: int) -> bool:
    """A second negator right after the first cancels it ("not without"); one after some words
    starts a new denial: "never throw errors but may not reflect updates" denies both."""
    return True if negated and scope < NEGATION_SCOPE else not negated


LIST_ITEM_WORDS = 2
LAST_ITEM_WORDS = 4  # the last item may carry an object: "caches, retries and logs failures"


def _list_end(matches: list[re.Match[str]], n: int) -> int:
    """Where the list that the comma at position n opens ends, or -1 when it opens none. A list
    said in prose has short items, the last one after "and"/"or" ("caches, retries and logs",
    "caches, retries, and logs"). A bare run of terms ("requests, limits, qos") has no "and"
    and stays one term a clause; "x, and y" after a single comma joins two clauses."""
    count = 0
    joined = False
    for k in range(n + 1, len(matches)):
        m = matches[k]
        word = m.group(0).strip()
        if word in _JOINERS and m.lastgroup == "word":
            if joined or k == n + 1 or count > LIST_ITEM_WORDS:
                return -1
            joined, count = True, 0
            continue
        if m.lastgroup == "punct":
            if word == "," and not joined:
                if count == 0 and matches[k + 1 : k + 2] and matches[k + 1].group(0) in _JOINERS:
                    continue  # ", and" before the last item
                if count == 0:
                    return -1
                count = 0
                continue
            return k if joined and count > 0 else -1
        count += 1
        if count > (LAST_ITEM_WORDS if joined else LIST_ITEM_WORDS):
            return -1
    return len(matches) if joined and count > 0 else -1


def _has_verb(words: list[str]) -> bool:
    return any(w in AUXILIARIES or w.endswith("n't") for w in words)


def _ahead(matches: list[re.Match[str]], n: int, limit: int = 8) -> list[str]:
    """The words after position n, up to the next punctuation or clause word."""
    found: list[str] = []
    for m in matches[n + 1 : n + 1 + limit]:
        if m.lastgroup == "punct":
            break
        word = m.group(0).strip("'")
        if word in _CLAUSE_WORDS:
            break
        found.append(word)
    return found


def _parts(kind: str, word: str, start: int, end: int) -> list[tuple[str, int, int]]:
    """Content stems of one word; a hyphenated compound counts as its parts ("multi-stage")."""
    if kind != "word":
        return [(word, start, end)]
    found = []
    offset = start
    for piece in word.split("-"):
        piece_start = offset
        offset += len(piece) + 1
        if piece and piece not in MATCH_STOP_WORDS:
            found.append((stem(piece), piece_start, piece_start + len(piece)))
    return found


def phrase_tokens(phrase: str, terms: frozenset[str] = frozenset()) -> tuple[tuple[str, bool], ...]:
    """A phrasing or claim as (stem, negated) pairs, read by the same rules as answers."""
    reading = read(phrase, terms)
    return tuple((t.stem, t.negated) for c in reading.clauses for t in c.tokens)
