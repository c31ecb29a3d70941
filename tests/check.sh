#!/bin/sh
# tests/check.sh: the slow, thorough checks behind `make check`.
#
# 1. The whole test suite again, on a build with AddressSanitizer and
#    UndefinedBehaviorSanitizer (set through CFLAGS/LDFLAGS on the command
#    line, as a user would), every finding fatal.
# 2. valgrind memcheck over both modes, single and --runs, children traced.
# 3. cppcheck, clang-tidy and shellcheck, each where it is installed.
# Ends with a plain build again. Exits 1 on the first step that fails.
set -eu
cd "$(dirname "$0")/.."
MAKE=${MAKE:-make}
step() { printf '\n== %s\n' "$*"; }
have() { command -v "$1" >/dev/null 2>&1; }

step "test suite under AddressSanitizer and UndefinedBehaviorSanitizer"
sanitize='-fsanitize=address,undefined'
$MAKE clean >/dev/null
# The fault library is preloaded ahead of the sanitizer runtime on purpose.
ASAN_OPTIONS=verify_asan_link_order=0:detect_leaks=1 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
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

sources="main.c shm.c sem.c"
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
    # shellcheck disable=SC2086 # a list of files
    clang-tidy --quiet $sources -- -std=c11 2>/dev/null
    echo "clean"
else
    step "clang-tidy: not installed, skipped"
fi

if have shellcheck; then
    step "shellcheck"
    shellcheck -s sh .ci/run tests/*.sh
    echo "clean"
else
    step "shellcheck: not installed, skipped"
fi

step "make check: all clean"
