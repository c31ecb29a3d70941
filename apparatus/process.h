/* apparatus/process.h: the two processes and every way they end.
 *
 * The parent keeps track of its child so that no way out leaves it
 * running; the child makes sure it never outlives its parent. Errors end
 * the program with one message and status 1, a stop signal with the
 * signal's own status (130 for Ctrl-C).
 */
#ifndef PROCESS_H
#define PROCESS_H

#include <stdnoreturn.h>
#include <sys/types.h>

#include "format.h"

/* In the parent, right after fork: CHILD is running, and ours to stop. */
void parent_begins(pid_t child);

/* In the child, right after fork: speak in the child's lane, and never
 * outlive PARENT (a dead parent would never post the semaphore). */
void child_begins(pid_t parent);

/* Sleep; a signal does not cut the sleep short, but a stop signal ends the
 * run, and a child that failed ends the demo at once. */
void pause_us(long long microseconds);
void pause_ms(long milliseconds);

/* After a signal: a stop signal ends the run; a child that has ended is
 * reaped, and if it failed (status 1), the demo ends at once. */
void check_on_child(void);

/* waitpid for the child, retried after a signal; a stop signal ends the
 * run. Returns the child's PID, or -1 with errno set. */
pid_t wait_for_child(pid_t child, int *status);

/* "shmdemo: CALL: strerror(errno)" on stderr, then exit 1 (the child by
 * _exit), after stopping and reaping the child. */
noreturn void die(const char *call);
noreturn void die_because(const char *format, ...) PRINTF_LIKE(1, 2);

/* End with status 1 without a message: the child has already said why. */
noreturn void end_in_failure(void);

/* End by the stop signal that arrived: stop the child, restore the
 * terminal, show the tally so far, and die of that signal (status 128+N). */
noreturn void end_by_signal(void);

/* Stop (SIGKILL) and reap the child, if one is running. */
void stop_child(void);

#endif
