"""The scorer reads statements: clauses, order, negation, opposites, paraphrase and the person's
own words as evidence."""

from __future__ import annotations

import pytest

from preppath.evaluation.lexicon import build_lexicon
from preppath.evaluation.matching import best_hit, units_of
from preppath.evaluation.points import judge
from preppath.evaluation.tokens import phrase_tokens, read
from preppath.values import KeyPoint, Misconception

TUPLES_BACKWARDS = (
    "Tuples are mutable and lists are immutable, so lists are hashable and can be dictionary keys."
)


def _polarity(phrase: str, answer: str) -> str | None:
    hit = best_hit(phrase, units_of(answer))
    return hit.polarity if hit is not None and hit.complete else None


@pytest.mark.parametrize(
    ("text", "term"),
    [
        ("It is I/O-bound work", "io"),
        ("I write C++ and C# daily", "c++"),
        ("Node.js runs it", "nodejs"),
        ("our CI/CD pipeline", "cicd"),
        ("sorting is O(n log n)", "o(nlogn)"),
    ],
)
def test_technical_terms_stay_whole(text: str, term: str) -> None:
    """I/O, C++, C#, Node.js, CI/CD and O(n log n) are single tokens, not their pieces."""
    stems = [t.stem for c in read(text).clauses for t in c.tokens]
    assert term in stems


def test_clauses_split_between_statements_not_between_nouns() -> None:
    """'A and B' between two statements splits; between two nouns it does not."""
    assert len(read("tuples are mutable and lists are immutable").clauses) == 2
    assert len(read("rank by impact and urgency").clauses) == 1
    assert len(read("tuples are hashable and can be dictionary keys").clauses) == 1


def test_negation_marks_what_follows_in_its_clause() -> None:
    """'not' flips the words after it, until the clause ends."""
    (first, second) = read("lists are not hashable, but tuples are").clauses
    assert [t.negated for t in first.tokens] == [False, True]
    assert not any(t.negated for t in second.tokens)


def test_backwards_facts_contradict_the_statement() -> None:
    """'tuples are mutable' contradicts 'tuples are immutable'; nothing there affirms it."""
    assert _polarity("tuples are immutable", TUPLES_BACKWARDS) == "contradicted"
    assert _polarity("lists are mutable", TUPLES_BACKWARDS) == "contradicted"


@pytest.mark.parametrize(
    "answer",
    [
        "Tuples are immutable.",
        "A tuple is not mutable once it is created.",
        "Tuples can't be changed after creation.",
    ],
)
def test_correct_statements_in_other_words_affirm(answer: str) -> None:
    """Negated opposites and lexicon phrasings state the same fact."""
    assert _polarity("tuples are immutable", answer) == "affirmed"


def test_negation_inside_the_statement_contradicts() -> None:
    """'lists are not mutable' contradicts 'lists are mutable'."""
    assert _polarity("lists are mutable", "In Python lists are not mutable.") == "contradicted"


def test_leading_denial_is_not_a_contradiction() -> None:
    """'I don't use threads for CPU-bound work' does not deny a point about CPU-bound work."""
    assert _polarity("cpu bound", "I don't use threads for CPU-bound work.") != "contradicted"


def test_order_matters_for_statements_of_three_words() -> None:
    """'a process contains threads' is not 'a thread contains processes'."""
    assert _polarity("process contains threads", "A thread contains processes.") is None
    assert _polarity("process contains threads", "Each process contains threads.") == "affirmed"


def test_scattered_words_do_not_make_a_contradiction() -> None:
    """Words of a statement far apart in a clause, one negated, prove nothing either way."""
    answer = "the query order by created avoids an expensive extra sort step later"
    assert _polarity("sort order", answer) != "contradicted"


