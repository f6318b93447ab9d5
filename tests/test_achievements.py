"""One test per achievement of the 26: each drives the real services (answers, skips, tracked
practice) on a controllable clock through the real SQLite database, and checks the achievement
unlocks on exactly the step that meets its condition, never one step before; plus the
`achievements list|mine|show` contracts and the masking of hidden achievements."""

from __future__ import annotations

import re
import tomllib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from conftest import Clock, answer_scored, db_rows, service_interview
from preppath.domain import ActivityType
from preppath.errors import ExitCode
from preppath.services.activity import record_activity
from preppath.services.answers import skip_question
from preppath.services.context import AppContext, open_app
from preppath.services.progress import track_activity
from preppath.services.views import AnswerResult, InterviewView, Unlock
from preppath.settings import load_settings
from preppath.values import Evaluation

CATALOGUE = Path(__file__).resolve().parents[1] / "src/preppath/progress/achievements.toml"
# Each test starts from a copy of a freshly migrated database (see conftest.fresh_database).
pytestmark = pytest.mark.usefixtures("fresh_database")


# --- helpers ------------------------------------------------------------------------------------


def unlocked_ids(home: Path) -> set[str]:
    return {r[0] for r in db_rows(home, "SELECT achievement_id FROM user_achievement")}


def evaluation(overall: int, **extra: Any) -> Evaluation:
    score = overall / 10
    return Evaluation(score, score, score, overall, ["s"], ["i"], **extra)


def new_interview(ctx: AppContext, **options: Any) -> InterviewView:
    return service_interview(ctx, **{"seed": 7, **options})


def answer(ctx: AppContext, view: InterviewView, position: int, overall: int = 50) -> AnswerResult:
    return answer_scored(  # type: ignore[no-any-return]
        ctx, view.id, position, f"My answer to question {position}.", evaluation(overall)
    )


def answer_one(ctx: AppContext, overall: int = 50, **kw: Any) -> AnswerResult:
    """A one-question interview, answered (which also completes it)."""
    return answer(ctx, new_interview(ctx, **kw), 1, overall)


def practise(ctx: AppContext) -> list[Unlock]:
    return track_activity(ctx, ActivityType.PRACTICE).unlocked


def ids(unlocks: list[Unlock]) -> list[str]:
    return [u.id for u in unlocks]


def assert_unlocked_now(home: Path, unlocks: list[Unlock], ident: str, at: datetime) -> None:
    """The step's result celebrates it and its row was committed with the step's time."""
    assert ident in ids(unlocks)
    rows = db_rows(home, "SELECT unlocked_at FROM user_achievement WHERE achievement_id = ?", ident)
    assert len(rows) == 1
    stored = datetime.fromisoformat(rows[0][0])
    assert stored.replace(tzinfo=None) == at.astimezone(UTC).replace(tzinfo=None)


def listed(run: Any, ident: str) -> dict[str, Any]:
    result = run("achievements", "list", "--json")
    assert result.code == 0, result.stderr
    return next(a for a in result.json() if a["id"] == ident)


def assert_masked(ctx: AppContext, ident: str) -> None:
    """Locked and hidden: what `achievements list` shows for it (the CLI prints this view)."""
    from preppath.services.progress import achievements

    entry = achievements(ctx)[list(CATALOGUE_BY_ID).index(ident)]  # listed in catalogue order
    assert entry.id.startswith("hidden-") and entry.target is None  # the ID would give it away
    assert entry.hidden is True
    assert entry.unlocked is False
    assert entry.name == "???"
    assert entry.description != CATALOGUE_BY_ID[ident]["description"]
    assert entry.progress is None


def assert_revealed(run: Any, ident: str) -> None:
    entry = listed(run, ident)
    assert entry["unlocked"] is True
    assert entry["name"] == CATALOGUE_BY_ID[ident]["name"]
    assert entry["description"] == CATALOGUE_BY_ID[ident]["description"]


CATALOGUE_BY_ID: dict[str, dict[str, Any]] = {
    a["id"]: a for a in tomllib.loads(CATALOGUE.read_text(encoding="utf-8"))["achievement"]
}

