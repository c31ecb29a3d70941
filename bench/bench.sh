#!/bin/sh
# bench/bench.sh: what `make bench` runs. Builds bench/build/bench and a
# shmdemo that reports its create window, then measures, and says so first:
#   1. ROUNDS rounds of the fork floor, --racy and --synced, RUNS experiments
#      each (bench/bench.c), and peak memory at 100 and 100,000 runs;
#   2. the create window (how long the names exist) over 1000 runs, with
#      stdout a pipe and a pseudo-terminal.
# Environment (from make): CC, CFLAGS, LDFLAGS, LIBS, RUNS, ROUNDS.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=$top/bench/build
RUNS=${RUNS:-5000}
ROUNDS=${ROUNDS:-5}
WINDOW_RUNS=${WINDOW_RUNS:-1000}
echo "make bench: $ROUNDS rounds of the fork floor, --racy and --synced, $RUNS"
echo "experiments each, then peak memory, then the create window over"
echo "$WINDOW_RUNS runs to a pipe and to a terminal: about 45 s on 2 cores."
echo
mkdir -p "$build"
# shellcheck disable=SC2086 # CFLAGS, LDFLAGS and LIBS are lists of flags
$CC $CFLAGS $LDFLAGS -o "$build/bench" "$top/bench/bench.c" $LIBS
# The shmdemo that reports its window: apparatus/signals.c compiled again
# with the define, linked with the other objects of make's one build (the
# Makefile's list of objects, the only one; make bench passes it).
OBJECTS=${OBJECTS:-$(cd "$top" && ${MAKE:-make} -s print-objects)}
objects=
for object in $OBJECTS; do
    case $object in
    apparatus/signals.o) objects="$objects $build/signals-window.o" ;;
    *) objects="$objects $top/$object" ;;
    esac
done
# shellcheck disable=SC2086 # lists of flags and files
$CC $CFLAGS -DSHMDEMO_MEASURE_WINDOW -c -o "$build/signals-window.o" \
    "$top/apparatus/signals.c"
# shellcheck disable=SC2086
$CC $CFLAGS $LDFLAGS -o "$build/shmdemo-window" $objects $LIBS
"$build/bench" "$top/shmdemo" "$RUNS" "$ROUNDS"
echo
"$build/bench" --window "$build/shmdemo-window" "$WINDOW_RUNS"
