/* apparatus/tally.c: --runs: many quiet runs, a progress counter on a
 * terminal, and the table of what the child saw. Ctrl-C during the runs
 * still shows the table of the runs completed.
 */
#define _POSIX_C_SOURCE 200809L

#include "tally.h"

#include "exits.h"
#include "terminal.h"
#include "timeline.h"

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Runs that are expected to take longer than this are announced. */
#define ANNOUNCE_AFTER_MS 60e3
/* How long the runs are timed before the estimate is made. */
#define ESTIMATE_AFTER_MS 300.0

static struct {
    const struct tally *running; /* for an interrupted run */
    bool progress;               /* stderr is a terminal */
    bool drawn;                  /* the counter is on the screen */
    bool estimated;              /* the estimate has been made */
    struct timespec started, last_drawn;
} runs;

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

/* The least a run can take: the parent's delays, and the child's sleep.
 * They pass at the same time, unless a schedule puts the sleep after the
 * parent's first step (which comes after its delay). */
static double least_ms_per_run(const struct settings *s)
{
    double parent_ms = (double)s->delay_ms +
                       (double)MESSAGE_SIZE * (double)s->write_delay_us / 1e3;
    double child_ms = (double)s->child_sleep_ms;
    if (s->schedule != NULL)
        return parent_ms + child_ms;
    return parent_ms > child_ms ? parent_ms : child_ms;
}

/* Say how long the runs will take, if that is more than a minute. */
static void announce(const struct tally *tally, double ms_per_run,
                     const char *how)
{
    double total_ms = ms_per_run * (double)(tally->planned - tally->done);
    if (total_ms <= ANNOUNCE_AFTER_MS)
        return;
    char duration[64];
    describe_duration(total_ms, duration, sizeof duration);
    clear_progress();
    summarize("%s, this will take %s more (Ctrl-C stops it and shows the "
              "tally so far)",
              how, duration);
    flush_timeline();
}

/* On the way out: the progress line goes; a stop signal shows the tally so
 * far. */
static void print_interrupted_tally(int signal_number);

void start_tally(struct tally *tally, const struct settings *settings)
{
    memset(tally, 0, sizeof *tally);
    tally->planned = settings->runs;
    say("running the experiment %ld time%s...", tally->planned,
        tally->planned == 1 ? "" : "s");
    stop_narrating();
    on_the_way_out(clear_progress, print_interrupted_tally);
    runs.running = tally;
    runs.progress = isatty(STDERR_FILENO);
    clock_gettime(CLOCK_MONOTONIC, &runs.started);
    runs.last_drawn = runs.started;

    /* The delays alone may say it already; else the first runs will. */
    double least = least_ms_per_run(settings);
    runs.estimated = least * (double)tally->planned > ANNOUNCE_AFTER_MS;
    if (runs.estimated)
        announce(tally, least, "from the delays alone");
}

void count_run(struct tally *tally, int letters)
{
    tally->counts[outcome_of(letters)]++;
    tally->by_letters[letters]++;
    tally->done++;
    if (tally->done == tally->planned || (!runs.progress && runs.estimated))
        return;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    double elapsed = ms_between(&runs.started, &now);
    if (!runs.estimated && elapsed >= ESTIMATE_AFTER_MS) {
        runs.estimated = true;
        announce(tally, elapsed / (double)tally->done, "at this speed");
    }
    if (!runs.progress)
        return;
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
        fputs(ERASE_LINE, stderr);
    runs.drawn = false;
}

void print_tally(const struct tally *tally)
{
    runs.running = NULL;
    if (runs.progress)
        fputs(ERASE_LINE, stderr); /* clear the progress counter */
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

static void print_interrupted_tally(int signal_number)
{
    const struct tally *tally = runs.running;
    if (tally == NULL || signal_number == 0)
        return;
    print_tally(tally);
    summarize("interrupted by signal %d (%s) after %ld of %ld runs: the "
              "table counts the %ld completed.",
              signal_number, strsignal(signal_number), tally->done,
              tally->planned, tally->done);
}
