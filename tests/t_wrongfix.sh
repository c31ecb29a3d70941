# tests/t_wrongfix.sh: the fixes that don't work (--child-sleep, --busy-wait,
# --post-early, --map-private), as a user sees them: what the child saw, the
# verdict that says why, and the usage errors. An outcome is asserted only
# where a schedule or MAP_PRIVATE fixes it; an unsteered run is held only
# to a verdict that agrees with the table it printed.
# Sourced by tests/run.sh; each t_... function is one test.
# shellcheck shell=sh disable=SC2154,SC2034 # $status, $SHMDEMO... come from run.sh

EMPTY_TABLE='_|_|_|_|_|_|_|_|_|_|_'
FULL_TABLE='A|l|a| |m|a| |k|o|t|a'

# The verdict paragraph of out, on one line: wrapped lines joined, runs of
# spaces squeezed.
verdict_text() { sed -n '/^verdict: /,$p' out | tr '\n' ' ' | tr -s ' '; }

# expect_verdict_says TEXT: the verdict paragraph contains TEXT.
expect_verdict_says() {
    case $(verdict_text) in
    *"$1"*) ;;
    *)
        say "--- stdout:"
        cat out
        fail "the verdict does not say: $1"
        ;;
    esac
}

# expect_table TABLE: the child printed exactly this table.
expect_table() {
    [ "$(child_table)" = "$1" ] || {
        say "--- stdout:"
        cat out
        fail "child's table is '$(child_table)', expected '$1'"
    }
}

# expect_tally_of N: the three outcome lines of a --runs table add up to N.
expect_tally_of() {
    full=$(tally full)
    torn=$(tally torn)
    empty=$(tally empty)
    [ -n "$full" ] && [ -n "$torn" ] && [ -n "$empty" ] ||
        fail "no outcome table: $(cat out)"
    [ $((full + torn + empty)) = "$1" ] ||
        fail "full $full + torn $torn + empty $empty is not $1"
}

# line_of REGEX: the number of the first line of out that matches.
line_of() { grep -n -E -- "$1" out | head -n 1 | cut -d: -f1; }

# --- --map-private: each process has its own copy ------------------------------

t_map_private_is_empty_in_every_run_in_both_modes() {
    for mode in --racy --synced; do
        demo $mode --map-private --runs 20
        expect_status 0
        expect_tally_of 20
        [ "$empty" = 20 ] || fail "$mode: empty in $empty of 20 runs: $(cat out)"
        expect_line out '^verdict: 20 of 20 runs '
        expect_verdict_says "cannot share memory that is private."
    done
}

t_map_private_verdict_explains_private_copy_on_write_memory() {
    for mode in --racy --synced; do
        # --delay 0: the parent writes at once; the synced child even waits
        # for the post. Neither ever sees the write.
        demo $mode --map-private --delay 0
        expect_status 0
        expect_line out 'mmap\(NULL, 11, PROT_READ\|PROT_WRITE, MAP_PRIVATE, 3, 0\)'
        expect_no_line out 'MAP_SHARED'
        expect_line out 'wrote "Ala ma kota" into the table'
        expect_table "$EMPTY_TABLE"
        [ "$(verdict_word)" = empty ] || fail "$mode: verdict is '$(verdict_word)'"
        expect_verdict_says "verdict: empty: the child read its own copy of the table: "
        expect_verdict_says "MAP_PRIVATE gave each process its own copy of the page"
        expect_verdict_says "(copy-on-write after fork)"
        expect_verdict_says "cannot share memory that is private."
        [ ! -s err ] || fail "$mode: stderr: $(cat err)"
    done
    # Without the variant the same line says MAP_SHARED.
    demo --synced --delay 0
    expect_status 0
    expect_line out 'mmap\(NULL, 11, PROT_READ\|PROT_WRITE, MAP_SHARED, 3, 0\)'
    expect_no_line out 'MAP_PRIVATE'
}

