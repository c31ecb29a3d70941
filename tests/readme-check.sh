#!/bin/sh
# tests/readme-check.sh: `make readme-check`. Reruns every capture in
# README.md and docs/*.md and compares what the build prints now with what
# the page shows, numbers included.
#
#   sh tests/readme-check.sh [FILE...]           check (default: README.md
#                                                and every docs/*.md)
#   sh tests/readme-check.sh --update [FILE...]  rewrite each capture's
#                                                output from a run of this build
#
# A capture is a line starting with "$ " inside a fenced block (```), and
# the lines after it up to the next "$ " line or the end of the block: the
# command, then what it printed. Comments on the lines before a block's
# opening fence apply to every capture in that block:
#
#   <!-- readme-check: skip REASON -->   not rerun; counted as skipped
#   <!-- readme-check: keys KEYS -->     run on a pseudo-terminal, typing
#                                        the next of KEYS at each prompt
#   <!-- readme-check: range OUTCOME LO-HI [OUTCOME LO-HI]... -->
#        OUTCOME is full, torn or empty: that row of the --runs table is
#        chance, and its count must lie in LO..HI (both included), in the
#        page and in the new run alike. Its share must be count/runs, and
#        the count in the verdict ("verdict: X of N runs ...") must be the
#        sum it names (torn + empty, or full). The replay line of a
#        ranged outcome ("replay torn (1 letter, as in 238 of the 265 torn
#        runs):" and its command) must be there if and only if its count
#        is above 0, and name that count; it is not compared further.
#        Rows without a range are exact.
#
# What is compared: every number exactly, except what truly varies from run
# to run, recognized by its context: the PIDs (in the [parent PID] and
# [child PID] tags, the names /shmdemo-PID-mem and -sem, fork() = PID,
# waitpid(PID, ...) = PID, child PID was killed), which become P1, P2... in
# the order they first appear, so the child's tag must still be the PID
# that fork returned; addresses (0x...), which become A1, A2... the same
# way, so parent and child must still print one address for the table; the
# time column of the tags; and the estimate of a long --runs ("this will
# take N minutes more"). The two processes may take turns differently from run to run,
# so each process's lines (its lane) are compared in their order, lane by
# lane; a line wrapped differently (a PID one digit longer) is joined
# first; runs of spaces count as one.
#
# A capture that does not match is rerun up to twice more (a single --racy
# run is chance too); an exact figure that changed fails all three tries.
# Captures run a few at a time (READMECHECK_JOBS, default 4), each under a
# hang guard of 120 s (supervise -t: it only stops a capture that hangs; it
# decides nothing else). Ends with "N passed, N failed, N skipped".
#
# --update keeps every line outside the captures' output as it was (prose,
# comments, fences, the "$ " lines, skipped captures) and replaces each
# output with what the run printed, on a pipe (80 columns) or, with keys, on
# an 80-column pseudo-terminal with the prompts removed. A new count outside
# its range is reported and fails the update: widen the range or look why.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1

mode=check
if [ "${1-}" = --update ]; then
    mode=update
    shift
fi
if [ $# = 0 ]; then
    set -- README.md
    for file in docs/*.md; do
        [ -f "$file" ] && set -- "$@" "$file"
    done
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/readme-check.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
jobs=${READMECHECK_JOBS:-4}
hang_guard=120
esc=$(printf '\033')
make -s shmdemo tests/build/libfault.so >/dev/null || exit 1
[ -x tests/build/supervise ] ||
    cc -o tests/build/supervise tests/supervise.c || exit 1

# --- Reading the pages -----------------------------------------------------

# collect FILE: one directory $work/N per capture in FILE, holding cmd (the
# command), shown (the output the page shows), file, line (of the "$ "
# line), and keys, range or skip when a comment said so.
count=0
collect() {
    keys='' range='' skip='' in_block=no capture='' number=0
    while IFS= read -r line || [ -n "$line" ]; do
        number=$((number + 1))
        case $in_block:$line in
        no:'<!-- readme-check: keys '*)
            keys=$(printf '%s\n' "$line" | sed 's/.*keys \([^ ]*\) .*/\1/')
            ;;
        no:'<!-- readme-check: skip '*)
            skip=$(printf '%s\n' "$line" | sed 's/.*skip \(.*\) -->.*/\1/')
            ;;
        no:'<!-- readme-check: range '*)
            range=$(printf '%s\n' "$line" | sed 's/.*range \(.*\) -->.*/\1/')
            ;;
        no:'```'*)
            in_block=yes
            ;;
        yes:'```')
            in_block=no capture='' keys='' range='' skip=''
            ;;
        yes:'$ '*)
            count=$((count + 1))
            capture=$work/$count
            mkdir "$capture"
            printf '%s\n' "${line#\$ }" >"$capture/cmd"
            : >"$capture/shown"
            printf '%s\n' "$1" >"$capture/file"
            printf '%s\n' "$number" >"$capture/line"
            [ -z "$keys" ] || printf '%s\n' "$keys" >"$capture/keys"
            [ -z "$range" ] || printf '%s\n' "$range" >"$capture/range"
            [ -z "$skip" ] || printf '%s\n' "$skip" >"$capture/skip"
            ;;
        yes:*)
            [ -z "$capture" ] || printf '%s\n' "$line" >>"$capture/shown"
            ;;
        esac
    done <"$1"
}

