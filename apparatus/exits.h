/* apparatus/exits.h: every way out of shmdemo, and what is undone on it.
 *
 * The bottom of the apparatus: it uses no other part of it. A part that
 * leaves something to undo (a prompt on the screen, a raw keyboard, a
 * running child) registers it here, as atexit does; an error ends the
 * program with one message and status 1, a stop signal with the signal's
 * own status (130 for Ctrl-C).
 */
#ifndef EXITS_H
#define EXITS_H

#include <stdbool.h>
#include <stdnoreturn.h>

#include "basics.h"

/* Register what to undo on every way out. TIDY (may be NULL) runs before
 * a message is printed, in the parent and the child: it takes a prompt or
 * a progress line off the screen, writes out held lines. RELEASE (may be
 * NULL) runs in the parent after the message, first registered first: it
 * stops the child, gives the keyboard back; SIGNAL_NUMBER is the stop
 * signal that ends the run, or 0 for an error. At most 8 of each. */
void on_the_way_out(void (*tidy)(void), void (*release)(int signal_number));

/* The child could not write its lines: it exits, without a message, with
 * EXIT_OUTPUT_FAILED + errno, and the parent says it once. */
#define EXIT_OUTPUT_FAILED 32

/* Right after fork, in the child: from now on this process is the child.
 * One flag for the whole apparatus. */
void become_the_child(void);
bool in_the_child(void);

/* "shmdemo: CALL: strerror(errno)" on stderr, then exit 1 (the child by
 * _exit, leaving the parent's cleanup to the parent). */
noreturn void die(const char *call);
noreturn void die_because(const char *format, ...) PRINTF_LIKE(1, 2);

/* End with status 1 without a message: the child has already said why. */
noreturn void end_in_failure(void);

/* Stop here, as asked (q): undo what is registered, then exit 0. */
noreturn void end_early(void);

/* End by SIGNAL_NUMBER, a stop signal that arrived: undo what is
 * registered, then die of that signal (status 128+N). */
noreturn void end_by_signal(int signal_number);

#endif
