/* apparatus/signals.c: what shmdemo sets up instead of inheriting it, and
 * the signals it holds while a name exists.
 *
 * A program inherits its signal mask, the signals its parent ignored, its
 * resource limits and its open descriptors. Several of those would break
 * the demo: SIGCHLD ignored (waitpid then fails with ECHILD), a blocked
 * SIGINT (Ctrl-C does nothing), SIGXFSZ under a file-size limit (a write
 * kills us instead of failing), a closed descriptor 0, 1 or 2 (the region
 * would take its number). Each is set up here, at the start.
 */
#define _POSIX_C_SOURCE 200809L

#include "signals.h"

#include "exits.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/select.h>
#include <unistd.h>

/* The signals that end a run as they would end any program: Ctrl-C,
 * kill's default, a closed terminal, Ctrl-\, a reader that went away
 * (| less, then q), and the others whose default is to end the process.
 * Each ends it the same way (end_by_signal): the child stopped, the
 * terminal restored, the tally so far shown. */
static const int stop_signals[] = {SIGINT,  SIGTERM, SIGHUP,  SIGQUIT,
                                   SIGPIPE, SIGUSR1, SIGUSR2, SIGALRM};
#define STOP_SIGNALS (sizeof stop_signals / sizeof stop_signals[0])

static volatile sig_atomic_t arrived;     /* the stop signal that came, or 0 */
static volatile sig_atomic_t child_ended; /* a SIGCHLD came, not yet seen */
static volatile sig_atomic_t victim;      /* a stop signal kills it, or 0 */
static sigset_t before_hold;
static struct {
    int fd; /* also watched while waiting (the keyboard), or -1 */
    void (*ready)(void);
} watched = {-1, NULL};

/* The parent notes a stop signal, and ends at its next wait; the child
 * takes the signal's default action, as if it had no handler (resetting
 * the handlers in each child would cost a few system calls per run). */
static void note_stop(int signal_number)
{
    if (in_the_child()) {
        signal(signal_number, SIG_DFL);
        raise(signal_number); /* delivered as this handler returns */
        return;
    }
    arrived = signal_number;
    if (victim > 0)
        kill((pid_t)victim, SIGKILL); /* so that no wait for it is lost */
}

void stop_kills(pid_t child)
{
    victim = (sig_atomic_t)child;
}

/* A child ended: a wait in await_event ends, and its caller looks. */
static void note_child(int signal_number)
{
    (void)signal_number;
    child_ended = 1;
}

void wake_when_a_child_ends(void)
{
    static bool installed;
    struct sigaction action = {.sa_handler = note_child,
                               .sa_flags = SA_RESTART | SA_NOCLDSTOP};
    sigemptyset(&action.sa_mask);
    if (!installed && sigaction(SIGCHLD, &action, NULL) == -1)
        die("sigaction");
    installed = true;
}

void watch_while_waiting(int fd, void (*ready)(void))
{
    watched.fd = fd;
    watched.ready = ready;
}

/* The signals that end a wait: the stop signals and SIGCHLD. */
static void waking_signals(sigset_t *set)
{
    sigemptyset(set);
    for (size_t i = 0; i < STOP_SIGNALS; i++)
        sigaddset(set, stop_signals[i]);
    sigaddset(set, SIGCHLD);
}

enum woken await_events(int count, const int fds[], bool ready[],
                        const struct timespec *timeout)
{
    /* The pattern pselect exists for: block the waking signals, look at
     * the flags, then let the signals in only inside pselect, which sets
     * the mask and waits in one step. A signal that comes after the look
     * is not lost: it ends the pselect. */
    sigset_t waking, before;
    waking_signals(&waking);
    if (sigprocmask(SIG_BLOCK, &waking, &before) == -1)
        die("sigprocmask");
    int watch = in_the_child() ? -1 : watched.fd; /* keys are the parent's */
    for (int i = 0; i < count; i++) {
        ready[i] = false;
        if (fds[i] == watch)
            watch = -1; /* the caller reads it itself */
    }
    enum woken woken = WOKEN_BY_SIGNAL;
    bool watch_ready = false;
    if (arrived == 0 && child_ended == 0) {
        fd_set readable;
        FD_ZERO(&readable);
        int highest = watch;
        for (int i = 0; i < count; i++) {
            if (fds[i] != -1)
                FD_SET(fds[i], &readable);
            if (fds[i] > highest)
                highest = fds[i];
        }
        if (watch != -1)
            FD_SET(watch, &readable);
        int got = pselect(highest + 1, &readable, NULL, NULL, timeout, &before);
        if (got == -1 && errno != EINTR)
            die("pselect");
        woken = got == -1  ? WOKEN_BY_SIGNAL
                : got == 0 ? WOKEN_BY_TIME
                           : WOKEN_BY_WATCH;
        for (int i = 0; got > 0 && i < count; i++) {
            ready[i] = fds[i] != -1 && FD_ISSET(fds[i], &readable);
            if (ready[i])
                woken = WOKEN_READY;
        }
        watch_ready = got > 0 && watch != -1 && FD_ISSET(watch, &readable);
    }
    child_ended = 0;
    if (sigprocmask(SIG_SETMASK, &before, NULL) == -1)
        die("sigprocmask");
    /* Only now: a stop signal that came after pselect has been noted, and
     * a q read here is then the signal's exit, not ours. */
    if (watch_ready)
        watched.ready();
    return woken;
}