t_map_private_with_every_step_scheduled_is_still_empty() {
    # Every step of the parent (11 writes, and the post when synced) before
    # the child's: the right order, and still nothing to see.
    for arguments in "--synced --map-private --schedule ppppppppppppcc" \
        "--racy --map-private --schedule pppppppppppc"; do
        # shellcheck disable=SC2086 # each string is a list of arguments
        demo $arguments
        expect_status 0
        expect_line out "p: the parent's turn: write 'a' into table\[10\]"
        expect_line out "c: the child's turn: read the table"
        wrote=$(line_of 'wrote "Ala ma kota" into the table')
        reading=$(line_of "c: the child's turn: read the table")
        [ -n "$wrote" ] && [ -n "$reading" ] && [ "$wrote" -lt "$reading" ] ||
            fail "$arguments: the child read (line $reading) before the parent wrote (line $wrote)"
        expect_table "$EMPTY_TABLE"
        [ "$(verdict_word)" = empty ] || fail "$arguments: verdict is '$(verdict_word)'"
        case $arguments in
        --synced*)
            # The child waited for the post, which came after the write.
            posted=$(line_of 'sem_post\(sem\) = 0')
            waited=$(line_of 'sem_wait\(sem\) = 0')
            [ -n "$posted" ] && [ -n "$waited" ] && [ "$wrote" -lt "$posted" ] &&
                [ "$posted" -lt "$waited" ] ||
                fail "wrote on line $wrote, posted on line $posted, sem_wait returned on line $waited"
            ;;
        esac
    done
}

# --- --post-early: the post comes before the message ---------------------------

t_post_early_woken_mid_message_is_torn_in_every_run() {
    # The post, three letters (0.5 ms apart), then the child wakes and
    # reads: torn in every run, and the verdict counts them too early.
    demo --synced --post-early --write-delay 500 --schedule ppppcc --runs 5
    expect_status 0
    expect_tally_of 5
    [ "$torn" = 5 ] || fail "torn in $torn of 5 runs: $(cat out)"
    expect_line out "^verdict: 5 of 5 runs read too early"
    expect_verdict_says "the post announced a message that was not there yet."
}

t_post_early_narrates_the_post_before_the_first_write() {
    demo --synced --post-early --delay 0
    expect_status 0
    posted=$(line_of '^\[parent .*sem_post\(sem\) \.\.\.$')
    wrote=$(line_of '^\[parent .*wrote "Ala ma kota" into the table')
    [ -n "$posted" ] && [ -n "$wrote" ] && [ "$posted" -lt "$wrote" ] ||
        fail "post on line $posted, the write on line $wrote: $(cat out)"
    expect_verdict_says "the post announced a message that was not there yet."
    # The right fix posts after the write.
    demo --synced --delay 0
    expect_status 0
    posted=$(line_of '^\[parent .*sem_post\(sem\) \.\.\.$')
    wrote=$(line_of '^\[parent .*wrote "Ala ma kota" into the table')
    [ -n "$posted" ] && [ -n "$wrote" ] && [ "$posted" -gt "$wrote" ] ||
        fail "--synced: post on line $posted, the write on line $wrote"
}

t_post_early_schedule_fixes_what_the_child_sees() {
    # p: the parent posts; c c: the child's sem_wait returns, it reads.
    demo --synced --post-early --schedule pcc
    expect_status 0
    expect_line out "p: the parent's turn: sem_post\(sem\)$"
    expect_line out "c: the child's turn: sem_wait\(sem\)$"
    expect_table "$EMPTY_TABLE"
    [ "$(verdict_word)" = empty ] || fail "verdict is '$(verdict_word)'"
    expect_verdict_says "verdict: empty: the child read the table before the parent wrote it: the post announced a message that was not there yet."
    # p p p p: the post and three letters; then the child wakes and reads.
    demo --synced --post-early --schedule ppppcc
    expect_status 0
    expect_table 'A|l|a|_|_|_|_|_|_|_|_'
    [ "$(verdict_word)" = torn ] || fail "verdict is '$(verdict_word)'"
    expect_verdict_says "verdict: torn: the child read while the parent was still writing: the post announced a message that was not there yet."
}

# --- --busy-wait: "started" is not "finished" ----------------------------------

t_busy_wait_ended_by_the_first_letter_is_torn_in_every_run() {
    # The child spins; the parent writes 'A' (0.5 ms per letter); the spin
    # ends and the child reads one letter: torn in every run.
    demo --racy --busy-wait --write-delay 500 --schedule cpcc --runs 5
    expect_status 0
    expect_tally_of 5
    [ "$torn" = 5 ] || fail "torn in $torn of 5 runs: $(cat out)"
    expect_line out "^verdict: 5 of 5 runs read too early"
    expect_verdict_says 'a first byte that says "started" is not a message that says "finished".'
}

