# tests/t_conditions.sh: real conditions, not injected faults (issue 7): a
# full /dev/shm, file-size limits, signal settings inherited from the parent,
# signals in the window in which the names exist, PID 1 of a container,
# closed standard descriptors, and Ctrl-C or SIGTERM during --runs. Each
# case either runs normally or ends with its exit status and one message
# naming the call, with nothing left in /dev/shm (run.sh checks the names of
# the PIDs it ran; the tests that use a private /dev/shm look in it
# themselves) and nothing left running. Where the machine cannot set a
# condition up (not root, no unshare, no prlimit, no strace), the test says
# why and is skipped.
# Sourced by tests/run.sh; each t_... function is one test.
# shellcheck shell=sh disable=SC2154,SC2034 # $status, $SHMDEMO... come from run.sh

# --- helpers ------------------------------------------------------------------

# cond_signal NAME: the number of signal SIGNAME here, or nothing. bash and
# busybox answer `kill -l NAME`; dash only names a number, so look for it.
cond_signal() {
    number=$(kill -l "$1" 2>/dev/null)
    case $number in
    '' | *[!0-9]*)
        number=1
        while [ "$number" -lt 128 ]; do
            case $(kill -l "$number" 2>/dev/null) in
            "$1" | "SIG$1") say "$number" && return 0 ;;
            esac
            number=$((number + 1))
        done
        return 1
        ;;
    esac
    say "$number"
}

# cond_number NAME: as cond_signal, but a missing number ends the test.
cond_number() {
    cond_number=$(cond_signal "$1")
    [ -n "$cond_number" ] || fail "this shell knows no number for SIG$1"
}

# cond_ended PID: there is a PID to check, and that process has ended.
cond_ended() {
    [ -n "$1" ] || fail "no process ID found to check (see out)"
    expect_ended "$1"
}

# cond_sigint_usable: SIGINT was not ignored when this shell started (a
# job started in the background with & has it ignored, and shmdemo, like
# any program, keeps an ignored SIGINT ignored: Ctrl-C could not work).
cond_sigint_usable() {
    [ -r /proc/$$/status ] || return 0 # cannot tell: assume the usual
    ignored=$(sed -n 's/^SigIgn:[[:space:]]*//p' /proc/$$/status)
    [ -n "$ignored" ] || return 0
    cond_number INT
    [ $((0x$ignored >> (cond_number - 1) & 1)) = 0 ]
}

# split_run COMMAND...: run COMMAND with its stdout and its stderr each on a
# pipe (a file-size limit cuts writes to files, not to pipes), copied to
# the files out and err; its exit status goes to $status.
split_run() {
    { { "$@" 2>&1 >&3 3>&-; echo $? >status; } | cat >err; } 3>&1 | cat >out
    status=$(cat status)
}

# cond_no_names PID: no name of process PID is in /dev/shm.
cond_no_names() {
    for name in /dev/shm/shmdemo-"$1"-* /dev/shm/sem.shmdemo-"$1"-*; do
        [ ! -e "$name" ] || fail "left in /dev/shm: ${name#/dev/shm/}"
    done
}

# cond_wait_for_file FILE: wait for FILE to be there, not empty (hang guard
# 10 s).
cond_wait_for_file() {
    tries=0
    until [ -s "$1" ]; do
        tries=$((tries + 1))
        [ "$tries" -lt $((200 * HANG_GUARD_SCALE)) ] ||
            fail "hang guard: $1 did not appear in 10 s"
        sleep 0.05
    done
}

# cond_start ARGUMENT...: start supervise with these arguments in the
# background, output to out and err; $job is supervise, $pid the PID that
# the wrapper around shmdemo ran as (it exec's shmdemo, keeping the PID).
cond_start() {
    rm -f run.pid
    SHMDEMO_PIDS=$PWD/run.pid "$supervise" "$@" >out 2>err &
    job=$!
    cond_wait_for_file run.pid
    pid=$(head -n 1 run.pid)
    cat run.pid >>"$SHMDEMO_PIDS" # for run.sh's look in /dev/shm
}

