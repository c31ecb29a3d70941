# shmdemo: build, demo, test, install. Works with GNU make (3.81 and later)
# and BSD make: no conditionals, no pattern rules.
#
#   make               build ./shmdemo and the handout, handout/racy and
#                      handout/synced (the course's two programs, for slides)
#   make demo          build, then run --racy and --synced one after the other
#   make test          the test suite (a C compiler, make and a POSIX shell)
#   make check         the tests under sanitizers, valgrind, static checkers
#   make bench         time an experiment against a bare fork() loop (~40 s)
#   make readme-check  rerun every capture in README.md and docs/*.md, compare
#   make portability   musl, 32-bit, qemu, macOS headers, BSD make: what is here
#   make fault         the fault-injection library the README's example uses
#   make clean         remove what the build made
#   make install       install to $(DESTDIR)$(PREFIX)/bin (PREFIX=/usr/local)
#
# CC, CFLAGS, LDFLAGS and LDLIBS can be set on the command line, e.g. a
# sanitizer build: make CFLAGS='-g -fsanitize=address,undefined' \
#                       LDFLAGS=-fsanitize=address,undefined

CC = cc
CFLAGS = -O2 -g
LDFLAGS =
LDLIBS =
PREFIX = /usr/local
BENCH_RUNS = 5000
BENCH_ROUNDS = 5

# What the code needs, kept apart from CFLAGS so that an override keeps it.
STD_CFLAGS = -std=c11 -Wall -Wextra -Wpedantic
PLATFORM_FLAGS = `sh build/platform-flags.sh`

APPARATUS = apparatus/exits.o apparatus/lesson.o apparatus/options.o \
	apparatus/process.o apparatus/signals.o apparatus/tally.o \
	apparatus/terminal.o apparatus/timeline.o apparatus/turns.o \
	apparatus/verdict.o apparatus/worlds.o apparatus/explore.o
OBJECTS = main.o shm.o sem.o $(APPARATUS)
HANDOUT = handout/racy handout/synced
HEADERS = shm.h sem.h apparatus/basics.h apparatus/exits.h \
	apparatus/lesson.h apparatus/options.h apparatus/process.h \
	apparatus/signals.h apparatus/tally.h apparatus/terminal.h \
	apparatus/timeline.h apparatus/turns.h apparatus/verdict.h \
	apparatus/worlds.h apparatus/explore.h

.PHONY: all demo test check bench readme-check portability fault clean \
	install uninstall print-objects print-sources FORCE
.SUFFIXES:
.SUFFIXES: .c .o

all: shmdemo $(HANDOUT)

# The flags of the last build: when they change (a sanitizer build, say),
# everything is rebuilt, never linked half-old with half-new.
.build-flags: FORCE
	@echo '$(CC) $(STD_CFLAGS) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) $(LDLIBS)' \
	    >.build-flags.new
	@if cmp -s .build-flags.new .build-flags; then rm .build-flags.new; \
	    else mv .build-flags.new .build-flags; fi
FORCE:

shmdemo: $(OBJECTS) .build-flags
	$(CC) $(CFLAGS) $(LDFLAGS) -o shmdemo $(OBJECTS) $(LDLIBS) \
	    $(PLATFORM_FLAGS)

$(OBJECTS): $(HEADERS) .build-flags

# The handout: each program one file, built on its own.
handout/racy: handout/racy.c .build-flags
	$(CC) $(STD_CFLAGS) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o handout/racy \
	    handout/racy.c $(LDLIBS) $(PLATFORM_FLAGS)
handout/synced: handout/synced.c .build-flags
	$(CC) $(STD_CFLAGS) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o handout/synced \
	    handout/synced.c $(LDLIBS) $(PLATFORM_FLAGS)

.c.o:
	$(CC) $(STD_CFLAGS) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

demo: shmdemo
	./shmdemo --racy
	@echo
	./shmdemo --synced

# The suite gets the objects this build made (a test build recompiles only
# the file that needs a define, and links it with the rest), and the make
# variables as given, for the tests that run make in a copy of the tree.
test: shmdemo $(HANDOUT)
	@CC='$(CC)' CFLAGS='$(STD_CFLAGS) $(CFLAGS)' LDFLAGS='$(LDFLAGS)' \
	  LIBS="$(LDLIBS) $(PLATFORM_FLAGS)" OBJECTS='$(OBJECTS)' \
	  MAKE_CFLAGS='$(CFLAGS)' MAKE_CPPFLAGS='$(CPPFLAGS)' \
	  MAKE_LDLIBS='$(LDLIBS)' sh tests/run.sh

# The one list of what shmdemo is built from, for the scripts.
print-objects:
	@echo $(OBJECTS)
print-sources:
	@echo $(OBJECTS:.o=.c)

check:
	MAKE='$(MAKE)' sh tests/check.sh

bench: shmdemo
	@CC='$(CC)' CFLAGS='$(STD_CFLAGS) $(CFLAGS)' LDFLAGS='$(LDFLAGS)' \
	  LIBS="$(LDLIBS) $(PLATFORM_FLAGS)" OBJECTS='$(OBJECTS)' \
	  RUNS='$(BENCH_RUNS)' \
	  ROUNDS='$(BENCH_ROUNDS)' sh bench/bench.sh

readme-check: shmdemo
	sh tests/readme-check.sh

portability:
	MAKE='$(MAKE)' sh tests/portability.sh

fault: tests/build/libfault.so
tests/build/libfault.so: tests/fault.c
	mkdir -p tests/build
	$(CC) -shared -fPIC -o tests/build/libfault.so tests/fault.c -ldl

clean:
	rm -f shmdemo $(HANDOUT) $(OBJECTS) .build-flags .build-flags.new
	rm -rf tests/build bench/build

install: shmdemo
	mkdir -p '$(DESTDIR)$(PREFIX)/bin'
	cp shmdemo '$(DESTDIR)$(PREFIX)/bin/shmdemo'
	chmod 755 '$(DESTDIR)$(PREFIX)/bin/shmdemo'

uninstall:
	rm -f '$(DESTDIR)$(PREFIX)/bin/shmdemo'
