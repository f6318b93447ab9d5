#!/usr/bin/env bash
# A whole interview from a script: create it, answer each question from a file, save the report.
# Usage: examples/scripted-interview.sh [ANSWERS_DIR]   (files named after bank ids: python-gil.txt)
set -euo pipefail
answers=${1:-"$(dirname "$0")/answers"}
. "$(dirname "$0")/find-preppath.sh"

created=$("$preppath" interview create --type technical --role "Backend Engineer" --level mid \
    --stack python --count 3 --seed 42 --json)
id=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])' <<<"$created")
echo "interview $id"

python3 -c 'import json,sys; [print(q["id"], q["bank_id"]) for q in json.load(sys.stdin)["questions"]]' <<<"$created" |
while read -r qid bank_id; do
    if [ -f "$answers/$bank_id.txt" ]; then
        "$preppath" interview answer "$id" "$qid" --file "$answers/$bank_id.txt" --json |
            python3 -c 'import json,sys; r=json.load(sys.stdin); print("question", r["question_id"], r["overall"], "/ 100")'
    else
        "$preppath" interview skip "$id" "$qid"
    fi
done

"$preppath" interview report "$id" --format markdown --output "report-$id.md"