# cond_can_delay: strace can hold a process after a system call
# (-e inject=...:delay_exit, strace 4.22 and later) on this machine.
cond_can_delay() {
    command -v strace >/dev/null 2>&1 &&
        strace -o /dev/null -e trace='?getpid' -e inject='?getpid:delay_exit=1' \
            true >/dev/null 2>&1
}

# --- a full /dev/shm ------------------------------------------------------------

t_a_full_dev_shm_is_no_space_left_on_device() {
    can_unshare || skip "needs root and unshare -m to mount a full tmpfs over /dev/shm"
    # One 4 KiB page, used up by filler: shm_open and ftruncate still
    # succeed there; the first touch of the mapping would be SIGBUS.
    for mode in --racy --synced; do
        "$supervise" -t 20 -- unshare -m sh -c '
            mount -t tmpfs -o size=4k tmpfs /dev/shm || exit 125
            head -c 4096 /dev/zero >/dev/shm/filler
            printf x >/dev/shm/probe 2>/dev/null && exit 126
            rm -f /dev/shm/probe
            "$0" "$@" >out 2>err
            echo $? >status
            ls -A /dev/shm >left' "$SHMDEMO" $mode --delay 0 >setup 2>&1
        case $? in
        125) skip "cannot mount a tmpfs over /dev/shm: $(cat setup)" ;;
        126) skip "a 4 KiB tmpfs with 4096 bytes in it is not full here" ;;
        esac
        status=$(cat status)
        expect_status 1
        expect_stderr "shmdemo: posix_fallocate: $(error_text ENOSPC)"
        [ "$(cat left)" = filler ] ||
            fail "$mode: the private /dev/shm holds: $(tr '\n' ' ' <left)"
        cond_ended "$(parent_pid)"
    done
}

# --- file-size limits -----------------------------------------------------------

# Under a file-size limit the wrapper must not append to $SHMDEMO_PIDS
# itself (SIGXFSZ would kill the shell): the inner shell notes its PID,
# which exec keeps, before it sets the limit.

t_ulimit_f_0_is_file_too_large_from_ftruncate() {
    for mode in --racy --synced; do
        split_run "$supervise" -t 20 -- sh -c '
            echo $$ >>"$SHMDEMO_PIDS"; unset SHMDEMO_PIDS
            ulimit -f 0 && exec "$0" "$@"' "$SHMDEMO" $mode --delay 0
        expect_status 1
        expect_stderr "shmdemo: ftruncate: $(error_text EFBIG)"
        cond_ended "$(parent_pid)"
    done
}

t_a_stdout_file_at_its_size_limit_is_file_too_large() {
    # ulimit -f 1: 512 bytes, less than one narrated run.
    { "$supervise" -t 20 -- sh -c '
        echo $$ >pid; echo $$ >>"$SHMDEMO_PIDS"; unset SHMDEMO_PIDS
        ulimit -f 1 && exec "$0" --synced --delay 0 >out' "$SHMDEMO"
        echo $? >status; } 2>&1 | cat >err
    status=$(cat status)
    expect_status 1
    expect_stderr "shmdemo: write to stdout: $(error_text EFBIG)"
    size=$(wc -c <out)
    [ "$size" -gt 0 ] && [ "$size" -le 512 ] || fail "out holds $size bytes"
    cond_no_names "$(cat pid)"
    cond_ended "$(cat pid)"
}

