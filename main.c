/* main.c: shmdemo, two processes share memory, first without and then with
 * a semaphore; and the fixes students propose that do not work.
 *
 * The parent creates and maps a POSIX shared-memory region, forks, and writes
 * "Ala ma kota" into it; the child prints what it finds there. With --racy
 * nothing makes the child wait, and it reads too early. With --synced the
 * parent posts a named semaphore after writing, the child waits on it first,
 * and always sees the whole message.
 *
 * This file is the lesson, the story of one run from top to bottom. shm.c
 * and sem.c are the two IPC objects. The apparatus that serves the demo
 * (command line, two-lane output, signals, tallies, steering the race) is
 * in apparatus/.
 *
 * Usage: ./shmdemo --racy | --synced [OPTION...]     (see ./shmdemo --help)
 */
#define _POSIX_C_SOURCE 200809L

#include "apparatus/options.h"
#include "apparatus/process.h"
#include "apparatus/signals.h"
#include "apparatus/tally.h"
#include "apparatus/timeline.h"
#include "apparatus/turns.h"
#include "sem.h"
#include "shm.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* What the parent writes, without its terminating zero byte. */
#define MESSAGE "Ala ma kota"
#define MESSAGE_SIZE (sizeof MESSAGE - 1)

/* The child tells the parent what it saw through its exit status: 10 empty,
 * 11 torn, 12 full. Status 1 means it failed, and has said why. */
#define EXIT_SAW_EMPTY 10

/* The wrong fix --busy-wait gives up after this long, not to freeze a
 * lecture when the parent never writes. */
#define SPIN_LIMIT_S 10

struct demo {
    struct settings settings; /* from the command line */
    struct shm_region region; /* the table, shared by parent and child */
    struct named_sem sem;     /* --synced: "the table is ready" */
};

static enum outcome run_experiment(struct demo *demo);
static void parent_part(struct demo *demo);
static void post_table_ready(struct demo *demo);
static noreturn void child_part(struct demo *demo, pid_t parent);
static void spin_until_started(const char *table);
static enum outcome reap_child(pid_t child);
static enum outcome classify(const char *seen);
static void give_verdict(const struct settings *set, enum outcome seen);
static void give_tally_verdict(const struct settings *set,
                               const struct tally *tally);

int main(int argc, char *argv[])
{
    take_charge_of_process(); /* set up what we rely on, not inherit it */
    struct demo demo = {.settings = read_command_line(argc, argv)};
    const struct settings *set = &demo.settings;
    start_timeline();

    /* Memory is mapped in whole pages: our 11 bytes take one page. */
    long page_size = sysconf(_SC_PAGESIZE);
    if (page_size == -1)
        die("sysconf");
    say("page size: %ld bytes", page_size);
    say("legend: _ is a zero byte; times are ms since start");

    /* Create the region and, for --synced, the semaphore. Their names exist
     * only between create and unlink: hold every signal that could end us
     * in between, so that no name is left behind. The calls are told right
     * after, in order, with what they returned. */
    hold_signals();
    if (region_create(&demo.region, MESSAGE_SIZE,
                      set->wrong_fix != PRIVATE_MAPPING, say) == -1)
        die(demo.region.failed_call);
    if (set->mode == SYNCED && named_sem_create(&demo.sem, say) == -1)
        die(demo.sem.failed_call);
    release_signals();

    /* Run the experiment once, told step by step, or many times, counted. */
    if (set->runs == 0) {
        say("table at %p:", (void *)demo.region.addr);
        say_table(demo.region.addr, MESSAGE_SIZE);
        give_verdict(set, run_experiment(&demo));
    } else {
        struct tally tally;
        start_tally(&tally, set);
        while (tally.done < tally.planned)
            count_run(&tally, run_experiment(&demo));
        give_tally_verdict(set, &tally);
    }

    /* Tidy up: the names are long gone; close and unmap what is open. */
    if (set->mode == SYNCED && named_sem_close(&demo.sem) == -1)
        die(demo.sem.failed_call);
    if (region_destroy(&demo.region) == -1)
        die(demo.region.failed_call);
    flush_timeline();
    return EXIT_SUCCESS;
}

/* One experiment: an empty table, fork, the parent writes, the child reads. */
static enum outcome run_experiment(struct demo *demo)
{
    /* Each experiment starts from an empty table. The child of the last one
     * has been reaped, so nobody else is looking at it now. */
    memset(demo->region.addr, 0, demo->region.size);

    /* fork() copies this process, stdio buffers included: flush them first
     * (fflush(stdout), checked), or the child would print the parent's
     * pending lines a second time. */
    flush_timeline();

    /* --schedule, --step: the pipes that hand out the turns (else nothing). */
    prepare_turns(&demo->settings);
    pid_t parent = getpid();
    pid_t child = fork();
    if (child == -1)
        die("fork");
    if (child == 0)
        child_part(demo, parent); /* does not return */

