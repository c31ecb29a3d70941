#!/bin/sh
# tests/run.sh: shmdemo's test suite; `make test` runs it.
#
# Needs a C compiler, make and a POSIX shell. Builds the unit tests and two
# helpers into tests/build, then runs every test: the C unit tests of shm.c
# and sem.c, and the end-to-end tests of ./shmdemo in tests/*.sh (each shell
# function named t_... is one test). After every test, /dev/shm must hold
# nothing of shmdemo's. Ends with "N passed, N failed"; exits 1 on failure.
#
# Environment: CC, CFLAGS, LDFLAGS, LIBS (from make); SHMDEMO, the binary
# to test (default ./shmdemo); TESTS, a pattern to run only some tests.

here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
build=$here/build
SHMDEMO=${SHMDEMO:-$top/shmdemo}
CC=${CC:-cc}
CFLAGS=${CFLAGS:--std=c11 -Wall -Wextra -Wpedantic -O2 -g}
LDFLAGS=${LDFLAGS:-}
LIBS=${LIBS:--pthread -lrt}
TESTS=${TESTS:-.}
passed=0
failed=0

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
# shellcheck disable=SC2086 # LIBS is a list of flags
compile test_shm "$here/test_shm.c" "$top/shm.c" $LIBS
# shellcheck disable=SC2086
compile test_sem "$here/test_sem.c" "$top/sem.c" $LIBS
compile supervise "$here/supervise.c"
# The fault library is loaded into shmdemo; no sanitizer flags for it.
$CC -shared -fPIC -o "$build/libfault.so" "$here/fault.c" -ldl || exit 1
# The fallback for systems without prctl, built here so Linux tests it too.
# shellcheck disable=SC2086 # CFLAGS and LDFLAGS are lists of flags
$CC $CFLAGS -DSHMDEMO_PORTABLE_PARENT_WATCH $LDFLAGS \
    -o "$build/shmdemo-portable" "$top/main.c" "$top/shm.c" "$top/sem.c" \
    $LIBS || exit 1
supervise=$build/supervise
[ -x "$SHMDEMO" ] || {
    say "tests/run.sh: no $SHMDEMO: run make first"
    exit 1
}

# --- what every test may use --------------------------------------------------

# The shmdemo objects in /dev/shm (nothing where there is no /dev/shm).
shm_objects() {
    for object in /dev/shm/*shmdemo*; do
        [ -e "$object" ] && say "${object#/dev/shm/}"
    done
}

# fail MESSAGE: end the current test as failed.
fail() {
    say "FAILED: $*"
    exit 1
}

# demo ARGUMENT...: run shmdemo under supervise (20 s at most); its output
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

# The table the child printed (the line after its "table at").
child_table() {
    sed -n '/\[child .*table at/{n;s/^.*\]  *[0-9.]*    //p;}' out
}

parent_pid() { sed -n 's/^\[parent \([0-9]*\)\].*/\1/p' out | head -n 1; }
child_pid() { sed -n 's/.*fork() = \([0-9]*\).*/\1/p' out | head -n 1; }

# verdict_word: full, empty or torn, from the line "verdict: WORD: ...".
verdict_word() { sed -n 's/^verdict: \([a-z]*\):.*/\1/p' out; }

# tally OUTCOME: the count on the outcome's line of a --runs table.
tally() { sed -n "s/^$1  *\([0-9]*\) .*/\1/p" out; }

# running PID: the process exists and has not ended (a zombie has ended).
running() {
    state=$(ps -o stat= -p "$1" 2>/dev/null)
    [ -n "$state" ] && case $state in Z*) false ;; *) true ;; esac
}

# wait_for_line FILE REGEX: wait up to 10 s for FILE to have such a line.
wait_for_line() {
    tries=0
    until grep -E -q -- "$2" "$1" 2>/dev/null; do
        tries=$((tries + 1))
        [ "$tries" -lt 200 ] || fail "no line matching '$2' appeared in $1"
        sleep 0.05
    done
}

# --- running the tests --------------------------------------------------------

baseline=$(shm_objects)

# report NAME STATUS LOG: count one test and say how it went.
report() {
    if [ "$2" = 0 ]; then
        passed=$((passed + 1))
        say "ok - $1"
    else
        failed=$((failed + 1))
        say "not ok - $1"
        sed 's/^/#   /' "$3"
    fi
}

# The unit tests: every "ok" or "not ok" line they print is one test.
# shellcheck disable=SC2094 # report only reads the log, to show it
for unit in test_shm test_sem; do
    say "$unit" | grep -E -q -- "$TESTS" || continue
    "$build/$unit" >"$build/$unit.log" 2>&1
    unit_status=$?
    while IFS= read -r line; do
        case $line in
        "ok - "*) report "$unit: ${line#ok - }" 0 /dev/null ;;
        "not ok - "*) report "$unit: ${line#not ok - }" 1 "$build/$unit.log" ;;
        esac
    done <"$build/$unit.log"
    [ "$unit_status" = 0 ] || grep -q '^not ok' "$build/$unit.log" ||
        report "$unit: runs to the end" 1 "$build/$unit.log"
done

# The end-to-end tests, each in a fresh folder, in a subshell of its own.
for file in "$here"/demo.sh "$here"/runs.sh "$here"/robust.sh; do
    [ -f "$file" ] || continue
    # shellcheck disable=SC1090 # the test files are found at run time
    . "$file"
    # shellcheck disable=SC2013 # test names are single words
    for test in $(sed -n 's/^\(t_[a-z0-9_]*\)() {.*/\1/p' "$file"); do
        say "$test" | grep -E -q -- "$TESTS" || continue
        work=$build/work/$test
        rm -rf "$work" && mkdir -p "$work" || exit 1
        (cd "$work" && "$test") >"$work/log" 2>&1
        test_status=$?
        left=$(shm_objects)
        if [ "$left" != "$baseline" ]; then
            say "FAILED: left in /dev/shm: $left" >>"$work/log"
            test_status=1
            for name in $left; do # so that the next test starts clean
                say "$baseline" | grep -q -x -- "$name" || rm -f "/dev/shm/$name"
            done
        fi
        report "$(say "${test#t_}" | tr _ ' ')" "$test_status" "$work/log"
    done
done

say "$passed passed, $failed failed"
[ "$failed" = 0 ]