t_a_limit_that_cuts_sem_open_short_is_file_too_large() {
    command -v prlimit >/dev/null 2>&1 ||
        skip "needs prlimit (util-linux) for a limit under 512 bytes"
    # 12 bytes: the region's 11 fit; the write of the new semaphore (a
    # sem_t: 32 bytes, 16 on 32-bit systems) is cut short, which sets no
    # errno. In a private /dev/shm
    # when root: a failed sem_open may leave glibc's sem.XXXXXX file.
    # shellcheck disable=SC2016 # for the inner shell
    run='echo $$ >pid; echo $$ >>"$SHMDEMO_PIDS"; unset SHMDEMO_PIDS
        exec prlimit --fsize=12 "$0" --synced --delay 0'
    if can_unshare; then
        # shellcheck disable=SC2016 # for the inner shell
        "$supervise" -t 20 -- unshare -m sh -c '
            mount -t tmpfs -o size=1m tmpfs /dev/shm || exit 125
            { { sh -c "$1" "$0" 2>&1 >&3 3>&-; echo $? >status; } |
                cat >err; } 3>&1 | cat >out
            ls -A /dev/shm >left' "$SHMDEMO" "$run" >setup 2>&1
        [ "$?" != 125 ] || skip "cannot mount a tmpfs over /dev/shm: $(cat setup)"
        status=$(cat status)
        [ ! -s left ] || fail "the private /dev/shm holds: $(tr '\n' ' ' <left)"
    else
        split_run "$supervise" -t 20 -- sh -c "$run" "$SHMDEMO"
    fi
    expect_status 1
    expect_stderr "shmdemo: sem_open: $(error_text EFBIG)"
    cond_no_names "$(cat pid)"
    cond_ended "$(cat pid)"
}

# --- an address-space limit -----------------------------------------------------

# cond_under_limit KIB: shmdemo --synced under ulimit -v KIB; its PID (the
# shell's, which exec keeps) noted; its stderr's first line in $cond_said.
cond_under_limit() {
    # shellcheck disable=SC2016 # for the inner shell
    sh -c 'echo $$ >>"$SHMDEMO_PIDS"; echo $$ >pid
        ulimit -v "$1" 2>/dev/null || exit 125
        exec "$0" --synced --delay 0' "$real_shmdemo" "$1" >/dev/null 2>said
    cond_status=$?
    cond_said=$(head -n 1 said)
}

t_sem_open_failing_for_want_of_memory_leaves_no_name() {
    [ -d /dev/shm ] || skip "no /dev/shm to look in"
    # glibc's sem_open links the name into place, then allocates; under a
    # tight limit that allocation fails, and the name must not stay. The
    # limit at which it fails depends on the build and the C library: find
    # the lowest limit (KiB) it runs under, then go down a page at a time.
    low=512
    high=262144
    cond_under_limit "$high"
    [ "$cond_status" != 125 ] || skip "ulimit -v is not available in this shell"
    [ "$cond_status" = 0 ] ||
        skip "shmdemo does not run under ulimit -v $high (a sanitizer build?): $cond_said"
    while [ $((high - low)) -gt 4 ]; do
        middle=$(((low + high) / 2))
        cond_under_limit "$middle"
        if [ "$cond_status" = 0 ]; then high=$middle; else low=$middle; fi
    done
    limit=$high
    seen=0
    tried=0
    while [ "$tried" -lt 100 ] && [ "$limit" -gt 4 ]; do
        limit=$((limit - 4))
        tried=$((tried + 1))
        cond_under_limit "$limit"
        cond_no_names "$(cat pid)"
        case $cond_said in
        "shmdemo: sem_open: $(error_text ENOMEM)")
            [ "$cond_status" = 1 ] || fail "ulimit -v $limit: exit status $cond_status"
            seen=$limit
            break # one is enough: the name was linked, and is gone
            ;;
        esac
    done
    [ "$seen" -gt 0 ] ||
        skip "no limit from $high KiB down made sem_open fail for want of memory here"
    say "NOTE: sem_open failed for want of memory under ulimit -v $seen, and left no name" >note
}

# --- inherited signal settings --------------------------------------------------

# The settings go to shmdemo itself, not through run.sh's wrapper script:
# dash and busybox sh set an ignored SIGCHLD back to the default. (run.sh
# finds the PIDs for its look in /dev/shm in the output, "[parent PID]".)

