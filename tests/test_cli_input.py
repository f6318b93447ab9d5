"""What the command line takes in and writes out: tracked practice, bounded answer reads, the
config file and API key, output files, plain-word errors, the version and plurals."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import wave
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from conftest import COBOL_KEY_POINTS, Clock, cli_create, db_rows, subprocess_env
from preppath.domain import ActivityType
from preppath.errors import ExitCode, PrepPathError
from preppath.files import write_output
from preppath.services.context import AppContext
from preppath.services.progress import track_activity

PREPPATH = Path(sys.executable).with_name("preppath")
ANSWER = "A generator yields values lazily, one at a time, keeping its state between calls."


def one_line(result: Any, code: int) -> str:
    assert result.code == code, (result.code, result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("preppath: error: "), result.stderr
    return lines[0]  # type: ignore[no-any-return]


def unlocked(home: Path) -> set[str]:
    if not (home / "data" / "preppath.db").exists():
        return set()
    return {row[0] for row in db_rows(home, "SELECT achievement_id FROM user_achievement")}


# --- activity track: only practice done elsewhere (item 2) ------------------------------------


@pytest.mark.parametrize(
    "kind", ["interview_started", "question_answered", "interview_completed", "Interview_Completed"]
)
def test_track_refuses_the_kinds_preppath_records_itself(run: Any, home: Path, kind: str) -> None:
    """`activity track interview_completed` (and the other recorded kinds) exits 2 pointing at
    `practice`, and records nothing: no fake interviews, points or achievements."""
    for _ in range(6):
        line = one_line(run("activity", "track", kind), 2)
    assert "recorded by PrepPath itself" in line and "activity track practice" in line
    if (home / "data" / "preppath.db").exists():
        assert db_rows(home, "SELECT COUNT(*) FROM activity") == [(0,)]
        assert db_rows(home, "SELECT COUNT(*) FROM daily_activity") == [(0,)]
    assert unlocked(home) == set()
    stats = run("stats", "--json")
    assert stats.json()["totals"]["interviews_completed"] == 0


def test_the_service_refuses_recorded_kinds_too(app: AppContext) -> None:
    """track_activity itself refuses interview_completed, whatever front end calls it."""
    with pytest.raises(PrepPathError) as info:
        track_activity(app, ActivityType.INTERVIEW_COMPLETED)
    assert info.value.code == ExitCode.USAGE


def test_track_without_a_type_logs_practice(run: Any) -> None:
    """`activity track` alone logs practice; an unknown type names the valid one."""
    result = run("activity", "track", "--json")
    assert result.code == 0, result.stderr
    assert result.json()["type"] == "practice"
    line = one_line(run("activity", "track", "yoga"), 2)
    assert "'yoga' is not valid; use practice" in line


# --- --at with a date alone is a day, not midnight (item 3) -----------------------------------


def test_a_date_alone_counts_for_its_day_without_a_time_of_day(run: Any, home: Path) -> None:
    """`--at 2026-11-29` logs that day but unlocks neither Night Owl nor Early Bird; the same day
    at 00:30 does unlock Night Owl (the rule still works for a real time)."""
    result = run("activity", "track", "practice", "--at", "2026-11-29", "--json")
    assert result.code == 0, result.stderr
    assert result.json()["day"] == "2026-11-29"
    assert result.json()["unlocked"] == []
    assert {"night-owl", "early-bird"} & unlocked(home) == set()
    assert db_rows(home, "SELECT local_day FROM activity") == [("2026-11-29",)]
    timed = run("activity", "track", "practice", "--at", "2026-11-29T00:30", "--json")
    assert "night-owl" in [u["id"] for u in timed.json()["unlocked"]]


@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "America/Los_Angeles", "UTC"])
def test_a_date_alone_is_that_day_in_any_zone(
    run: Any, monkeypatch: pytest.MonkeyPatch, zone: str
) -> None:
    """A date counts for that very date in the profile's zone, far east or west of UTC."""
    monkeypatch.setenv("PREPPATH_TIMEZONE", zone)
    result = run("activity", "track", "--at", "2026-07-04", "--json")
    assert result.code == 0, result.stderr
    assert result.json()["day"] == "2026-07-04"


