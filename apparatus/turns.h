/* apparatus/turns.h: steering the race. With --schedule LIST or --step,
 * each process waits for its turn before each step: a letter of LIST or a
 * key (p for the parent, c for the child) lets it go one step.
 *
 * The turns are handed out through two pipes of their own, never through
 * the semaphore under study. Without --schedule and --step nothing here
 * does anything: take_turn returns at once.
 */
#ifndef TURNS_H
#define TURNS_H

#include "options.h"

#include <stdbool.h>
#include <sys/types.h>

#include "format.h"

/* A step that can block and has not finished this long after its turn
 * began is reported blocked. */
#define BLOCKED_AFTER_MS 150

/* Whether a step can keep its process waiting, and on what. */
enum step_kind {
    NEVER_BLOCKS,   /* a write, a read, a post, a sleep */
    WAITS_FOR_POST, /* sem_wait */
    SPINS,          /* a loop until table[0] is not zero */
};

/* Before each fork: open the pipes that hand out the turns. */
void prepare_turns(const struct settings *settings);

/* Right after fork, in the parent (CHILD > 0) or the child (0): each
 * closes the pipe ends that are the other's. */
void turns_after_fork(pid_t child);

/* Wait for my turn to take the step described by FORMAT. */
void take_turn(enum step_kind kind, const char *format, ...) PRINTF_LIKE(2, 3);

/* --step: take the prompt off the screen, if it is there (before a
 * message, or at the end). */
void clear_prompt(void);

/* The parent has no steps left: let the rest of the schedule play out for
 * the child, then close the pipes. */
void no_more_turns(void);

#endif
