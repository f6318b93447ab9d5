#!/usr/bin/env bash
# Answers can be piped in, e.g. from a dictation tool or an editor buffer.
# Usage: examples/pipe-an-answer.sh INTERVIEW_ID QUESTION_ID < answer.txt
set -euo pipefail
. "$(dirname "$0")/find-preppath.sh"
"$preppath" interview answer "$1" "$2" --json
