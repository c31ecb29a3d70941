# tests/t_runs.sh: --runs, --write-delay and the outcome table. The race is
# not deterministic: these tests assert counts that always hold (they add up)
# and statistics with wide margins, never exact racy counts.
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
    demo --synced --runs 200
    expect_status 0
    expect_line out '^full +200 +100\.00%$'
    expect_line out '^empty +0 +0\.00%$'
    expect_line out '^torn +0 +0\.00%$'
    expect_line out '^verdict: 200 of 200 runs saw the full message'
    # Per-run narration is off: one fork line would be one run narrated.
    expect_no_line out 'fork\(\)|\[child '
}

t_counts_add_up_to_n_in_both_modes() {
    for mode in --racy --synced; do
        demo $mode --runs 777
        expect_status 0
        expect_tally_adds_up 777
    done
}

t_synced_is_always_full_over_a_thousand_runs() {
    demo --synced --runs 1000
    expect_status 0
    [ "$(tally full)" = 1000 ] || fail "full in $(tally full) of 1000 runs"
}

t_synced_is_always_full_with_a_slow_writer() {
    # The child now arrives while the message is half written; the
    # semaphore still holds it until the last byte is in.
    demo --synced --runs 1000 --write-delay 1
    expect_status 0
    [ "$(tally full)" = 1000 ] || fail "full in $(tally full) of 1000 runs"
    demo --synced --delay 0 --write-delay 2000
    expect_status 0
    [ "$(child_table)" = "A|l|a| |m|a| |k|o|t|a" ] ||
        fail "child's table is '$(child_table)'"
}

t_racy_with_a_small_delay_is_mostly_empty() {
    # The parent sleeps 5 ms before writing; a child that reads at once
    # practically always finds nothing. 90% leaves room for a slow machine.
    demo --racy --runs 100 --delay 5
    expect_status 0
    expect_tally_adds_up 100
    [ "$(tally empty)" -ge 90 ] || fail "only $(tally empty) of 100 runs empty"
    expect_line out '^verdict: [0-9]+ of 100 runs read too early'
}

t_racy_with_a_slow_writer_shows_torn_tables() {
    # 11 characters, 0.5 ms apart: the child arrives mid-message.
    demo --racy --runs 50 --write-delay 500
    expect_status 0
    expect_tally_adds_up 50
    [ "$(tally torn)" -ge 1 ] || fail "no torn table in 50 runs"
}

t_runs_sets_the_delay_to_0_unless_given() {
    demo --racy --runs 5
    expect_status 0
    expect_line out 'running the experiment 5 times'
    expect_no_line out 'doing other work'
    # With --delay given, it is used: 5 runs of 200 ms are mostly empty.
    demo --racy --runs 5 --delay 200
    expect_status 0
    [ "$(tally empty)" -ge 4 ] || fail "only $(tally empty) of 5 runs empty"
}

t_progress_shows_on_a_terminal_and_is_cleared() {
    "$supervise" -p -- "$SHMDEMO" --synced --runs 3000 >tty_out
    grep -q "$(printf '\r')run [0-9]* of 3000 ([0-9]*%)" tty_out ||
        fail "no progress counter on the terminal"
    grep -q "$(printf '\r\033')\[K" tty_out || fail "the counter is not cleared"
}

t_no_progress_when_stderr_is_not_a_terminal() {
    demo --synced --runs 3000
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
    "$supervise" -r large -- "$SHMDEMO" --synced --runs 5000 >>out
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
