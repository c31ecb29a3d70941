/* apparatus/explore.h: --explore, every interleaving as a real run.
 *
 * The model (worlds.h) lists the interleavings of the mode and wrong fix;
 * each is run once for real, through a callback that runs the two
 * processes with that --schedule; every real outcome is checked against
 * the model's; then a table of outcomes, a verdict, and for a wrong fix
 * the interleaving that breaks it.
 */
#ifndef EXPLORE_H
#define EXPLORE_H

#include "options.h"

/* Explore every interleaving SETTINGS allows: RUN_ONE(CONTEXT, SCHEDULE)
 * runs the experiment once, for real, with --schedule SCHEDULE, and
 * returns how many letters the child saw (0..11); LINE prints one line of
 * the summary, printf-like ("" is a blank line). Returns how many real
 * runs disagreed with the model (each said loudly, as a bug): 0 if none. */
int explore(const struct settings *settings,
            int (*run_one)(void *context, const char *schedule), void *context,
            void (*line)(const char *format, ...));

#endif