def test_claims_make_a_point_contradicted_with_its_correction() -> None:
    """A known wrong claim earns nothing for its point and brings the correction."""
    point = KeyPoint(
        "Tuples are hashable and can be dictionary keys",
        ("tuples are hashable", "tuple as a dictionary key"),
        misconceptions=(
            Misconception("lists can be dictionary keys", "Lists are unhashable; tuples are."),
        ),
    )
    judgement = judge(point, units_of(TUPLES_BACKWARDS))
    assert judgement.status == "contradicted"
    assert judgement.correction == "Lists are unhashable; tuples are."
    assert judgement.said == "lists are hashable and can be dictionary keys"


def test_a_denied_claim_is_not_a_contradiction() -> None:
    """Saying the wrong claim is false ('lists can't be dict keys') is correct."""
    point = KeyPoint(
        "Tuples are hashable",
        ("tuples are hashable",),
        misconceptions=(Misconception("lists can be dictionary keys", "No."),),
    )
    answer = "Lists can't be dictionary keys, but tuples are hashable."
    assert judge(point, units_of(answer)).status == "covered"


def test_lexicon_paraphrase_credits_other_words() -> None:
    """'b refers to the exact same object' states 'another name for the same object'."""
    point = KeyPoint("Assignment binds another name", ("another name for the same object",))
    judgement = judge(point, units_of("After b = a, b refers to the exact same object."))
    assert judgement.status == "covered"
    assert judgement.said == "refers to the exact same object"


def test_evidence_quotes_the_person_as_written() -> None:
    """Quotes keep the person's capitals and words, not stems."""
    hit = best_hit("multiprocessing pool", units_of("I'd reach for a Multiprocessing Pool here."))
    assert hit is not None
    assert units_of("I'd reach for a Multiprocessing Pool here.").quote(hit.tokens) == (
        "Multiprocessing Pool"
    )


def test_lexicon_terms_with_negation_need_it_said() -> None:
    """A group term 'cannot change' does not turn every bare 'change' into its concept."""
    lexicon = build_lexicon([["immutable", "cannot change"]])
    tokens = units_of("props change often", lexicon).units[0]
    assert "immut" not in [t.stem for t in tokens]
    assert phrase_tokens("cannot change") == (("chang", True),)


def test_function_words_the_question_names_are_terms() -> None:
    """WHERE, HAVING and TypeScript's never stay words when the question names them, so a
    statement about them can be matched and a swapped one caught."""
    from preppath.evaluation.contrast import contrast_of, question_terms

    question = "What is the difference between WHERE and HAVING?"
    terms = question_terms(question)
    assert terms == {"where", "having"}
    point = KeyPoint("HAVING filters groups after aggregation", ("filters groups",))
    swapped = units_of("WHERE filters groups after the aggregation step.", terms=terms)
    assert judge(point, swapped, contrast_of(question)).status == "contradicted"
    stated = units_of("HAVING filters groups once they are built.", terms=terms)
    assert judge(point, stated, contrast_of(question)).status == "covered"
    never = question_terms("Explain the difference between any, unknown and never in TypeScript.")
    assert "never" in never
    assert not read("never is the bottom type", never).clauses[0].tokens[1].negated


def test_a_pronoun_clause_borrows_the_subject_before_it() -> None:
    """ "Read committed is the lowest: it allows dirty reads" claims read committed allows them."""
    answer = units_of("Read committed is the lowest level: it allows dirty reads.")
    hit = best_hit("read committed allows dirty reads", answer)
    assert hit is not None and hit.complete and hit.polarity == "affirmed"


def test_a_new_subject_ends_a_negation_in_unpunctuated_speech() -> None:
    """ "you don't stash it in a struct you always call cancel" affirms calling cancel."""
    answer = units_of("you don't stash it in a struct you always call the cancel function")
    hit = best_hit("call the cancel function", answer)
    assert hit is not None and hit.polarity == "affirmed"


def test_scattered_words_are_no_swapped_statement() -> None:
    """ "filtering the rows before you group them" says nothing of WHERE filtering groups."""
    from preppath.evaluation.contrast import contrast_of, question_terms

    question = "What is the difference between WHERE and HAVING?"
    terms = question_terms(question)
    point = KeyPoint("HAVING filters groups after aggregation", ("filter groups",))
    answer = units_of("so where is for filtering the rows before you group them", terms=terms)
    assert judge(point, answer, contrast_of(question)).status != "contradicted"


