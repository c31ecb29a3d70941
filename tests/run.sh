#!/bin/sh
# tests/run.sh: shmdemo's test suite; `make test` runs it.
#
# Needs a C compiler, make and a POSIX shell. Builds the unit tests and the
# helpers into tests/build, then runs every test: the C unit tests of shm.c
# and sem.c, and the end-to-end tests of shmdemo in tests/t_*.sh (each shell
# function named t_... is one test, run in a folder of its own). A test that
# cannot run here says why and is counted as skipped, never as passed.
#
# The suite shares the machine: after each test it looks in /dev/shm only
# for names that its own processes made (shmdemo puts its PID in each name)
# and for glibc's temporary sem.XXXXXX files that appeared during the test,
# and it removes only names it made. Ends with "N passed, N failed, N
# skipped"; exits 1 on any failure.
#
# Environment: CC, CFLAGS, LDFLAGS, LIBS, OBJECTS (from make); SHMDEMO, the
# binary to test (default ./shmdemo, built once by make); TESTS, a pattern to
# run only some tests; HANG_GUARD_SCALE and SOAK (below).

here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
build=$here/build
real_shmdemo=${SHMDEMO:-$top/shmdemo}
CC=${CC:-cc}
CFLAGS=${CFLAGS:--std=c11 -Wall -Wextra -Wpedantic -O2 -g}
LDFLAGS=${LDFLAGS:-}
LIBS=${LIBS:-$(sh "$top/build/platform-flags.sh")}
TESTS=${TESTS:-.}
# Every time limit of the suite is a hang guard, never what decides a test:
# HANG_GUARD_SCALE (a whole number) stretches them all, for builds that are
# slow by nature (make check's sanitizer pass sets it). supervise reads it.
HANG_GUARD_SCALE=${HANG_GUARD_SCALE:-1}
export HANG_GUARD_SCALE
# SOAK=1 runs the soak tests (functions named soak_...) instead: long runs
# that count on chance to reach a rare case; make check runs them.
SOAK=${SOAK:-0}
passed=0
failed=0
skipped=0

say() { printf '%s\n' "$*"; }

# --- building the helpers ---------------------------------------------------

mkdir -p "$build" || exit 1
compile() { # output, then sources and flags
    output=$1
    shift
    # shellcheck disable=SC2086 # CFLAGS and LDFLAGS are lists of flags
    $CC $CFLAGS $LDFLAGS -o "$build/$output" "$@" || {
        say "tests/run.sh: could not build $output"
        exit 1
    }
}
# Each helper is built in the background; all are waited for below.
builders=
build() {
    "$@" &
    builders="$builders $!"
}
# shellcheck disable=SC2086 # LIBS is a list of flags
build compile test_shm "$here/test_shm.c" "$top/shm.c" $LIBS
# shellcheck disable=SC2086
build compile test_sem "$here/test_sem.c" "$top/sem.c" "$top/shm.c" $LIBS
# The model of every interleaving and --explore's driver (issue 18).
build compile test_worlds "$here/test_worlds.c" "$top/apparatus/worlds.c" \
    "$top/apparatus/lesson.c" \
    "$top/apparatus/explore.c"
build compile supervise "$here/supervise.c"
build compile texts "$here/texts.c"

