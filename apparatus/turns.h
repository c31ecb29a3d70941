/* apparatus/turns.h: each step of the two processes, told and steered.
 * With --schedule LIST or --step, each process waits for its turn before
 * each step: a letter of LIST or a key (p for the parent, c for the child)
 * lets it go one step.
 *
 * The turns are handed out through two pipes of their own, never through
 * the semaphore under study. Without --schedule and --step a step is only
 * told.
 */
#ifndef TURNS_H
#define TURNS_H

#include "basics.h"
#include "lesson.h"
#include "options.h"

/* Once, at the start: whether and how the steps are steered. */
void start_turns(const struct settings *settings);

/* One step of this process, described by FORMAT ("sem_post(sem)"): wait
 * for my turn, then tell it (a call or a wait as "sem_post(sem) ..."). */
void step(enum step kind, const char *format, ...) PRINTF_LIKE(2, 3);

/* The step's call has returned VALUE: "sem_post(sem) = 0". */
void returned(long value);

/* --step: take the prompt off the screen, if it is there. */
void clear_prompt(void);

/* The parent has no steps left: let the rest of the schedule play out for
 * the child, and give the keyboard back. */
void no_more_turns(void);

#endif
