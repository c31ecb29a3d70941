# tests/t_explore.sh: --explore, every interleaving as a real run (issue
# 18). The model and the driver are unit-tested in tests/test_worlds.c;
# here, what a user types. Sourced by tests/run.sh; each t_... function is
# one test.
# shellcheck shell=sh disable=SC2154,SC2034 # $status, $SHMDEMO... come from run.sh

t_explore_with_runs_schedule_or_step_exits_2_naming_the_conflict() {
    for conflict in "--runs 5" "--schedule pc" "--step"; do
        # shellcheck disable=SC2086 # a list of arguments
        demo --racy --explore $conflict
        expect_status 2
        [ ! -s out ] || fail "--explore $conflict: something on stdout"
        [ "$(wc -l <err)" = 2 ] || fail "--explore $conflict: stderr is not two lines: $(cat err)"
        expect_line err "^shmdemo: --explore .*: it cannot be used with ${conflict% *}\$"
        expect_line err "^Try 'shmdemo --help' for more information\.$"
    done
}

t_explore_is_in_the_help() {
    demo --help
    expect_status 0
    expect_line out '^  --explore  +run every interleaving of the steps once, each a$'
}

# --- what an exploration shows ---------------------------------------------------

# explore ARGUMENT...: shmdemo --explore ARGUMENT..., like demo.
explore() { demo --explore "$@"; }

# outcome_rows: the table's rows as "OUTCOME COUNT SCHEDULE", one a line.
outcome_rows() {
    sed -n '/^outcome  *interleavings  *replay with$/,/^verdict/p' out |
        sed '1d;$d' | awk '{ print $1, $2, $4 }'
}

# expect_rows ROWS: the table is exactly ROWS ("empty 1 c", one a line).
expect_rows() {
    [ "$(outcome_rows)" = "$1" ] || {
        say "--- out:"
        cat out
        fail "the table is not:
$1"
    }
}

# expect_out TEXT: the whole of stdout is exactly TEXT.
expect_out() {
    [ "$(cat out)" = "$1" ] || {
        say "--- out:"
        cat out
        say "--- expected:"
        say "$1"
        fail "stdout is not what a class should see"
    }
}

t_explore_racy_has_twelve_worlds_empty_1_torn_10_full_1() {
    explore --racy
    expect_status 0
    [ ! -s err ] || fail "stderr: $(cat err)"
    expect_out "12 interleavings, each a real run of the two processes
outcome           interleavings   replay with
empty                         1   --schedule c
torn                         10   --schedule pc
full                          1   --schedule pppppppppppc
verdict: it depends on the interleaving (empty, torn or full): nothing makes the
  child's read wait for the parent's writes."
}

t_explore_synced_has_one_world_and_it_is_full() {
    explore --synced
    expect_status 0
    [ ! -s err ] || fail "stderr: $(cat err)"
    expect_out "1 interleaving, a real run of the two processes
outcome           interleavings   replay with
full                          1   --schedule ppppppppppppcc
verdict: full in every interleaving: the child is blocked in sem_wait until the
  post, and the parent posts only after its last write."
}

t_explore_shows_for_each_wrong_fix_its_outcomes_and_what_breaks_it() {
    ps11=ppppppppppp
    explore --synced --post-early
    expect_status 0
    expect_line out '^12 interleavings, each a real run of the two processes$'
    expect_rows "empty 1 pcc
torn 10 pcpc
full 1 pc${ps11}c"
    expect_line out '^what breaks it: --schedule pcc: the child reads after the post and before the$'
    explore --racy --busy-wait
    expect_status 0
    expect_line out '^11 interleavings, each a real run of the two processes$'
    expect_rows "torn 10 pcc
full 1 pc${ps11%p}c"
    expect_line out '^what breaks it: --schedule pcc: the spin ends at the first letter, and the child$'
    explore --racy --child-sleep 5
    expect_status 0
    expect_line out '^12 interleavings, each a real run of the two processes$'
    expect_rows "empty 1 cc
torn 10 cpc
full 1 c${ps11}c"
    expect_line out '^what breaks it: --schedule cc: the sleep orders nothing once the parent is$'
    explore --racy --map-private
    expect_status 0
    expect_line out '^12 interleavings, each a real run of the two processes$'
    expect_rows "empty 12 c"
    expect_line out "^what breaks it: --schedule ${ps11}c: even reading after all the writes, the\$"
    explore --synced --map-private
    expect_status 0
    expect_line out '^1 interleaving, a real run of the two processes$'
    expect_rows "empty 1 ${ps11}pcc"
    expect_line out '^verdict: empty in every interleaving: the child reads its own copy of the table$'
}

