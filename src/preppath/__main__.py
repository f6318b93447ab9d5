"""Entry point: runs the CLI and turns every expected failure into one line and an exit code."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else list(argv)
    if _asks_for_version(args):
        # Answered before typer and the command tree load: `preppath --version` is what scripts
        # and bug reports run, and it should cost no more than the interpreter's start.
        from preppath import __version__

        sys.stdout.write(f"preppath {__version__}\n")
        return 0

    import typer

    # Typer 0.29 vendors click; its exception classes live in this private module.
    from typer._click.exceptions import ClickException, NoArgsIsHelpError, UsageError

    from preppath.cli.app import build_command
    from preppath.errors import ExitCode, PrepPathError

    command = build_command()
    try:
        result = command.main(args=args, prog_name="preppath", standalone_mode=False)
    except PrepPathError as exc:
        _fail(exc.message)
        return exc.code
    except NoArgsIsHelpError as exc:
        sys.stdout.write(exc.ctx.get_help() + "\n" if exc.ctx else "")
        return ExitCode.USAGE
    except UsageError as exc:
        hint = f" (see '{exc.ctx.command_path} --help')" if exc.ctx else ""
        _fail(_usage_message(exc) + hint)
        return ExitCode.USAGE
    except ClickException as exc:
        _fail(exc.format_message())
        return exc.exit_code
    except (typer.Abort, KeyboardInterrupt):
        result = ExitCode.INTERRUPTED
    except BrokenPipeError:
        return ExitCode.OK
    except OverflowError:  # an ID, page, seed or date beyond what SQLite or datetime can hold
        _fail("a number or date is out of range")
        return ExitCode.USAGE
    except UnicodeError:  # arguments or piped text that are not valid UTF-8
        _fail("input is not valid UTF-8 text")
        return ExitCode.INVALID
    except Exception as exc:
        database = _database_problem(exc)
        if database:
            _fail(database)
            return ExitCode.DATA
        # Anything else is a bug: keep the traceback out of the terminal, in the log.
        from preppath.logs import log_unexpected

        where = log_unexpected(exc)
        _fail(
            f"unexpected {type(exc).__name__}: {exc}" + (f" (details in {where})" if where else "")
        )
        return ExitCode.ERROR
    if result == ExitCode.INTERRUPTED:  # typer turns Ctrl-C into a plain exit status of 130
        if sys.stderr.isatty():
            # The terminal echoed ^C where the cursor was, often mid-line (a half-typed
            # answer): start the message on a line of its own.
            sys.stderr.write("\n")
        _fail("interrupted; everything answered so far is saved")
        return ExitCode.INTERRUPTED
    return int(result) if isinstance(result, int) else ExitCode.OK


def _asks_for_version(args: list[str]) -> bool:
    """`preppath [--profile P] --version` or `preppath [--profile P] version`, nothing more."""
    rest = list(args)
    while rest and (rest[0] in ("-p", "--profile") or rest[0].startswith("--profile=")):
        del rest[: 1 if "=" in rest[0] else 2]
    return rest in (["--version"], ["version"])


def _usage_message(exc: Exception) -> str:
    """Click's message, except that a value typer checked through pydantic is described in plain
    words ("'done' is not valid; use pending, …") instead of pydantic's ("Value error, …")."""
    from enum import Enum

    from pydantic import ValidationError
    from typer._click.exceptions import BadParameter, UsageError

    from preppath.messages import validation_message

    assert isinstance(exc, UsageError)
    plain = " ".join(exc.format_message().split())
    cause = exc.__cause__
    param = getattr(exc, "param", None)
    if not (isinstance(exc, BadParameter) and isinstance(cause, ValidationError) and param):
        return plain
    try:  # typer's private parameter API: if it changes, click's own wording is still right
        annotation = param.get_runtime_param().annotation
        enum = isinstance(annotation, type) and issubclass(annotation, Enum)
        detail = validation_message(cause.errors()[0], list(annotation) if enum else None)
        return f"invalid value for {param.get_error_hint()}: {detail}"
    except Exception:
        return plain


def _default_sigpipe() -> None:
    """Die quietly when the reader of our output goes away (`preppath … | head`), as Unix
    tools do, instead of reporting a broken pipe."""
    import signal

    if hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)


def _database_problem(exc: Exception) -> str | None:
    """SQLite failures met mid-command (a data dir made read-only, a disk that filled, another
    process holding a lock), described for the person rather than as a bug."""
    import sqlite3

    orig = getattr(exc, "orig", exc)  # SQLAlchemy wraps the driver's exception
    if not isinstance(orig, sqlite3.Error):
        return None
    text = str(orig)
    if "readonly" in text or "read-only" in text:
        return f"cannot write to the database ({text}); check the data directory's permissions"
    if "locked" in text or "busy" in text:
        return "the database is busy in another preppath process; try again"
    return f"database error: {text}; nothing was changed by this command"


def _fail(message: str) -> None:
    from preppath.logs import scrub

    sys.stderr.write(f"preppath: error: {scrub(message)}\n")


def run() -> None:
    """The console script: a whole process of its own, so it may reset process-wide signals."""
    _default_sigpipe()
    sys.exit(main())


if __name__ == "__main__":
    run()