# The objects make built shmdemo from: the Makefile's list is the only one
# (make test passes it; run on its own, this asks make).
OBJECTS=${OBJECTS:-$(cd "$top" && ${MAKE:-make} -s print-objects)}
[ -n "$OBJECTS" ] || {
    say "tests/run.sh: make print-objects gave no list of objects"
    exit 1
}
# variant NAME SOURCE FLAG...: shmdemo with SOURCE compiled again with
# FLAGs (a define), linked with the other objects of the one build.
variant() {
    name=$1
    source=$2
    shift 2
    objects=
    for object in $OBJECTS; do
        if [ "$object" = "${source%.c}.o" ]; then
            objects="$objects $build/$name.o"
        else
            objects="$objects $top/$object"
        fi
    done
    mkdir -p "$(dirname "$build/$name")" || exit 1
    # shellcheck disable=SC2086 # lists of flags and files
    $CC $CFLAGS "$@" -c -o "$build/$name.o" "$top/$source" &&
        $CC $CFLAGS $LDFLAGS -o "$build/$name" $objects $LIBS || {
        say "tests/run.sh: could not build $name"
        exit 1
    }
}
# The fallback for systems without prctl, built here so Linux tests it too.
build variant shmdemo-portable apparatus/process.c -DSHMDEMO_PORTABLE_PARENT_WATCH
# --busy-wait gives up after SPIN_LIMIT_S seconds: 1 in the test build, so
# that the test of the give-up takes 1 s and not 10; named shmdemo, as its
# messages begin with the program's name.
build variant spin1/shmdemo main.c -DSPIN_LIMIT_S=1
# The fault library is loaded into shmdemo: the same word size (-m32...),
# but no sanitizer, which must come first in a process. Where the system
# cannot build or preload it, the fault tests are skipped (see t_robust.sh).
fault_flags=
for flag in $CFLAGS $LDFLAGS; do
    case $flag in -fsanitize* | -fno-sanitize* | -static | -std=*) ;; *) fault_flags="$fault_flags $flag" ;; esac
done
fault_library() {
    # shellcheck disable=SC2086 # a list of flags
    $CC $fault_flags -shared -fPIC -o "$build/libfault.so" "$here/fault.c" \
        -ldl >"$build/libfault.log" 2>&1 ||
        $CC $fault_flags -shared -fPIC -o "$build/libfault.so" \
            "$here/fault.c" >>"$build/libfault.log" 2>&1 ||
        rm -f "$build/libfault.so"
}
build fault_library
for builder in $builders; do
    wait "$builder" || exit 1
done
supervise=$build/supervise
[ -x "$real_shmdemo" ] || {
    say "tests/run.sh: no $real_shmdemo: run make first"
    exit 1
}

# The binary under test, through a wrapper that notes each PID it runs as
# (exec keeps the PID): the names shmdemo creates hold that PID.
SHMDEMO=$build/shmdemo-under-test
cat >"$SHMDEMO" <<EOF
#!/bin/sh
[ -z "\$SHMDEMO_PIDS" ] || echo \$\$ >>"\$SHMDEMO_PIDS"
# The fault library is preloaded into shmdemo only, never into this shell
# (nor env, supervise...): built for musl or -m32, it breaks glibc's tools.
[ -z "\$SHMDEMO_PRELOAD" ] || { LD_PRELOAD=\$SHMDEMO_PRELOAD && export LD_PRELOAD; }
exec "$real_shmdemo" "\$@"
EOF
chmod +x "$SHMDEMO"

# --- what every test may use --------------------------------------------------