# --- every witness replays ---------------------------------------------------------

# The variants, one a line, as options.
all_variants="--racy
--synced
--synced --post-early
--racy --busy-wait
--racy --child-sleep 5
--racy --map-private
--synced --map-private"

# witnesses VARIANT: into the file witnesses, "OUTCOME SCHEDULE" for each
# row of its exploration and for what breaks it, one a line.
witnesses() {
    # shellcheck disable=SC2086 # a list of options
    explore $1
    expect_status 0
    outcome_rows | awk '{ print $1, $3 }' >witnesses
    # What breaks it ends with its outcome, maybe on the next line.
    tr '\n' ' ' <out | sed -n 's/.*what breaks it: --schedule \([pc]*\): .*: \([a-z]*\)\. *$/\2 \1/p' |
        awk '{ print }' >>witnesses # with its newline
}

# letters_in_table: how many cells of the child's table are not _.
letters_in_table() { child_table | tr -d '|_' | tr -d '\n' | wc -c | tr -d ' '; }

# replay TIMES OUTCOME SCHEDULE [RUNNER] -- VARIANT...: the schedule gives
# OUTCOME and the same table every time. RUNNER (e.g. taskset -c 1) runs
# shmdemo.
replay() {
    times=$1 want=$2 schedule=$3
    shift 3
    runner=
    while [ "$1" != -- ]; do
        runner="$runner $1"
        shift
    done
    shift
    first_table=
    run=1
    while [ "$run" -le "$times" ]; do
        # shellcheck disable=SC2086 # lists of words
        "$supervise" -t 20 -- $runner "$SHMDEMO" "$@" --schedule "$schedule" \
            </dev/null >out 2>err
        status=$?
        expect_status 0
        [ "$(verdict_word)" = "$want" ] ||
            fail "$* --schedule $schedule, run $run: $(verdict_word), expected $want"
        [ -n "$first_table" ] || first_table=$(child_table)
        [ "$(child_table)" = "$first_table" ] ||
            fail "$* --schedule $schedule, run $run: table $(child_table), before $first_table"
        run=$((run + 1))
    done
    say "$* $schedule" >>replayed
}

t_explore_every_witness_replays_ten_times_with_its_outcome() {
    say "$all_variants" >variants
    while read -r variant; do
        witnesses "$variant"
        while read -r outcome schedule; do
            # shellcheck disable=SC2086 # a list of options
            replay 10 "$outcome" "$schedule" -- $variant
        done <witnesses
    done <variants
    # A row for each outcome of each variant, and what breaks each wrong
    # fix: 3 + 1 + (3 + 1) + (2 + 1) + (3 + 1) + (1 + 1) + (1 + 1).
    [ "$(wc -l <replayed)" = 19 ] || fail "$(wc -l <replayed) witnesses replayed, not 19: $(cat replayed)"
}

t_explore_witnesses_replay_under_load_on_one_cpu() {
    command -v taskset >/dev/null 2>&1 || skip "no taskset here to share one CPU"
    taskset -c 1 true 2>/dev/null || skip "no CPU 1 here to share (taskset -c 1 fails)"
    # Two busy processes on CPU 1, and shmdemo's two with them. They are
    # this test's own: killed by PID on the way out.
    taskset -c 1 yes >/dev/null &
    busy1=$!
    taskset -c 1 yes >/dev/null &
    busy2=$!
    trap 'kill "$busy1" "$busy2" 2>/dev/null' EXIT
    # Three witnesses, a sample to keep the suite fast: the empty, torn and
    # full of --racy, and the torn that breaks --busy-wait.
    replay 10 empty c taskset -c 1 -- --racy
    replay 10 torn pppc taskset -c 1 -- --racy
    replay 10 torn pcc taskset -c 1 -- --racy --busy-wait
    running "$busy1" && running "$busy2" || fail "the load was not there to the end"
}

# --- the runs are real -------------------------------------------------------------

t_explore_forks_once_per_interleaving() {
    # The fault library logs every fork (a fault on the 1000th never comes).
    say "$all_variants" >variants
    all=0
    while read -r variant; do
        # shellcheck disable=SC2086 # a list of options
        with_fault fork:EAGAIN:1000 --explore $variant </dev/null
        expect_status 0
        count=$(sed -n 's/^\([0-9]*\) interleavings\{0,1\}, .*/\1/p' out)
        forks=$(grep -c '^[0-9]* fork [0-9]' calls)
        [ -n "$count" ] && [ "$forks" = "$count" ] ||
            fail "$variant: $forks forks for $count interleavings"
        all=$((all + forks))
    done <variants
    # 12 + 1 + 12 + 11 + 12 + 12 + 1: each variant was explored.
    [ "$all" = 61 ] || fail "$all forks in all the explorations, not 61"
}