# cond_inherits OPTION NAME FIELD: under supervise OPTION, a program
# starts with signal NAME in /proc/self/status's FIELD (SigIgn, SigBlk),
# where /proc can show it.
cond_inherits() {
    [ -r /proc/self/status ] || return 0
    cond_number "$2"
    mask=$("$supervise" "$1" "$cond_number" -- cat /proc/self/status |
        sed -n "s/^$3:[[:space:]]*//p")
    [ $((0x$mask >> (cond_number - 1) & 1)) = 1 ] ||
        fail "supervise $1 $cond_number did not set SIG$2 in $3 ($mask)"
}

t_sigchld_inherited_as_ignored_changes_nothing() {
    cond_inherits -i CHLD SigIgn
    cond_number CHLD
    chld=$cond_number
    binary=${real_shmdemo:-$SHMDEMO}
    for mode in --racy --synced; do
        "$supervise" -t 20 -i "$chld" -- "$binary" $mode --delay 0 >out 2>err
        status=$?
        expect_status 0
        [ ! -s err ] || fail "$mode: stderr: $(cat err)"
        expect_line out '^verdict: (full|empty|torn): '
    done
    [ "$(verdict_word)" = full ] || fail "--synced: verdict '$(verdict_word)'"
    "$supervise" -t 20 -i "$chld" -- "$binary" --synced --runs 20 >out 2>err
    status=$?
    expect_status 0
    [ "$(tally full)" = 20 ] || fail "full in '$(tally full)' of 20 runs"
}

t_ctrl_c_works_with_sigint_and_sigalrm_blocked_on_entry() {
    cond_sigint_usable || skip "SIGINT was ignored when the tests started (started with &?)"
    cond_inherits -b INT SigBlk
    cond_inherits -b ALRM SigBlk
    cond_number INT
    int=$cond_number
    cond_number ALRM
    : >err
    # Ctrl-C once the delay has begun (which outlasts the hang guard).
    NO_COLOR=1 "$supervise" -t 20 -p -m 'doing other work' -K '^C' -b "$int" -b "$cond_number" -- \
        "${real_shmdemo:-$SHMDEMO}" --synced --delay 60000 >tty_out
    status=$?
    tr -d '\r' <tty_out >out
    expect_status 130
    expect_line out 'doing other work for 60000 ms'
    expect_no_line out '^verdict'
    cond_ended "$(parent_pid)"
    cond_ended "$(child_pid)"
}

# --- the window in which the names exist ----------------------------------------

# cond_hold_in_window CALLS NAME SIGNAL: strace holds shmdemo --synced for
# 250 ms after each of CALLS returns, inside the create window; once
# /dev/shm/NAME (with PID for the PID) is there, SIGNAL is sent to it, and
# the name must still be there after the kill: the signal was sent inside
# the window. Load may make the look miss the window: that run is ended
# (its 60 s delay would outlast any guard) and another is made.
cond_hold_in_window() {
    attempts=0
    while :; do
        attempts=$((attempts + 1))
        [ "$attempts" -le 10 ] ||
            fail "hang guard: in 10 runs the look never caught $2 in /dev/shm"
        cond_start -t 20 -- strace -o /dev/null -e trace="$1" \
            -e inject="$1":delay_exit=250000 "$SHMDEMO" --synced --delay 60000
        # glibc names a semaphore sem.NAME in /dev/shm, musl just NAME
        names=$(say "$2" | sed "s/PID/$pid/g")
        found=
        tries=0
        while [ -z "$found" ]; do
            for name in $names; do
                [ -e "/dev/shm/$name" ] && found=$name && break
            done
            [ -z "$found" ] || break
            # Past both windows (the fork is after them): missed.
            grep -q 'fork()' out && break
            tries=$((tries + 1))
            [ "$tries" -lt $((2000 * HANG_GUARD_SCALE)) ] ||
                fail "hang guard: none of $names appeared in /dev/shm in 10 s"
            sleep 0.005
        done
        if [ -n "$found" ]; then
            kill -"$3" "$pid"
            if [ -e "/dev/shm/$found" ]; then
                wait "$job"
                status=$?
                return 0
            fi
        else
            kill -KILL "$pid"
        fi
        wait "$job"
        say "the look missed the window in run $attempts: another run" >>misses
    done
}

