/* apparatus/process.c: the two processes and every way they end.
 *
 * The parent remembers its running child, so that an error, Ctrl-C or q
 * can stop and reap it: nothing is left in the process table. The child
 * never outlives its parent. A sleep notices a child that failed, and a
 * stop signal, at once.
 */
#define _POSIX_C_SOURCE 200809L

#include "process.h"

#include "signals.h"
#include "tally.h"
#include "terminal.h"
#include "timeline.h"
#include "turns.h"

#include <err.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

static pid_t running_child;    /* the parent's child, until reaped; or 0 */
static int ended_child_status; /* its status, if a sleep already reaped it */
static bool child_has_ended;

void parent_begins(pid_t child)
{
    running_child = child;
    child_has_ended = false;
    turns_after_fork(child);
}

#if !defined(__linux__) || defined(SHMDEMO_PORTABLE_PARENT_WATCH)
static pid_t watched_parent;

/* Once a second: if the parent is gone, so is the reason to wait. */
static void check_parent(int signal_number)
{
    (void)signal_number;
    if (getppid() != watched_parent)
        _exit(EXIT_FAILURE);
    alarm(1);
}
#endif

void child_begins(pid_t parent)
{
    become_the_child();
    turns_after_fork(0);
#if defined(__linux__) && !defined(SHMDEMO_PORTABLE_PARENT_WATCH)
    /* Linux: the kernel kills us when the parent dies. */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1)
        die("prctl");
#else
    /* Elsewhere: look once a second. */
    struct sigaction action = {.sa_handler = check_parent,
                               .sa_flags = SA_RESTART};
    watched_parent = parent;
    sigemptyset(&action.sa_mask);
    if (sigaction(SIGALRM, &action, NULL) == -1)
        die("sigaction");
    alarm(1);
#endif
    /* The parent may have died before we asked: then we were adopted. */
    if (getppid() != parent)
        _exit(EXIT_FAILURE);
}

void check_on_child(void)
{
    if (stop_signal() != 0)
        end_by_signal();
    if (in_the_child() || running_child == 0 || child_has_ended)
        return;
    int status;
    if (waitpid(running_child, &status, WNOHANG) != running_child)
        return;
    child_has_ended = true;
    ended_child_status = status;
    if (WIFEXITED(status) && WEXITSTATUS(status) == EXIT_FAILURE) {
        running_child = 0;
        end_in_failure(); /* the child has said why */
    }
}

void pause_us(long long microseconds)
{
    struct timespec request = {.tv_sec = (time_t)(microseconds / 1000000),
                               .tv_nsec =
                                   (long)(microseconds % 1000000) * 1000};
    struct timespec remaining;
    if (microseconds <= 0) {
        if (stop_signal() != 0)
            end_by_signal();
        return;
    }
    wake_when_a_child_ends();
    check_on_child(); /* it may have ended before there was a handler */
    while (nanosleep(&request, &remaining) == -1) {
        if (errno != EINTR)
            die("nanosleep");
        check_on_child();
        request = remaining; /* sleep only what remained */
    }
}

void pause_ms(long milliseconds)
{
    pause_us(milliseconds * 1000LL);
}

pid_t wait_for_child(pid_t child, int *status)
{
    pid_t result;
    if (child_has_ended && child == running_child) {
        *status = ended_child_status;
        result = child;
    } else {
        do {
            result = waitpid(child, status, 0);
            if (result == -1 && errno == EINTR && stop_signal() != 0)
                end_by_signal();
        } while (result == -1 && errno == EINTR);
    }
    if (result == child) {
        running_child = 0;
        /* A child killed by the same Ctrl-C is part of the stop. */
        if (stop_signal() != 0)
            end_by_signal();
    }
    return result;
}

void stop_child(void)
{
    if (running_child <= 0)
        return;
    kill(running_child, SIGKILL);
    while (waitpid(running_child, NULL, 0) == -1 && errno == EINTR) {
    }
    running_child = 0;
}

noreturn void end_in_failure(void)
{
    if (in_the_child())
        _exit(EXIT_FAILURE); /* the parent's cleanup is the parent's */
    stop_child();
    restore_keyboard();
    exit(EXIT_FAILURE);
}

/* What was said so far comes first, held lines included, and the message
 * gets a line of its own: no progress counter or prompt before it. */
static void flush_before_message(void)
{
    hold_lines(false);
    clear_prompt();
    fflush(stdout);
    clear_progress();
}

noreturn void die(const char *call)
{
    int saved_errno = errno;
    flush_before_message();
    errno = saved_errno;
    warn("%s", call);
    end_in_failure();
}

noreturn void die_because(const char *format, ...)
{
    va_list args;
    flush_before_message();
    va_start(args, format);
    vwarnx(format, args);
    va_end(args);
    end_in_failure();
}

noreturn void end_by_signal(void)
{
    int signal_number = stop_signal();
    stop_child();
    clear_prompt();
    restore_keyboard();
    print_interrupted_tally(signal_number);
    fflush(stdout);

    /* Die of the same signal, so that a shell sees why (status 128+N). */
    struct sigaction action = {.sa_handler = SIG_DFL};
    sigemptyset(&action.sa_mask);
    sigaction(signal_number, &action, NULL);
    sigset_t only;
    sigemptyset(&only);
    sigaddset(&only, signal_number);
    sigprocmask(SIG_UNBLOCK, &only, NULL);
    raise(signal_number);
    /* Still here: we are PID 1, and the kernel drops a signal that PID 1
     * sends itself with no handler. Exit with the same status instead. */
    _exit(128 + signal_number);
}
