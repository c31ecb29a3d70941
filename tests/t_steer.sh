# tests/t_steer.sh: steering the race with --schedule LIST and --step, as a
# user sees it: the same schedule gives the same table every time, a blocked
# child is reported as blocked, and --step leaves the terminal as it was.
# Sourced by tests/run.sh; each t_... function is one test.
# shellcheck shell=sh disable=SC2154,SC2034 # $status, $SHMDEMO... come from run.sh

# steer ARGUMENT...: run shmdemo, like demo (hang guard 20 s: a turn that
# never comes shows up as status 124).
steer() {
    "$supervise" -t 20 -- "$SHMDEMO" "$@" >out 2>err
    status=$?
}

# turns: the lines that mark the turns, without their "------ ".
turns() { sed -n 's/^------ //p' out; }

expect_table() {
    [ "$(child_table)" = "$1" ] || fail "child's table is '$(child_table)', expected '$1'"
}

expect_verdict() {
    [ "$(verdict_word)" = "$1" ] || fail "verdict is '$(verdict_word)', expected $1"
}

# expect_count N REGEX: exactly N lines of out match REGEX.
expect_count() {
    count=$(grep -c -E -- "$2" out)
    [ "$count" = "$1" ] || {
        say "--- out:"
        cat out
        fail "$count lines match '$2', expected $1"
    }
}

# without_prompts FILE: what the terminal showed, without carriage returns
# and without the prompts of --step ("next: ... [q] quit ", each erased with
# ESC [K when a key is read; a key typed before the keyboard was taken may
# have been echoed after it).
without_prompts() {
    esc=$(printf '\033')
    tr -d '\r' <"$1" |
        sed -e "s/${esc}\[Knext: [^${esc}]*\[q\] quit [pcq]\{0,1\}${esc}\[K/${esc}[K/g" \
            -e "s/${esc}\[Knext: [^${esc}]*\[q\] quit //g" -e "s/${esc}\[K//g"
}

# on_keys KEYS COMMAND...: run COMMAND on a pseudo-terminal, typing the next
# of KEYS each time the prompt of --step shows once more ("^C" is Ctrl-C).
# The terminal showed screen; out is that without the prompts.
on_keys() {
    keys=$1
    shift
    NO_COLOR=1 "$supervise" -t 10 -p -m '[q] quit' -K "$keys" -- "$@" >screen 2>err
    status=$?
    [ "$status" != 1 ] || ! grep -q 'pseudo-terminal' err ||
        skip "no pseudo-terminal here: $(cat err)"
    without_prompts screen >out
}

# stty_around KEYS: shmdemo --racy --step on a pseudo-terminal, inside a
# shell that saves the terminal's settings before and after it (stty -g)
# and its exit status in the file inner. The shell traps Ctrl-C, so that
# it lives on after it to look; shmdemo itself starts with the default.
stty_around() {
    rm -f before after inner
    # shellcheck disable=SC2016 # expanded by the inner shell
    on_keys "$1" sh -c 'trap : INT; stty -g >before; "$0" --racy --step
        echo $? >inner; stty -g >after' "$SHMDEMO"
    [ "$status" = 0 ] && [ -s before ] && [ -s after ] ||
        fail "keys $1: the shell around shmdemo did not finish (status $status): $(cat err)"
    [ "$(cat before)" = "$(cat after)" ] ||
        fail "keys $1: the terminal was '$(cat before)' before and '$(cat after)' after"
}

# --- --schedule: the same letters, the same table ------------------------------