    parent_begins(child);
    say("fork() = %ld", (long)child);
    parent_part(demo);
    return reap_child(child);
}

/* The parent: work a while, then write the message. The right fix posts the
 * semaphore after the last byte; a wrong one posts it before the first. */
static void parent_part(struct demo *demo)
{
    const struct settings *set = &demo->settings;

    /* Before writing, the parent "does other work". The racy child does
     * not wait for it, so this delay is the window in which it reads. */
    say("doing other work for %ld ms", set->delay_ms);
    pause_ms(set->delay_ms);

    /* Wrong fix (--post-early): post first, then write. The child wakes up
     * to a table that is not written yet. */
    if (set->wrong_fix == POST_FIRST)
        post_table_ready(demo);

    for (size_t i = 0; i < MESSAGE_SIZE; i++) {
        take_turn(NEVER_BLOCKS, "write '%c' into table[%zu]", MESSAGE[i], i);
        demo->region.addr[i] = MESSAGE[i];
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
    take_turn(NEVER_BLOCKS, "sem_post(sem)");
    say("sem_post(sem) ...: the table is ready");
    if (named_sem_post(&demo->sem) == -1)
        die(demo->sem.failed_call);
    say("sem_post(sem) = 0");
}

/* The child: wait as the mode says (or as a wrong fix guesses), read the
 * table, show it, and tell the parent what it saw through its exit status. */
static noreturn void child_part(struct demo *demo, pid_t parent)
{
    const struct settings *set = &demo->settings;
    child_begins(parent);

    if (set->mode == SYNCED) {
        /* The right fix. sem_wait returns only after the parent's sem_post,
         * which comes after the parent's last write. POSIX also lists
         * sem_post and sem_wait among the functions that synchronize memory
         * (POSIX.1-2017, XBD 4.12 "Memory Synchronization"): what the
         * parent stored before sem_post is visible to the child after
         * sem_wait. That ordering, not luck, makes the read safe. */
        take_turn(WAITS_FOR_POST, "sem_wait(sem)");
        say("sem_wait(sem) ...");
        if (named_sem_wait(&demo->sem) == -1)
            die(demo->sem.failed_call);
        say("sem_wait(sem) = 0");
    } else if (set->wrong_fix == SLEEP_IN_CHILD) {
        /* Wrong fix (--child-sleep): sleep first, and hope the parent is
         * done by then. A sleep is a guess about timing, not an ordering. */
        take_turn(NEVER_BLOCKS, "sleep %ld ms", set->child_sleep_ms);
        say("sleeping %ld ms before reading", set->child_sleep_ms);
        pause_ms(set->child_sleep_ms);
    } else if (set->wrong_fix == SPIN_ON_FLAG) {
        /* Wrong fix (--busy-wait): loop until the table looks written. */
        take_turn(SPINS, "spin until table[0] is not zero");
        say("spinning until table[0] is not zero");
        spin_until_started(demo->region.addr);
        say("table[0] is '%c': reading now", demo->region.addr[0]);
    } else {
        /* Nothing orders this read after the parent's write: one process
         * writes bytes that another reads, with nothing between them that
         * synchronizes memory (XBD 4.12, as above), so POSIX promises no
         * particular result. In practice the child sees whatever is there
         * when it looks, and the parent's --delay makes sure that is
         * nothing yet. Declaring the table volatile would not help: it
         * forces the reads to happen, but orders nothing between two
         * processes. */
        say("not waiting for the parent");
    }

    /* Take one snapshot; judge and show that, so the two always agree. */
    take_turn(NEVER_BLOCKS, "read the table");
    char seen[MESSAGE_SIZE];
    memcpy(seen, demo->region.addr, MESSAGE_SIZE);
    enum outcome outcome = classify(seen);
    say("table at %p:", (void *)demo->region.addr);
    say_table(seen, MESSAGE_SIZE);
    say("_exit(%d): saw %s", EXIT_SAW_EMPTY + (int)outcome,
        outcome_names[outcome]);

    /* _exit, not exit: the parent's cleanup is the parent's. Every line
     * is already written (stdout is line-buffered), and checked. */
    _exit(EXIT_SAW_EMPTY + (int)outcome);
}

/* Spin until the first byte is written. The volatile read makes the
 * compiler load table[0] afresh on every turn of the loop: a plain read may
 * be hoisted out of the loop at -O2, and the loop would spin forever on a
 * value read once. volatile still orders nothing: a first byte that says
 * "started" is not a message that says "finished". */
static void spin_until_started(const char *table)
{
    const volatile char *first = table;
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (long spins = 1; *first == '\0'; spins++) {
        if (spins % 1000000 != 0)
            continue;
        clock_gettime(CLOCK_MONOTONIC, &now);
        double waited = (double)(now.tv_sec - start.tv_sec) +
                        (double)(now.tv_nsec - start.tv_nsec) / 1e9;
        if (waited >= SPIN_LIMIT_S)
            die_because("the child gave up spinning after %.1f s: table[0] "
                        "is still zero",
                        waited);
    }
}

/* Wait for the child and decode its exit status into what it saw. */
static enum outcome reap_child(pid_t child)
{
    int status;
    if (wait_for_child(child, &status) == -1)
        die("waitpid");
    if (WIFSIGNALED(status))
        die_because("child %ld was killed by signal %d (%s)", (long)child,
                    WTERMSIG(status), strsignal(WTERMSIG(status)));
    int code = WEXITSTATUS(status);
    if (code == EXIT_FAILURE)
        end_in_failure(); /* the child has already said why */
    int seen = code - EXIT_SAW_EMPTY;
    if (seen >= 0 && seen < OUTCOMES) {
        say("waitpid(%ld, &status, 0) = %ld: status %d, saw %s", (long)child,
            (long)child, code, outcome_names[seen]);
        return (enum outcome)seen;
    }
    die_because("child %ld exited with unexpected status %d", (long)child,
                code);
}

/* The whole message, nothing yet, or something in between. */
static enum outcome classify(const char *seen)
{
    if (memcmp(seen, MESSAGE, MESSAGE_SIZE) == 0)
        return FULL;
    for (size_t i = 0; i < MESSAGE_SIZE; i++) {
        if (seen[i] != '\0')
            return TORN;
    }
    return EMPTY;
}

/* What each way of waiting teaches, in one sentence. */
static const char *lesson(const struct settings *set)
{
    switch (set->wrong_fix) {
    case SLEEP_IN_CHILD:
        return "a sleep is a guess about timing, not an ordering.";
    case SPIN_ON_FLAG:
        return "a first byte that says \"started\" is not a message that "
               "says \"finished\".";
    case POST_FIRST:
        return "the post announced a message that was not there yet.";
    case PRIVATE_MAPPING:
        return "MAP_PRIVATE gave each process its own copy of the page "
               "(copy-on-write after fork): synchronization orders access "
               "to shared memory, it cannot share memory that is private.";
    case NO_WRONG_FIX:
        break;
    }
    if (set->mode == SYNCED)
        return "the child waited on the semaphore, which the parent posted "
               "only after writing the whole message.";
    return "nothing made the child wait for the parent.";
}

/* The right fix alone can never see less than the whole message. */
static bool right_fix(const struct settings *set)
{
    return set->mode == SYNCED && set->wrong_fix == NO_WRONG_FIX;
}

/* The last line of a single run: what the child saw, and why. */
static void give_verdict(const struct settings *set, enum outcome seen)
{
    static const char *const what[OUTCOMES] = {
        [EMPTY] = "the child read the table before the parent wrote it",
        [TORN] = "the child read while the parent was still writing",
        [FULL] = "the child read after the parent wrote",
    };
    if (right_fix(set) && seen != FULL)
        die_because("the child saw %s despite the semaphore: a bug",
                    outcome_names[seen]);
    summarize("%s", "");
    if (set->wrong_fix == PRIVATE_MAPPING)
        summarize("verdict: %s: the child read its own copy of the table: %s",
                  outcome_names[seen], lesson(set));
    else if (seen == FULL && !right_fix(set) && set->schedule == NULL &&
             !set->step)
        summarize("verdict: full: this time the child happened to read after "
                  "the parent wrote (try --runs): %s",
                  lesson(set));
    else
        summarize("verdict: %s: %s: %s", outcome_names[seen], what[seen],
                  lesson(set));
}

/* The end of N runs: the table, then the verdict. */
static void give_tally_verdict(const struct settings *set,
                               const struct tally *tally)
{
    long too_early = tally->counts[EMPTY] + tally->counts[TORN];
    print_tally(tally);
    if (right_fix(set) && too_early > 0)
        die_because("%ld of %ld runs saw less than the full message despite "
                    "the semaphore: a bug",
                    too_early, tally->done);
    const char *runs = tally->done == 1 ? "run" : "runs";
    if (right_fix(set))
        summarize("verdict: %ld of %ld %s saw the full message: %s",
                  tally->done, tally->done, runs, lesson(set));
    else if (set->wrong_fix == PRIVATE_MAPPING)
        summarize("verdict: %ld of %ld %s saw less than the full message, "
                  "reading its own copy of the table: %s",
                  too_early, tally->done, runs, lesson(set));
    else if (too_early > 0)
        summarize("verdict: %ld of %ld %s read too early (empty or torn): %s",
                  too_early, tally->done, runs, lesson(set));
    else
        summarize("verdict: no run read too early this time, but nothing "
                  "prevents it: %s",
                  lesson(set));
}
