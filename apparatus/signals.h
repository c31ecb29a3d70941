/* apparatus/signals.h: what shmdemo sets up instead of inheriting it, and
 * the signals it holds while a name exists.
 */
#ifndef SIGNALS_H
#define SIGNALS_H

#include <signal.h>
#include <stdbool.h>

/* Make the process ours: descriptors 0, 1 and 2 open, no signal blocked,
 * SIGCHLD at its default action (never ignored), SIGXFSZ ignored (a file-size
 * limit then fails a write with EFBIG instead of killing us), and Ctrl-C and
 * SIGTERM noted (a handler, so that they work for PID 1 too). */
void take_charge_of_process(void);

/* From now on the end of a child cuts a sleep of the parent's short, so
 * that it notices at once (a handler for SIGCHLD). */
void wake_when_a_child_ends(void);

/* Hold every signal that can be held (all but SIGKILL and SIGSTOP) while
 * the names exist; let them through again. */
void hold_signals(void);
void release_signals(void);

/* The stop signal (SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE, SIGUSR1,
 * SIGUSR2, SIGALRM) that has arrived, or 0. */
int stop_signal(void);

/* If a stop signal has arrived, end the run by it (end_by_signal). */
void stop_if_asked(void);

#endif