def test_a_preference_said_the_other_way_round_contradicts() -> None:
    """ "merge instead of rebasing" reverses "rebase instead of merging"; said right it affirms."""
    assert _polarity("rebase instead of merging", "Always merge instead of rebasing.") == (
        "contradicted"
    )
    assert _polarity("rebase instead of merging", "I rebase instead of merging.") == "affirmed"


def test_un_and_non_make_opposites_without_a_list() -> None:
    """ "unbounded" contradicts "bounded" and "nondeterministic" "deterministic", though no
    lexicon pair names them; words that merely begin with the letters are no opposites."""
    assert _polarity("the queue is bounded", "The queue is unbounded.") == "contradicted"
    assert _polarity("builds are deterministic", "Builds are nondeterministic.") == ("contradicted")
    assert _polarity("rows are derived", "Rows are under derived.") != "contradicted"
    assert _polarity("unit tests run", "Unit tests run in CI.") == "affirmed"


def test_words_the_bank_gives_as_right_contradict_no_point() -> None:
    """Naming one of the question's own things ("unbuffered channels") is no backwards
    statement of a point about its namesake ("buffered channels")."""
    from preppath.evaluation.matching import sayings_of

    buffered = KeyPoint("Buffered channels block only when full", ("buffered channels",))
    unbuffered = KeyPoint("Unbuffered channels hand over directly", ("unbuffered channels",))
    answer = units_of("Unbuffered channels hand each value straight to a receiver.")
    sayings = sayings_of(("buffered channels", "unbuffered channels"))
    assert judge(buffered, answer).status == "contradicted"
    assert judge(buffered, answer, sayings=sayings).status == "missed"
    assert judge(unbuffered, answer, sayings=sayings).status == "covered"


def test_a_denial_ends_where_the_statement_turns() -> None:
    """ "never throws errors but may not show updates": "but" ends the first denial and the
    second "not" starts a new one instead of cancelling it."""
    (clause,) = read("It never throws errors but may not show recent updates").clauses
    negated = {t.stem: t.negated for t in clause.tokens}
    assert negated["throw"] and negated["error"]
    assert not negated["may"]
    assert negated["show"] and negated["recent"]


def test_general_opposites_reverse_a_statement() -> None:
    """Listed opposites of everyday engineering words reverse a claim: a max-heap for a
    min-heap, a cache hit for a miss."""
    assert _polarity("pop from a min heap", "You pop from a max-heap.") == "contradicted"
    assert _polarity("on a miss read the origin", "On a hit read the origin.") == "contradicted"


def test_a_set_is_a_set_not_settings() -> None:
    """ "put the keys in a set" keeps the word set; it is not read as configuration."""
    stems = [t.stem for t in units_of("Put the keys in a set.").units[0]]
    assert "set" in stems


def test_irregular_forms_state_their_verb() -> None:
    """ "the scan found every match" states "finds every match"; the stemmer alone keeps
    found and find apart."""
    assert _polarity("finds every match", "The scan found every match.") == "affirmed"
    assert _polarity("overrides the default", "It overrode the default.") == "affirmed"


def test_a_statement_may_run_across_the_clauses_of_one_sentence() -> None:
    """ "the scheduler checks free capacity, then places the pod" states "scheduler places
    pods" though a clause ends between them; split over two sentences it does not."""
    point = KeyPoint("The scheduler places pods", ("scheduler places pods on nodes",))
    one = units_of("The scheduler checks free capacity, then places each pod on a node.")
    hit = best_hit("scheduler places pods on nodes", one)
    assert hit is None or not hit.complete
    assert judge(point, one).status == "covered"
    two = units_of("The scheduler checks free capacity. Something places each pod on a node.")
    assert judge(point, two).status != "covered"


