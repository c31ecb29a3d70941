/* main.c: shmdemo, two processes share memory, first without and then with
 * a semaphore; and the fixes students propose that do not work.
 *
 * The parent creates and maps a POSIX shared-memory region, forks, and writes
 * "Ala ma kota" into it; the child prints what it finds there. With --racy
 * nothing makes the child wait, and it reads too early. With --synced the
 * parent posts a named semaphore after writing, the child waits on it first,
 * and always sees the whole message.
 *
 * This file is the lesson, the story of one run from top to bottom, with
 * the calls it is about in the open: fork, the writes, sem_post, sem_wait,
 * the read, waitpid. shm.c and sem.c create the two IPC objects. The
 * apparatus that serves the demo (command line, two-lane output, signals,
 * tallies, steering the race) is in apparatus/: step() tells a step and,
 * under --schedule or --step, waits for its turn.
 *
 * Usage: ./shmdemo --racy | --synced [OPTION...]     (see ./shmdemo --help)
 */
#define _POSIX_C_SOURCE 200809L

#include "apparatus/exits.h"
#include "apparatus/explore.h"
#include "apparatus/lesson.h"
#include "apparatus/options.h"
#include "apparatus/process.h"
#include "apparatus/signals.h"
#include "apparatus/tally.h"
#include "apparatus/timeline.h"
#include "apparatus/turns.h"
#include "apparatus/verdict.h"
#include "sem.h"
#include "shm.h"

#include <errno.h>
#include <semaphore.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* --busy-wait gives up after spinning this many seconds of its own CPU
 * time, not to freeze a lecture (a test build may set -DSPIN_LIMIT_S=1). */
#ifndef SPIN_LIMIT_S
#define SPIN_LIMIT_S 10
#endif

struct demo {
    struct settings settings; /* from the command line */
    struct shm_region region; /* the table, shared by parent and child */
    struct named_sem sem;     /* --synced: "the table is ready" */
};

static int run_experiment(struct demo *demo);
static int run_with_schedule(void *demo, const char *schedule);
static void parent_part(struct demo *demo);
static void post_table_ready(struct demo *demo);
static noreturn void child_part(struct demo *demo);
static void spin_until_started(const char *table, bool steered);
static int reap_child(pid_t child);
static int letters_in(const char *seen);

int main(int argc, char *argv[])
{
    take_charge_of_process(); /* set up what we rely on, not inherit it */
    struct demo demo = {.settings = read_command_line(argc, argv)};
    const struct settings *set = &demo.settings;
    start_timeline(set);
    start_turns(set);

    /* Memory is mapped in whole pages: our 11 bytes take one page. */
    long page_size = sysconf(_SC_PAGESIZE);
    if (page_size == -1)
        die("sysconf");
    detail("page size: %ld bytes", page_size);
    detail("legend: _ is a zero byte; times are ms since start");

    /* Create the region and, for --synced, the semaphore. Their names exist
     * only between create and unlink: hold every signal that could end us
     * in between, so that no name is left behind, and hold the lines that
     * tell the calls (a write to a full pipe must not keep a name alive). */
    hold_signals();
    hold_lines();
    if (region_create(&demo.region, MESSAGE_SIZE,
                      set->wrong_fix != PRIVATE_MAPPING, detail) == -1)
        die(demo.region.failed_call);
    if (set->mode == SYNCED && named_sem_create(&demo.sem, detail) == -1)
        die(demo.sem.failed_call);
    release_signals();
    release_lines();

    /* Each interleaving once; or one run, told step by step; or N, counted. */
    if (set->explore) {
        if (explore(set, run_with_schedule, &demo, summarize) > 0)
            end_in_failure(); /* a real run disagreed with the model: a bug */
    } else if (set->runs == 0) {
        detail("table at %p:", (void *)demo.region.addr);
        detail_table(demo.region.addr, MESSAGE_SIZE);
        give_verdict(set, run_experiment(&demo));
    } else {
        struct tally tally;
        start_tally(&tally, set);
        while (tally.done < tally.planned)
            count_run(&tally, run_experiment(&demo));
        give_tally_verdict(set, &tally);
    }

    /* Tidy up: the names are long gone; close and unmap what is open. */
    if (set->mode == SYNCED && sem_close(demo.sem.handle) == -1)
        die("sem_close");
    if (region_destroy(&demo.region) == -1)
        die(demo.region.failed_call);
    flush_timeline();
    return EXIT_SUCCESS;
}

/* One experiment: an empty table, fork, the parent writes, the child reads.
 * Returns how many letters of the message the child saw. */
static int run_experiment(struct demo *demo)
{
    /* Each experiment starts from an empty table. The child of the last one
     * has been reaped, so nobody else is looking at it now. */
    memset(demo->region.addr, 0, demo->region.size);

    /* fork() copies this process, stdio buffers included: before_fork
     * writes out what they hold, or the child would print it again. */
    say("fork() ...");
    before_fork();
    pid_t parent = getpid();
    pid_t child = fork();
    if (child == -1)
        die("fork");
    after_fork(child, parent); /* who is the child; who stops it */
    if (child == 0)
        child_part(demo); /* does not return */
    say("fork() = %ld", (long)child);

    parent_part(demo);
    return reap_child(child);
}

/* --explore: one real run, steered by SCHEDULE. */
static int run_with_schedule(void *demo, const char *schedule)
{
    ((struct demo *)demo)->settings.schedule = schedule;
    return run_experiment(demo);
}

/* The parent: work a while, then write the message. The right fix posts the
 * semaphore after the last byte; a wrong one posts it before the first. */
