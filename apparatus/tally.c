/* apparatus/tally.c: --runs: many quiet runs, a progress counter on a
 * terminal, and the table of what the child saw. Ctrl-C during the runs
 * still shows the table of the runs completed.
 */
#define _POSIX_C_SOURCE 200809L

#include "tally.h"

#include "exits.h"
#include "terminal.h"
#include "timeline.h"
#include "worlds.h"

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
    const struct settings *settings;
    bool progress;  /* stderr is a terminal */
    bool drawn;     /* the counter is on the screen */
    bool estimated; /* the estimate has been made */
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
    runs.settings = settings;
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
    print_replays(runs.settings, tally);
}

/* The letters the child saw most often in the runs that saw OUTCOME, or
 * -1 if none did. */
static int most_seen(const struct tally *tally, enum outcome outcome)
{
    int typical = -1;
    for (int letters = 0; letters <= (int)MESSAGE_SIZE; letters++) {
        if (outcome_of(letters) != outcome || tally->by_letters[letters] == 0)
            continue;
        if (typical == -1 ||
            tally->by_letters[letters] > tally->by_letters[typical])
            typical = letters;
    }
    return typical;
}

/* For each outcome seen, the schedule that replays it, as a command to
 * paste (on a line of its own, short enough not to wrap): from the letters
 * the child saw most often in that outcome. A torn table with 3 letters
 * was read after the parent's third write: --schedule pppc. */
void print_replays(const struct settings *set, const struct tally *tally)
{
    struct world_plan plan = world_plan_for(set);
    struct world_exploration worlds;
    world_explore(&plan, &worlds);
    const char *fix = wrong_fix_option(set->wrong_fix);
    char sleep_ms[32] = "";
    if (set->wrong_fix == SLEEP_IN_CHILD)
        snprintf(sleep_ms, sizeof sleep_ms, " %ld", set->child_sleep_ms);
    for (int outcome = FULL; outcome >= EMPTY; outcome--) {
        int letters = most_seen(tally, (enum outcome)outcome);
        if (letters == -1)
            continue;
        const char *name = outcome_names[outcome];
        summarize("replay %s (%d letter%s, as in %ld of the %ld %s runs):",
                  name, letters, letters == 1 ? "" : "s",
                  tally->by_letters[letters], tally->counts[outcome], name);
        const char *schedule = world_witness_for(&worlds, letters);
        if (schedule == NULL)
            summarize("  none: the model has no interleaving that gives it "
                      "(a bug)");
        else
            summarize("  ./shmdemo %s%s%s%s --schedule %s",
                      set->mode == SYNCED ? "--synced" : "--racy",
                      fix[0] != '\0' ? " " : "", fix, sleep_ms, schedule);
    }
}
