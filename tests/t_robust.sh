# tests/t_robust.sh: failures, interruptions, name clashes, signals, crowds and
# hostile input. Each failing call must give exit 1, one message on stderr
# naming the call, nothing in /dev/shm (run.sh checks) and no process left.
# Sourced by tests/run.sh; each t_... function is one test.
# shellcheck shell=sh disable=SC2154,SC2034 # $status, $build... come from run.sh

# expect_nothing_running: no process that took part is still running.
# (supervise has already waited for all of them: this double-checks.)
expect_nothing_running() {
    for pid in $(cut -d' ' -f1 calls 2>/dev/null | sort -u) $(parent_pid) $(child_pid); do
        expect_ended "$pid"
    done
}

# expect_failure CALL MESSAGE SPEC ARGUMENT...: with the fault SPEC, the run
# ends with exit 1 and exactly "shmdemo: CALL: MESSAGE" on stderr.
expect_failure() {
    call=$1
    message=$2
    shift 2
    with_fault "$@"
    expect_status 1
    expect_stderr "shmdemo: $call: $(error_text "$message")"
    expect_nothing_running
}

t_each_failing_call_in_a_single_run_exits_1_naming_it() {
    expect_failure shm_open EACCES shm_open:EACCES --synced --delay 0
    expect_failure ftruncate EFBIG ftruncate:EFBIG --synced --delay 0
    expect_failure mmap ENOMEM mmap:ENOMEM --synced --delay 0
    expect_failure sem_open EMFILE sem_open:EMFILE --synced --delay 0
    expect_failure fork EAGAIN fork:EAGAIN --synced --delay 0
    expect_failure sem_post EOVERFLOW sem_post:EOVERFLOW --synced --delay 0
    expect_failure sem_wait EINVAL sem_wait:EINVAL:1:child --synced --delay 0
    expect_failure waitpid ECHILD waitpid:ECHILD --synced --delay 0
    expect_failure waitpid ECHILD waitpid:ECHILD --racy --delay 0
}

t_each_failing_call_in_many_runs_exits_1_naming_it() {
    # The third experiment fails; the first two went well.
    expect_failure fork EAGAIN fork:EAGAIN:3 --synced --runs 10
    expect_failure sem_post EOVERFLOW sem_post:EOVERFLOW:3 --synced --runs 10
    expect_failure sem_wait EINVAL sem_wait:EINVAL:1:child --synced --runs 10
    expect_failure waitpid ECHILD waitpid:ECHILD:3 --synced --runs 10
    expect_failure waitpid ECHILD waitpid:ECHILD:3 --racy --runs 10
    expect_failure shm_open EACCES shm_open:EACCES --racy --runs 10
}

t_a_failed_sem_post_stops_the_waiting_child() {
    # The child would wait forever for a post that never comes: the
    # parent must stop it and reap it itself before exiting (not leave it
    # to the kernel's parent-death signal, which not every system has).
    for mode in "--delay 0" "--runs 10"; do
        # shellcheck disable=SC2086 # a list of arguments
        expect_failure sem_post EOVERFLOW sem_post:EOVERFLOW --synced $mode
        child=$(sed -n "s/^$(parent_pid) fork \([0-9]*\)$/\1/p" calls | tail -n 1)
        [ -n "$child" ] || fail "$mode: no child found"
        grep -q "^$(parent_pid) waitpid $child$" calls ||
            fail "$mode: the parent did not reap child $child itself"
    done
}

t_interrupted_sem_wait_and_waitpid_are_retried() {
    with_fault sem_wait:EINTR:1:child --synced --delay 100
    expect_status 0
    [ "$(child_table)" = "A|l|a| |m|a| |k|o|t|a" ] || fail "child saw '$(child_table)'"
    [ "$(grep -c ' sem_wait' calls)" = 2 ] || fail "sem_wait was not called again"
    with_fault waitpid:EINTR --synced --delay 0
    expect_status 0
    [ "$(grep -c ' waitpid' calls)" = 2 ] || fail "waitpid was not called again"
    with_fault sem_wait:EINTR:1:child --synced --runs 50
    expect_status 0
    [ "$(tally full)" = 50 ] || fail "full in $(tally full) of 50 runs"
}

