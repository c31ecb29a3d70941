#!/bin/sh
# tests/check.sh: the slow, thorough checks behind `make check`.
#
# 1. The whole test suite again, on a build with AddressSanitizer and
#    UndefinedBehaviorSanitizer (set through CFLAGS/LDFLAGS on the command
#    line, as a user would), every finding fatal. Such a build is several
#    times slower by nature: every hang guard is stretched 5 times.
# 2. valgrind memcheck over both modes, single and --runs, children traced.
# 3. cppcheck, clang-tidy and shellcheck, each where it is installed.
# 4. The soak tests (SOAK=1: the functions soak_... in tests/t_*.sh), long
#    runs that count on chance to reach a rare case.
# 5. The suite beside other shmdemo runs: it passes, and leaves their
#    objects alone.
# Ends with a plain build again, also when a step fails. Exits 1 on the
# first step that fails.
set -eu
cd "$(dirname "$0")/.."
MAKE=${MAKE:-make}
step() { printf '\n== %s\n' "$*"; }
have() { command -v "$1" >/dev/null 2>&1; }
trap '$MAKE clean >/dev/null; $MAKE >/dev/null' EXIT # never a sanitizer build left

step "test suite under AddressSanitizer and UndefinedBehaviorSanitizer"
sanitize='-fsanitize=address,undefined'
$MAKE clean >/dev/null
# The fault library is preloaded ahead of the sanitizer runtime on purpose.
ASAN_OPTIONS=verify_asan_link_order=0:detect_leaks=1 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 HANG_GUARD_SCALE=5 \
    $MAKE test CFLAGS="-O1 -g -fno-omit-frame-pointer $sanitize -fno-sanitize-recover=all" \
    LDFLAGS="$sanitize"
$MAKE clean >/dev/null
$MAKE >/dev/null

if have valgrind; then
    step "valgrind memcheck"
    for arguments in "--racy --delay 50" "--synced --delay 50" \
        "--racy --runs 20" "--synced --runs 20 --write-delay 10"; do
        # shellcheck disable=SC2086 # a list of arguments
        valgrind -q --trace-children=yes --error-exitcode=99 \
            --leak-check=full --errors-for-leak-kinds=definite,indirect \
            ./shmdemo $arguments >/dev/null
        echo "clean: shmdemo $arguments"
    done
else
    step "valgrind: not installed, skipped"
fi

step "soak tests: long runs that count on chance"
SOAK=1 $MAKE test

sources="$($MAKE -s print-sources) handout/racy.c handout/synced.c" # the Makefile's list, and the handout
if have cppcheck; then
    step "cppcheck"
    # shellcheck disable=SC2086 # a list of files
    cppcheck -q --std=c11 --enable=warning,style,performance,portability \
        --error-exitcode=1 --inline-suppr -D__linux__ \
        -D_POSIX_C_SOURCE=200809L $sources
    echo "clean"
else
    step "cppcheck: not installed, skipped"
fi

if have clang-tidy; then
    step "clang-tidy (checks in .clang-tidy)"
    # One file at a time: clang-tidy 14 given several reports false
    # "uninitialized va_list" errors.
    for source in $sources; do
        clang-tidy --quiet "$source" -- -std=c11 2>/dev/null
    done
    echo "clean"
else
    step "clang-tidy: not installed, skipped"
fi

if have shellcheck; then
    step "shellcheck"
    shellcheck -s sh .ci/run tests/*.sh bench/*.sh build/*.sh
    echo "clean"
else
    step "shellcheck: not installed, skipped"
fi

step "the suite beside other shmdemo runs, and a stranger's leftover object"
# Another user's runs go on meanwhile, and an object named for a PID that
# is not the suite's is in /dev/shm: the suite must pass and leave it be.
stranger=
if [ -d /dev/shm ] && [ -w /dev/shm ]; then
    stranger=/dev/shm/shmdemo-1-mem
    [ -e "$stranger" ] && stranger= || printf 'not ours\n' >"$stranger"
fi
./shmdemo --synced --runs 10000000 >/dev/null 2>&1 &
other1=$!
./shmdemo --racy --runs 10000000 --write-delay 10 >/dev/null 2>&1 &
other2=$!
suite=0
$MAKE test >/tmp/shmdemo-check-beside.$$ 2>&1 || suite=1
kill "$other1" "$other2" 2>/dev/null || true
wait "$other1" "$other2" 2>/dev/null || true
tail -n 1 /tmp/shmdemo-check-beside.$$
left=ok
if [ -n "$stranger" ]; then
    [ "$(cat "$stranger" 2>/dev/null)" = "not ours" ] || left=gone
    rm -f "$stranger"
fi
if [ "$suite" != 0 ] || [ "$left" != ok ]; then
    grep -v '^ok' /tmp/shmdemo-check-beside.$$ | head -n 40
    rm -f /tmp/shmdemo-check-beside.$$
    echo "the suite failed beside other runs, or touched another's object ($left)"
    exit 1
fi
rm -f /tmp/shmdemo-check-beside.$$
echo "passed beside two other runs; the stranger's object is untouched"

step "make check: all clean"