COVERED = (
    [f"interviews-{n}" for n in (5, 10, 25, 50, 100)]
    + ["first-interview"]
    + [f"streak-{n}" for n in (3, 7, 14, 30, 60, 100)]
    + [f"points-{n}" for n in (100, 500, 1000, 5000)]
    + ["perfect-answer", "ace-interview", "consistently-strong"]
    + [
        "night-owl",
        "early-bird",
        "speed-runner",
        "polyglot",
        "comeback",
        "marathon",
        "weekend-warrior",
    ]
)


def test_every_catalogue_entry_has_an_unlock_test() -> None:
    """The tests below cover exactly the 26 shipped achievements, 7 of them hidden."""
    assert len(CATALOGUE_BY_ID) == 26
    assert sorted(COVERED) == sorted(CATALOGUE_BY_ID)
    hidden = {i for i, a in CATALOGUE_BY_ID.items() if a.get("hidden")}
    assert hidden == {
        "night-owl",
        "early-bird",
        "speed-runner",
        "polyglot",
        "comeback",
        "marathon",
        "weekend-warrior",
    }


# --- interviews ---------------------------------------------------------------------------------


def test_an_interview_of_skips_is_abandoned_and_earns_nothing(app: AppContext, home: Path) -> None:
    """Skipping every question closes the interview as abandoned: no completion, no unlock."""
    result = skip_question(app, new_interview(app).id, 1)
    assert result.skipped and result.status == "abandoned" and not result.completed
    assert result.unlocked == []
    assert "first-interview" not in unlocked_ids(home)
    assert db_rows(home, "SELECT count(*) FROM activity WHERE type = 'interview_completed'") == [
        (0,)
    ]


@pytest.mark.parametrize("n", [1, 5, 10, 25, 50, 100])
def test_interviews_completed_unlocks_on_the_nth_completion(
    n: int, app: AppContext, clock: Clock, home: Path
) -> None:
    """interviews-N (first-interview for N=1) unlocks when the N-th interview completes."""
    ident = "first-interview" if n == 1 else f"interviews-{n}"
    for _ in range(n - 1):
        assert answer_one(app).interview_completed
        clock.advance(minutes=1)
    last = new_interview(app, count=2)
    first = answer(app, last, 1)
    assert not first.interview_completed
    assert ident not in ids(first.unlocked)
    assert ident not in unlocked_ids(home)
    clock.advance(minutes=1)
    done = answer(app, last, 2)
    assert done.interview_completed
    assert_unlocked_now(home, done.unlocked, ident, clock.now)


# --- streaks ------------------------------------------------------------------------------------


@pytest.mark.parametrize("n", [3, 7, 14, 30, 60, 100])
def test_streak_unlocks_on_the_nth_consecutive_day(
    n: int, app: AppContext, clock: Clock, home: Path
) -> None:
    """streak-N unlocks on the N-th consecutive day of practice; a broken run does not add up."""
    ident = f"streak-{n}"
    for _ in range(2):  # a 2-day run, then 3 missed days (no freeze held) break it
        practise(app)
        clock.advance(days=1)
    clock.advance(days=3)
    for _ in range(n - 1):
        assert ident not in ids(practise(app))
        clock.advance(days=1)
    assert ident not in unlocked_ids(home)
    assert_unlocked_now(home, practise(app), ident, clock.now)


# --- points -------------------------------------------------------------------------------------