t_an_interrupted_delay_sleeps_only_the_rest() {
    # The fault library cuts the parent's first wait short halfway, as a
    # signal would; the next wait must be for what remained of the 400 ms:
    # at most 200 ms (a little less, the time the first took beyond half).
    with_fault pselect:EINTR --racy --delay 400
    expect_status 0
    parent=$(parent_pid)
    waits=$(sed -n "s/^$parent pselect //p" calls | tr '\n' ' ')
    # shellcheck disable=SC2086 # two words, one per wait
    set -- $waits
    [ "$#" = 2 ] || fail "the parent's timed waits: $waits"
    case $1 in 0.39* | 0.400000000) ;; *) fail "first wait: $1 s, not 0.4 s" ;; esac
    case $2 in 0.1[5-9]* | 0.200000000) ;; *) fail "second wait: $2 s, not the rest of 0.2 s" ;; esac
}

t_a_name_clash_moves_on_to_the_next_name() {
    with_fault shm_open:EEXIST --synced --delay 0
    expect_status 0
    # (The result goes on a line of its own when the call is long.)
    expect_line out 'shm_open\("/shmdemo-[0-9]+-mem", \.\.\.\)'
    expect_line out '= -1 EEXIST: name taken, trying the next$'
    expect_line out 'shm_open\("/shmdemo-[0-9]+-mem-1", O_CREAT\|O_EXCL\|O_RDWR,'
    with_fault sem_open:EEXIST --synced --delay 0
    expect_status 0
    expect_line out 'sem_open\("/shmdemo-[0-9]+-sem-1", O_CREAT\|O_EXCL, 0600, 0\)'
    [ "$(child_table)" = "A|l|a| |m|a| |k|o|t|a" ] || fail "child saw '$(child_table)'"
}

t_planted_objects_are_never_opened_or_unlinked() {
    [ -d /dev/shm ] || skip "no /dev/shm in which to plant the names (Linux shows them as files there)"
    # The shell plants both names the demo would pick first, then becomes
    # shmdemo (exec keeps its PID, so $$ is shmdemo's PID).
    "$supervise" -- sh -c '
        printf planted >/dev/shm/shmdemo-$$-mem &&
        printf planted >/dev/shm/sem.shmdemo-$$-sem &&
        printf planted >/dev/shm/shmdemo-$$-sem &&
        chmod 644 /dev/shm/shmdemo-$$-mem /dev/shm/sem.shmdemo-$$-sem /dev/shm/shmdemo-$$-sem &&
        { [ "$(id -u)" != 0 ] || chown 65534 /dev/shm/shmdemo-$$-mem /dev/shm/sem.shmdemo-$$-sem /dev/shm/shmdemo-$$-sem; } &&
        echo $$ >pid && exec "$0" --synced --delay 0' "$SHMDEMO" >out 2>err
    status=$?
    pid=$(cat pid)
    planted_shm=$(cat "/dev/shm/shmdemo-$pid-mem" 2>/dev/null)
    planted_sem=$(cat "/dev/shm/sem.shmdemo-$pid-sem" "/dev/shm/shmdemo-$pid-sem" 2>/dev/null)
    rm -f "/dev/shm/shmdemo-$pid-mem" "/dev/shm/sem.shmdemo-$pid-sem" "/dev/shm/shmdemo-$pid-sem"
    expect_status 0
    [ "$planted_shm" = planted ] && [ "$planted_sem" = plantedplanted ] ||
        fail "a planted object was changed or removed"
    expect_line out "shm_open\(\"/shmdemo-$pid-mem-1\", O_CREAT"
    expect_line out "sem_open\(\"/shmdemo-$pid-sem-1\", O_CREAT"
    [ "$(child_table)" = "A|l|a| |m|a| |k|o|t|a" ] || fail "child saw '$(child_table)'"
}

t_every_name_taken_gives_a_clear_error() {
    [ -d /dev/shm ] || skip "no /dev/shm in which to plant the names (Linux shows them as files there)"
    "$supervise" -- sh -c '
        printf x >/dev/shm/shmdemo-$$-mem
        for n in 1 2 3 4 5 6 7 8 9; do printf x >/dev/shm/shmdemo-$$-mem-$n; done
        echo $$ >pid && exec "$0" --racy --delay 0' "$SHMDEMO" >out 2>err
    status=$?
    pid=$(cat pid)
    intact=$(cat /dev/shm/shmdemo-"$pid"-mem /dev/shm/shmdemo-"$pid"-mem-[0-9])
    rm -f /dev/shm/shmdemo-"$pid"-mem /dev/shm/shmdemo-"$pid"-mem-[0-9]
    expect_status 1
    expect_stderr "shmdemo: shm_open (every name tried): $(error_text EEXIST)"
    [ "$intact" = xxxxxxxxxx ] || fail "the planted objects were touched"
}

