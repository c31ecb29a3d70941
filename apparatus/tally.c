/* apparatus/tally.c: --runs: many quiet runs, a progress counter on a
 * terminal, and the table of what the child saw. Ctrl-C during the runs
 * still shows the table of the runs completed.
 */
#define _POSIX_C_SOURCE 200809L

#include "tally.h"

#include "timeline.h"
#include "turns.h"

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* What one experiment costs beyond its delays: a fork, a wait, a little
 * more (measured by make bench on a 2-core VM: about 0.2 ms). */
#define MS_PER_EXPERIMENT 0.2
#define LETTERS 11 /* characters the parent writes */

const char *const outcome_names[OUTCOMES] = {"empty", "torn", "full"};

static struct {
    const struct tally *running; /* for an interrupted run */
    bool progress;               /* stderr is a terminal */
    bool drawn;                  /* the counter is on the screen */
    struct timespec last_drawn;
} runs;

static double ms_between(const struct timespec *then,
                         const struct timespec *now)
{
    return (double)(now->tv_sec - then->tv_sec) * 1e3 +
           (double)(now->tv_nsec - then->tv_nsec) / 1e6;
}

/* How long the runs will take, at least, in words: "19 years". */
static void describe_duration(double ms, char *text, size_t size)
{
    static const struct {
        const char *unit;
        double ms;
    } units[] = {{"year", 365.25 * 86400e3},
                 {"day", 86400e3},
                 {"hour", 3600e3},
                 {"minute", 60e3}};
    size_t i = 0;
    while (i + 1 < sizeof units / sizeof units[0] && ms < units[i].ms)
        i++;
    long count = (long)(ms / units[i].ms + 0.5);
    snprintf(text, size, "%ld %s%s", count, units[i].unit,
             count == 1 ? "" : "s");
}

/* With a schedule, each letter c that finds the child blocked costs the
 * time it takes to call it blocked: the letters c before the parent's step
 * that frees it (the post; with --busy-wait or --post-early, the first). */
static double ms_blocked(const struct settings *s)
{
    long frees_after =
        s->wrong_fix == SPIN_ON_FLAG || s->wrong_fix == POST_FIRST ? 1
        : s->mode == SYNCED                                        ? 12
                                                                   : 0;
    long parent_steps = 0, blocked = 0;
    for (const char *letter = s->schedule;
         letter != NULL && *letter != '\0' && parent_steps < frees_after;
         letter++) {
        if (*letter == 'p')
            parent_steps++;
        else
            blocked++;
    }
    return (double)(blocked * BLOCKED_AFTER_MS);
}

void start_tally(struct tally *tally, const struct settings *settings)
{
    memset(tally, 0, sizeof *tally);
    tally->planned = settings->runs;
    say("running the experiment %ld time%s...", tally->planned,
        tally->planned == 1 ? "" : "s");

    /* The parent's delays and the child's sleep pass at the same time. */
    double parent_ms = (double)settings->delay_ms +
                       LETTERS * (double)settings->write_delay_us / 1e3;
    double child_ms = (double)settings->child_sleep_ms;
    double ms_per_run = MS_PER_EXPERIMENT +
                        (parent_ms > child_ms ? parent_ms : child_ms) +
                        ms_blocked(settings);
    double total_ms = ms_per_run * (double)tally->planned;
    if (total_ms > 60e3) {
        char duration[64];
        describe_duration(total_ms, duration, sizeof duration);
        say("this will take at least %s (Ctrl-C stops it and shows the "
            "tally so far)",
            duration);
    }
    stop_narrating();
    runs.running = tally;
    runs.progress = isatty(STDERR_FILENO);
    clock_gettime(CLOCK_MONOTONIC, &runs.last_drawn);
}

void count_run(struct tally *tally, enum outcome seen)
{
    tally->counts[seen]++;
    tally->done++;
    if (!runs.progress || tally->done == tally->planned)
        return;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (ms_between(&runs.last_drawn, &now) >= 100.0) {
        fprintf(stderr, "\rrun %ld of %ld (%ld%%)", tally->done, tally->planned,
                tally->done * 100 / tally->planned);
        runs.last_drawn = now;
        runs.drawn = true;
    }
}

void clear_progress(void)
{
    if (runs.drawn)
        fputs("\r\033[K", stderr);
    runs.drawn = false;
}

void print_tally(const struct tally *tally)
{
    runs.running = NULL;
    if (runs.progress)
        fputs("\r\033[K", stderr); /* clear the progress counter */
    runs.drawn = false;
    summarize("%s", "");
    summarize("outcome     runs    share");
    for (int outcome = FULL; outcome >= EMPTY; outcome--) {
        double share =
            tally->done == 0
                ? 0.0
                : 100.0 * (double)tally->counts[outcome] / (double)tally->done;
        summarize("%-7s %8ld  %6.2f%%", outcome_names[outcome],
                  tally->counts[outcome], share);
    }
}

void print_interrupted_tally(int signal_number)
{
    const struct tally *tally = runs.running;
    if (tally == NULL)
        return;
    print_tally(tally);
    summarize("interrupted by signal %d (%s) after %ld of %ld runs: the "
              "table counts the %ld completed.",
              signal_number, strsignal(signal_number), tally->done,
              tally->planned, tally->done);
}
