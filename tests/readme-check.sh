#!/bin/sh
# tests/readme-check.sh: `make readme-check`. Reruns every command the
# README shows as a capture (a fenced block whose lines start with "$ ")
# and compares what it prints now with what the README shows, except for
# PIDs, addresses, times and counts, which differ from run to run. The
# lines of each process are compared in order, lane by lane: the two
# processes may take turns differently in another run. A capture of the
# interactive --step is driven on a pseudo-terminal with the keys given in
# a comment before it (<!-- readme-check: keys pppc -->); a capture that
# cannot be rerun says why in such a comment (<!-- readme-check: skip ... -->).
# A statistical capture may be tried three times (a count that happens to
# be 0 changes the wording). Ends with "N passed, N failed, N skipped".
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
work=$(mktemp -d "${TMPDIR:-/tmp}/readme-check.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
passed=0
failed=0
skipped=0
make -s shmdemo tests/build/libfault.so >/dev/null || exit 1
[ -x tests/build/supervise ] ||
    cc -o tests/build/supervise tests/supervise.c || exit 1

# normalize < output: one line per narrated line or paragraph, prefixed
# with its lane (parent, child, or -), continuation lines joined, and
# digits, addresses and times replaced; then each lane's lines in order.
normalize() {
    tr -d '\r' | sed "s/$(printf '\033')\[[0-9;]*m//g" | awk '
        function flush() { if (text != "") print lane "|" text; text = "" }
        /^ *\[(parent|child) *[0-9]+\] +[0-9.]+  / {
            match($0, /\[(parent|child)/)
            role = substr($0, RSTART + 1, RLENGTH - 1)
            sub(/^ *\[(parent|child) *[0-9]+\] +[0-9.]+  /, "")
            if (role == lane && $0 ~ /^  / && $0 !~ /^  .(\|.)+$/) {
                sub(/^ +/, " "); text = text $0; next
            }
            flush(); lane = role; text = $0; next
        }
        /^  / && lane == "-" { sub(/^ +/, " "); text = text $0; next }
        { flush(); lane = "-"; text = $0 }
        END { flush() }' |
        sed -e 's/0x[0-9a-f][0-9a-f]*/ADDR/g' -e 's/[0-9][0-9]*/N/g' \
            -e 's/ \{2,\}/ /g' >"$1.all"
    for lane in parent child -; do
        grep "^$lane|" "$1.all"
    done
}

# run_capture FILE: rerun the capture in FILE (its first line "$ CMD",
# then the output shown); 0 if the output matches.
run_capture() {
    command=$(head -n 1 "$1" | sed 's/^\$ //')
    sed 1d "$1" | normalize "$1.shown" >"$1.expected"
    if [ -n "$keys" ]; then
        # shellcheck disable=SC2086 # the command is a list of words
        # Without the prompts, which erase themselves on the terminal.
        esc=$(printf '\033')
        tests/build/supervise -t 60 -p -m '[q] quit' -K "$keys" -- sh -c "$command" |
            tr -d '\r' | sed "s/$esc\[Knext: [^$esc]*\[q\] quit //g; s/$esc\[K//g" \
                >"$1.out" 2>&1
    else
        sh -c "$command" >"$1.out" 2>&1
    fi
    normalize "$1.now" <"$1.out" >"$1.actual"
    cmp -s "$1.expected" "$1.actual"
}

# finish: rerun the capture collected so far, if any, and count it.
finish() {
    [ -n "$capture" ] || return 0
    if [ -n "$skip_reason" ]; then
        skipped=$((skipped + 1))
        echo "skipped - $(head -n 1 "$capture") ($skip_reason)"
    else
        tries=1
        until run_capture "$capture"; do
            tries=$((tries + 1))
            [ "$tries" -le 3 ] && grep -q -- '--runs' "$capture" || break
        done
        if cmp -s "$capture.expected" "$capture.actual"; then
            passed=$((passed + 1))
            echo "ok - $(head -n 1 "$capture")"
        else
            failed=$((failed + 1))
            echo "not ok - $(head -n 1 "$capture")"
            diff "$capture.expected" "$capture.actual" | sed 's/^/#   /' | head -n 20
        fi
    fi
    capture=
}

number=0
keys=
skip_reason=
capture=
in_block=no
while IFS= read -r line; do
    case $in_block:$line in
    no:'<!-- readme-check: keys '*)
        keys=$(printf '%s\n' "$line" | sed 's/.*keys \([^ ]*\) .*/\1/')
        ;;
    no:'<!-- readme-check: skip '*)
        skip_reason=$(printf '%s\n' "$line" | sed 's/.*skip \(.*\) -->.*/\1/')
        ;;
    no:'```'*)
        in_block=yes
        capture=
        ;;
    yes:'```')
        in_block=no
        finish
        keys=
        skip_reason=
        ;;
    yes:'$ '*)
        finish
        number=$((number + 1))
        capture=$work/capture$number
        printf '%s\n' "$line" >"$capture"
        ;;
    yes:*)
        [ -z "$capture" ] || printf '%s\n' "$line" >>"$capture"
        ;;
    esac
done <README.md

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