t_ctrl_c_during_the_delay_ends_both_processes() {
    # A real terminal: Ctrl-C is typed once the delay has begun, the
    # terminal signals the group. (The delay outlasts the hang guard.)
    for mode in --racy --synced; do
        "$supervise" -t 20 -p -m 'doing other work' -K '^C' -- "$SHMDEMO" $mode --delay 60000 >out
        status=$?
        expect_status 130 # 128 + SIGINT
        expect_line out 'doing other work for 60000 ms'
        expect_ended "$(child_pid)"
    done
}

t_ctrl_c_during_many_runs_ends_everything() {
    "$supervise" -t 20 -p -m 'running the experiment' -K '^C' -- "$SHMDEMO" --synced --runs 10000000 >out
    status=$?
    expect_status 130
}

t_sigint_to_the_process_group_ends_both() {
    # SIGINT ends it whether it comes before its handlers are set or after.
    "$supervise" -t 20 -a 300 -g 2 -- "$SHMDEMO" --synced --delay 60000 >out 2>err
    status=$?
    expect_status 130
}

# kill_when READY VICTIM COMMAND...: run COMMAND under supervise in the
# background; once out has a line matching READY (and a moment more), kill
# the parent or the child (VICTIM) with SIGKILL; wait for supervise, which
# also waits for orphans: a process that never ends is a time-out (124).
# The status goes to $status, the victim's PID to $victim_pid.
kill_when() {
    ready=$1
    victim=$2
    shift 2
    "$supervise" -t 20 -- "$@" >out 2>err &
    watcher=$!
    wait_for_line out "$ready"
    sleep 0.2
    if [ "$victim" = parent ]; then
        victim_pid=$(parent_pid)
    else
        wait_for_line out 'fork\(\) = ' # the child may have spoken first
        victim_pid=$(child_pid)
    fi
    kill -KILL "$victim_pid"
    wait "$watcher"
    status=$?
}

# The parent is killed outright; the child, waiting on a semaphore nobody
# will post, must end by itself.
t_child_ends_when_its_parent_is_killed() {
    kill_when 'sem_wait\(sem\) \.\.\.' parent "$SHMDEMO" --synced --delay 60000
    expect_status 137 # 128 + SIGKILL, and not a time-out
    expect_ended "$(child_pid)"
}

t_child_ends_when_its_parent_is_killed_without_prctl() {
    # The portable fallback (a check of getppid() once a second), which
    # systems without prctl use; built by run.sh.
    kill_when 'sem_wait\(sem\) \.\.\.' parent "$build/shmdemo-portable" --synced --delay 60000
    expect_status 137
    expect_ended "$(child_pid)"
}

t_children_end_when_the_parent_of_many_runs_is_killed() {
    kill_when 'running the experiment' parent "$SHMDEMO" --synced --runs 10000000 --delay 2
    expect_status 137
}

t_a_killed_child_is_reported_by_signal() {
    # The parent posts after its 3 s delay; the kill comes long before (a
    # child that got past sem_wait would mean the guard was too short).
    kill_when 'sem_wait\(sem\) \.\.\.' child "$SHMDEMO" --synced --delay 3000
    expect_no_line out 'sem_wait\(sem\) = 0'
    expect_status 1
    expect_stderr "shmdemo: child $victim_pid was killed by signal 9 ($(signal_text 9))"
}