t_every_signal_is_held_while_a_name_exists() {
    [ -d /dev/shm ] || skip "no /dev/shm to look in"
    cond_can_delay || skip "needs strace with -e inject=...:delay_exit to hold the window open"
    # While the region's name exists (after ftruncate), then while the
    # semaphore's does (after glibc links it into place).
    for signal in TERM HUP ALRM USR1; do
        cond_hold_in_window '?ftruncate,?ftruncate64' shmdemo-PID-mem "$signal"
        cond_number "$signal"
        expect_status $((128 + cond_number))
        cond_no_names "$pid"
        cond_ended "$pid"
    done
    for signal in USR2 TERM; do
        cond_hold_in_window '?link,?linkat' 'sem.shmdemo-PID-sem shmdemo-PID-sem' "$signal"
        cond_number "$signal"
        expect_status $((128 + cond_number))
        cond_no_names "$pid"
        cond_ended "$pid"
    done
}

t_the_names_go_while_stdout_is_blocked() {
    [ -r /proc/self/maps ] || skip "needs /proc/PID/maps (Linux) to see the region"
    command -v mkfifo >/dev/null 2>&1 || skip "needs mkfifo"
    # A pipe nobody reads, filled but for 512 bytes: room for the two lines
    # printed before the names are made, not for the narration of their
    # making. A Linux pipe holds 16 pages (unless the user has too many
    # pipes), and a small write is added to the last page when it fits.
    # (In a folder of its own: run.sh reads every file of the test's folder,
    # and would wait forever on a named pipe there.)
    mkdir fifo && mkfifo fifo/pipe || fail "mkfifo"
    exec 3<>fifo/pipe
    head -c $((16 * $(getconf PAGESIZE) - 512)) /dev/zero >&3 &
    filler=$!
    tries=0
    while kill -0 "$filler" 2>/dev/null; do
        tries=$((tries + 1))
        if [ "$tries" -ge 40 ]; then
            kill "$filler"
            exec 3>&-
            skip "the pipe holds less than 16 pages here"
        fi
        sleep 0.05
    done
    wait "$filler" || fail "could not fill the pipe"
    # shellcheck disable=SC2016 # for the inner shell
    cond_start -t 5 -- sh -c 'exec "$0" --synced --delay 0 >&3 3>&-' "$SHMDEMO"
    # The region is made, mapped and unlinked: mapped "(deleted)".
    tries=0
    until grep -q "/dev/shm/shmdemo-$pid-mem (deleted)" "/proc/$pid/maps" 2>/dev/null; do
        tries=$((tries + 1))
        if ! running "$pid"; then
            exec 3>&-
            wait "$job"
            status=$?
            [ "$status" != 0 ] || skip "the pipe took all the output: not a Linux pipe of 16 pages?"
            fail "shmdemo ended with status $status: $(cat err)"
        fi
        if [ "$tries" -ge 60 ]; then
            # Held up by stdout, inside the window?
            for name in "shmdemo-$pid-mem" "sem.shmdemo-$pid-sem" "shmdemo-$pid-sem"; do
                [ ! -e "/dev/shm/$name" ] ||
                    fail "stdout blocked, and /dev/shm/$name still exists"
            done
            kill -KILL "$pid"
            exec 3>&-
            wait "$job"
            skip "shmdemo blocked before making the region: the pipe had less room than expected"
        fi
        sleep 0.05
    done
    sleep 0.2
    running "$pid" || fail "shmdemo was not held up by its full stdout"
    cond_no_names "$pid"
    # Held up writing the narration: SIGTERM still ends it, as 143.
    kill -TERM "$pid"
    wait "$job"
    status=$?
    exec 3>&-
    expect_status 143
    cond_ended "$pid"
}