@pytest.mark.parametrize("n", [100, 500, 1000, 5000])
def test_points_unlock_when_activity_points_reach_the_threshold(
    n: int, app: AppContext, clock: Clock, home: Path
) -> None:
    """points-N unlocks on the event that takes activity points to N; rewards are not counted."""
    ident = f"points-{n}"
    view = new_interview(app, count=2)
    answer(app, view, 1)
    answer(app, view, 2)  # started 5 + 2 answers x 10 + completed 50 = 75 points
    # Completed interviews at 50 points each, recorded as finishing one records them
    # (`activity track` refuses this kind: it would fake interviews).
    with app.transaction() as db:
        for _ in range((n - 100) // 50):
            clock.advance(minutes=1)
            record_activity(
                db,
                profile_id=app.profile_id,
                kind=ActivityType.INTERVIEW_COMPLETED,
                at=clock.now,
                tz=app.tz,
            )
    for _ in range(2):  # practice, 10 points each
        clock.advance(minutes=1)
        practise(app)
    points = db_rows(home, "SELECT SUM(points) FROM daily_activity")[0][0]
    assert points == n - 5
    assert ident not in unlocked_ids(home)
    clock.advance(minutes=1)
    assert_unlocked_now(home, practise(app), ident, clock.now)


# --- performance --------------------------------------------------------------------------------


def test_perfect_answer_unlocks_on_a_score_of_100(
    app: AppContext, clock: Clock, home: Path
) -> None:
    """perfect-answer unlocks on an answer scored 100, not on 99."""
    near = answer_one(app, 99)
    assert "perfect-answer" not in ids(near.unlocked)
    assert "perfect-answer" not in unlocked_ids(home)
    clock.advance(minutes=1)
    perfect = answer_one(app, 100)
    assert_unlocked_now(home, perfect.unlocked, "perfect-answer", clock.now)


def test_ace_interview_needs_an_average_of_90_over_3_answers(
    app: AppContext, clock: Clock, home: Path
) -> None:
    """ace-interview: a completed interview of >= 3 answers averaging >= 90 (89.7 or 2 is not)."""
    short = new_interview(app, count=3)
    answer(app, short, 1, 100)
    answer(app, short, 2, 100)
    assert skip_question(app, short.id, 3).completed  # completed, but only 2 answers
    near = new_interview(app, count=3)
    for position, score in enumerate((90, 90, 89), start=1):
        clock.advance(minutes=1)
        assert "ace-interview" not in ids(answer(app, near, position, score).unlocked)
    assert "ace-interview" not in unlocked_ids(home)
    ace = new_interview(app, count=3)
    clock.advance(minutes=1)
    answer(app, ace, 1, 95)
    clock.advance(minutes=1)
    second = answer(app, ace, 2, 90)
    assert "ace-interview" not in ids(second.unlocked)  # not complete yet
    clock.advance(minutes=1)
    third = answer(app, ace, 3, 85)
    assert third.interview_completed
    assert_unlocked_now(home, third.unlocked, "ace-interview", clock.now)


def test_consistently_strong_averages_the_last_20_answers(
    app: AppContext, clock: Clock, home: Path
) -> None:
    """consistently-strong needs 20 answers whose latest 20 average >= 80 (79.95 is not)."""
    for _ in range(19):
        clock.advance(minutes=1)
        assert "consistently-strong" not in ids(answer_one(app, 80).unlocked)  # fewer than 20
    clock.advance(minutes=1)
    assert "consistently-strong" not in ids(answer_one(app, 79).unlocked)  # 1599 / 20
    assert "consistently-strong" not in unlocked_ids(home)
    clock.advance(minutes=1)
    strong = answer_one(app, 81)  # the oldest 80 drops out: 1600 / 20
    assert_unlocked_now(home, strong.unlocked, "consistently-strong", clock.now)


# --- special (hidden) ---------------------------------------------------------------------------


def test_night_owl_unlocks_for_an_answer_before_5_local_time(
    home: Path, run: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """night-owl unlocks for an answer between 00:00 and 04:59 in the profile's zone, not 05:00."""
    monkeypatch.setenv("PREPPATH_TIMEZONE", "Asia/Tokyo")  # UTC+9, no DST
    clock = Clock(datetime(2026, 1, 5, 20, 0, tzinfo=UTC))  # 05:00 in Tokyo
    app = open_app(load_settings(), clock=clock)
    assert "night-owl" not in ids(answer_one(app).unlocked)
    clock.now = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)  # 21:00 in Tokyo
    assert "night-owl" not in ids(answer_one(app).unlocked)
    assert "night-owl" not in unlocked_ids(home)
    assert_masked(app, "night-owl")
    clock.now = datetime(2026, 1, 6, 19, 59, tzinfo=UTC)  # 04:59 in Tokyo, 19:59 in UTC
    owl = answer_one(app)
    assert_unlocked_now(home, owl.unlocked, "night-owl", clock.now)
    assert_revealed(run, "night-owl")
    app.engine.dispose()


def test_early_bird_unlocks_for_an_answer_from_5_to_7(
    app: AppContext, clock: Clock, home: Path, run: Any
) -> None:
    """early-bird unlocks for an answer between 05:00 and 06:59 local, not at 07:00 or 04:59."""
    clock.now = datetime(2026, 1, 5, 7, 0, tzinfo=UTC)
    assert "early-bird" not in ids(answer_one(app).unlocked)
    clock.now = datetime(2026, 1, 6, 4, 59, tzinfo=UTC)
    assert "early-bird" not in ids(answer_one(app).unlocked)
    assert "early-bird" not in unlocked_ids(home)
    assert_masked(app, "early-bird")
    clock.now = datetime(2026, 1, 7, 6, 59, tzinfo=UTC)
    bird = answer_one(app)
    assert_unlocked_now(home, bird.unlocked, "early-bird", clock.now)
    assert_revealed(run, "early-bird")


def test_speed_runner_needs_3_answers_within_10_minutes_of_starting(
    app: AppContext, clock: Clock, home: Path, run: Any
) -> None:
    """speed-runner: >= 3 answers, completed <= 10 min after starting (not 10:01, not 2+skip)."""
    slow = new_interview(app, count=3)
    answer(app, slow, 1)
    clock.advance(minutes=5)
    answer(app, slow, 2)
    clock.advance(minutes=5, seconds=1)
    assert "speed-runner" not in ids(answer(app, slow, 3).unlocked)
    skipped = new_interview(app, count=3)
    answer(app, skipped, 1)
    answer(app, skipped, 2)
    assert skip_question(app, skipped.id, 3).completed
    assert "speed-runner" not in unlocked_ids(home)
    assert_masked(app, "speed-runner")
    fast = new_interview(app, count=3)
    clock.advance(hours=1)
    answer(app, fast, 1)
    clock.advance(minutes=4)
    second = answer(app, fast, 2)
    assert "speed-runner" not in ids(second.unlocked)
    clock.advance(minutes=6)
    third = answer(app, fast, 3)
    assert third.interview_completed
    assert_unlocked_now(home, third.unlocked, "speed-runner", clock.now)
    assert_revealed(run, "speed-runner")


def test_polyglot_unlocks_with_the_fifth_technology_answered(
    app: AppContext, clock: Clock, home: Path, run: Any
) -> None:
    """polyglot unlocks on the answer that brings the distinct technologies answered to 5."""
    seen: set[str] = set()
    unlocked_at_size = None
    for stack in ("python", "python", "go", "java", "sql", "docker", "kubernetes", "aws"):
        view = new_interview(app, stack=(stack,))
        clock.advance(minutes=1)
        before = len(seen)
        if before < 5:
            assert "polyglot" not in unlocked_ids(home)
            if before == 4:
                assert_masked(app, "polyglot")
        result = answer(app, view, 1)
        seen |= set(view.questions[0].stack)
        if before < 5 <= len(seen):
            assert_unlocked_now(home, result.unlocked, "polyglot", clock.now)
            unlocked_at_size = len(seen)
        else:
            assert "polyglot" not in ids(result.unlocked)
    assert unlocked_at_size is not None
    assert_revealed(run, "polyglot")


def test_comeback_unlocks_after_a_break_of_14_days(
    app: AppContext, clock: Clock, home: Path, run: Any
) -> None:
    """comeback unlocks after 14 whole idle days between two practices, not after 13."""
    assert "comeback" not in ids(practise(app))  # the very first practice is no comeback
    clock.advance(days=14)
    assert "comeback" not in ids(practise(app))
    assert "comeback" not in unlocked_ids(home)
    assert_masked(app, "comeback")
    clock.advance(days=15)
    assert_unlocked_now(home, practise(app), "comeback", clock.now)
    assert_revealed(run, "comeback")


def test_marathon_unlocks_on_the_tenth_answer_of_one_day(
    app: AppContext, clock: Clock, home: Path, run: Any
) -> None:
    """marathon: 10 answered questions on one local day; days don't add up, practice isn't one."""
    clock.now = datetime(2026, 1, 5, 14, 0, tzinfo=UTC)
    for _ in range(9):
        clock.advance(minutes=1)
        assert "marathon" not in ids(answer_one(app).unlocked)
    clock.now = datetime(2026, 1, 6, 0, 30, tzinfo=UTC)
    for _ in range(8):
        clock.advance(minutes=1)
        assert "marathon" not in ids(answer_one(app).unlocked)
    for _ in range(3):
        practise(app)
    assert "marathon" not in unlocked_ids(home)
    assert_masked(app, "marathon")
    clock.advance(minutes=1)
    ninth = answer_one(app)
    assert "marathon" not in ids(ninth.unlocked)
    clock.advance(minutes=1)
    tenth = answer_one(app)
    assert_unlocked_now(home, tenth.unlocked, "marathon", clock.now)
    assert_revealed(run, "marathon")


def test_weekend_warrior_unlocks_on_a_sunday_after_a_practised_saturday(
    app: AppContext, clock: Clock, home: Path, run: Any
) -> None:
    """weekend-warrior unlocks on Sunday practice after Saturday practice, not Friday + Sunday."""
    clock.now = datetime(2026, 1, 4, 12, 0, tzinfo=UTC)  # Sunday, nothing on Saturday
    assert "weekend-warrior" not in ids(practise(app))
    clock.now = datetime(2026, 1, 9, 12, 0, tzinfo=UTC)  # Friday
    assert "weekend-warrior" not in ids(practise(app))
    clock.now = datetime(2026, 1, 11, 12, 0, tzinfo=UTC)  # Sunday after a Friday
    assert "weekend-warrior" not in ids(practise(app))
    clock.now = datetime(2026, 1, 17, 12, 0, tzinfo=UTC)  # Saturday
    assert "weekend-warrior" not in ids(practise(app))
    assert "weekend-warrior" not in unlocked_ids(home)
    assert_masked(app, "weekend-warrior")
    clock.now = datetime(2026, 1, 18, 9, 0, tzinfo=UTC)  # the Sunday after it
    assert_unlocked_now(home, practise(app), "weekend-warrior", clock.now)
    assert_revealed(run, "weekend-warrior")


# --- practice logged afterwards (`activity track --at`) ----------------------------------------


def test_backfilled_day_that_joins_two_runs_unlocks_the_streak(
    app: AppContext, clock: Clock, home: Path
) -> None:
    """Logging a missed day later that joins 3 + 4 practised days into 8 unlocks streak-7 then."""
    for day in (5, 6, 7, 9, 10, 11, 12):
        clock.now = datetime(2026, 1, day, 12, 0, tzinfo=UTC)
        assert "streak-7" not in ids(practise(app))
    assert "streak-7" not in unlocked_ids(home)
    result = track_activity(app, ActivityType.PRACTICE, at=datetime(2026, 1, 8, 18, 0, tzinfo=UTC))
    assert result.day == "2026-01-08"
    assert "streak-7" in ids(result.unlocked)
    assert "streak-7" in unlocked_ids(home)


def test_backfilled_saturday_completes_a_weekend(app: AppContext, clock: Clock, home: Path) -> None:
    """Logging Saturday's practice on Sunday evening, after Sunday's, unlocks weekend-warrior."""
    clock.now = datetime(2026, 1, 18, 9, 0, tzinfo=UTC)  # Sunday
    assert "weekend-warrior" not in ids(practise(app))
    clock.now = datetime(2026, 1, 18, 20, 0, tzinfo=UTC)
    result = track_activity(app, ActivityType.PRACTICE, at=datetime(2026, 1, 17, 15, 0, tzinfo=UTC))
    assert result.day == "2026-01-17"
    assert "weekend-warrior" in ids(result.unlocked)
    assert "weekend-warrior" in unlocked_ids(home)


# --- the unlock transaction and the CLI ---------------------------------------------------------


def test_unlock_is_rolled_back_with_its_activity(
    app: AppContext, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An answer whose post-processing fails leaves no feedback, activity or unlock behind."""
    from preppath.services import progress_hooks

    def boom(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("after the unlocks were added")

    monkeypatch.setattr(progress_hooks, "_milestone", boom)
    view = new_interview(app)
    with pytest.raises(RuntimeError):
        answer(app, view, 1, 100)
    assert db_rows(home, "SELECT COUNT(*) FROM user_achievement") == [(0,)]
    assert db_rows(home, "SELECT COUNT(*) FROM activity") == [(0,)]
    assert db_rows(home, "SELECT COUNT(*) FROM daily_activity") == [(0,)]
    assert db_rows(home, "SELECT COUNT(*) FROM interview_feedback") == [(0,)]
    monkeypatch.undo()
    result = answer(app, view, 1, 100)
    assert {"first-interview", "perfect-answer"} <= set(ids(result.unlocked))
    assert {"first-interview", "perfect-answer"} <= unlocked_ids(home)


def test_an_unlock_is_celebrated_once(app: AppContext, clock: Clock, home: Path) -> None:
    """A second qualifying event neither re-announces nor duplicates an achievement."""
    assert "perfect-answer" in ids(answer_one(app, 100).unlocked)
    clock.advance(minutes=1)
    assert "perfect-answer" not in ids(answer_one(app, 100).unlocked)
    rows = db_rows(
        home, "SELECT COUNT(*) FROM user_achievement WHERE achievement_id = ?", "perfect-answer"
    )
    assert rows == [(1,)]


def test_list_gives_all_26_with_hidden_ones_masked(run: Any) -> None:
    """`achievements list --json` lists all 26; the 7 hidden ones are "???" until earned."""
    result = run("achievements", "list", "--json")
    assert result.code == 0, result.stderr
    entries = result.json()
    assert len(entries) == 26
    hidden_ids = {i for i, a in CATALOGUE_BY_ID.items() if a.get("hidden")}
    assert {e["id"] for e in entries} == (set(CATALOGUE_BY_ID) - hidden_ids) | {
        f"hidden-{n}" for n in range(1, 8)
    }
    masked = [e for e in entries if e["name"] == "???"]
    assert len(masked) == 7
    assert all(e["hidden"] and not e["unlocked"] and e["target"] is None for e in masked)
    shown = {e["name"] for e in entries if e["name"] != "???"}
    assert shown == {a["name"] for a in CATALOGUE_BY_ID.values() if not a.get("hidden")}
    for ident in hidden_ids:  # neither the real IDs nor the descriptions appear anywhere
        assert ident not in result.stdout
        assert CATALOGUE_BY_ID[ident]["description"] not in result.stdout
    interviews = next(e for e in entries if e["id"] == "interviews-5")
    assert interviews["progress"] == 0 and interviews["target"] == 5


def test_list_shows_progress_toward_locked_achievements(
    app: AppContext, clock: Clock, run: Any
) -> None:
    """A locked achievement shows how far along it is (2 of 5 interviews, 130 of 500 points)."""
    answer_one(app, 100)
    clock.advance(minutes=1)
    answer_one(app, 40)
    entries = {e["id"]: e for e in run("achievements", "list", "--json").json()}
    assert entries["interviews-5"]["progress"] == 2
    assert entries["interviews-5"]["unlocked"] is False
    assert entries["first-interview"]["unlocked"] is True
    assert entries["first-interview"]["unlocked_at"].startswith("2026-01-05T12:00")
    # started 5 + answered 10 + completed 50, twice
    assert entries["points-500"]["progress"] == 130
    assert entries["points-500"]["unlocked"] is False
    assert entries["perfect-answer"]["unlocked"] is True


def test_mine_lists_only_unlocked_achievements(app: AppContext, clock: Clock, run: Any) -> None:
    """`achievements mine --json` returns exactly the unlocked ones (none on a fresh profile)."""
    empty = run("achievements", "mine", "--json")
    assert empty.code == 0 and empty.json() == []
    clock.now = datetime(2026, 1, 5, 3, 0, tzinfo=UTC)
    result = answer_one(app, 100)
    mine = run("achievements", "mine", "--json")
    assert mine.code == 0
    assert sorted(e["id"] for e in mine.json()) == sorted(ids(result.unlocked))
    assert {"first-interview", "perfect-answer", "night-owl"} <= set(ids(result.unlocked))
    assert all(e["unlocked"] for e in mine.json())
    owl = next(e for e in mine.json() if e["id"] == "night-owl")
    assert owl["name"] == "Night Owl"


def test_show_one_achievement_and_unknown_id(run: Any) -> None:
    """`achievements show ID --json` gives that one; a hidden one stays masked; unknown exits 3."""
    shown = run("achievements", "show", "streak-7", "--json")
    assert shown.code == 0
    assert shown.json()["name"] == "Week Strong"
    assert shown.json()["target"] == 7
    hidden = run("achievements", "show", "comeback", "--json")
    assert hidden.code == 0 and hidden.json()["name"] == "???"
    unknown = run("achievements", "show", "no-such-thing", "--json")
    assert unknown.code == ExitCode.NOT_FOUND == 3
    assert unknown.stdout == ""
    assert "no-such-thing" in unknown.stderr
    assert len(unknown.stderr.strip().splitlines()) == 1


def test_show_accepts_the_name_in_any_case(app: AppContext, clock: Clock, run: Any) -> None:
    """`achievements show` takes the name as well as the ID, in any case or spacing; a hidden
    one answers by name exactly as by ID: masked until earned, then in full."""
    for ident in ("flawless", "FLAWLESS", "Flawless", "perfect-answer", "Perfect Answer"):
        shown = run("achievements", "show", ident, "--json")
        assert shown.code == 0, (ident, shown.stderr)
        assert shown.json()["id"] == "perfect-answer"
    assert run("achievements", "show", "week strong", "--json").json()["id"] == "streak-7"
    assert run("achievements", "show", "  night   OWL ", "--json").json()["name"] == "???"
    clock.now = datetime(2026, 1, 5, 3, 0, tzinfo=UTC)  # a 3 a.m. answer earns Night Owl
    answer_one(app, 50)
    owl = run("achievements", "show", "night owl", "--json").json()
    assert owl["id"] == "night-owl" and owl["unlocked"] is True
    text = run("achievements", "show", "flawless")
    assert text.code == 0 and "Flawless" in text.stdout
    unknown = run("achievements", "show", "flawles")
    assert unknown.code == ExitCode.NOT_FOUND
    assert unknown.stderr.startswith("preppath: error: achievement 'flawles' not found")
    assert len(unknown.stderr.splitlines()) == 1


def test_list_prints_progress_as_whole_numbers(app: AppContext, clock: Clock, run: Any) -> None:
    """A fractional progress (an average of 41.67 toward 80) prints as 41/80, never 41.6667."""
    for overall in (50, 40, 35):
        answer_one(app, overall)
        clock.advance(minutes=1)
    entries = {e["id"]: e for e in run("achievements", "list", "--json").json()}
    assert entries["consistently-strong"]["progress"] == pytest.approx(125 / 3)
    text = " ".join(run("achievements", "list").stdout.split())
    entry = text[text.index("Consistently Strong") :].split("🔒", 1)[0]  # however it wraps
    assert entry.endswith(" 41/80 "), entry
    assert not re.search(r"\d\.\d+/\d", text)  # no progress printed with decimals


def test_a_days_total_is_the_same_read_alone_or_with_every_day(app: AppContext, home: Path) -> None:
    """`Facts.answers_on` and `gap_before` read one row until every day is loaded, and give
    the same: a day's answers plus practice (0 without any), the days since the last
    practice before a day (0 when there was none)."""
    from datetime import date, timedelta

    from preppath.progress.achievements import Facts

    answer_one(app)
    practise(app)
    today = date.fromisoformat(db_rows(home, "SELECT day FROM daily_activity")[0][0])
    with app.reader() as db:
        alone = Facts(db, app.profile_id, today)
        read_alone = [alone.answers_on(today), alone.answers_on(today - timedelta(days=1))]
        assert "days" not in alone.__dict__  # answered without reading every day
        loaded = Facts(db, app.profile_id, today)
        assert loaded.days
        assert [loaded.answers_on(today), loaded.answers_on(today - timedelta(days=1))] == [2, 0]
        later = today + timedelta(days=9)
        gaps = [Facts(db, app.profile_id, today).gap_before(d) for d in (today, later)]
        assert gaps == [loaded.gap_before(today), loaded.gap_before(later)] == [0, 9]
    assert read_alone == [2, 0]
