/* apparatus/exits.c: every way out of shmdemo, and what is undone on it.
 *
 * The parts above register what they leave behind; the way out undoes it
 * in two rounds: the screen is tidied before the message (so that the
 * message gets a line of its own), and the rest is released after it.
 */
#define _POSIX_C_SOURCE 200809L

#include "exits.h"

#include <err.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define MAX_UNDO 8

static struct {
    void (*tidy[MAX_UNDO])(void);
    void (*release[MAX_UNDO])(int signal_number);
    int tidies, releases;
} undo;

static volatile sig_atomic_t in_child;

void on_the_way_out(void (*tidy)(void), void (*release)(int signal_number))
{
    if (tidy != NULL && undo.tidies < MAX_UNDO)
        undo.tidy[undo.tidies++] = tidy;
    if (release != NULL && undo.releases < MAX_UNDO)
        undo.release[undo.releases++] = release;
}

void become_the_child(void)
{
    in_child = 1;
}

bool in_the_child(void)
{
    return in_child != 0;
}

/* Each runs once, even if the way out is taken again from inside one. */
static void tidy_up(void)
{
    while (undo.tidies > 0)
        undo.tidy[--undo.tidies]();
    fflush(stdout);
}

static void release_all(int signal_number)
{
    static int next;
    while (next < undo.releases)
        undo.release[next++](signal_number);
}

noreturn void end_in_failure(void)
{
    if (in_the_child())
        _exit(EXIT_FAILURE); /* the parent's cleanup is the parent's */
    release_all(0);
    exit(EXIT_FAILURE);
}

noreturn void die(const char *call)
{
    int saved_errno = errno;
    tidy_up();
    errno = saved_errno;
    warn("%s", call);
    end_in_failure();
}

noreturn void die_because(const char *format, ...)
{
    va_list args;
    tidy_up();
    va_start(args, format);
    vwarnx(format, args);
    va_end(args);
    end_in_failure();
}

noreturn void end_early(void)
{
    tidy_up();
    release_all(0);
    exit(EXIT_SUCCESS);
}

noreturn void end_by_signal(int signal_number)
{
    tidy_up();
    release_all(signal_number);
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
