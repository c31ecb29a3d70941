# tests/t_runs.sh: --runs, --write-delay and the outcome table. The race is
# not deterministic, and load shifts its odds: these tests assert counts
# that always hold (they add up; --synced is always full) and outcomes
# steered with --schedule, never a statistic of the race.
# Sourced by tests/run.sh; each t_... function is one test.
# shellcheck shell=sh disable=SC2154,SC2034 # $status and $SHMDEMO come from run.sh

# expect_tally_adds_up N: the three outcome lines add up to N.
expect_tally_adds_up() {
    full=$(tally full)
    empty=$(tally empty)
    torn=$(tally torn)
    [ -n "$full" ] && [ -n "$empty" ] && [ -n "$torn" ] ||
        fail "no outcome table: $(cat out)"
    [ $((full + empty + torn)) = "$1" ] ||
        fail "full $full + empty $empty + torn $torn is not $1"
}

t_runs_prints_one_line_per_outcome_with_count_and_share() {
    demo --synced --runs 20
    expect_status 0
    expect_line out '^full +20 +100\.00%$'
    expect_line out '^empty +0 +0\.00%$'
    expect_line out '^torn +0 +0\.00%$'
    expect_line out '^verdict: 20 of 20 runs saw the full message'
    # Per-run narration is off: one fork line would be one run narrated.
    expect_no_line out 'fork\(\)|\[child '
}

t_counts_add_up_to_n_in_both_modes() {
    for mode in --racy --synced; do
        demo $mode --runs 77
        expect_status 0
        expect_tally_adds_up 77
    done
}

# make check: synced is full over many runs (make test has 200 of them).
soak_synced_is_always_full_over_a_thousand_runs() {
    demo --synced --runs 1000
    expect_status 0
    [ "$(tally full)" = 1000 ] || fail "full in $(tally full) of 1000 runs"
}

t_synced_is_always_full_with_a_slow_writer() {
    # The child now arrives while the message is half written; the
    # semaphore still holds it until the last byte is in.
    demo --synced --runs 100 --write-delay 1
    expect_status 0
    [ "$(tally full)" = 100 ] || fail "full in $(tally full) of 100 runs"
    demo --synced --delay 0 --write-delay 2000
    expect_status 0
    [ "$(child_table)" = "A|l|a| |m|a| |k|o|t|a" ] ||
        fail "child's table is '$(child_table)'"
}

t_racy_with_the_child_steered_first_is_empty_in_every_run() {
    # The child reads before the parent's first write, in every run: the
    # table counts each one empty, and the verdict counts them too early.
    demo --racy --runs 5 --schedule c
    expect_status 0
    expect_tally_adds_up 5
    [ "$(tally empty)" = 5 ] || fail "empty in $(tally empty) of 5 runs"
    expect_line out '^verdict: 5 of 5 runs read too early'
}

t_racy_with_a_slow_writer_steered_mid_message_is_torn_in_every_run() {
    # Three of the 11 letters (0.5 ms apart), then the child reads: torn,
    # every time, and counted as torn.
    demo --racy --runs 5 --write-delay 500 --schedule pppc
    expect_status 0
    expect_tally_adds_up 5
    [ "$(tally torn)" = 5 ] || fail "torn in $(tally torn) of 5 runs"
    expect_line out '^verdict: 5 of 5 runs read too early'
}

t_runs_sets_the_delay_to_0_unless_given() {
    fault_library_works # its log shows each sleep asked for
    with_fault none --racy --runs 5
    expect_status 0
    expect_line out 'running the experiment 5 times'
    expect_no_line out 'doing other work'
    # (A sleep is a wait with a time limit: pselect, logged with it.)
    ! grep -q ' pselect ' calls ||
        fail "with no --delay, a run slept: $(grep pselect calls | head -n 3)"
    # With --delay given, each run sleeps it before its writes: after each
    # fork, the parent's first wait is for 200 ms (less the microseconds it
    # took to start waiting; the child's end may cut it short, and the rest
    # is waited for after).
    with_fault none --racy --runs 5 --delay 200
    expect_status 0
    slept=$(awk '$2 == "fork" { forked = 1; next }
        $2 == "pselect" && forked { forked = 0; if ($3 >= 0.19 && $3 <= 0.2) n++ }
        END { print n + 0 }' calls)
    [ "$slept" = 5 ] || fail "sleeps of 200 ms asked for in 5 runs: $slept"
}

t_progress_shows_on_a_terminal_and_is_cleared() {
    # The counter is drawn at most every 100 ms: the second run ends at
    # least 120 ms in (two delays of 60 ms), so it is drawn at least once
    # however fast or slow the machine.
    "$supervise" -p -- "$SHMDEMO" --synced --runs 4 --delay 60 >tty_out
    grep -q "$(printf '\r')run [0-9]* of 4 ([0-9]*%)" tty_out ||
        fail "no progress counter on the terminal"
    grep -q "$(printf '\r\033')\[K" tty_out || fail "the counter is not cleared"
}

t_no_progress_when_stderr_is_not_a_terminal() {
    # The same runs as above, which draw the counter on a terminal.
    demo --synced --runs 4 --delay 60
    expect_status 0
    [ ! -s err ] || fail "stderr: $(od -c err | head -n 3)"
}

t_bad_runs_and_write_delay_values_exit_2() {
    for arguments in "--runs 0" "--runs 10000001" "--runs -5" "--runs 1e3" \
        "--write-delay 1000001" "--write-delay -1" "--write-delay 5us"; do
        # shellcheck disable=SC2086 # each string is a list of arguments
        demo --racy $arguments
        expect_status 2
        expect_line err "^shmdemo: --(runs|write-delay): '.*' is not a whole number of (runs|microseconds) from [0-9]+ to [0-9]+$"
    done
}

t_peak_memory_does_not_grow_with_runs() {
    "$supervise" -r small -- "$SHMDEMO" --synced --runs 100 >out
    "$supervise" -r large -- "$SHMDEMO" --synced --runs 1000 >>out
    small=$(cat small)
    large=$(cat large)
    # Allow for noise in how much of the C library each run touches.
    [ "$large" -le $((small + 512)) ] ||
        fail "peak memory grew from $small KiB to $large KiB"
}

t_the_estimate_counts_what_really_takes_time() {
    # Under a schedule the child's sleep comes after the parent's delay:
    # 500 runs of 100 + 100 ms are 100 s, said before the first run.
    "$supervise" -t 60 -p -m 'more (Ctrl-C' -K '^C' -- "$SHMDEMO" --racy --delay 100 \
        --child-sleep 100 --schedule c --runs 500 | tr -d '\r' >out
    expect_line out 'from the delays alone, this will take 2 minutes more'
    expect_line out 'interrupted by signal 2 .* after 0 of 500 runs'
    # A million runs without a delay: no delay says it, the first runs do.
    "$supervise" -t 60 -p -m 'more (Ctrl-C' -K '^C' -- "$SHMDEMO" --racy \
        --runs 1000000 | tr -d '\r' >out
    expect_line out 'at this speed, this will take [0-9]+ (minute|hour)s? more'
    # A short series says nothing.
    demo --racy --runs 20 --delay 10 --child-sleep 10
    expect_status 0
    expect_no_line out 'this will take'
}
