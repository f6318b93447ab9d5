"""The interview report in every format (terminal, Markdown, HTML, JSON) from one interview with
a typed answer, a spoken one, a skipped and a pending question, stored in a real SQLite file:
each format must carry the same content, in words a person reads."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest
from markdown_it import MarkdownIt

from conftest import Result, Runner, cli_create
from preppath.services.context import AppContext
from preppath.services.reports import build_report
from preppath.services.views import Report
from preppath.services.wording import answer_label, describe_delivery
from preppath.voice.delivery import measure_delivery
from report_scenario import (
    CORRECTION,
    QUESTIONS,
    TYPED,
    make_report_interview,
    spoken_transcript,
)
from voice_conftest import goforward, requires_human

pytestmark = pytest.mark.usefixtures("fresh_database")


@pytest.fixture
def report_interview(app: AppContext, run: Runner) -> tuple[int, dict[str, int]]:
    """The interview every test here reports on; returns its ID and bank ID -> position."""
    return make_report_interview(app, run)


# --- turning each format into the text a person sees -------------------------------------------


class _Text(HTMLParser):
    """The visible text of an HTML document, and the contents of its <code> elements."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.code: list[str] = []
        self._skip = 0
        self._in_code = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._skip += tag in ("style", "script", "title")
        self._in_code = self._in_code or tag == "code"
        if tag in ("p", "li", "h1", "h2", "h3", "tr", "td", "th", "caption", "figcaption", "br"):
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        self._skip -= tag in ("style", "script", "title")
        self._in_code = self._in_code and tag != "code"

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)
            if self._in_code:
                self.code.append(data)

    @property
    def text(self) -> str:
        return flat("".join(self.parts))


def flat(text: str) -> str:
    return " ".join(text.split())


def visible(html_text: str) -> _Text:
    parser = _Text()
    parser.feed(html_text)
    return parser


def rendered(run: Runner, interview_id: int, fmt: str) -> str:
    args = ("--format", fmt) if fmt != "terminal" else ()
    result: Result = run("interview", "report", str(interview_id), *args)
    assert result.code == 0, result.stderr
    return result.stdout


def seen(run: Runner, interview_id: int, fmt: str) -> str:
    """What a reader of that format sees, whitespace collapsed; backticks count as code."""
    out = rendered(run, interview_id, fmt)
    if fmt == "html":
        return visible(out).text
    if fmt == "markdown":  # as a Markdown viewer (CommonMark, raw HTML allowed) shows it
        return visible(MarkdownIt("commonmark").render(out)).text
    return flat(out).replace("`", "")


def expected_content(report: Report) -> list[str]:
    """Every piece of content the typed report holds, as a reader should find it."""
    pieces = [report.summary, *report.strengths, *report.recommendations]
    if report.overall is not None:
        pieces.append(f"Overall {report.overall:.0f}/100")
    for q in report.questions:
        pieces += [q.text, f"{q.type} · {q.difficulty} · {q.status}"]
        if q.model_answer is not None:
            pieces.append(q.model_answer)
        a = q.answer
        if a is None:
            continue
        pieces += [a.text, a.given, f"Score {a.overall}/100", *a.strengths, *a.improvements]
        pieces += [f"{name} {value:.1f}/10" for name, value in a.scores.items()]
        pieces += [kp.point for kp in a.key_points]
        pieces += [kp.correction for kp in a.key_points if kp.correction]
        pieces += a.delivery
    return [flat(p).replace("`", "") for p in pieces]


# --- every format, the same content ------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["terminal", "markdown", "html"])
def test_every_format_shows_all_of_the_report(
    app: AppContext, run: Runner, report_interview: tuple[int, dict[str, int]], fmt: str
) -> None:
    """Terminal, Markdown and HTML each show every answer, score breakdown, feedback line, key
    point, correction, delivery observation, model answer and recommendation of the report."""
    interview_id, _ = report_interview
    report = build_report(app, interview_id)
    text = seen(run, interview_id, fmt)
    missing = [piece for piece in expected_content(report) if piece not in text]
    assert missing == [], f"{fmt} report lacks: {missing}"


@pytest.mark.parametrize("fmt", ["terminal", "markdown", "html", "json"])
def test_skipped_gets_its_model_answer_and_pending_does_not(
    run: Runner, report_interview: tuple[int, dict[str, int]], fmt: str
) -> None:
    """A skipped question shows its model answer in every format; a pending one, which may
    still be answered, shows none."""
    interview_id, _ = report_interview
    text = rendered(run, interview_id, fmt)
    skipped_model = QUESTIONS["rl-skipped"][2]
    if fmt == "json":
        by_text = {q["text"]: q for q in json.loads(text)["questions"]}
        assert by_text[QUESTIONS["rl-skipped"][1]]["model_answer"] == skipped_model
        assert by_text[QUESTIONS["rl-pending"][1]]["model_answer"] is None
        assert "PENDING MODEL ANSWER" not in json.dumps(json.loads(text)["questions"])
        return
    shown = seen(run, interview_id, fmt)
    assert flat(skipped_model) in shown
    assert "PENDING MODEL ANSWER" not in shown
    assert "Not answered yet" in shown


@pytest.mark.parametrize("fmt", ["terminal", "markdown", "html"])
def test_spoken_answer_is_labelled_and_its_delivery_shown_in_words(
    run: Runner, report_interview: tuple[int, dict[str, int]], fmt: str
) -> None:
    """The imported recording reads "spoken, imported from a file, attempt 1" (never
    "audio_import"), with its pace, fillers, pauses and length described."""
    interview_id, _ = report_interview
    shown = seen(run, interview_id, fmt)
    assert "Your answer (spoken, imported from a file, attempt 1)" in shown
    assert "Your answer (typed, attempt 1)" in shown
    assert "audio_import" not in shown
    star = "STAR: situation and action present; task and result missing."
    for words in ("Pace: ", "words a minute", "Fillers: ", "Pauses: 1 pause over 2.5 s",
                  "Length: ", star):  # fmt: skip
        assert words in shown, words