# The names in /dev/shm that look like shmdemo's or like glibc's temporary
# semaphore files (nothing where there is no /dev/shm).
shm_listing() {
    for object in /dev/shm/*shmdemo* /dev/shm/sem.??????; do
        [ -e "$object" ] && say "${object#/dev/shm/}"
    done
}

# fail MESSAGE: end the current test as failed.
fail() {
    say "FAILED: $*"
    exit 1
}

# skip REASON: end the current test as skipped: it cannot run here.
skip() {
    say "SKIPPED: $*"
    exit 77
}

# The exact texts of this system's C library (glibc and musl differ).
error_text() { "$build/texts" errno "$1"; }
signal_text() { "$build/texts" signal "$1"; }
signal_number() { "$build/texts" number "$1"; } # USR1: 10 on Linux, 30 on macOS

# demo ARGUMENT...: run shmdemo under supervise (hang guard 20 s); its output
# goes to the files out and err, its exit status to $status.
demo() {
    "$supervise" -t 20 -- "$SHMDEMO" "$@" >out 2>err
    status=$?
}

expect_status() {
    [ "$status" = "$1" ] || {
        say "--- stdout:"
        cat out
        say "--- stderr:"
        cat err
        fail "exit status $status, expected $1"
    }
}

# expect_line FILE REGEX: FILE has a line matching the extended REGEX.
expect_line() {
    grep -E -q -- "$2" "$1" || {
        say "--- $1:"
        cat "$1"
        fail "no line in $1 matches: $2"
    }
}

expect_no_line() {
    ! grep -E -q -- "$2" "$1" || {
        say "--- $1:"
        cat "$1"
        fail "a line in $1 matches: $2"
    }
}

# expect_stderr TEXT: stderr is exactly this one line.
expect_stderr() {
    [ "$(cat err)" = "$1" ] || {
        say "--- stderr:"
        cat err
        fail "stderr is not: $1"
    }
}

# The table the child printed: its next line after its "table at" (a line
# of the parent's may come between the two).
child_table() {
    awk '/\[child .*table at/ { after = 1; next }
        after && /^ *\[child / { sub(/^.*\] +[0-9.]+s?    /, ""); print; exit }' "${1:-out}"
}

# plain FILE: its text without the colours and carriage returns of a terminal
# (a test that runs shmdemo on a pseudo-terminal gets both).
escape=$(printf '\033')
carriage=$(printf '\r')
plain() { sed "s/$escape\[[0-9;]*m//g; s/$carriage\$//" "$1"; }

parent_pid() { plain "${1:-out}" | sed -n 's/^\[parent \([0-9]*\)\].*/\1/p' | head -n 1; }
child_pid() { plain "${1:-out}" | sed -n 's/.*fork() = \([0-9]*\).*/\1/p' | head -n 1; }

# verdict_word: full, empty or torn, from the line "verdict: WORD: ...".
verdict_word() { sed -n 's/^verdict: \([a-z]*\):.*/\1/p' "${1:-out}"; }

# tally OUTCOME: the count on the outcome's line of a --runs table.
tally() { sed -n "s/^$1  *\([0-9]*\) .*/\1/p" "${2:-out}"; }

# running PID: the process exists and has not ended (a zombie has ended).
# Uses kill -0, then /proc or ps for the zombie state; if neither can tell,
# it says so and fails the test rather than pass without checking.
running() {
    case $1 in '' | *[!0-9]*) fail "running: '$1' is not a PID" ;; esac
    kill -0 "$1" 2>/dev/null || return 1
    if [ -r "/proc/$1/stat" ]; then
        state=$(sed 's/.*) \(.\).*/\1/' "/proc/$1/stat" 2>/dev/null)
    else
        state=$(ps -o stat= -p "$1" 2>/dev/null) ||
            fail "cannot tell whether process $1 has ended (no /proc, no ps -p)"
    fi
    [ -n "$state" ] && case $state in Z*) false ;; *) true ;; esac
}

# expect_ended PID: the process ends (where the system has no subreaper for
# supervise, an orphan's own watch needs up to a second); hang guard 3 s.
expect_ended() {
    tries=0
    while running "$1"; do
        tries=$((tries + 1))
        [ "$tries" -lt $((60 * HANG_GUARD_SCALE)) ] ||
            fail "hang guard: process $1 is still running after 3 s"
        sleep 0.05
    done
}

# wait_for_line FILE REGEX: wait for FILE to have such a line (hang guard
# 20 s).
wait_for_line() {
    tries=0
    until grep -E -q -- "$2" "$1" 2>/dev/null; do
        tries=$((tries + 1))
        [ "$tries" -lt $((400 * HANG_GUARD_SCALE)) ] ||
            fail "hang guard: no line matching '$2' appeared in $1 in 20 s"
        sleep 0.05
    done
}

# fault_library_works: the fault library has an effect on this build (not
# on macOS, a static build, or a library of another word size); else skip.
fault_library_works() {
    # An error in fault.c itself is ours to fix, not this system's lack.
    ! grep -q 'fault\.c:[0-9]*:[0-9]*: error' "$build/libfault.log" 2>/dev/null ||
        fail "tests/fault.c does not compile: $(grep -m 1 error "$build/libfault.log")"
    [ -f "$build/libfault.so" ] || skip "the fault library could not be built here"
    SHMDEMO_FAULT=shm_open:EACCES SHMDEMO_PRELOAD="$build/libfault.so" \
        "$SHMDEMO" --racy --delay 0 >/dev/null 2>probe
    grep -q "^shmdemo: shm_open: $(error_text EACCES)$" probe ||
        skip "LD_PRELOAD has no effect on this build (static, macOS, or another word size)"
}