static void parent_part(struct demo *demo)
{
    const struct settings *set = &demo->settings;
    char *table = demo->region.addr;

    /* Before writing, the parent "does other work". The racy child does
     * not wait for it, so this delay is the window in which it reads. */
    say("doing other work for %ld ms", set->delay_ms);
    pause_ms(set->delay_ms);

    /* Wrong fix (--post-early): post first, then write. The child wakes up
     * to a table that is not written yet. */
    if (set->wrong_fix == POST_FIRST)
        post_table_ready(demo);

    for (size_t i = 0; i < MESSAGE_SIZE; i++) {
        step(WRITE, "write '%c' into table[%zu]", MESSAGE[i], i);
        table[i] = MESSAGE[i];
        pause_us(set->write_delay_us); /* --write-delay: a slow writer */
    }
    say("wrote \"%s\" into the table", MESSAGE);

    /* The right fix: post only now, after the last byte is written. The
     * post is the message "the table is ready". */
    if (set->mode == SYNCED && set->wrong_fix != POST_FIRST)
        post_table_ready(demo);
    no_more_turns();
}

static void post_table_ready(struct demo *demo)
{
    step(POST, "sem_post(sem)");
    if (sem_post(demo->sem.handle) == -1)
        die("sem_post");
    returned(0);
}

/* The child: wait as the mode says (or as a wrong fix guesses), read the
 * table, show it, and tell the parent what it saw through its exit status. */
static noreturn void child_part(struct demo *demo)
{
    const struct settings *set = &demo->settings;
    const char *table = demo->region.addr;

    if (set->mode == SYNCED) {
        /* The right fix: sem_wait returns only after the parent's sem_post,
         * which follows its last write; and what the parent stored before
         * sem_post is visible after sem_wait (both synchronize memory:
         * POSIX.1-2017, XBD 4.12 "Memory Synchronization"). */
        step(WAIT, "sem_wait(sem)");
        while (sem_wait(demo->sem.handle) == -1) {
            if (errno != EINTR) /* a signal handler is no reason to stop */
                die("sem_wait");
        }
        returned(0);
    } else if (set->wrong_fix == SLEEP_IN_CHILD) {
        /* Wrong fix: a sleep is a guess about timing, not an ordering. */
        step(SLEEP, "sleep %ld ms", set->child_sleep_ms);
        pause_ms(set->child_sleep_ms);
    } else if (set->wrong_fix == SPIN_ON_FLAG) {
        /* Wrong fix: loop until the table looks written. */
        step(SPIN, "spin until table[0] is not zero");
        spin_until_started(table, set->schedule != NULL || set->step);
        say("table[0] is '%c': reading now", table[0]);
    } else {
        /* Nothing orders this read after the parent's writes (XBD 4.12
         * again): a data race, and POSIX promises no particular result.
         * The child sees whatever is there when it looks: with --delay,
         * nothing yet. volatile would not help: it orders nothing. */
        say("not waiting for the parent");
    }

    /* Take one snapshot; judge and show that, so the two always agree. */
    step(READ, "read the table");
    char seen[MESSAGE_SIZE];
    memcpy(seen, table, MESSAGE_SIZE);
    int letters = letters_in(seen);
    detail("table at %p:", (const void *)table);
    say_table(seen, MESSAGE_SIZE);
    detail("_exit(%d): saw %s", EXIT_SAW + letters,
           outcome_names[outcome_of(letters)]);
    _exit(EXIT_SAW + letters); /* not exit: the parent's cleanup is its own */
}

/* Spin until the first byte is written. The volatile read makes the
 * compiler load table[0] afresh on every turn of the loop: a plain read may
 * be hoisted out of the loop at -O2, and the loop would spin forever on a
 * value read once. volatile still orders nothing: a first byte that says
 * "started" is not a message that says "finished". Unless the steps are
 * STEERED (the class decides, and q ends it), the spin gives up after
 * SPIN_LIMIT_S seconds of this process's own CPU time: time it was stopped
 * (Ctrl-Z) or waiting for a busy CPU does not count. */
static void spin_until_started(const char *table, bool steered)
{
    const volatile char *first = table;
    unsigned spins = 0; /* wraps around harmlessly */
    while (*first == '\0') {
        if (steered || ++spins % 1000000 != 0)
            continue;
        struct timespec used;
        if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &used) == -1)
            die("clock_gettime");
        if (used.tv_sec >= SPIN_LIMIT_S)
            die_because("the child gave up spinning after %d s of CPU time: "
                        "table[0] is still zero",
                        SPIN_LIMIT_S);
    }
}

/* Wait for the child and decode its exit status into the letters it saw. */
static int reap_child(pid_t child)
{
    wait_until_child_ends(); /* Ctrl-C and q still act while it runs */
    int status;
    while (waitpid(child, &status, 0) == -1) {
        if (errno != EINTR)
            die("waitpid");
    }
    if (WIFSIGNALED(status))
        die_because("child %ld was killed by signal %d (%s)", (long)child,
                    WTERMSIG(status), strsignal(WTERMSIG(status)));
    int code = WEXITSTATUS(status);
    if (code == EXIT_FAILURE)
        end_in_failure(); /* the child has already said why */
    int letters = code - EXIT_SAW;
    if (letters < 0 || letters > (int)MESSAGE_SIZE)
        die_because("child %ld exited with unexpected status %d", (long)child,
                    code);
    detail("waitpid(%ld, &status, 0) = %ld: status %d, saw %s", (long)child,
           (long)child, code, outcome_names[outcome_of(letters)]);
    return letters;
}

/* How many letters of the message the table holds (a zero byte is none).
 * Racing, nothing promises they are the first ones written (XBD 4.12). */
static int letters_in(const char *seen)
{
    int letters = 0;
    for (size_t i = 0; i < MESSAGE_SIZE; i++) {
        if (seen[i] == MESSAGE[i])
            letters++;
    }
    return letters;
}