def test_json_report_carries_the_same_typed_questions(
    app: AppContext, run: Runner, report_interview: tuple[int, dict[str, int]]
) -> None:
    """`--format json` is the typed report itself: per question its answer (with how it was
    given, key point statuses and corrections, delivery in words) and its model answer."""
    interview_id, where = report_interview
    data = json.loads(rendered(run, interview_id, "json"))
    questions = {q["number"]: q for q in data["questions"]}
    typed = questions[where["rl-args"]]["answer"]
    assert typed["given"] == "typed, attempt 1" and typed["text"] == TYPED
    statuses = {kp["point"]: (kp["status"], kp["correction"]) for kp in typed["key_points"]}
    assert statuses["Keyword ones land in a dict"] == ("contradicted", CORRECTION)
    assert statuses["Positional ones land in a tuple"] == ("partial", None)
    spoken = questions[where["rl-spoken"]]["answer"]
    assert spoken["given"] == "spoken, imported from a file, attempt 1"
    assert spoken["delivery"] == describe_delivery(
        measure_delivery(spoken_transcript(), "technical").to_dict()
    )
    assert data["interview"]["id"] == interview_id  # the raw view stays for scripts


# --- markup --------------------------------------------------------------------------------------


def test_html_shows_backticks_as_code_and_escapes_answers(
    run: Runner, report_interview: tuple[int, dict[str, int]]
) -> None:
    """Backticked text becomes <code> (no raw backtick is left to read) and the person's
    `<b>` stays text; each answer has its correctness/completeness/clarity table."""
    interview_id, _ = report_interview
    page = rendered(run, interview_id, "html")
    parsed = visible(page)
    assert "`" not in parsed.text
    assert {"*args", "**kwargs", "phone book", "preppath interview start --review"} <= set(
        parsed.code
    )
    assert "&lt;b&gt;and&lt;/b&gt;" in page and "<b>and</b>" not in page
    assert page.count('<table class="scores">') == 3  # the averages and two answers
    for name in ("correctness", "completeness", "clarity"):
        assert page.count(f'<th scope="row">{name}</th>') == 3


def test_markdown_escapes_what_would_turn_into_markup(
    run: Runner, report_interview: tuple[int, dict[str, int]]
) -> None:
    """In Markdown, `*args`, `__init__`, `[hash table]` and `<b>` written as plain text stay
    literal (not emphasis, links or HTML), while backticked text stays code."""
    interview_id, _ = report_interview
    body = rendered(run, interview_id, "markdown")
    html_out = MarkdownIt("commonmark").render(body)
    parsed = visible(html_out)
    for literal in ("(*args)", "(**kwargs)", "__init__ often forwards", "[hash table]",
                    "<b>and</b>", "immutable & hashable"):  # fmt: skip
        assert literal in parsed.text, literal
    # Emphasis only where the report puts it: each question's type/difficulty/status line.
    assert html_out.count("<em>") == len(QUESTIONS) and "<strong>args" not in html_out
    assert "<b>" not in html_out  # the answer's tag is text, not markup
    assert "*args" in parsed.code and "phone book" in parsed.code


# --- wording --------------------------------------------------------------------------------------


def test_answer_labels_say_how_an_answer_was_given() -> None:
    """Each answer source reads as words, with the attempt."""
    assert answer_label("audio_import", 1) == "spoken, imported from a file, attempt 1"
    assert answer_label("voice", 2) == "spoken, recorded in the interview, attempt 2"
    assert answer_label("typed", 1) == "typed, attempt 1"
    assert answer_label("file", 3) == "typed, read from a file, attempt 3"


def test_delivery_is_described_in_words() -> None:
    """Pace, fillers, pauses and length come out as sentences with what is usual."""
    lines = describe_delivery(measure_delivery(spoken_transcript(), "technical").to_dict())
    assert lines[0].startswith("Pace: ") and "words a minute" in lines[0]
    assert any(
        re.fullmatch(r"Fillers: \d+ \(.*um.*\), [\d.]+ per 100 words: \w+", x) for x in lines
    )
    assert "Pauses: 1 pause over 2.5 s (longest 3.1 s)" in lines
    assert any(
        x.startswith("Length: ") and "usual for a technical answer" in x and "shorter" in x
        for x in lines
    )
    assert describe_delivery(None) == []
    assert describe_delivery({"notes": ["an older note"]}) == ["an older note"]


# --- audio import ---------------------------------------------------------------------------------


@requires_human
def test_audio_import_shows_what_was_heard_and_its_delivery(run: Runner) -> None:
    """`audio import` prints the transcript it scored, labelled by how it was given, and the
    delivery in words, not only the scores."""
    iv = cli_create(run, count=1, type_="behavioral", stack=())
    result = run("audio", "import", str(iv["id"]), "1", str(goforward()))
    assert result.code == 0, result.stderr
    shown = flat(result.stdout.replace("│", " "))  # the feedback panel's borders
    heard = re.search(r"Heard \(spoken, imported from a file, attempt 1\): (.+?) \d+/100", shown)
    assert heard, shown
    stored = run("interview", "show", str(iv["id"]), "--json").json()
    assert heard.group(1) == stored["questions"][0]["feedback"]["answer"]
    for words in ("Delivery", "Pace: ", "words a minute", "Length: "):
        assert words in shown
