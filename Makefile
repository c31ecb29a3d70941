# shmdemo: build, demo, test, install.
#
#   make            build ./shmdemo
#   make demo       build, then run --racy and --synced one after the other
#   make test       the test suite (a C compiler, make and a POSIX shell)
#   make bench      time an experiment against a bare fork() loop
#   make check      the tests under sanitizers, valgrind, static checkers
#   make clean      remove what the build made
#   make install    install to $(DESTDIR)$(PREFIX)/bin (PREFIX=/usr/local)
#
# CC, CFLAGS, LDFLAGS and LDLIBS can be set on the command line, e.g. a
# sanitizer build: make CFLAGS='-g -fsanitize=address,undefined' \
#                       LDFLAGS=-fsanitize=address,undefined

CC ?= cc
CFLAGS ?= -O2 -g
LDFLAGS ?=
PREFIX ?= /usr/local
BENCH_RUNS ?= 5000
BENCH_ROUNDS ?= 5
BINDIR = $(PREFIX)/bin

# What the code needs, kept apart from CFLAGS so an override keeps it.
STD_CFLAGS = -std=c11 -Wall -Wextra -Wpedantic
STD_LIBS = -pthread
# Resolve every library call at start-up (also "full RELRO"), not lazily:
# otherwise each forked child pays for looking up _exit, prctl, memcmp...
# again, in copy-on-write page faults. The benchmark's floor is linked the
# same way, so the comparison stays fair.
ifeq ($(shell uname -s),Linux)
STD_LDFLAGS = -Wl,-z,now
STD_LIBS += -lrt # shm_open lived in librt before glibc 2.34; macOS has none
endif

OBJECTS = main.o shm.o sem.o

.PHONY: all demo test bench check clean install uninstall FORCE

all: shmdemo

# The flags of the last build: when they change (a sanitizer build, say),
# everything is rebuilt, never linked half-old with half-new.
BUILD_FLAGS = $(CC) $(STD_CFLAGS) $(CPPFLAGS) $(CFLAGS) $(STD_LDFLAGS) $(LDFLAGS)
.build-flags: FORCE
	@echo '$(BUILD_FLAGS)' | cmp -s - $@ || echo '$(BUILD_FLAGS)' >$@

shmdemo: $(OBJECTS) .build-flags
	$(CC) $(CFLAGS) $(STD_LDFLAGS) $(LDFLAGS) -o $@ $(OBJECTS) $(LDLIBS) \
	    $(STD_LIBS)

%.o: %.c shm.h sem.h .build-flags
	$(CC) $(STD_CFLAGS) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

demo: shmdemo
	./shmdemo --racy
	@echo
	./shmdemo --synced

test: shmdemo
	@CC='$(CC)' CFLAGS='$(STD_CFLAGS) $(CFLAGS)' LDFLAGS='$(LDFLAGS)' \
	  LIBS='$(STD_LIBS)' sh tests/run.sh

check:
	MAKE='$(MAKE)' sh tests/check.sh

bench: shmdemo bench/build/bench
	bench/build/bench ./shmdemo $(BENCH_RUNS) $(BENCH_ROUNDS)

bench/build/bench: bench/bench.c
	mkdir -p bench/build
	$(CC) $(STD_CFLAGS) $(CFLAGS) $(STD_LDFLAGS) $(LDFLAGS) -o $@ bench/bench.c

clean:
	rm -f shmdemo $(OBJECTS) .build-flags
	rm -rf tests/build bench/build

install: shmdemo
	mkdir -p '$(DESTDIR)$(BINDIR)'
	cp shmdemo '$(DESTDIR)$(BINDIR)/shmdemo'
	chmod 755 '$(DESTDIR)$(BINDIR)/shmdemo'

uninstall:
	rm -f '$(DESTDIR)$(BINDIR)/shmdemo'