# --- Running ---------------------------------------------------------------

# run_one DIR: run the capture's command now; its output, cleaned as a
# reader sees it, goes to DIR/now, and "hung" to DIR/hung if the guard
# had to stop it.
run_one() {
    command=$(cat "$1/cmd")
    if [ -f "$1/keys" ]; then
        # The prompts erase themselves on a terminal: drop them.
        tests/build/supervise -t "$hang_guard" -p -m '[q] quit' \
            -K "$(cat "$1/keys")" -- sh -c "$command" >"$1/raw" 2>&1
        status=$?
        tr -d '\r' <"$1/raw" |
            sed -e "s/$esc\[Knext: [^$esc]*\[q\] quit //g" \
                -e "s/$esc\[K//g" -e "s/$esc\[[0-9;]*m//g" >"$1/now"
    else
        tests/build/supervise -t "$hang_guard" -- sh -c "$command" \
            >"$1/raw" 2>&1 </dev/null
        status=$?
        tr -d '\r' <"$1/raw" | sed "s/$esc\[[0-9;]*m//g" >"$1/now"
    fi
    [ "$status" != 124 ] || echo hung >"$1/hung"
}

# run_all DIR...: run_one for each, READMECHECK_JOBS at a time.
run_all() {
    running=0
    for dir; do
        [ -f "$dir/skip" ] && continue
        run_one "$dir" &
        running=$((running + 1))
        if [ "$running" -ge "$jobs" ]; then
            wait
            running=0
        fi
    done
    wait
}

# --- Comparing -------------------------------------------------------------