t_steer_schedule_c_makes_the_racy_child_read_an_empty_table() {
    steer --racy --schedule c
    expect_status 0
    expect_table "_|_|_|_|_|_|_|_|_|_|_"
    expect_verdict empty
    expect_line out 'doing other work for 0 ms$' # --delay is 0 with --schedule
    [ "$(turns)" = "c: the child's turn: read the table
the schedule has run out: both run freely" ] || fail "turns marked: $(turns)"
    # The child read before the parent's first write.
    read_at=$(grep -n 'table at' out | sed -n '2s/:.*//p')
    wrote_at=$(grep -n 'wrote "Ala ma kota"' out | cut -d: -f1)
    [ -n "$read_at" ] && [ -n "$wrote_at" ] && [ "$read_at" -lt "$wrote_at" ] ||
        fail "the child's table (line $read_at) is not before the write (line $wrote_at)"
}

t_steer_schedule_pppc_makes_the_racy_child_read_exactly_ala() {
    steer --racy --schedule pppc
    expect_status 0
    expect_table "A|l|a|_|_|_|_|_|_|_|_"
    expect_verdict torn
    [ "$(turns)" = "p: the parent's turn: write 'A' into table[0]
p: the parent's turn: write 'l' into table[1]
p: the parent's turn: write 'a' into table[2]
c: the child's turn: read the table
the schedule has run out: both run freely" ] || fail "turns marked: $(turns)"
    # The teacher's hand is not the lesson: the racy run has no semaphore.
    expect_no_line out 'sem_(open|unlink|wait|post)'
}

t_steer_schedule_of_eleven_p_then_c_gives_the_full_table() {
    steer --racy --schedule pppppppppppc
    expect_status 0
    expect_table "A|l|a| |m|a| |k|o|t|a"
    expect_verdict full
    expect_count 11 "^------ p: the parent's turn: write '.' into table\[[0-9]+\]$"
    expect_line out "^------ p: the parent's turn: write 'a' into table\[10\]$"
}

t_steer_synced_child_named_first_is_blocked_then_reads_the_full_table() {
    steer --synced --schedule c
    expect_status 0
    [ "$(turns)" = "c: the child's turn: sem_wait(sem)
the child is blocked in sem_wait: nothing has been posted
the schedule has run out: both run freely" ] || fail "turns marked: $(turns)"
    expect_table "A|l|a| |m|a| |k|o|t|a"
    expect_verdict full
    # Blocked until the post, and not one line longer.
    blocked=$(grep -n '^------ the child is blocked' out | cut -d: -f1)
    post=$(grep -n 'sem_post(sem) \.\.\.' out | cut -d: -f1)
    waited=$(grep -n 'sem_wait(sem) = 0' out | cut -d: -f1)
    [ -n "$blocked" ] && [ -n "$post" ] && [ -n "$waited" ] &&
        [ "$blocked" -lt "$post" ] && [ "$post" -lt "$waited" ] ||
        fail "blocked at line $blocked, post at $post, sem_wait returned at $waited"
}

t_steer_a_blocked_child_is_reported_once_for_each_letter() {
    steer --synced --schedule ccc
    expect_status 0
    expect_count 1 '^------ the child is blocked in sem_wait: nothing has been posted$'
    expect_count 2 '^------ c: the child is blocked in sem_wait: nothing has been posted$'
    expect_count 3 'the child is blocked'
    expect_table "A|l|a| |m|a| |k|o|t|a"
    expect_verdict full
    # All three reports come before the parent's first write.
    last_report=$(grep -n 'the child is blocked' out | tail -n 1 | cut -d: -f1)
    wrote=$(grep -n 'wrote "Ala ma kota"' out | head -n 1 | cut -d: -f1)
    [ -n "$last_report" ] && [ -n "$wrote" ] && [ "$last_report" -lt "$wrote" ] ||
        fail "the last report (line $last_report) is not before the first write (line $wrote)"
}

t_steer_a_blocked_child_is_reported_between_its_wait_and_the_parents_next_step() {
    steer --synced --schedule c
    expect_status 0
    # The report comes after the child's sem_wait began, and before the
    # parent goes on (its next line). How soon is up to the machine.
    waiting=$(grep -n 'sem_wait(sem) \.\.\.$' out | head -n 1 | cut -d: -f1)
    report=$(grep -n '^------ the child is blocked in sem_wait' out | head -n 1 | cut -d: -f1)
    next=$(sed -n '/^------ the child is blocked/,$p' out | grep -n '^\[parent ' | head -n 1 | cut -d: -f1)
    [ -n "$waiting" ] && [ -n "$report" ] && [ -n "$next" ] && [ "$waiting" -lt "$report" ] ||
        fail "sem_wait on line $waiting, the report on line $report, the parent's next line: $next"
}

t_steer_each_schedule_gives_its_outcome_in_every_run() {
    for run in "--racy c empty" "--racy pppc torn" "--racy pppppppppppc full" \
        "--synced c full" "--synced ccc full"; do
        # shellcheck disable=SC2086 # mode, schedule and outcome
        set -- $run
        steer "$1" --schedule "$2" --runs 3
        expect_status 0
        [ "$(tally "$3")" = 3 ] || fail "$1 --schedule $2: $3 in $(tally "$3") of 3 runs"
        expect_no_line out '^------' # no narration of each run's turns
    done
    expect_line out '^verdict: 3 of 3 runs saw the full message'
}

t_steer_letters_for_a_process_with_no_steps_left_are_reported() {
    steer --racy --schedule cc
    expect_status 0
    [ "$(turns | sed -n 2p)" = "c: the child has no steps left" ] ||
        fail "the second c: $(turns | sed -n 2p)"
    expect_table "_|_|_|_|_|_|_|_|_|_|_"
    steer --racy --schedule ppppppppppppp
    expect_status 0
    expect_count 2 "^------ p: the parent has no steps left$"
    [ "$(turns | sed -n 12p)" = "p: the parent has no steps left" ] ||
        fail "the twelfth p: $(turns | sed -n 12p)"
    expect_table "A|l|a| |m|a| |k|o|t|a"
    expect_verdict full
}

t_steer_bad_schedules_and_step_with_other_choices_exit_2_with_a_hint() {
    for arguments in "--racy --schedule pxc" "--racy --schedule=" \
        "--racy --step --schedule pc" "--synced --step --runs 5"; do
        # shellcheck disable=SC2086 # each string is a list of arguments
        steer $arguments
        expect_status 2
        [ ! -s out ] || fail "'$arguments': something on stdout"
        [ "$(wc -l <err)" = 2 ] || fail "'$arguments': stderr is not two lines: $(cat err)"
        expect_line err "^Try 'shmdemo --help' for more information\.$"
    done
    steer --racy --schedule pxc
    expect_line err "^shmdemo: --schedule: 'x' is not p \(the parent\) or c \(the child\)$"
    steer --racy --schedule ''
    expect_status 2
    expect_line err '^shmdemo: --schedule: give at least one letter'
    steer --racy --step --schedule pc
    expect_line err '^shmdemo: .*--step.*--schedule'
    steer --synced --step --runs 5
    expect_line err '^shmdemo: .*--step.*--runs'
    steer --synced --step </dev/null
    expect_status 2
    [ ! -s out ] || fail "--step without a terminal: something on stdout"
    expect_line err '^shmdemo: --step .*terminal'
    expect_line err "^Try 'shmdemo --help' for more information\.$"
}

# --- --step: keys on a terminal ------------------------------------------------

t_steer_step_shows_and_reports_the_blocked_child_under_synced() {
    # c first: blocked; c again: said again; then the parent writes and
    # posts (12 p), and the child reads (c).
    on_keys ccppppppppppppc "$SHMDEMO" --synced --step
    expect_status 0
    expect_count 1 '^------ the child is blocked in sem_wait: nothing has been posted$'
    expect_count 1 '^------ c: the child is blocked in sem_wait: nothing has been posted$'
    # Each prompt fits on one line of the 80-column terminal: \r and ESC [K
    # erase only the last line, and a wrapped prompt would leave its start.
    tr '\r' '\n' <screen | sed -n 's/.*\(next: .*\[q\] quit\).*/\1/p' |
        awk 'length($0) > 78 { print; bad = 1 } END { exit bad }' >wide ||
        fail "prompts wider than the terminal: $(cat wide)"
    grep -q '\[c\] blocked in sem_wait  \[q\] quit' screen ||
        fail "the prompt does not show the child as blocked"
    expect_table "A|l|a| |m|a| |k|o|t|a"
    expect_verdict full
}

t_steer_step_keys_pppc_give_the_racy_child_exactly_ala() {
    on_keys pppcpppppppp "$SHMDEMO" --racy --step
    expect_status 0
    expect_table "A|l|a|_|_|_|_|_|_|_|_"
    expect_verdict torn
    grep -q "next: \[p\] write 'A' into table\[0\]  \[c\] read the table  \[q\] quit" screen ||
        fail "the first prompt does not say what each process does next"
}

t_steer_step_q_stops_both_processes_with_nothing_left() {
    # The child is blocked in sem_wait when q comes.
    on_keys cpq "$SHMDEMO" --synced --step
    expect_status 0
    expect_line out '^------ q: stopped'
    expect_line out '^stopped with q before the end'
    expect_no_line out '^verdict:'
    child=$(child_pid)
    [ -n "$child" ] || fail "no fork() line"
    expect_ended "$child"
    # Stopped, not let go: nothing more from the child after q.
    sed -n '/^------ q: stopped/,$p' out | grep -q '\[child ' &&
        fail "the child went on after q: $(cat out)"
    # The run was stopped before the end: the parent wrote one byte only.
    expect_no_line out 'wrote "Ala ma kota"|sem_post'
    # Where no kernel kills the child with its parent (the portable build,
    # built by run.sh), q itself must stop the child, or it would go on and
    # read the table once the parent has left. A shell holds the terminal a
    # moment longer, so that no hangup ends the child instead.
    # shellcheck disable=SC2016 # expanded by the inner shell
    on_keys pq sh -c '"$0" --racy --step; echo $? >inner; sleep 0.3' \
        "$build/shmdemo-portable"
    [ "$(cat inner)" = 0 ] || fail "portable build: exit status $(cat inner)"
    expect_line out '^------ q: stopped'
    expect_ended "$(child_pid)"
    expect_no_line out '\[child .*(table at|_exit)'
}

t_steer_step_leaves_the_terminal_as_it_found_it() {
    stty_around pppcpppppppp # to the end
    [ "$(cat inner)" = 0 ] || fail "to the end: exit status $(cat inner)"
    expect_line out '^verdict: torn'
    stty_around pq # q
    [ "$(cat inner)" = 0 ] || fail "q: exit status $(cat inner)"
    expect_line out '^stopped with q before the end'
    expect_ended "$(child_pid)"
    stty_around 'pp^C' # Ctrl-C
    [ "$(cat inner)" = 130 ] || fail "Ctrl-C: exit status $(cat inner), expected 130"
    expect_no_line out '^verdict:'
    expect_ended "$(child_pid)"
}

# --- without --schedule or --step, nothing of it --------------------------------

t_steer_nothing_marks_turns_in_plain_runs() {
    for mode in --racy --synced; do
        steer $mode --delay 0
        expect_status 0
        expect_no_line out '^------'
    done
}

t_steer_step_needs_a_terminal_for_its_prompt_too() {
    "$supervise" -t 10 -p -- sh -c '"$0" --racy --step >out 2>err; echo $? >status' "$SHMDEMO" >/dev/null
    [ "$(cat status)" = 2 ] || fail "exit status $(cat status), expected 2"
    expect_line err '^shmdemo: --step shows its prompt: standard output must be a terminal$'
    [ ! -s out ] || fail "something went to the file: $(od -c out | head -n 2)"
}

t_steer_step_restores_the_terminal_after_any_fatal_signal() {
    # SIGUSR1 (like SIGPIPE from | less) ends the program by default: it
    # must still give the terminal back, and end by that signal. (10 s is
    # a hang guard.)
    # shellcheck disable=SC2016 # for the inner shell
    "$supervise" -t 10 -p -- sh -c '
        stty -g >before
        "$0" --racy --step </dev/tty >/dev/tty 2>&1 &
        pid=$!
        # Only once it has taken the keyboard (no line mode): then there is
        # something to give back.
        until stty -a </dev/tty | grep -q -e "-icanon"; do sleep 0.05; done
        kill -USR1 $pid
        wait $pid
        echo $? >status
        stty -g >after' "$SHMDEMO" >/dev/null
    [ "$(cat status)" = $((128 + $(signal_number USR1))) ] ||
        fail "exit status $(cat status), expected 128 + SIGUSR1"
    cmp -s before after || fail "the terminal was left changed: $(cat before) / $(cat after)"
}