# make check: the deterministic version is
# t_every_signal_is_held_while_a_name_exists.
soak_signals_right_after_start_leave_no_name() {
    [ -d /dev/shm ] || skip "no /dev/shm to look in"
    # 1000 runs, each sent SIGUSR1 or SIGALRM (both end a process by
    # default) after a random spin of up to about 1.5 ms: some arrive
    # before main, some while the names exist, most later. None may leave a
    # name. (With only the stop signals held, about 1 in 100 left one.)
    cond_number USR1
    usr1=$cond_number
    cond_number ALRM
    alrm=$cond_number
    awk 'BEGIN { srand(); for (i = 0; i < 1000; i++) print int(rand() * 1500) }' >spins
    binary=${real_shmdemo:-$SHMDEMO}
    signal=$usr1
    ended=0
    while read -r spin; do
        "$binary" --synced --delay 0 >/dev/null 2>&1 &
        pid=$!
        say "$pid" >>"$SHMDEMO_PIDS"
        turn=0
        while [ "$turn" -lt "$spin" ]; do turn=$((turn + 1)); done
        kill -"$signal" "$pid" 2>/dev/null
        wait "$pid"
        status=$?
        case $status in
        0) ;;
        $((128 + signal))) ended=$((ended + 1)) ;;
        *) fail "run $pid, signal $signal after $spin turns: exit status $status" ;;
        esac
        cond_no_names "$pid"
        if [ "$signal" = "$usr1" ]; then signal=$alrm; else signal=$usr1; fi
    done <spins 2>job_notices
    # Both sides of the start were reached: some runs were ended by the
    # signal, some had set their handlers up in time and finished.
    [ "$ended" -gt 0 ] && [ "$ended" -lt 1000 ] ||
        fail "$ended of 1000 runs were ended by the signal: the spins missed the start"
    say "NOTE: $ended of 1000 runs were ended by the signal" >note
}

# --- PID 1 ------------------------------------------------------------------------

# cond_as_pid_1 NAME: shmdemo --racy --delay 60000 as PID 1 of a new PID
# namespace (a container without an init), in a private /dev/shm; once it
# is in its delay, signal NAME is sent to it from outside. The kernel drops
# a signal sent to PID 1 that has no handler: the demo must have one.
cond_as_pid_1() {
    can_unshare && unshare -pf --mount-proc true 2>/dev/null ||
        skip "needs root and unshare -p to run shmdemo as PID 1 of a new PID namespace"
    cond_number "$1"
    number=$cond_number
    # From the side: the process that is PID 1 in its namespace, by its
    # PID out here, is the child of unshare. (From the background, where
    # SIGINT is ignored: the demo runs in the foreground, with SIGINT as
    # the tests got it.)
    (
        wait_for_line out 'doing other work'
        unshare=$(cat unshare.pid)
        read -r target rest <"/proc/$unshare/task/$unshare/children"
        grep -q '^NSpid:.*[[:space:]]1$' "/proc/$target/status" ||
            fail "process '$target' is not PID 1 of a namespace"
        cat "/proc/$target/task/"*/children >children
        say "$target" >target.pid
        kill -"$1" "$target"
    ) >killer.log 2>&1 &
    killer=$!
    # shellcheck disable=SC2016 # for the inner shells
    "$supervise" -t 20 -- unshare -m sh -c '
        mount -t tmpfs -o size=1m tmpfs /dev/shm || exit 125
        sh -c '\''echo $$ >unshare.pid
            exec unshare -pf --mount-proc "$@"'\'' sh "$0" "$@" >out 2>err
        status=$?
        ls -A /dev/shm >left
        exit $status' "$SHMDEMO" --racy --delay 60000
    status=$?
    wait "$killer" || fail "SIG$1 was not sent: $(cat killer.log)"
    [ "$status" != 125 ] || skip "cannot mount a tmpfs over /dev/shm"
    # A dropped signal would leave it in its 60 s delay: the hang guard.
    expect_status $((128 + number))
    expect_no_line out '^verdict'
    [ ! -s left ] || fail "the private /dev/shm holds: $(tr '\n' ' ' <left)"
    cond_ended "$(cat target.pid)"
    # shellcheck disable=SC2013 # PIDs, one word each
    for child in $(cat children); do cond_ended "$child"; done
}

