/* apparatus/signals.h: what shmdemo sets up instead of inheriting it, and
 * the signals it holds while a name exists.
 */
#ifndef SIGNALS_H
#define SIGNALS_H

#include <signal.h>
#include <stdbool.h>

#include <sys/types.h>
#include <time.h>

/* Make the process ours: descriptors 0, 1 and 2 open, no signal blocked,
 * SIGCHLD at its default action (never inherited as ignored: waitpid would
 * then find no child), SIGXFSZ ignored (a file-size limit then fails a write
 * with EFBIG instead of killing us), and Ctrl-C and SIGTERM noted (a handler,
 * so that they work for PID 1 too). */
void take_charge_of_process(void);

/* From now on a stop signal also kills CHILD (SIGKILL) at once, in the
 * handler, so that a wait for it ends however the signal and the wait
 * meet; 0: no child to kill (it has ended, and its PID is not ours). */
void stop_kills(pid_t child);

/* From now on the end of a child ends a wait in await_event. */
void wake_when_a_child_ends(void);

/* How a wait in await_event ended. */
enum woken {
    WOKEN_READY,     /* the descriptor can be read */
    WOKEN_BY_TIME,   /* the time is up */
    WOKEN_BY_SIGNAL, /* a stop signal, or a child ended: look */
    WOKEN_BY_WATCH,  /* the watched descriptor was read (see below) */
};

/* Wait until FD can be read (-1: no descriptor), TIMEOUT has passed (NULL:
 * no limit), a child has ended or a stop signal has come: whichever is
 * first, and none is lost between a look at the flags and the wait. */
enum woken await_event(int fd, const struct timespec *timeout);

/* The same for COUNT descriptors FDS (an entry of -1 is none): on
 * WOKEN_READY, READY[i] says whether FDS[i] can be read. */
enum woken await_events(int count, const int fds[], bool ready[],
                        const struct timespec *timeout);

/* From now on, every wait of the parent's also watches FD (the keyboard,
 * under --step) and calls READY when it can be read, unless FD is one of
 * the wait's own descriptors (the prompt reads its keys itself). READY is
 * called after the wait, with the signals let in again, so that a stop
 * signal that came meanwhile has been noted (stop_signal) before it runs.
 * -1: nothing watched any more. */
void watch_while_waiting(int fd, void (*ready)(void));

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