def test_today_as_a_date_at_3am_is_not_a_night_owl(app: AppContext, clock: Clock) -> None:
    """Logging today's date at 03:00 is "some time today", so Night Owl stays locked."""
    clock.now = datetime(2026, 1, 5, 3, 0, tzinfo=UTC)
    result = track_activity(app, ActivityType.PRACTICE, at=date(2026, 1, 5))
    assert result.day == "2026-01-05"
    assert "night-owl" not in [u.id for u in result.unlocked]
    timed = track_activity(app, ActivityType.PRACTICE, at=clock.now)
    assert "night-owl" in [u.id for u in timed.unlocked]


@pytest.mark.parametrize(
    ("value", "words"),
    [("2099-01-01", "future"), ("tomorrow", "is not a date or time"), ("2026-02-30", "not a date")],
)
def test_bad_dates_are_usage_errors(run: Any, value: str, words: str) -> None:
    """A future date or one that does not exist exits 2 in plain words."""
    assert words in one_line(run("activity", "track", "--at", value), 2)


# --- bounded answer reads (item 7) --------------------------------------------------------------


# preppath in a fresh interpreter under an address-space cap (an unbounded read dies of
# MemoryError there instead of swapping), reporting its own peak resident memory. VmHWM is read
# inside the process because a child's rusage also counts the test process it was forked from.
CAPPED = """
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
from preppath.__main__ import main
code = main(sys.argv[2:])
with open("/proc/self/status") as status:
    peak = next(line for line in status if line.startswith("VmHWM:"))
with open(sys.argv[1], "w") as out:
    out.write(peak.split()[1])
sys.exit(code)
"""


