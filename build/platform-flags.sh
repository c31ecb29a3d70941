#!/bin/sh
# build/platform-flags.sh: the link flags this system needs, printed on one
# line: `sh build/platform-flags.sh`. The Makefile calls it so that it needs
# no conditionals (GNU make and BSD make have different ones).
#   Linux: -lrt (shm_open lived in librt before glibc 2.34) and -z now
#   (resolve every library call at start-up, not in each forked child).
#   Elsewhere (macOS, the BSDs): shm_open and sem_open are in libc.
case $(uname -s) in
Linux) echo "-pthread -Wl,-z,now -lrt" ;;
*) echo "-pthread" ;;
esac
