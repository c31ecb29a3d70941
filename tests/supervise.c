/* tests/supervise.c: run a command under watch, for the tests that need a
 * terminal, a keystroke, a signal to a whole process group, or a time limit.
 *
 * Usage: supervise [-t SECONDS] [-p] [-a MS (-k BYTE | -g SIGNAL)]
 *                  [-r FILE] -- command [argument...]
 *   -t SECONDS  kill the command's process group after SECONDS (default 30)
 *               and exit 124
 *   -p          run it on a new pseudo-terminal, its controlling terminal
 *               and its stdin, stdout and stderr; what it writes there is
 *               copied to our stdout
 *   -a MS       after MS milliseconds...
 *   -k BYTE     ...type the byte BYTE (a number: 3 is Ctrl-C) on the
 *               terminal (needs -p)
 *   -g SIGNAL   ...send signal number SIGNAL to its process group
 *   -r FILE     write the peak resident set size of the command and its
 *               children, in kilobytes, to FILE
 * The command runs in a process group of its own. On Linux supervise is a
 * "child subreaper": orphans of the command are adopted and reaped by it,
 * and it returns only once every one of them has ended, so a process that
 * never ends shows up as a time-out. Exit status: the command's, 128 + the
 * number of the signal that killed it, or 124 on a time-out.
 */
#define _XOPEN_SOURCE 700

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

struct settings {
    long timeout_ms, after_ms;
    int use_pty, key, group_signal;
    const char *rss_file;
    char **command;
};

static long now_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return now.tv_sec * 1000L + now.tv_nsec / 1000000L;
}

static struct settings parse(int argc, char *argv[])
{
    struct settings s = {30000, -1, 0, -1, 0, NULL, NULL};
    int option;
    while ((option = getopt(argc, argv, "t:pa:k:g:r:")) != -1) {
        switch (option) {
        case 't': s.timeout_ms = atol(optarg) * 1000L; break;
        case 'p': s.use_pty = 1; break;
        case 'a': s.after_ms = atol(optarg); break;
        case 'k': s.key = atoi(optarg); break;
        case 'g': s.group_signal = atoi(optarg); break;
        case 'r': s.rss_file = optarg; break;
        default: exit(2);
        }
    }
    if (optind >= argc)
        errx(2, "usage: supervise [options] -- command [argument...]");
    s.command = argv + optind;
    return s;
}

/* Start the command in a new process group (and session, with a pty).
 * Returns its PID; *master is the pty's master side, or -1. */
static pid_t start(const struct settings *s, int *master)
{
    const char *slave_name = NULL;
    *master = -1;
    if (s->use_pty) {
        *master = posix_openpt(O_RDWR | O_NOCTTY);
        if (*master == -1 || grantpt(*master) == -1 ||
            unlockpt(*master) == -1 || (slave_name = ptsname(*master)) == NULL)
            err(1, "pseudo-terminal");
    }
    pid_t pid = fork();
    if (pid == -1)
        err(1, "fork");
    if (pid > 0)
        return pid;

    if (s->use_pty) {
        setsid(); /* a new session: the pty becomes its terminal */
        int slave = open(slave_name, O_RDWR);
        if (slave == -1)
            err(1, "open %s", slave_name);
#ifdef TIOCSCTTY
        ioctl(slave, TIOCSCTTY, 0);
#endif
        dup2(slave, 0);
        dup2(slave, 1);
        dup2(slave, 2);
        if (slave > 2)
            close(slave);
        close(*master);
    } else {
        setpgid(0, 0);
    }
    execvp(s->command[0], s->command);
    err(127, "%s", s->command[0]);
}

/* Reap whatever has ended: the command, and any orphan of it we adopted.
 * Returns 1 once nothing is left, with the command's status in *status. */
static int reap_all(pid_t command, int *status)
{
    int any_status;
    pid_t ended;
    while ((ended = waitpid(-1, &any_status, WNOHANG)) > 0) {
        if (ended == command)
            *status = any_status;
    }
    return ended == -1 && errno == ECHILD;
}

/* Copy what the command writes on its terminal to our stdout. Returns 0 once
 * nobody has the terminal open any more. */
static int relay(int master)
{
    char buffer[4096];
    ssize_t got = read(master, buffer, sizeof buffer);
    if (got <= 0)
        return 0; /* EIO: every process on the terminal has gone */
    fwrite(buffer, 1, (size_t)got, stdout);
    fflush(stdout);
    return 1;
}

int main(int argc, char *argv[])
{
    struct settings s = parse(argc, argv);
    int master, status = 0, done = 0, open_pty;
#ifdef PR_SET_CHILD_SUBREAPER
    if (prctl(PR_SET_CHILD_SUBREAPER, 1) == -1)
        err(1, "prctl");
#endif
    pid_t pid = start(&s, &master);
    long started = now_ms();

    open_pty = master != -1;
    while (!done || open_pty) {
        long elapsed = now_ms() - started;
        if (elapsed > s.timeout_ms) {
            kill(-pid, SIGKILL);
            fprintf(stderr, "supervise: timed out after %ld ms\n", elapsed);
            return 124;
        }
        if (s.after_ms >= 0 && elapsed >= s.after_ms) {
            if (s.key >= 0 && master != -1) {
                char key = (char)s.key;
                if (write(master, &key, 1) != 1)
                    warn("typing");
            }
            if (s.group_signal > 0)
                kill(-pid, s.group_signal);
            s.after_ms = -1;
        }
        if (!done)
            done = reap_all(pid, &status);
        if (open_pty) {
            struct pollfd watch = {master, POLLIN, 0};
            if (poll(&watch, 1, 10) > 0)
                open_pty = relay(master);
        } else {
            struct timespec tick = {0, 5000000};
            nanosleep(&tick, NULL);
        }
    }

    if (s.rss_file != NULL) {
        struct rusage usage;
        FILE *file = fopen(s.rss_file, "w");
        if (file == NULL || getrusage(RUSAGE_CHILDREN, &usage) == -1)
            err(1, "%s", s.rss_file);
        fprintf(file, "%ld\n", usage.ru_maxrss);
        fclose(file);
    }
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return WEXITSTATUS(status);
}