BREAKER = KeyPoint(
    "A circuit breaker opens after repeated failures",
    ("breaker opens after repeated failures",),
    explain="After enough failures the breaker opens: calls fail fast instead of waiting, and "
    "later a trial call checks whether the service has recovered.",
)
BREAKER_QUESTION = "How do you stop one failing service from taking down the others?"


def test_the_gist_of_a_point_in_other_words_earns_half() -> None:
    """A prose sentence sharing four of the point's own words, none denied, is partly stated
    though no phrasing matches; a bare list of those words or their denial is not."""
    from preppath.evaluation.points import gist, question_stems

    asked = question_stems(BREAKER_QUESTION)
    said = units_of(
        "Once a dependency keeps erroring we fail fast for a while, and later we send "
        "one trial call to see if it recovered."
    )
    assert judge(BREAKER, said).status == "missed"
    judgement = gist(BREAKER, said, asked)
    assert judgement is not None and judgement.status == "partial"
    listed = units_of("Fail fast, trial call, recovered, waiting.")
    assert gist(BREAKER, listed, asked) is None
    denied = units_of("We never fail fast or send a trial call to see if it recovered.")
    assert gist(BREAKER, denied, asked) is None


def test_everyday_synonyms_state_the_same_thing() -> None:
    """ "erase the row" states "delete the row"; "save the result" states "store the result"."""
    assert _polarity("delete the old row", "Erase the old row.") == "affirmed"
    assert _polarity("store the result", "We save the result.") == "affirmed"


def test_doing_what_a_phrasing_refuses_contradicts_it() -> None:
    """ "call the payment API inside the transaction" contradicts "don't call the payment API
    inside the transaction"; naming what "no plaintext passwords" rules out does not."""
    refused = "don't call the payment api inside the transaction"
    said = "Just call the payment API inside the transaction."
    assert _polarity(refused, said) == "contradicted"
    assert _polarity("no plaintext passwords", "Plaintext passwords leak.") != "contradicted"
    assert _polarity("doesn't scale to many users", "It scales poorly to many users.") != (
        "contradicted"
    )


def test_fails_to_denies_what_follows() -> None:
    """ "the cache fails to stay fresh" denies freshness; "requests fail" keeps its content."""
    assert _polarity("the cache stays fresh", "The cache fails to stay fresh.") == ("contradicted")
    assert _polarity("requests fail", "Requests fail under load.") == "affirmed"


def test_a_possessive_names_an_owner_not_the_subject() -> None:
    """ "containers reuse the image's layers, each adding a writable one" is said of containers."""
    from preppath.evaluation.contrast import contrast_of

    question = "What is the difference between an image and a container?"
    point = KeyPoint("Containers add a writable layer", ("adds a writable layer",))
    answer = units_of("Containers reuse the image's layers; each one adds a writable layer.")
    assert judge(point, answer, contrast_of(question)).status == "covered"


def test_a_list_said_in_prose_is_one_statement() -> None:
    """ "it caches, retries and logs" states "caches and retries"; a bare run of terms does not."""
    assert _polarity("caches and retries", "The client caches, retries and logs.") == "affirmed"
    assert _polarity("caches and retries", "Caches, retries, timeouts.") is None


def test_a_phrasing_about_the_other_side_is_said_of_that_side() -> None:
    """ "lists allow duplicates" states a point about sets by its other side: no swap."""
    from preppath.evaluation.contrast import contrast_of

    question = "What is the difference between a set and a list?"
    point = KeyPoint("Sets hold no duplicates", ("sets keep one copy", "lists allow duplicates"))
    contrast = contrast_of(question)
    right = units_of("A set drops repeats, while a list allows duplicates.")
    assert judge(point, right, contrast).status == "covered"