# with_fault SPEC ARGUMENT...: run shmdemo with the fault library, which
# makes one call fail as SPEC says (see tests/fault.c) and logs every call
# it sees, with the PID that made it, to the file calls.
with_fault() {
    fault_library_works
    spec=$1
    shift
    : >calls
    "$supervise" -t 20 -- env SHMDEMO_FAULT="$spec" \
        SHMDEMO_FAULT_LOG="$PWD/calls" SHMDEMO_PRELOAD="$build/libfault.so" \
        "$SHMDEMO" "$@" >out 2>err
    status=$?
}

# can_unshare: as root on Linux, with unshare from util-linux.
can_unshare() {
    [ "$(id -u)" = 0 ] && command -v unshare >/dev/null 2>&1 &&
        unshare -m true 2>/dev/null
}

# --- running the tests --------------------------------------------------------

# report NAME STATUS LOG: count one test and say how it went.
report() {
    case $2 in
    0)
        passed=$((passed + 1))
        if [ -s "$(dirname "$3")/note" ]; then
            say "ok - $1 ($(sed 's/^NOTE: //' "$(dirname "$3")/note" | head -n 1))"
        else
            say "ok - $1"
        fi
        ;;
    77)
        skipped=$((skipped + 1))
        say "skipped - $1 ($(sed -n 's/^SKIPPED: //p' "$3" | tail -n 1))"
        ;;
    *)
        failed=$((failed + 1))
        say "not ok - $1"
        sed 's/^/#   /' "$3"
        ;;
    esac
}

# other_shmdemo_running PIDS: a shmdemo process runs that is not one of
# PIDS (a user's, another suite's, or another lane's of this suite).
other_shmdemo_running() {
    if [ -d /proc/self ]; then
        for comm in /proc/[0-9]*/comm; do
            [ "$(cat "$comm" 2>/dev/null)" = shmdemo ] || continue
            pid=${comm#/proc/}
            say "$1" | grep -q -x -- "${pid%/comm}" || return 0
        done
        return 1
    fi
    ps -A -o pid= -o comm= 2>/dev/null | while read -r pid comm; do
        [ "${comm##*/}" = shmdemo ] && ! say "$1" | grep -q -x -- "$pid" && exit 0
    done
}

# check_leaks WORK BEFORE: the names the test's own processes left in
# /dev/shm (their PIDs are in $WORK/pids, in their output and in the unit
# tests' logs), removed; and temporary sem.XXXXXX files that appeared
# during the test and stayed, reported but not removed (they carry no PID
# to prove whose they are: if another shmdemo is running, such a file is
# noted, not counted). Prints what it found; nothing if clean.
check_leaks() {
    shm_listing >"$1/after"
    # Nothing new in /dev/shm (the usual case): nothing to look into.
    cmp -s "$1/after" "$2" && return 0
    pids=$( (cat "$1/pids" 2>/dev/null
        for file in "$1"/*; do # regular files only: a FIFO would block
            case $file in */before | */after) continue ;; esac # /dev/shm's
            [ -f "$file" ] && sed -n -e 's/.*\[parent *\([0-9][0-9]*\)\].*/\1/p' \
                -e 's/.*\[child *\([0-9][0-9]*\)\].*/\1/p' \
                -e 's/.*shmdemo-\([0-9][0-9]*\)-.*/\1/p' "$file"
        done) | sort -u)
    while IFS= read -r name; do
        grep -q -x -F -- "$name" "$2" && continue
        case $name in
        sem.??????)
            # Another program's sem_open may be in progress (or held up
            # by a debugger): a leak is one that is still there 2 s on.
            tries=0
            while [ -e "/dev/shm/$name" ] && [ "$tries" -lt 20 ]; do
                sleep 0.1
                tries=$((tries + 1))
            done
            [ -e "/dev/shm/$name" ] || continue
            if other_shmdemo_running "$pids"; then
                say "NOTE: /dev/shm/$name (glibc's temporary semaphore file) appeared during this test, but another shmdemo runs on this machine: it may be that one's, so it is not counted" >>"$1/note"
            else
                say "$name (a temporary file of glibc's sem_open)"
            fi
            ;;
        *)
            pid=$(say "$name" | sed -n 's/^\(sem\.\)\{0,1\}shmdemo-\([0-9]*\)-.*/\2/p')
            if [ -n "$pid" ] && say "$pids" | grep -q -x -- "$pid"; then
                say "$name"
                rm -f "/dev/shm/$name"
            fi
            ;;
        esac
    done <"$1/after"
}

