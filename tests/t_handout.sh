# tests/t_handout.sh: the handout, handout/racy and handout/synced, the
# course's two programs as a class sees them: one line, the table the child
# read. Sourced by tests/run.sh; each t_... function is one test.
# shellcheck shell=sh disable=SC2154,SC2034 # $top, $build... come from run.sh

handout_message="A|l|a| |m|a| |k|o|t|a"

# handout_runs PROGRAM COUNT [SPEC]: run COUNT copies of handout/PROGRAM at
# once (each sleeps 100 ms: one after another they would take seconds),
# each under supervise (20 s at most, a hang guard only), with the fault
# SPEC of tests/fault.c if given. Run K leaves its PID in pid.K, its output
# in out.K and err.K, its exit status in status.K. Then fails the test if
# any run left a name of its own PID in /dev/shm (removing it).
handout_runs() {
    binary=$top/handout/$1
    [ -x "$binary" ] || fail "no $binary: run make"
    run=1
    while [ "$run" -le "$2" ]; do
        (
            # The names hold the PID: the shell's, which exec keeps.
            "$supervise" -t 20 -- sh -c 'echo $$ >"$1"
                [ -z "$2" ] || { SHMDEMO_FAULT=$2 LD_PRELOAD=$3 &&
                    export SHMDEMO_FAULT LD_PRELOAD; }
                exec "$0"' "$binary" "pid.$run" "${3:-}" \
                "$build/libfault.so" >"out.$run" 2>"err.$run"
            echo $? >"status.$run"
        ) &
        run=$((run + 1))
    done
    wait
    left=
    for file in pid.*; do
        [ -f "$file" ] || continue
        pid=$(cat "$file")
        for name in "handout-$pid-mem" "handout-$pid-sem" "sem.handout-$pid-sem"; do
            [ -e "/dev/shm/$name" ] || continue
            left="$left $name"
            rm -f "/dev/shm/$name"
        done
    done
    [ -z "$left" ] || fail "left in /dev/shm:$left"
}

# expect_handout_ran_cleanly K: run K exited 0, said nothing on stderr and
# printed one line.
expect_handout_ran_cleanly() {
    [ "$(cat "status.$1")" = 0 ] || fail "run $1: exit status $(cat "status.$1"); stderr: $(cat "err.$1")"
    [ ! -s "err.$1" ] || fail "run $1: stderr is not empty: $(cat "err.$1")"
    [ "$(wc -l <"out.$1")" -eq 1 ] || fail "run $1: not one line: $(cat "out.$1")"
}

t_handout_synced_prints_the_whole_message_every_time() {
    handout_runs synced 20
    run=1
    while [ "$run" -le 20 ]; do
        expect_handout_ran_cleanly $run
        [ "$(cat "out.$run")" = "$handout_message" ] ||
            fail "run $run of 20 printed: $(cat "out.$run")"
        run=$((run + 1))
    done
}

t_handout_racy_prints_the_table_it_read() {
    handout_runs racy 3
    # Each cell is the letter the parent writes there, or _ (a zero byte):
    # empty, torn or full, but a table of the message's 11 cells.
    table='^(A|_)\|(l|_)\|(a|_)\|( |_)\|(m|_)\|(a|_)\|( |_)\|(k|_)\|(o|_)\|(t|_)\|(a|_)$'
    for run in 1 2 3; do
        expect_handout_ran_cleanly $run
        expect_line "out.$run" "$table"
    done
    say "NOTE: racy printed $(cat out.1 out.2 out.3 | sort | uniq -c |
        awk '{ $1 = $1 " x"; print }' | tr '\n' ';' | sed 's/;$//; s/;/; /g')" >note
}

# handout_fault_library_works: the fault library has an effect on the
# handout as built here (not on macOS, a static build...); else skip.
handout_fault_library_works() {
    fault_library_works
    mkdir handout-probe && (cd handout-probe && handout_runs racy 1 shm_open:EACCES) ||
        fail "the probe run of racy with the fault library failed"
    grep -q "^racy: shm_open: $(error_text EACCES)$" handout-probe/err.1 ||
        skip "LD_PRELOAD has no effect on this build (static, macOS, or another word size)"
}

t_handout_a_failed_call_is_named_and_exits_1() {
    handout_fault_library_works
    # The calls the fault library can fail, each in a run of its own, and
    # what err(3) must say then: "PROGRAM: CALL: the error's text".
    for case in racy:ftruncate:EFBIG racy:mmap:ENOMEM racy:fork:EAGAIN \
        racy:waitpid:ECHILD synced:shm_open:EACCES synced:sem_open:EMFILE \
        synced:sem_wait:EINVAL:1:child synced:waitpid:ECHILD; do
        program=${case%%:*}
        spec=${case#*:}
        mkdir "$program-$spec" && cd "$program-$spec" || fail "cannot make a folder $program-$spec"
        handout_runs "$program" 1 "$spec"
        [ "$(cat status.1)" = 1 ] || fail "$case: exit status $(cat status.1)"
        [ "$(cat err.1)" = "$program: ${spec%%:*}: $(error_text "$(say "$spec" | cut -d: -f2)")" ] ||
            fail "$case: stderr is: $(cat err.1)"
        cd ..
    done
}

t_handout_synced_names_are_gone_while_its_processes_run() {
    # Unlinked right after creation, so nothing is left even if the
    # processes are killed: the names are gone while they still hold the
    # page and the semaphore. To look at that moment for sure, the
    # parent's nanosleep fails (fault library): the parent exits before
    # its sem_post, and its child waits in sem_wait until killed here.
    # supervise (in the background) reaps the orphan, and kills it after
    # 20 s if this test ends before it does (a hang guard only).
    [ -d /dev/shm ] || skip "no /dev/shm to look in on this system"
    handout_fault_library_works
    : >calls
    "$supervise" -t 20 -- sh -c 'echo $$ >pid
        SHMDEMO_FAULT=nanosleep:EINVAL SHMDEMO_FAULT_LOG=$1 LD_PRELOAD=$2
        export SHMDEMO_FAULT SHMDEMO_FAULT_LOG LD_PRELOAD
        exec "$0"' "$top/handout/synced" "$PWD/calls" "$build/libfault.so" \
        >out 2>err &
    supervisor=$!
    wait_for_line calls '^[0-9]* fork [0-9]'
    parent=$(cat pid)
    child=$(sed -n "s/^$parent fork \([0-9][0-9]*\)$/\1/p" calls)
    [ -n "$child" ] || fail "no fork of $parent in the fault library's log: $(cat calls)"
    expect_ended "$parent"
    wait_for_line calls "^$child sem_wait"
    running "$child" || fail "the child $child is not waiting in sem_wait"
    left=$(cd /dev/shm && for name in *"handout-$parent-"*; do
        [ -e "$name" ] && say "$name" && rm -f "$name"
    done)
    running "$child" || fail "the child $child ended while /dev/shm was looked at"
    kill -KILL "$child"
    wait "$supervisor"
    status=$?
    [ "$status" = 1 ] && [ "$(cat err)" = "synced: nanosleep: $(error_text EINVAL)" ] ||
        fail "exit status $status, stderr: $(cat err)"
    [ -z "$left" ] || fail "while its child still ran, /dev/shm held: $left"
}