t_as_pid_1_sigterm_ends_it() {
    cond_as_pid_1 TERM
}

t_as_pid_1_sigint_ends_it() {
    cond_sigint_usable || skip "SIGINT was ignored when the tests started (started with &?)"
    cond_as_pid_1 INT
}

# --- closed standard descriptors -------------------------------------------------

t_a_closed_stderr_sends_messages_to_stdout() {
    "$supervise" -t 20 -- sh -c 'exec "$0" --synced --delay 0 2>&-' "$SHMDEMO" >out
    status=$?
    expect_status 0
    [ "$(verdict_word)" = full ] || fail "verdict '$(verdict_word)'"
    fd=$(sed -n 's/.*ftruncate(\([0-9]*\), 11).*/\1/p' out)
    [ -n "$fd" ] && [ "$fd" -gt 2 ] || fail "the region took descriptor '$fd'"
    # A usage error...
    "$supervise" -t 20 -- sh -c 'exec "$0" --synced --bogus 2>&-' "$SHMDEMO" >out
    status=$?
    expect_status 2
    expect_line out "^shmdemo: unknown or ambiguous option '--bogus'$"
    # ...and a failing call.
    : >err
    # shellcheck disable=SC2016 # for the inner shell
    { "$supervise" -t 20 -- sh -c '
        echo $$ >>"$SHMDEMO_PIDS"; unset SHMDEMO_PIDS
        ulimit -f 0 && exec "$0" --racy --delay 0 2>&-' "$SHMDEMO"
        echo $? >status; } | cat >out
    status=$(cat status)
    expect_status 1
    expect_line out "^shmdemo: ftruncate: $(error_text EFBIG)$"
}

t_a_closed_stdin_is_not_taken_by_the_region() {
    "$supervise" -t 20 -- sh -c 'exec "$0" --synced --delay 0 <&-' "$SHMDEMO" >out 2>err
    status=$?
    expect_status 0
    [ ! -s err ] || fail "stderr: $(cat err)"
    [ "$(verdict_word)" = full ] || fail "verdict '$(verdict_word)'"
    fd=$(sed -n 's/.*ftruncate(\([0-9]*\), 11).*/\1/p' out)
    [ -n "$fd" ] && [ "$fd" -gt 2 ] || fail "the region took descriptor '$fd'"
}

t_closed_stdin_and_stderr_lend_no_descriptor() {
    command -v strace >/dev/null 2>&1 || skip "needs strace to see which descriptor each open got"
    # stdout stays open, so shmdemo goes on to make its names (with stdout
    # closed it refuses at once: see t_robust.sh). Had a closed descriptor
    # been left free, shm_open, or glibc's open of the semaphore's file,
    # would have taken its number.
    # (LeakSanitizer cannot run under ptrace: off for this run, if any.)
    for closed in '<&-' '2>&-' '<&- 2>&-'; do
        ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
            "$supervise" -t 20 -- strace -f -o trace -e trace='?open,?openat' \
            sh -c "echo \$\$ >>\"\$SHMDEMO_PIDS\"; exec \"\$0\" --synced --delay 0 $closed" \
            "$real_shmdemo" >out
        status=$?
        expect_status 0
        [ "$(verdict_word)" = full ] || fail "'$closed': verdict '$(verdict_word)'"
        # It got as far as the names: their opens are in the trace.
        grep -q '"/dev/shm/shmdemo-[0-9]*-mem".* = [0-9]' trace ||
            fail "'$closed': no open of the region in the trace: $(grep /dev/shm trace)"
        # (glibc builds the semaphore in /dev/shm/sem.XXXXXX, musl in
        # /dev/shm/tmp-NNN, before linking it to its name.)
        grep -q -E '"/dev/shm/(.*sem.*|tmp-[0-9]+)".* = [0-9]' trace ||
            fail "'$closed': no open of the semaphore in the trace: $(grep /dev/shm trace)"
        ! grep '"/dev/shm/.* = [012]$' trace ||
            fail "'$closed': an object in /dev/shm took a standard descriptor"
        fd=$(sed -n 's/.*ftruncate(\([0-9]*\), 11).*/\1/p' out)
        [ -n "$fd" ] && [ "$fd" -gt 2 ] || fail "'$closed': the region took descriptor '$fd'"
    done
}