t_a_crowd_of_instances_does_not_interfere() {
    pids=""
    for n in 1 2 3 4; do
        "$supervise" -t 20 -- "$SHMDEMO" --synced --delay 200 >"single$n" 2>&1 &
        pids="$pids $!"
    done
    for n in 1 2; do
        "$supervise" -t 20 -- "$SHMDEMO" --synced --runs 50 >"synced$n" 2>&1 &
        pids="$pids $!"
        "$supervise" -t 20 -- "$SHMDEMO" --racy --runs 50 >"racy$n" 2>&1 &
        pids="$pids $!"
    done
    for pid in $pids; do
        wait "$pid" || fail "an instance failed: $(cat single* synced* racy*)"
    done
    for n in 1 2 3 4; do
        grep -q '^verdict: full: ' "single$n" || fail "single run $n: $(cat "single$n")"
    done
    for n in 1 2; do
        grep -E -q '^full +50 ' "synced$n" || fail "synced $n: $(cat "synced$n")"
        grep -E -q '^verdict: ' "racy$n" || fail "racy $n: $(cat "racy$n")"
    done
    # Every instance used a name of its own.
    [ "$(cat single* synced* racy* | grep -o 'shm_open("[^"]*"' | sort | uniq -d)" = "" ] ||
        fail "two instances used the same name"
}

t_a_full_disk_is_an_error_not_silence() {
    [ -w /dev/full ] || skip "no /dev/full here to write to"
    "$supervise" -- "$SHMDEMO" --synced --delay 0 >/dev/full 2>err
    status=$?
    expect_status 1
    expect_stderr "shmdemo: write to stdout: $(error_text ENOSPC)"
}

t_a_closed_stdout_is_an_error_not_silence() {
    "$supervise" -- sh -c 'exec "$0" --racy --delay 0 >&-' "$SHMDEMO" 2>err
    status=$?
    expect_status 1
    expect_stderr "shmdemo: stdout: $(error_text EBADF)"
    "$supervise" -- sh -c 'exec "$0" --help >&-' "$SHMDEMO" 2>err
    status=$?
    expect_status 1
}

t_the_childs_failed_output_is_an_error_not_silence() {
    expect_failure "write to stdout" EIO fputs:EIO:1:child --synced --delay 0
    expect_failure "write to stdout" EIO fputs:EIO:3:child --racy --delay 0
}

t_a_reader_that_goes_away_ends_everything() {
    # `shmdemo | head -n 1`: the parent dies of SIGPIPE while the child
    # waits; nothing may be left waiting.
    "$supervise" -t 10 -- sh -c '"$0" --synced --delay 300 | head -n 1' "$SHMDEMO" >out 2>err
    status=$?
    expect_status 0
    [ "$(wc -l <out)" = 1 ] || fail "expected one line: $(cat out)"
}

# The hostile command lines, one per line.
hostile_arguments() {
    long=$(printf '%100000s' '' | tr ' ' 7)
    for arguments in "--racy --delay 99999999999999999999999" "--racy --delay -1" \
        "--racy --delay=" "--racy --delay 0x10" "--racy --delay 10abc" \
        "--racy --delay +5" "--racy --delay 1.5" "--racy --runs 00000000000000000000000000001x" \
        "--racy --racy" "--synced --racy" "--racy --delay 1 --delay 2" \
        "--racy --runs $long" "--racy $long" "--$long" "-" "--"; do
        say "$arguments"
    done
}

t_hostile_arguments_exit_2_with_one_short_message() {
    hostile_arguments | while IFS= read -r arguments; do
        # shellcheck disable=SC2086 # each string is a list of arguments
        demo $arguments
        expect_status 2
        [ "$(wc -l <err)" = 2 ] || fail "'$arguments': stderr is not two lines"
        expect_line err '^shmdemo: '
        [ "$(head -n 1 err | wc -c)" -le 120 ] || fail "the message is too long: $(head -c 200 err)"
        [ ! -s out ] || fail "something on stdout"
    done || exit 1
    long=$(printf '%100000s' '' | tr ' ' 7)
    demo --racy --delay ' 5'
    expect_status 2
    expect_line err "^shmdemo: --delay: ' 5' is not a whole number"
    demo --racy --runs "$long"
    expect_line err "^shmdemo: --runs: '777777777777777777777777\.\.\.' is not a whole number of runs from 1 to 10000000$"
    demo --racy --racy
    expect_line err "^shmdemo: option '--racy' given more than once$"
    demo --racy --synced
    expect_line err "^shmdemo: choose one mode: --racy or --synced, not both$"
}

t_hostile_arguments_create_nothing() {
    # The fault library logs every shm_open, sem_open and fork: none.
    fault_library_works
    hostile_arguments | while IFS= read -r arguments; do
        # shellcheck disable=SC2086 # each string is a list of arguments
        with_fault none $arguments
        expect_status 2
        ! grep -E -q ' (shm_open|sem_open|fork) ' calls || fail "'$arguments' created something"
    done || exit 1
}

t_output_failing_while_names_exist_leaves_nothing() {
    # Each write to stdout before the fork fails in turn: among them the
    # narration of shm_open and sem_open, kept back while their names
    # exist and written in one piece when the names are gone. Every time:
    # exit 1, one message, and nothing in /dev/shm (run.sh checks the
    # names of every PID this test ran).
    for line in 1 2 3 4 5 6; do
        with_fault "fputs:EIO:$line" --synced --delay 0
        expect_status 1
        expect_stderr "shmdemo: write to stdout: $(error_text EIO)"
    done
}