# The unit tests: every "ok" or "not ok" line they print is one test.
units="test_shm test_sem test_worlds"
[ "$SOAK" = 1 ] && units=
# shellcheck disable=SC2094 # report only reads the log, to show it
for unit in $units; do
    say "$unit" | grep -E -q -- "$TESTS" || continue
    work=$build/work/$unit
    rm -rf "$work" && mkdir -p "$work" || exit 1
    shm_listing >"$work/before"
    "$build/$unit" >"$work/log" 2>&1 &
    unit_pid=$!
    wait "$unit_pid"
    unit_status=$?
    echo "$unit_pid" >"$work/pids"
    while IFS= read -r line; do
        case $line in
        "ok - "*) report "$unit: ${line#ok - }" 0 /dev/null ;;
        "not ok - "*) report "$unit: ${line#not ok - }" 1 "$work/log" ;;
        "skipped - "*) say "SKIPPED: ${line#skipped - }" >"$work/skip" &&
            report "$unit: ${line#skipped - }" 77 "$work/skip" ;;
        esac
    done <"$work/log"
    [ "$unit_status" = 0 ] || grep -q '^not ok' "$work/log" ||
        report "$unit: runs to the end" 1 "$work/log"
    left=$(check_leaks "$work" "$work/before")
    [ -z "$left" ] || {
        say "FAILED: left in /dev/shm: $left" >"$work/leaks"
        report "$unit: leaves nothing in /dev/shm" 1 "$work/leaks"
    }
done

# The end-to-end tests, each in a fresh folder, in a subshell of its own.
# Most of their time is spent waiting (for a delay, a child, a signal), so
# they run in LANES lanes at once, each lane one test after another; the
# results are reported in the order of the files. The leak check judges
# each test by its own PIDs, so the lanes cannot blame each other.
LANES=${LANES:-3}
prefix=t_
[ "$SOAK" = 1 ] && prefix=soak_
tests=
for file in "$here"/t_*.sh; do
    [ -f "$file" ] || continue
    # shellcheck disable=SC1090 # the test files are found at run time
    . "$file"
    # shellcheck disable=SC2013 # test names are single words
    for test in $(sed -n "s/^\\(${prefix}[a-z0-9_]*\\)() {.*/\\1/p" "$file"); do
        say "$test" | grep -E -q -- "$TESTS" && tests="$tests $test"
    done
done

# run_test TEST: run one test; its status goes to the file status.
run_test() {
    work=$build/work/$1
    rm -rf "$work" && mkdir -p "$work" || exit 1
    shm_listing >"$work/before"
    (cd "$work" && SHMDEMO_PIDS=$work/pids && export SHMDEMO_PIDS &&
        "$1") >"$work/log" 2>&1
    test_status=$?
    left=$(check_leaks "$work" "$work/before")
    if [ -n "$left" ]; then
        say "FAILED: left in /dev/shm: $left" >>"$work/log"
        test_status=1
    fi
    echo "$test_status" >"$work/status"
}

lane=0
while [ "$lane" -lt "$LANES" ]; do
    (
        number=0
        for test in $tests; do
            [ $((number % LANES)) = "$lane" ] && run_test "$test"
            number=$((number + 1))
        done
    ) &
    lane=$((lane + 1))
done
wait
for test in $tests; do
    report "$(say "${test#"$prefix"}" | tr _ ' ')" "$(cat "$build/work/$test/status" 2>/dev/null || echo 1)" \
        "$build/work/$test/log"
done

say "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
