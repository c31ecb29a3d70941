/* apparatus/tally.h: --runs: many quiet runs, a progress counter, and the
 * table of what the child saw.
 */
#ifndef TALLY_H
#define TALLY_H

#include "options.h"

/* What the child saw: nothing yet, part of the message, or all of it. */
enum outcome { EMPTY, TORN, FULL, OUTCOMES };
extern const char *const outcome_names[OUTCOMES];

struct tally {
    long counts[OUTCOMES]; /* runs that saw each outcome */
    long done;             /* runs completed */
    long planned;          /* runs asked for */
};

/* Announce N runs (and how long they will take, when that is more than
 * about a minute), stop narrating, and start the progress counter. */
void start_tally(struct tally *tally, const struct settings *settings);

/* Count one run, and redraw the progress counter now and then. */
void count_run(struct tally *tally, enum outcome seen);

/* Take the progress counter off the screen, if it is there (before a
 * message on stderr). */
void clear_progress(void);

/* Clear the progress counter and print the table: one line per outcome,
 * with its count and share. */
void print_tally(const struct tally *tally);

/* After a stop signal: the table of the runs completed, marked as
 * interrupted. Does nothing if no tally is running. */
void print_interrupted_tally(int signal_number);

#endif
