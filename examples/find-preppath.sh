# Sourced by the other examples: sets $preppath to the command to run, looking in turn at
# $PREPPATH, `preppath` on PATH (an activated virtualenv, a pipx install), and the project's own
# .venv that the README's Quick start creates, so the examples work without activating it.
examples_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [ -n "${PREPPATH:-}" ]; then
    preppath=$PREPPATH
elif command -v preppath >/dev/null 2>&1; then
    preppath=preppath
elif [ -x "$examples_dir/../.venv/bin/preppath" ]; then
    preppath="$(cd "$examples_dir/.." && pwd)/.venv/bin/preppath"
else
    echo "preppath not found: run the README's Quick start, then '. .venv/bin/activate'" \
        "(or set PREPPATH to the preppath command)" >&2
    exit 127
fi
