/* apparatus/verdict.h: the last lines of a run: what the child saw, and
 * what that teaches.
 */
#ifndef VERDICT_H
#define VERDICT_H

#include "lesson.h"
#include "options.h"
#include "tally.h"

/* The end of one run: the child saw LETTERS of the message. */
void give_verdict(const struct settings *settings, int letters);

/* The end of N runs: the table, then the verdict. */
void give_tally_verdict(const struct settings *settings,
                        const struct tally *tally);

#endif