t_busy_wait_schedule_shows_the_child_spinning_then_reading_one_letter() {
    # c: the child starts spinning, and is reported so; p: the parent
    # writes 'A'; c: the spin has ended and the child reads. The second c
    # only covers a child slow to leave its loop on a busy machine.
    demo --racy --busy-wait --schedule cpcc
    expect_status 0
    expect_line out "c: the child's turn: spin until table\[0\] is not zero$"
    expect_line out 'the child is spinning: table\[0\] is still zero$'
    expect_line out "p: the parent's turn: write 'A' into table\[0\]$"
    expect_line out "table\[0\] is 'A': reading now"
    spinning=$(line_of 'the child is spinning: table\[0\] is still zero')
    stepped=$(line_of "p: the parent's turn: write 'A'")
    [ -n "$spinning" ] && [ -n "$stepped" ] && [ "$spinning" -lt "$stepped" ] ||
        fail "the parent was not stepped while the child spun"
    expect_table 'A|_|_|_|_|_|_|_|_|_|_'
    [ "$(verdict_word)" = torn ] || fail "verdict is '$(verdict_word)'"
    expect_verdict_says 'verdict: torn: the child read while the parent was still writing: a first byte that says "started" is not a message that says "finished".'
}

t_busy_wait_gives_up_and_the_demo_ends_without_waiting_for_the_parent() {
    # The parent would work 60 s before writing: the child gives up after
    # SPIN_LIMIT_S (1 s in the test build run.sh makes), and the demo ends
    # then: the parent never writes. 50 s is only a hang guard.
    "$supervise" -t 50 -- "$build/spin1/shmdemo" --racy --busy-wait --delay 60000 >out 2>err
    status=$?
    expect_status 1
    expect_line out 'spin until table\[0\] is not'
    expect_line err "^shmdemo: the child gave up spinning after 1 s of CPU time: table\\[0\\] is still zero$"
    [ "$(wc -l <err)" = 1 ] || fail "stderr is not one line: $(cat err)"
    expect_no_line out '^verdict:'
    expect_no_line out 'wrote "Ala ma kota"'
    parent=$(parent_pid)
    child=$(child_pid)
    [ -n "$parent" ] && [ -n "$child" ] || fail "no parent or child PID in: $(cat out)"
    expect_ended "$parent"
    expect_ended "$child"
}

# --- --child-sleep: a guess about timing ----------------------------------------

t_child_sleep_steered_after_the_writes_reads_full_and_is_still_a_guess() {
    # Eleven letters, then the child's sleep and its read: full.
    demo --racy --child-sleep 300 --schedule pppppppppppcc
    expect_status 0
    expect_line out "c: the child's turn: sleep 300 ms$"
    expect_line out '\[child .*sleep 300 ms \.\.\.$'
    expect_table "$FULL_TABLE"
    [ "$(verdict_word)" = full ] || fail "verdict is '$(verdict_word)'"
    expect_verdict_says "a sleep is a guess about timing, not an ordering."
    demo --racy --child-sleep 100 --schedule pppppppppppcc --runs 3
    expect_status 0
    expect_tally_of 3
    [ "$full" = 3 ] || fail "full in $full of 3 runs: $(cat out)"
    expect_line out '^verdict: no run read too early this time, but nothing prevents it'
    expect_verdict_says "a sleep is a guess about timing, not an ordering."
}

t_child_sleep_steered_before_the_writes_reads_empty() {
    # The child's sleep and its read come first: however long it slept,
    # nothing was written.
    demo --racy --child-sleep 300 --schedule cc
    expect_status 0
    expect_table "$EMPTY_TABLE"
    [ "$(verdict_word)" = empty ] || fail "verdict is '$(verdict_word)'"
    expect_verdict_says "verdict: empty: the child read the table before the parent wrote it: a sleep is a guess about timing, not an ordering."
    demo --racy --child-sleep 0 --schedule cc --runs 3
    expect_status 0
    expect_tally_of 3
    [ "$empty" = 3 ] || fail "empty in $empty of 3 runs: $(cat out)"
    expect_line out '^verdict: 3 of 3 runs read too early'
    expect_verdict_says "a sleep is a guess about timing, not an ordering."
}