def test_a_lexicon_term_said_with_a_comma_is_still_the_term() -> None:
    """ "last in, first out" is LIFO though a comma splits the clause inside it."""
    lexicon = build_lexicon([["lifo", "last in first out"]])
    hit = best_hit("stacks are lifo", units_of("Stacks are last in, first out.", lexicon), lexicon)
    assert hit is not None and hit.complete and hit.polarity == "affirmed"


def test_un_on_a_verb_undoes_an_action_and_denies_nothing() -> None:
    """ "the cleanup runs when the view unmounts" does not contradict "the effect runs on mount"."""
    assert _polarity("runs on mount", "The cleanup runs when the view unmounts.") != "contradicted"
    assert _polarity("the queue is bounded", "The queue is unbounded.") == "contradicted"


def test_a_phrasing_of_one_word_twice_contradicts_nothing() -> None:
    """ "zero only if both are zero" is one word twice: "x is not zero" denies no point."""
    point = KeyPoint("Empty only when both parts are empty", ("zero only if both are zero",))
    answer = units_of("A pair holding a zero part is not itself zero.")
    assert judge(point, answer).status != "contradicted"


def test_once_is_part_of_a_statement() -> None:
    """ "workers start one by one" is not the wrong claim "workers all start at once"."""
    claim = Misconception("workers all start at once", "They start one at a time.")
    point = KeyPoint("Workers start in order", ("start in order",), misconceptions=(claim,))
    answer = units_of("The workers start in order, each after the one before it is ready.")
    assert judge(point, answer).status == "covered"


def test_words_the_model_answer_says_contradict_no_point() -> None:
    """ "add an outer function" is no backwards "inner function" when the model answer says it."""
    from preppath.evaluation.matching import model_sayings

    point = KeyPoint("Closures keep the state", ("inner function",))
    answer = units_of("For arguments you add one more outer function.")
    assert judge(point, answer).status == "contradicted"
    model = model_sayings("With arguments, an outer function returns the decorator.")
    assert judge(point, answer, sayings=model).status != "contradicted"


def test_a_term_is_not_joined_across_words() -> None:
    """ "asynchronous replication, so they can lag" keeps its replication: no "replication lag"."""
    lexicon = build_lexicon([["replication lag", "replica lag"]])
    answer = units_of("They use asynchronous replication, so they can lag.", lexicon)
    hit = best_hit("asynchronous replication", answer, lexicon)
    assert hit is not None and hit.complete and hit.polarity == "affirmed"


def test_a_compared_thing_the_question_names_again_is_still_a_side() -> None:
    """ "IAM user and IAM role, and when should an app use a role": role stays a side, so a
    fact about users said of roles is caught as swapped."""
    from preppath.evaluation.contrast import contrast_of

    question = (
        "What is the difference between an IAM user and an IAM role, "
        "and when should an application use a role?"
    )
    contrast = contrast_of(question)
    assert contrast is not None
    point = KeyPoint("IAM users have long-term access keys", ("long-term access keys",))
    swapped = units_of("A role has long-term access keys that never expire.")
    assert judge(point, swapped, contrast).status == "contradicted"


def test_a_swapped_statement_may_be_filled_out_with_function_words() -> None:
    """ "lists get hashed by Python for their lookups" says of lists what is true of tuples."""
    from preppath.evaluation.contrast import contrast_of

    question = "What is the difference between a list and a tuple in Python?"
    point = KeyPoint("Tuples are hashed for lookups", ("hashed for lookups",))
    answer = units_of("Lists get hashed by Python for their lookups.")
    assert judge(point, answer, contrast_of(question)).status == "contradicted"


@pytest.mark.parametrize(
    ("phrase", "answer"),
    [
        ("the ban is temporary", "the ban is permanent"),
        ("expand the closest node", "expand the farthest node"),
        ("visit the nearest server", "visit the farthest server"),
    ],
)
def test_everyday_opposites_reverse_a_statement(phrase: str, answer: str) -> None:
    """temporary/permanent and closest or nearest/farthest reverse a claim."""
    assert _polarity(phrase, answer) == "contradicted"
    assert _polarity(phrase, phrase) == "affirmed"