# --- Ctrl-C and SIGTERM during --runs --------------------------------------------

# cond_expect_interrupted_tally NUMBER: tty_out (what a terminal showed)
# ends with the table of the runs done and "interrupted by signal NUMBER
# (its name) after N of 10000000 runs", the counts adding up to N; the
# progress counter was shown and then cleared before the table.
cond_expect_interrupted_tally() {
    tr -d '\r' <tty_out >out
    done=$(sed -n "s/^interrupted by signal $1 (\(.*\)) after \([0-9][0-9]*\) of 10000000 runs.*/\2 \1/p" out)
    [ -n "$done" ] || fail "no line 'interrupted by signal $1 (...) after N of 10000000 runs': $(tail -n 8 out)"
    [ "${done#* }" = "$(signal_text "$1")" ] || fail "signal $1 is named '${done#* }'"
    done=${done%% *}
    full=$(tally full)
    torn=$(tally torn)
    empty=$(tally empty)
    [ -n "$full" ] && [ -n "$torn" ] && [ -n "$empty" ] || fail "no table: $(tail -n 8 out)"
    [ $((full + torn + empty)) = "$done" ] ||
        fail "full $full + torn $torn + empty $empty is not $done"
    [ "$done" -gt 0 ] || fail "no run was done before the signal"
    [ "$full" = "$done" ] || fail "--synced saw less than the full message"
    cr=$(printf '\r')
    esc=$(printf '\033')
    grep -q "${cr}run [0-9]* of 10000000 ([0-9]*%)" tty_out ||
        fail "no progress counter on the terminal"
    rest=$(tr '\n' ' ' <tty_out | sed "s/.*${cr}run [0-9]* of 10000000 ([0-9]*%)//")
    case $rest in
    *"$cr${esc}[K"*"outcome "*) ;;
    *) fail "the progress counter is not cleared before the table: $(say "$rest" | od -c | head -n 3)" ;;
    esac
}

t_ctrl_c_during_runs_prints_the_tally_so_far() {
    cond_sigint_usable || skip "SIGINT was ignored when the tests started (started with &?)"
    : >err
    # Ctrl-C once the progress counter shows ("run N of M (P%)").
    NO_COLOR=1 "$supervise" -t 20 -p -m '%)' -K '^C' -- "$SHMDEMO" --synced --runs 10000000 >tty_out
    status=$?
    expect_status 130
    cond_expect_interrupted_tally 2
    cond_ended "$(parent_pid)"
}

t_sigterm_during_runs_prints_the_tally_so_far() {
    # To the process alone, not its group.
    cond_number TERM
    rm -f run.pid
    : >err
    SHMDEMO_PIDS=$PWD/run.pid NO_COLOR=1 "$supervise" -t 10 -p -- \
        "$SHMDEMO" --synced --runs 10000000 >tty_out &
    job=$!
    cond_wait_for_file run.pid
    pid=$(cat run.pid)
    cat run.pid >>"$SHMDEMO_PIDS"
    wait_for_line tty_out 'run [0-9]+ of 10000000'
    sleep 0.3
    kill -TERM "$pid"
    wait "$job"
    status=$?
    expect_status $((128 + cond_number))
    cond_expect_interrupted_tally "$cond_number"
    cond_ended "$pid"
}