# normalize RANGE < output: the output as lines "lane|text", lane by lane
# (parent, child, then the rest), with the varying parts masked and the
# ranged counts checked (a failed check is a line "CHECK: ...").
normalize() {
    awk '
    function flush() {
        if (text != "") line[lane] = line[lane] lane "|" text "\n"
        text = ""
    }
    /^ *\[(parent|child) *[0-9]+\] +[0-9.]+  / {
        match($0, /\[(parent|child) *[0-9]+\]/)
        tag = substr($0, RSTART + 1, RLENGTH - 2)
        split(tag, part, / +/)
        sub(/^ *\[(parent|child) *[0-9]+\] +[0-9.]+  /, "")
        if (part[1] == role && $0 ~ /^  / && $0 !~ /^  .(\|.)+$/) {
            sub(/^ +/, " "); text = text $0; next
        }
        flush(); role = part[1]; lane = part[1] " " part[2]; text = $0; next
    }
    /^  / && lane == "-" { sub(/^ +/, " "); text = text $0; next }
    { flush(); lane = "-"; role = "-"; text = $0 }
    END {
        flush()
        # The parent lane first (it names the child), then the child.
        for (l in line) if (l ~ /^parent/) printf "%s", line[l]
        for (l in line) if (l ~ /^child/) printf "%s", line[l]
        printf "%s", line["-"]
    }' | awk -v range="$1" '
    function id(kind, value) {
        if (!((kind value) in seen)) seen[kind value] = kind (++number[kind])
        return seen[kind value]
    }
    # mask(regex, kind): replace the digits of each match of regex in $0.
    function mask(regex, kind,    out, piece, digits, number_re) {
        out = ""
        number_re = kind == "A" ? "0x[0-9a-f]+" : "[0-9]+"
        while (match($0, regex)) {
            piece = substr($0, RSTART, RLENGTH)
            match(piece, number_re)
            digits = substr(piece, RSTART, RLENGTH)
            sub(number_re, id(kind, digits), piece)
            match($0, regex)
            out = out substr($0, 1, RSTART - 1) piece
            $0 = substr($0, RSTART + RLENGTH)
        }
        $0 = out $0
    }
    BEGIN {
        n = split(range, word, / +/)
        if (n % 2) print "CHECK: bad range comment: " range
        for (i = 1; i < n; i += 2) {
            if (word[i] !~ /^(full|torn|empty)$/ ||
                word[i + 1] !~ /^[0-9]+-[0-9]+$/) {
                print "CHECK: bad range comment: " range
                continue
            }
            split(word[i + 1], bound, "-")
            lo[word[i]] = bound[1] + 0; hi[word[i]] = bound[2] + 0
            if (lo[word[i]] > hi[word[i]])
                print "CHECK: bad range comment: " range
        }
    }
    {
        mask("^(parent|child) [0-9]+\\|", "P")
        mask("shmdemo-[0-9]+-(mem|sem)", "P")
        mask("fork\\(\\) = [0-9]+", "P")
        mask("waitpid\\([0-9]+,", "P")
        mask("\\) = [0-9]+: status", "P")
        mask("child [0-9]+ (was killed|exited)", "P")
        mask("0x[0-9a-f]+", "A")
        sub(/take (at least )?[0-9]+ [a-z]+/, "take (time)")
        gsub(/  +/, " ")
    }
    /running the experiment [0-9]+ time/ {
        match($0, /experiment [0-9]+/); planned = substr($0, RSTART + 11) + 0
    }
    /^-\|(full|torn|empty) [0-9]+ [0-9.]+%$/ {
        split(substr($0, 3), cell, " ")
        count[cell[1]] = cell[2] + 0
        if (cell[1] in lo) {
            ranged = 1; had[cell[1]] = 1
            if (cell[2] + 0 < lo[cell[1]] || cell[2] + 0 > hi[cell[1]])
                print "CHECK: " cell[1] " " cell[2] " is outside its range " \
                    lo[cell[1]] "-" hi[cell[1]]
            share = sprintf("%.2f%%", planned ? 100 * cell[2] / planned : 0)
            if (share != cell[3])
                print "CHECK: " cell[1] " " cell[2] " of " planned \
                    " runs is " share ", not " cell[3]
            $0 = "-|" cell[1] " (in " lo[cell[1]] "-" hi[cell[1]] ")"
        }
    }
    /^-\|verdict: [0-9]+ of [0-9]+ / && ranged {
        split($0, said, " ")
        sum = $0 ~ /saw the full message/ ? count["full"] \
                                          : count["torn"] + count["empty"]
        if (said[2] + 0 != sum)
            print "CHECK: the verdict counts " said[2] ", the table " sum
        sub(/verdict: [0-9]+/, "verdict: (the sum)")
    }
    # The replay line of a ranged outcome is chance too (its counts, and
    # which letters were seen most): it must agree with the table, and is
    # not compared.
    /^-\|replay (full|torn|empty) \([0-9]+ letters?, as in [0-9]+ of the / {
        split(substr($0, 3), word, /[ (),:]+/)
        if (word[2] in lo) {
            replayed[word[2]] = 1
            if (word[10] + 0 != count[word[2]] || word[7] + 0 > word[10] + 0)
                print "CHECK: replay " word[2] " says " word[7] " of " \
                    word[10] ", the table " count[word[2]]
            next
        }
    }
    { print }
    END {
        for (o in lo) if (!(o in had))
            print "CHECK: the range names " o ", which has no row here"
        for (o in lo)
            if ((o in had) && (count[o] > 0) != (o in replayed))
                print "CHECK: " o " " count[o] (o in replayed ? \
                    " has a replay line" : " has no replay line")
    }'
}

# compare DIR: 0 if the run (DIR/now) matches the page (DIR/shown).
compare() {
    range=$(cat "$1/range" 2>/dev/null)
    normalize "$range" <"$1/shown" >"$1/expected"
    normalize "$range" <"$1/now" >"$1/actual"
    [ ! -f "$1/hung" ] && ! grep -q '^CHECK: ' "$1/expected" "$1/actual" &&
        cmp -s "$1/expected" "$1/actual"
}

where() {
    echo "$(cat "$1/file"):$(cat "$1/line"): $(cat "$1/cmd")"
}

passed=0
failed=0
skipped=0

check() {
    for dir; do
        if [ -f "$dir/skip" ]; then
            skipped=$((skipped + 1))
            echo "SKIPPED: $(where "$dir") ($(cat "$dir/skip"))"
            continue
        fi
        tries=1
        until compare "$dir" || [ "$tries" -ge 3 ]; do
            tries=$((tries + 1))
            rm -f "$dir/hung"
            run_one "$dir"
        done
        if compare "$dir"; then
            passed=$((passed + 1))
            note=
            [ "$tries" = 1 ] || note=" (on try $tries of 3)"
            echo "ok - $(where "$dir")$note"
        else
            failed=$((failed + 1))
            echo "not ok - $(where "$dir")"
            [ ! -f "$dir/hung" ] ||
                echo "#   stopped by the hang guard after $hang_guard s"
            grep -h '^CHECK: ' "$dir/expected" | sed 's/^/#   page: /'
            grep -h '^CHECK: ' "$dir/actual" | sed 's/^/#   now:  /'
            grep -v '^CHECK: ' "$dir/expected" >"$dir/expected.lines"
            grep -v '^CHECK: ' "$dir/actual" >"$dir/actual.lines"
            diff "$dir/expected.lines" "$dir/actual.lines" |
                sed 's/^/#   /' | head -n 20
        fi
    done
}

# rewrite FILE FIRST LAST: FILE with the output of captures FIRST..LAST
# replaced by what they printed now.
rewrite() {
    in_block=no n=$(($2 - 1)) replacing=no
    while IFS= read -r line || [ -n "$line" ]; do
        case $in_block:$line in
        no:'```'*)
            in_block=yes
            printf '%s\n' "$line"
            ;;
        yes:'```')
            in_block=no replacing=no
            printf '%s\n' "$line"
            ;;
        yes:'$ '*)
            n=$((n + 1))
            printf '%s\n' "$line"
            if [ -f "$work/$n/skip" ]; then
                replacing=no
            else
                replacing=yes
                cat "$work/$n/now"
            fi
            ;;
        yes:*)
            [ "$replacing" = yes ] || printf '%s\n' "$line"
            ;;
        *)
            printf '%s\n' "$line"
            ;;
        esac
    done <"$1"
}

