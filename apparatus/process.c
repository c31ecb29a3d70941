/* apparatus/process.c: the two processes: the parent's bookkeeping around
 * fork, its sleeps, and its wait for the child.
 *
 * The child is never reaped here: the parent only looks (waitid with
 * WNOWAIT), and main.c's waitpid reaps it. A child that has ended but is
 * not reaped is a zombie, whose PID nobody else can have; once the parent
 * knows it has ended, it forgets the PID, so that nothing is ever sent to
 * a PID that is no longer ours.
 */
#define _POSIX_C_SOURCE 200809L

#include "process.h"

#include "exits.h"
#include "signals.h"
#include "timeline.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#define MAX_HOOKS 4

static struct {
    void (*before[MAX_HOOKS])(void);
    void (*after[MAX_HOOKS])(pid_t child);
    int count;
} hooks;

static pid_t running_child; /* the parent's child, until it has ended; or 0 */

void at_fork(void (*before)(void), void (*after)(pid_t child))
{
    if (hooks.count < MAX_HOOKS) {
        hooks.before[hooks.count] = before;
        hooks.after[hooks.count] = after;
        hooks.count++;
    }
}

/* On the way out: stop (SIGKILL) and reap the child, if one is running. */
static void stop_child(int signal_number)
{
    (void)signal_number;
    stop_kills(0);
    if (running_child <= 0)
        return;
    kill(running_child, SIGKILL);
    while (waitpid(running_child, NULL, 0) == -1 && errno == EINTR) {
    }
    running_child = 0;
}

void before_fork(void)
{
    static bool registered;
    if (!registered)
        on_the_way_out(NULL, stop_child);
    registered = true;
    flush_timeline();
    for (int i = 0; i < hooks.count; i++) {
        if (hooks.before[i] != NULL)
            hooks.before[i]();
    }
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

static void child_begins(pid_t parent)
{
    become_the_child();
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

void after_fork(pid_t child, pid_t parent)
{
    if (child == 0)
        child_begins(parent);
    else
        stop_kills(running_child = child);
    for (int i = 0; i < hooks.count; i++) {
        if (hooks.after[i] != NULL)
            hooks.after[i](child);
    }
}

/* Has the running child ended? Looks without reaping (WNOWAIT); BLOCK:
 * waits until it has, or until a stop signal ends the run. */
static bool child_has_ended(siginfo_t *info, bool block)
{
    memset(info, 0, sizeof *info);
    int options = WEXITED | WNOWAIT | (block ? 0 : WNOHANG);
    while (waitid(P_PID, (id_t)running_child, info, options) == -1) {
        if (errno != EINTR)
            die("waitid");
        stop_if_asked();
    }
    return info->si_pid != 0;
}

/* The ways a child's end ends the demo at once, each with one message at
 * most: it failed and said why (status 1); it could not write its lines
 * (the parent says so, once); its output went to a reader that has gone
 * (SIGPIPE: the parent's output is gone too, and it ends the same way). */
static void judge_child_end(const siginfo_t *info)
{
    int status = info->si_status;
    if (info->si_code != CLD_EXITED) {
        if (status == SIGPIPE)
            end_by_signal(SIGPIPE);
        return;
    }
    if (status == EXIT_FAILURE)
        end_in_failure(); /* the child has said why; stop_child reaps it */
    if (status > EXIT_OUTPUT_FAILED) {
        errno = status - EXIT_OUTPUT_FAILED;
        die("write to stdout");
    }
}

void check_on_child(void)
{
    stop_if_asked();
    siginfo_t info;
    if (!in_the_child() && running_child != 0 && child_has_ended(&info, false))
        judge_child_end(&info);
}

void wait_until_child_ends(void)
{
    siginfo_t info;
    if (running_child == 0)
        return;
    /* A stop signal that comes before the wait has killed the child (see
     * stop_kills): the wait ends then too, and no signal is lost. */
    stop_if_asked();
    child_has_ended(&info, true);
    stop_if_asked(); /* a child killed by the same Ctrl-C is part of it */
    judge_child_end(&info);
    stop_kills(0);
    running_child = 0; /* a zombie now: waitpid reaps it */
}

void pause_us(long long microseconds)
{
    if (microseconds <= 0) {
        stop_if_asked(); /* and nothing more: no call for a pause of 0 */
        return;
    }
    struct timespec now, end;
    clock_gettime(CLOCK_MONOTONIC, &end);
    end.tv_sec += (time_t)(microseconds / 1000000);
    end.tv_nsec += (long)(microseconds % 1000000) * 1000;
    if (end.tv_nsec >= 1000000000L) {
        end.tv_sec++;
        end.tv_nsec -= 1000000000L;
    }
    wake_when_a_child_ends();
    check_on_child();
    /* Sleep until the end, whatever wakes us before: only what remains. */
    for (;;) {
        clock_gettime(CLOCK_MONOTONIC, &now);
        double ms = ms_between(&now, &end);
        if (ms <= 0)
            return;
        struct timespec remaining = {
            .tv_sec = (time_t)(ms / 1e3),
            .tv_nsec = (long)((ms - 1e3 * (double)(time_t)(ms / 1e3)) * 1e6)};
        if (await_event(-1, &remaining) == WOKEN_BY_TIME)
            return;
        check_on_child();
    }
}

void pause_ms(long milliseconds)
{
    pause_us(milliseconds * 1000LL);
}