def _child_peak(args: list[str], home: Path, stdin_bytes: int = 0) -> tuple[int, int, str]:
    """Run preppath capped; return its exit code, peak resident memory (KB) and stderr."""
    peak_file = home.parent / "peak.txt"
    proc = subprocess.Popen(
        [sys.executable, "-c", CAPPED, str(peak_file), *args],
        env=subprocess_env(home),
        stdin=subprocess.PIPE if stdin_bytes else subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    if stdin_bytes:
        assert proc.stdin is not None
        chunk = b"a" * (1 << 20)
        try:
            for _ in range(stdin_bytes // len(chunk)):
                proc.stdin.write(chunk)
            proc.stdin.close()
        except BrokenPipeError:
            pass  # it stopped reading once past the limit: what a bounded read does
    assert proc.stderr is not None
    err = proc.stderr.read().decode()
    code = proc.wait(timeout=120)
    return code, int(peak_file.read_text()), err


@pytest.mark.parametrize("source", ["--file /dev/zero", "200 MB on stdin"])
def test_huge_answers_are_refused_with_bounded_memory(run: Any, home: Path, source: str) -> None:
    """An endless file or 200 MB piped in exits 5 with the one-line limit error, and the process
    never holds more than a real answer's worth (it used to reach 450 MB, or MemoryError)."""
    cli_create(run, count=1)
    if source.startswith("--file"):
        code, peak_kb, err = _child_peak(["interview", "answer", "1", "1", *source.split()], home)
    else:
        code, peak_kb, err = _child_peak(["interview", "answer", "1", "1"], home, 200 << 20)
    assert code == 5, err
    assert err.strip() == "preppath: error: the answer is over 20,000 characters, the limit"
    assert peak_kb < 200 * 1024, peak_kb
    assert db_rows(home, "SELECT COUNT(*) FROM interview_feedback") == [(0,)]


def test_an_answer_at_the_limit_with_blank_lines_around_it_is_taken(
    run: Any, home: Path, tmp_path: Path
) -> None:
    """Exactly 20,000 characters plus an editor's blank lines is within the limit; one more
    character is not."""
    cli_create(run, count=2)
    body = ("word " * 4000)[:20_000]
    fits = tmp_path / "fits.txt"
    fits.write_text("\n\n" + body + "\n" * 100, encoding="utf-8")
    result = run("interview", "answer", "1", "1", "--file", str(fits), "--json")
    assert result.code == 0, result.stderr
    over = tmp_path / "over.txt"
    over.write_text(body + "x", encoding="utf-8")
    line = one_line(run("interview", "answer", "1", "2", "--file", str(over)), 5)
    assert "20,001 characters; the limit is 20,000" in line


# --- the config file and the API key (items 8 and 24) ----------------------------------------


def test_config_set_creates_the_file_private_without_a_later_chmod(
    run: Any, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With umask 000 and chmod unavailable, `config set` still leaves a 0600 file in a 0700
    folder: the file is private from its creation, never world-readable for a moment."""

    def no_chmod(*args: object, **kwargs: object) -> None:
        raise AssertionError("the config file was created readable and fixed afterwards")

    monkeypatch.setattr(os, "chmod", no_chmod)
    monkeypatch.setattr(Path, "chmod", no_chmod)
    old = os.umask(0)
    try:
        result = run("config", "set", "speech_rate", "150")
    finally:
        os.umask(old)
    assert result.code == 0, result.stderr
    config = home / "config" / "config.toml"
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    assert stat.S_IMODE(config.parent.stat().st_mode) == 0o700
    assert [p.name for p in config.parent.iterdir()] == ["config.toml"]  # no temp file left


def test_the_api_key_is_refused_on_the_command_line(run: Any, home: Path) -> None:
    """`config set openai_api_key sk-…` exits 2 without storing or echoing the key, and points
    at `config set-key`."""
    secret = "sk-test-on-the-command-line-42"
    line = one_line(run("config", "set", "openai_api_key", secret), 2)
    assert "config set-key" in line and secret not in line
    assert not (home / "config" / "config.toml").exists()


def test_set_key_reads_the_key_from_standard_input(run: Any, home: Path) -> None:
    """A key piped to `config set-key` is stored in the 0600 config file and never printed."""
    secret = "sk-test-piped-0123456789"
    result = run("config", "set-key", input=secret + "\n")
    assert result.code == 0, result.stderr
    assert secret not in result.stdout + result.stderr
    config = home / "config" / "config.toml"
    assert f'openai_api_key = "{secret}"' in config.read_text(encoding="utf-8")
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    shown = run("config", "show", "--json").json()["openai_api_key"]
    assert shown == {"value": "****** (set)", "source": str(config)}
    removed = run("config", "unset", "openai_api_key")
    assert removed.code == 0, removed.stderr
    assert "openai_api_key" not in config.read_text(encoding="utf-8")


@pytest.mark.parametrize(("given", "words"), [("", "no value"), ("k" * 5000, "over 4,096")])
def test_set_key_refuses_an_empty_or_oversized_key(
    run: Any, home: Path, given: str, words: str
) -> None:
    """Nothing, or a whole file, on standard input exits 5 and stores nothing."""
    assert words in one_line(run("config", "set-key", input=given), 5)
    assert not (home / "config" / "config.toml").exists()


def test_set_key_prompts_without_echo_on_a_terminal(home: Path) -> None:
    """On a terminal `config set-key` asks at a hidden prompt: the typed key is stored but
    never shown."""
    import pexpect

    secret = "sk-test-typed-at-a-prompt-77"
    child = pexpect.spawn(
        str(PREPPATH), ["config", "set-key"], env=subprocess_env(home), encoding="utf-8", timeout=30
    )
    child.expect("OpenAI API key")
    child.sendline(secret)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    assert secret not in (child.before or "")
    config = (home / "config" / "config.toml").read_text(encoding="utf-8")
    assert f'openai_api_key = "{secret}"' in config


def test_config_set_keeps_comments_and_layout(run: Any, home: Path) -> None:
    """`config set` and `config unset` change only their own line: comments, blank lines, order
    and the other values stay exactly as the person wrote them."""
    config = home / "config" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text(
        "# PrepPath settings, kept by hand\n"
        'timezone = "Europe/London"  # where I practise\n'
        "\n"
        "# speech\n"
        "speech_rate = 160\n"
        "daily_minimum = 2    # two answers make a day\n",
        encoding="utf-8",
    )
    assert run("config", "set", "speech_rate", "150").code == 0
    assert run("config", "set", "voice", "false").code == 0
    assert run("config", "unset", "daily_minimum").code == 0
    assert config.read_text(encoding="utf-8") == (
        "# PrepPath settings, kept by hand\n"
        'timezone = "Europe/London"  # where I practise\n'
        "\n"
        "# speech\n"
        "speech_rate = 150\n"
        "voice = false\n"
    )


def test_config_set_names_an_overriding_environment_variable(
    run: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Setting a value the environment overrides says so, instead of seeming to have no effect."""
    monkeypatch.setenv("PREPPATH_VOICE", "true")
    result = run("config", "set", "voice", "false")
    assert result.code == 0
    assert "PREPPATH_VOICE" in result.stderr and "precedence" in result.stderr


def test_config_path_and_show_print_json(run: Any, home: Path) -> None:
    """`config path --json` and `config show --json` print machine-readable objects."""
    paths = run("config", "path", "--json")
    assert paths.code == 0, paths.stderr
    assert paths.json() == {
        "config_file": str(home / "config" / "config.toml"),
        "question_packs": str(home / "config" / "packs"),
        "database": str(home / "data" / "preppath.db"),
        "recordings": str(home / "data" / "recordings"),
        "cache": str(home / "cache"),
        "logs": str(home / "logs"),
    }
    shown = run("config", "show", "--json").json()
    assert shown["speech_rate"] == {"value": "165", "source": "default"}


# --- output files: --output, --export (item 9) ------------------------------------------------


def _report(run: Any, out: Path, *extra: str) -> Any:
    return run("interview", "report", "1", "--output", str(out), *extra)


def _heatmap(run: Any, out: Path, *extra: str) -> Any:
    return run("heatmap", "--export", str(out), *extra)


def _speak(run: Any, out: Path, *extra: str) -> Any:
    return run("audio", "speak", "Tell me about yourself.", "--output", str(out), *extra)


WRITERS = {"report.md": _report, "heatmap.svg": _heatmap, "question.wav": _speak}


@pytest.fixture
def interview(run: Any) -> None:
    cli_create(run, count=1)
    assert run("interview", "answer", "1", "1", "--text", ANSWER).code == 0


@pytest.mark.parametrize("name", list(WRITERS))
def test_an_existing_output_file_needs_force(
    run: Any, tmp_path: Path, interview: None, name: str
) -> None:
    """An existing file is refused (exit 2, untouched) unless --force, which replaces it whole;
    no temporary file is left beside it."""
    write = WRITERS[name]
    out = tmp_path / "out" / name
    out.parent.mkdir()
    out.write_bytes(b"keep me")
    line = one_line(write(run, out), 2)
    assert "already exists" in line and "--force" in line
    assert out.read_bytes() == b"keep me"
    forced = write(run, out, "--force")
    assert forced.code == 0, forced.stderr
    assert out.read_bytes() != b"keep me" and out.stat().st_size > 100
    assert [p.name for p in out.parent.iterdir()] == [name]


@pytest.mark.parametrize("name", list(WRITERS))
def test_an_output_path_that_is_a_symlink_is_refused_even_with_force(
    run: Any, tmp_path: Path, interview: None, name: str
) -> None:
    """A symlink at the output name (planted in a shared folder, say) is never written through:
    exit 2, and the file it points to is unchanged, with or without --force."""
    write = WRITERS[name]
    victim = tmp_path / "victim.txt"
    victim.write_text("precious", encoding="utf-8")
    link = tmp_path / name
    link.symlink_to(victim)
    for extra in ((), ("--force",)):
        assert "symbolic link" in one_line(write(run, link, *extra), 2)
        assert victim.read_text(encoding="utf-8") == "precious"
        assert link.is_symlink()


@pytest.mark.parametrize("name", list(WRITERS))
def test_a_new_output_file_is_written_whole(
    run: Any, tmp_path: Path, interview: None, name: str
) -> None:
    """A new output path gets the whole file (a report private, 0600: it holds answers)."""
    out = tmp_path / "new" / name
    result = WRITERS[name](run, out)
    assert result.code == 0, result.stderr
    if name.endswith(".wav"):
        with wave.open(str(out)) as wav:
            assert (wav.getnchannels(), wav.getsampwidth()) == (1, 2)
            assert wav.getnframes() > wav.getframerate() // 2
    elif name.endswith(".md"):
        assert ANSWER[:30] in out.read_text(encoding="utf-8")
        assert stat.S_IMODE(out.stat().st_mode) == 0o600
    else:
        assert out.read_text(encoding="utf-8").startswith("<?xml")


def test_write_output_never_replaces_a_file_that_appears_meanwhile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file created after the existence check but before publishing is still not replaced:
    publishing uses link(), which fails on an existing name."""
    import preppath.files as files

    target = tmp_path / "report.md"
    real_write_temp = files._write_temp

    def write_temp_then_race(folder: Path, name: str, data: bytes, mode: int) -> Path:
        tmp = real_write_temp(folder, name, data, mode)
        target.write_text("written by someone else", encoding="utf-8")
        return tmp

    monkeypatch.setattr(files, "_write_temp", write_temp_then_race)
    with pytest.raises(PrepPathError, match="already exists") as info:
        write_output(target, b"mine")
    assert info.value.code == ExitCode.USAGE
    assert target.read_text(encoding="utf-8") == "written by someone else"
    assert [p.name for p in tmp_path.iterdir()] == ["report.md"]


# --- plain words for bad values (item 25) -------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("interview", "list", "--status", "done"), "'done' is not valid; use pending, "),
        (("interview", "create", "--level", "guru", "--role", "x"), "use junior, mid, senior"),
        (("questions", "list", "--type", "trivia"), "'trivia' is not a question type"),
        (("interview", "list", "--since", "last week"), "is not a date or time"),
        (("interview", "list", "--page", "two"), "'two' is not a whole number"),
        (("heatmap", "--weeks", "1.5"), "'1.5' is not a whole number"),
        (("audio", "speak", "hi", "--rate", "10"), "it must be at least 80"),
        (("config", "set", "provider", "magic"), "use auto, offline or openai"),
        (("config", "set", "voice", "maybe"), "'maybe' is not true or false"),
    ],
)
def test_bad_values_say_what_is_valid_in_plain_words(
    run: Any, args: tuple[str, ...], words: str
) -> None:
    """A bad option or setting value is one line naming the valid choices, without pydantic's
    "Value error," or "Input should be" wording."""
    line = one_line(run(*args), 2)
    assert words in line, line
    assert "Value error" not in line and "Input should" not in line


# --- version and plurals (item 23) --------------------------------------------------------------


@pytest.mark.parametrize("args", [["--version"], ["version"], ["--profile", "work", "--version"]])
def test_version_is_answered_without_the_command_tree(tmp_path: Path, args: list[str]) -> None:
    """`preppath --version` and `preppath version` print the version without importing typer or
    any command module."""
    from preppath import __version__

    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "preppath", *args],
        env=subprocess_env(tmp_path / "home"),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout == f"preppath {__version__}\n"
    modules = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines()}
    assert "typer" not in modules and "preppath.cli.app" not in modules


def test_counts_of_one_are_singular(run: Any, home: Path, tmp_path: Path) -> None:
    """Every count printed reads "1 day", "1 question", "1 point" … never "1 days" or
    "question(s)"."""
    created = cli_create(run, count=2)
    answered = run("interview", "answer", str(created["id"]), "1", "--text", ANSWER)
    assert answered.code == 0, answered.stderr
    assert run("interview", "skip", str(created["id"]), "2").code == 0
    outputs = {
        "list": run("interview", "list").stdout,
        "report": run("interview", "report", "1", "--format", "markdown").stdout,
        "streak": run("streak").stdout,
        "stats": run("stats").stdout,
    }
    assert "(1 interview)" in outputs["list"]
    assert "1 of 2 questions answered" in outputs["report"]
    assert "1 question was skipped; read the model answer" in outputs["report"]
    assert "Current streak: 1 day " in outputs["streak"]
    assert "1 answer scored, 1 interview completed" in outputs["stats"]
    assert "over 1 active day" in outputs["stats"]
    pack = tmp_path / "one.toml"
    pack.write_text(
        '[[question]]\nid = "cobol-one"\ntype = "technical"\ndifficulty = "easy"\n'
        'levels = ["junior"]\nstack = ["cobol"]\n'
        'text = "Name the divisions of a COBOL program."\n'
        'expected_answer = "Identification, environment, data and procedure."\n' + COBOL_KEY_POINTS,
        encoding="utf-8",
    )
    validated = run("questions", "validate", str(pack))
    assert validated.code == 0, validated.stderr
    outputs["validate"] = validated.stdout
    assert "1 question, valid" in validated.stdout
    for name, text in outputs.items():
        assert "(s)" not in text, name
        for word in ("days", "questions", "answers", "points", "interviews", "sentences", "words"):
            assert f" 1 {word}" not in text, (name, word)


def test_today_needs_one_answer_or_practice(run: Any) -> None:
    """An empty day asks for "1 answer or practice", not "1 answer(s) or practice(s)"."""
    result = run("streak")
    assert "Today still needs 1 answer or practice to count." in result.stdout


def test_delivery_notes_use_singular_counts() -> None:
    """One filler, one pause and one repeated word are reported in the singular."""
    from preppath.values import Transcript, Word
    from preppath.voice.delivery import measure_delivery

    spoken = ["so", "um", "I", "built", "the", "the", "cache", "and", "then"]
    words, t = [], 0.0
    for i, token in enumerate(spoken):
        words.append(Word(token, t, t + 0.3))
        t += 0.35 + (3.0 if i == 5 else 0.0)  # one pause over 2.5 s
    notes = measure_delivery(Transcript(" ".join(spoken), words, t), "technical").notes
    text = " | ".join(notes)
    assert "1 filler (" in text, text
    assert "1 immediately repeated word" in text and "word(s)" not in text
    assert "1 pause over" in text and "pause(s)" not in text


def test_an_oversized_question_pack_is_refused_without_reading_it_whole(
    run: Any, home: Path, tmp_path: Path
) -> None:
    """`questions validate` on a pack of many megabytes reports it as too large (exit 5) instead
    of reading it all into memory; the same file in the packs folder does not break the bank."""
    big = tmp_path / "huge.toml"
    with big.open("wb") as fh:
        fh.truncate(64 * 1024 * 1024)  # sparse: nothing is written to disk
    result = run("questions", "validate", str(big))
    assert result.code == 5
    assert f"{big}:0: too large: a question pack is at most 4 MB" in result.stderr
    packs = home / "config" / "packs"
    packs.mkdir(parents=True)
    big.rename(packs / "huge.toml")
    listed = run("questions", "list", "--stack", "python")
    assert listed.code == 0, listed.stderr
    assert "too large" in listed.stdout
