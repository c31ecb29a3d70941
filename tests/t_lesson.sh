# tests/t_lesson.sh: the lesson in the open: what a teacher projects (main.c,
# --brief), the fork told as call and return, lanes that stay aligned.
# Sourced by tests/run.sh; each t_... function is one test.
# shellcheck shell=sh disable=SC2154,SC2034 # $status, $SHMDEMO... come from run.sh

# fork_told_first RUNS: in RUNS runs of each mode, no line of the child's
# comes before "fork() ...": it is written out before fork() is called.
fork_told_first() {
    for mode in --racy --synced; do
        : >all
        run=0
        while [ "$run" -lt "$1" ]; do
            echo "=== run" >>all
            "$SHMDEMO" $mode --delay 0 --brief >>all 2>&1 || fail "run $run of $mode failed: $(tail -n 5 all)"
            run=$((run + 1))
        done
        awk '/^=== run/ { runs++; told = 0; next }
             /\[parent [0-9]+\] +[0-9.]+s?  fork\(\) \.\.\.$/ { told = 1 }
             /\[child / && !told { bad++; told = 1 }
             END { print runs, bad + 0 }' all >counts
        read -r runs bad <counts
        [ "$runs" = "$1" ] || fail "$mode: $runs runs seen, not $1"
        [ "$bad" = 0 ] || fail "$mode: in $bad of $1 runs a child line came before 'fork() ...'"
    done
}

t_the_child_never_speaks_before_fork_is_told() {
    fork_told_first 100
    # ...and the call returns in the parent's lane, with the child's PID.
    demo --synced --delay 0
    told=$(grep -n 'fork() \.\.\.$' out | cut -d: -f1)
    returned=$(grep -n "fork() = $(child_pid)\$" out | cut -d: -f1)
    [ -n "$told" ] && [ -n "$returned" ] && [ "$told" -lt "$returned" ] ||
        fail "no 'fork() ...' before 'fork() = N': $(cat out)"
}

soak_the_child_never_speaks_before_fork_is_told_in_1000_runs() {
    fork_told_first 1000
}

# brief_run COLUMNS ARGUMENT...: a --brief run at that width, into out.
brief_run() {
    width=$1
    shift
    COLUMNS=$width "$SHMDEMO" --brief "$@" >out 2>err
    status=$?
}

t_a_brief_synced_run_fits_a_projector() {
    for width in 80 60; do
        brief_run "$width" --synced --delay 0
        expect_status 0
        lines=$(wc -l <out)
        [ "$lines" -le 16 ] || fail "$lines lines at $width columns: $(cat out)"
        long=$(awk -v w="$width" 'length($0) > w' out)
        [ -z "$long" ] || fail "lines wider than $width columns: $long"
        # What the class looks at...
        expect_line out 'fork\(\) \.\.\.$'
        expect_line out 'wrote "Ala ma kota" into the table$'
        expect_line out '\[parent .*sem_post\(sem\) = 0$'
        expect_line out '\[child .*sem_wait\(sem\) = 0$'
        expect_line out '\[child .*A\|l\|a\| \|m\|a\| \|k\|o\|t\|a$'
        expect_line out '^verdict: full: '
        # ...and not the set-up, the addresses, the bookkeeping.
        expect_no_line out 'page size|legend|shm_open|posix_fallocate|close\(|0x[0-9a-f]|waitpid|_exit'
    done
}

t_brief_works_with_every_other_option() {
    for arguments in "--racy --delay 50" "--racy --schedule pppc" \
        "--racy --busy-wait --schedule cpc" "--racy --child-sleep 0" \
        "--synced --post-early --schedule pcc" "--racy --map-private --delay 0" \
        "--synced --write-delay 10 --delay 0"; do
        # shellcheck disable=SC2086 # a list of arguments
        brief_run 80 $arguments
        expect_status 0
        [ -n "$(verdict_word)" ] || fail "$arguments: no verdict: $(cat out)"
        expect_no_line out 'page size|shm_open|0x[0-9a-f]'
    done
    brief_run 80 --racy --busy-wait --schedule cpc
    [ "$(verdict_word)" = torn ] || fail "--busy-wait --schedule cpc --brief: $(verdict_word)"
    brief_run 80 --synced --runs 20
    expect_status 0
    [ "$(tally full)" = 20 ] || fail "--runs 20 --brief: full in $(tally full) of 20"
}

t_the_time_column_keeps_its_width_past_10_s() {
    # The parent's delay takes the run past 10 s: the time is then told in
    # seconds, in the same six columns, so every parent line's text starts
    # in the same column.
    brief_run 80 --racy --delay 10050
    expect_status 0
    expect_line out '^\[parent [0-9]+\]  10\.[01]s  wrote "Ala ma kota" into the table$'
    columns=$(sed -n 's/^\(\[parent [0-9]*\] *[0-9.]*s\{0,1\}  \).*/\1/p' out |
        awk '{ print length($0) }' | sort -u)
    [ "$(echo "$columns" | wc -l)" = 1 ] || fail "the parent's lines start their text in columns $columns: $(cat out)"
}

# The lesson, as a teacher projects it: main.c itself.
t_main_c_makes_the_calls_it_teaches() {
    source=$top/main.c
    for call in 'fork()' 'waitpid(child' 'sem_wait(demo->sem.handle)' \
        'sem_post(demo->sem.handle)' 'table[i] = MESSAGE[i]' 'memcpy(seen, table'; do
        grep -F -q -- "$call" "$source" || fail "main.c does not call $call"
    done
    lines=$(wc -l <"$source")
    [ "$lines" -le 300 ] || fail "main.c is $lines lines, more than 300"
    for part in parent_part child_part; do
        length=$(awk "/^static .*$part\\(struct demo \\*demo\\)\$/,/^}/" "$source" | wc -l)
        [ "$length" -gt 10 ] && [ "$length" -le 45 ] ||
            fail "$part is $length lines: not one screen"
    done
}

t_the_apparatus_has_no_circles() {
    # Each file's own includes ("x.h" stands for x.c and x.h), then every
    # file that one reaches; a file that reaches itself is in a circle.
    for file in "$top"/apparatus/*.[ch]; do
        name=$(basename "$file")
        sed -n 's/^#include "\([a-z_]*\)\.h".*/\1/p' "$file" |
            sed "s/^/${name%.*} /"
    done | awk '$1 != $2' | sort -u >edges
    [ -s edges ] || fail "no includes found in apparatus/"
    awk '{ next_of[$1] = next_of[$1] " " $2; node[$1]; node[$2] }
         function reach(from, at,    list, n, i) {
             n = split(next_of[at], list, " ")
             for (i = 1; i <= n; i++) {
                 if (list[i] == from) return 1
                 if (!(list[i] in seen)) { seen[list[i]]; if (reach(from, list[i])) return 1 }
             }
             return 0
         }
         END { for (f in node) { split("", seen); if (reach(f, f)) print f } }' edges >circles
    [ ! -s circles ] || fail "in a circle of includes: $(tr '\n' ' ' <circles)"
}