# --- --runs names a replay ---------------------------------------------------------

# hints_replay N: out has N hints, and each "replay OUTCOME (N letters,
# ...):" line is followed by a command that gives OUTCOME with N letters.
hints_replay() {
    sed -n '/^replay /{N;s/^replay \([a-z]*\) (\([0-9]*\) letters\{0,1\}, [^\n]*\n  \.\/shmdemo /\1 \2 /p;}' out >hints
    while read -r outcome letters command; do
        # shellcheck disable=SC2086 # the options of the hint
        "$supervise" -t 20 -- "$SHMDEMO" $command </dev/null >out 2>err
        status=$?
        expect_status 0
        [ "$(verdict_word)" = "$outcome" ] && [ "$(letters_in_table)" = "$letters" ] ||
            fail "./shmdemo $command: $(verdict_word) with $(letters_in_table) letters, expected $outcome with $letters"
    done <hints
    [ "$(wc -l <hints | tr -d ' ')" = "$1" ] || fail "not $1 hint(s): $(cat hints)"
}

t_runs_ends_with_a_command_that_replays_each_outcome_seen() {
    demo --synced --runs 5
    expect_status 0
    [ "$(tail -n 2 out)" = "replay full (11 letters, as in 5 of the 5 full runs):
  ./shmdemo --synced --schedule ppppppppppppcc" ] || fail "the hint is not the last two lines: $(cat out)"
    hints_replay 1
    demo --racy --map-private --runs 5
    expect_line out '^  \./shmdemo --racy --map-private --schedule c$'
    hints_replay 1
    # A slow writer gives torn tables; whichever outcomes come, each hint
    # replays its own, with the wrong fix's options.
    for variant in "--racy" "--racy --child-sleep 0" "--synced --post-early"; do
        # shellcheck disable=SC2086 # a list of options
        demo $variant --runs 40 --write-delay 300
        expect_status 0
        seen=$( (tally full; tally torn; tally empty) | grep -c -v '^0$')
        hints_replay "$seen" # one for each outcome seen
    done
}

t_runs_stopped_with_ctrl_c_still_replays_what_it_saw() {
    # Ctrl-C once the long-run estimate shows: the tally so far, then a
    # replay line for each outcome it saw.
    "$supervise" -t 60 -p -m 'more (Ctrl-C' -K '^C' -- "$SHMDEMO" --racy \
        --runs 1000000 | tr -d '\r' >out
    expect_line out '^interrupted by signal 2 '
    expect_line out '^replay (empty|torn|full) \('
    expect_line out '^  \./shmdemo --racy --schedule p*c$'
}

# --- --step's ? ----------------------------------------------------------------------

t_step_question_mark_tells_what_each_key_still_makes_possible() {
    on_keys '?ppp?c?pppppppp' "$SHMDEMO" --racy --step
    expect_status 0
    [ "$(grep '^------ ?' out)" = "------ ?: p -> torn or full, c -> empty
------ ?: p -> torn or full, c -> torn
------ ?: p -> torn, c -> torn" ] || fail "the ? lines: $(grep '^------ ?' out)"
    expect_table "A|l|a|_|_|_|_|_|_|_|_"
    # The child blocked in sem_wait; then 12 p and the read.
    on_keys 'c?ppppppppppppc' "$SHMDEMO" --synced --step
    expect_status 0
    [ "$(grep '^------ ?' out)" = "------ ?: p -> full, c -> full" ] ||
        fail "--synced, the child blocked: $(grep '^------ ?' out)"
    # The spin, then the read, after the first write; then 10 p.
    on_keys '?p?ccpppppppppp' "$SHMDEMO" --racy --busy-wait --step
    expect_status 0
    [ "$(grep -c '^------ ?: p -> torn or full, c -> torn or full$' out)" = 2 ] ||
        fail "--busy-wait: $(grep '^------ ?' out)"
    # Hidden until asked: without ?, nothing says what is possible.
    on_keys 'pppcpppppppp' "$SHMDEMO" --racy --step
    expect_status 0
    ! grep -q -e '->' screen || fail "what is possible was shown unasked"
    demo --help
    expect_line out '^ +\? shows what each key still makes possible$'
}