update() {
    first=1
    for file; do
        last=$first
        while [ -d "$work/$last" ] &&
            [ "$(cat "$work/$last/file")" = "$file" ]; do
            last=$((last + 1))
        done
        rewrite "$file" "$first" "$last" >"$work/new" && cat "$work/new" >"$file"
        dir=$first
        while [ "$dir" -lt "$last" ]; do
            if [ -f "$work/$dir/skip" ]; then
                skipped=$((skipped + 1))
                echo "SKIPPED: $(where "$work/$dir") ($(cat "$work/$dir/skip"))"
            elif [ -f "$work/$dir/hung" ] || normalize \
                "$(cat "$work/$dir/range" 2>/dev/null)" <"$work/$dir/now" |
                grep '^CHECK: ' | sed 's/^/#   /' | grep .; then
                failed=$((failed + 1))
                echo "not ok - $(where "$work/$dir"): written, but see above"
            else
                passed=$((passed + 1))
                echo "updated - $(where "$work/$dir")"
            fi
            dir=$((dir + 1))
        done
        first=$last
    done
}

for file; do
    [ -f "$file" ] || {
        echo "readme-check: $file: no such file" >&2
        exit 2
    }
    collect "$file"
done
run_all "$work"/[0-9]*
# The directories in the order the pages have them.
dirs=$(i=1; while [ "$i" -le "$count" ]; do echo "$work/$i"; i=$((i + 1)); done)
if [ "$mode" = update ]; then
    update "$@"
else
    # shellcheck disable=SC2086 # one word per directory
    check $dirs
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