t_child_sleep_unsteered_verdict_says_what_happened_this_time() {
    # Without a schedule the outcome is up to timing (and load): whichever
    # it is, the verdict names it, and a full table is called luck.
    demo --racy --child-sleep 300 --delay 0
    expect_status 0
    expect_line out '\[child .*sleep 300 ms \.\.\.$'
    case $(child_table) in
    "$FULL_TABLE")
        expect_verdict_says "verdict: full: this time the child happened to read after the parent wrote (try --runs): a sleep is a guess about timing, not an ordering."
        ;;
    "$EMPTY_TABLE")
        expect_verdict_says "verdict: empty: the child read the table before the parent wrote it: a sleep is a guess about timing, not an ordering."
        ;;
    *) expect_verdict_says "verdict: torn: " ;;
    esac
}

# --- all of them ----------------------------------------------------------------

t_wrong_fix_exits_0_and_the_verdict_names_what_the_child_printed() {
    # Whatever the child saw, the demo ran: exit 0, nothing on stderr.
    for arguments in "--racy --map-private" "--synced --map-private" \
        "--synced --post-early" "--synced --post-early --write-delay 300" \
        "--racy --busy-wait" "--racy --busy-wait --write-delay 300" \
        "--racy --child-sleep 0" "--racy --child-sleep 20"; do
        # shellcheck disable=SC2086 # each string is a list of arguments
        demo $arguments --delay 0
        expect_status 0
        [ ! -s err ] || fail "$arguments: stderr: $(cat err)"
        table=$(child_table)
        case $table in
        "$FULL_TABLE") expected=full ;;
        "$EMPTY_TABLE") expected=empty ;;
        "") fail "$arguments: no table from the child: $(cat out)" ;;
        *) expected=torn ;;
        esac
        [ "$(verdict_word)" = "$expected" ] ||
            fail "$arguments: table '$table' but verdict '$(verdict_word)'"
        [ "$(grep -c '^verdict: ' out)" = 1 ] || fail "$arguments: not one verdict"
    done
}

t_wrong_fixes_never_make_synced_alone_look_broken() {
    demo --synced --runs 50
    expect_status 0
    expect_tally_of 50
    [ "$full" = 50 ] || fail "full in $full of 50 runs"
    expect_line out '^verdict: .*50 runs saw the full message'
    expect_verdict_says "posted only after writing the whole message."
    [ ! -s err ] || fail "stderr: $(cat err)"
    demo --synced --runs 20 --write-delay 100
    expect_status 0
    [ "$(tally full)" = 20 ] || fail "with a slow writer, full in $(tally full) of 20 runs"
}

t_wrong_fix_in_the_wrong_mode_or_two_at_once_is_a_usage_error() {
    # arguments|an extended regex the message must match (it names both sides)
    while IFS='|' read -r arguments message; do
        # shellcheck disable=SC2086 # each string is a list of arguments
        demo $arguments </dev/null
        expect_status 2
        [ ! -s out ] || fail "'$arguments': something on stdout"
        [ "$(wc -l <err)" = 2 ] || fail "'$arguments': stderr is not two lines: $(cat err)"
        expect_line err "^shmdemo: $message"
        expect_line err "^Try 'shmdemo --help' for more information\.$"
    done <<'EOF'
--racy --post-early|--post-early .*--synced
--post-early --racy|--post-early .*--synced
--synced --child-sleep 5|--child-sleep .*--racy
--synced --busy-wait|--busy-wait .*--racy
--racy --busy-wait --map-private|one wrong fix at a time: --busy-wait or --map-private
--synced --map-private --post-early|one wrong fix at a time: --map-private or --post-early
--racy --child-sleep 5 --busy-wait|one wrong fix at a time: --child-sleep or --busy-wait
--racy --child-sleep 5 --child-sleep 5|option '--child-sleep' given more than once
--racy --child-sleep|option '--child-sleep' needs a value
--racy --child-sleep 60001|--child-sleep: '60001' is not a whole number of milliseconds from 0 to 60000
--racy --busy-wait=1|option '--busy-wait' takes no value
EOF
    # Each variant is in the help, with the mode it goes with.
    demo --help
    expect_status 0
    expect_line out '^  --child-sleep MS +\(--racy\)'
    expect_line out '^  --busy-wait +\(--racy\)'
    expect_line out '^  --post-early +\(--synced\)'
    expect_line out '^  --map-private +'
}