enum woken await_event(int fd, const struct timespec *timeout)
{
    bool ready;
    return await_events(1, &fd, &ready, timeout);
}

int stop_signal(void)
{
    return arrived;
}

void stop_if_asked(void)
{
    if (arrived != 0)
        end_by_signal(arrived);
}

static bool is_open(int fd)
{
    return fcntl(fd, F_GETFD) != -1 || errno != EBADF;
}

/* Descriptors 0, 1 and 2 must be open before anything else is: the next
 * descriptor opened takes the lowest free number, and a shared-memory
 * object on descriptor 1 would receive our narration. */
static void open_standard_descriptors(void)
{
    if (!is_open(STDOUT_FILENO)) {
        errno = EBADF;
        die("stdout"); /* said on stderr, if that is open */
    }
    /* Errors must be seen: with stderr closed, they go where the
     * narration goes. */
    if (!is_open(STDERR_FILENO) && dup2(STDOUT_FILENO, STDERR_FILENO) == -1)
        die("dup2");
    if (!is_open(STDIN_FILENO) && open("/dev/null", O_RDONLY) == -1)
        die("open /dev/null");
}

void take_charge_of_process(void)
{
    open_standard_descriptors();

    sigset_t none;
    sigemptyset(&none);
    if (sigprocmask(SIG_SETMASK, &none, NULL) == -1)
        die("sigprocmask");

    struct sigaction action = {.sa_handler = SIG_DFL};
    sigemptyset(&action.sa_mask);
    action.sa_handler = SIG_IGN;
    if (sigaction(SIGXFSZ, &action, NULL) == -1)
        die("sigaction");

    /* SIGCHLD at its default action, never inherited as ignored (waitpid
     * would then find no child). A handler comes only with the first wait
     * that needs it (wake_when_a_child_ends): delivered once per
     * experiment, it would cost --runs a page fault each time. */
    action.sa_handler = SIG_DFL;
    if (sigaction(SIGCHLD, &action, NULL) == -1)
        die("sigaction");

    /* A handler, not the default action: the kernel drops a signal with
     * no handler that is sent to PID 1, the first process of a container.
     * No SA_RESTART: the signal cuts a wait short. A stop signal that was
     * ignored when we started (nohup, a background job) stays ignored. */
    for (size_t i = 0; i < STOP_SIGNALS; i++) {
        struct sigaction old;
        action.sa_handler = note_stop;
        if (sigaction(stop_signals[i], NULL, &old) == -1)
            die("sigaction");
        if (old.sa_handler != SIG_IGN &&
            sigaction(stop_signals[i], &action, NULL) == -1)
            die("sigaction");
    }
}

#ifdef SHMDEMO_MEASURE_WINDOW
/* bench/window.sh: how long the names exist, printed on stderr at exit. */
#include <stdlib.h>
#include <time.h>
static struct timespec window_start;
static long window_ns = -1;
static void report_window(void)
{
    if (window_ns >= 0)
        fprintf(stderr, "window: %ld ns\n", window_ns);
}
#endif

void hold_signals(void)
{
    sigset_t all;
    sigfillset(&all);
    if (sigprocmask(SIG_BLOCK, &all, &before_hold) == -1)
        die("sigprocmask");
#ifdef SHMDEMO_MEASURE_WINDOW
    clock_gettime(CLOCK_MONOTONIC, &window_start);
#endif
}

void release_signals(void)
{
#ifdef SHMDEMO_MEASURE_WINDOW
    struct timespec end;
    clock_gettime(CLOCK_MONOTONIC, &end);
    window_ns = (long)(ms_between(&window_start, &end) * 1e6);
    atexit(report_window);
#endif
    if (sigprocmask(SIG_SETMASK, &before_hold, NULL) == -1)
        die("sigprocmask");
}
