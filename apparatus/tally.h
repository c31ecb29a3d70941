/* apparatus/tally.h: --runs: many quiet runs, a progress counter, and the
 * table of what the child saw.
 */
#ifndef TALLY_H
#define TALLY_H

#include "lesson.h"
#include "options.h"

struct tally {
    long counts[OUTCOMES];             /* runs that saw each outcome */
    long by_letters[MESSAGE_SIZE + 1]; /* runs that saw 0..11 letters */
    long done;                         /* runs completed */
    long planned;                      /* runs asked for */
};

/* Announce N runs, stop narrating, and start the progress counter. Runs
 * that will take more than a minute are announced with their time: from
 * the delays alone at once, else from the speed of the first runs. */
void start_tally(struct tally *tally, const struct settings *settings);

/* Count one run, in which the child saw LETTERS (0..11), and redraw the
 * progress counter now and then. */
void count_run(struct tally *tally, int letters);

/* Take the progress counter off the screen, if it is there (before a
 * message on stderr). */
void clear_progress(void);

/* Clear the progress counter and print the table: one line per outcome,
 * with its count and share. */
void print_tally(const struct tally *tally);

/* For each outcome seen, a command that replays it with --schedule, from
 * the letters the child saw most often in that outcome. */
void print_replays(const struct settings *settings,
                   const struct tally *tally);

#endif
