/* tests/supervise.c: run a command under watch, for the tests that need a
 * terminal, keystrokes, a signal to a whole process group, an inherited
 * signal setting, or a time limit.
 *
 * Usage: supervise [-t SECONDS] [-p [-c COLUMNS]] [-a MS (-k BYTE | -g SIGNAL)]
 *                  [-m MARKER -K KEYS] [-I KEYS] [-j] [-i SIGNAL]...
 *                  [-b SIGNAL]...
 *                  [-r FILE] -- command [argument...]
 *   -t SECONDS  a hang guard: kill the command's process group after
 *               SECONDS (default 30) and exit 124; the environment's
 *               HANG_GUARD_SCALE (a whole number, default 1) multiplies it,
 *               for builds that are slower by nature (sanitizers)
 *   -p          run it on a new pseudo-terminal, its controlling terminal
 *               and its stdin, stdout and stderr; what it writes there is
 *               copied to our stdout
 *   -c COLUMNS  the pseudo-terminal's width (default 80)
 *   -a MS       after MS milliseconds...
 *   -k BYTE     ...type the byte BYTE (a number: 3 is Ctrl-C) on the
 *               terminal (needs -p)
 *   -g SIGNAL   ...send signal number SIGNAL to its process group
 *   -m MARKER   with -K: each time the terminal shows MARKER once more...
 *   -K KEYS     ...type the next of KEYS ("^C" is Ctrl-C, "^[" ESC); a
 *               group in parentheses is typed at once: "(^[[A)" is the
 *               up arrow, "(ppc)" three keys typed ahead
 *   -I KEYS     type KEYS (as -K, all at once) on the terminal before the
 *               command starts, and start it once they can be read there
 *               (in line mode: once a line or Ctrl-D ends them)
 *   -j          run the command as a job of a small job-control shell on
 *               the pseudo-terminal (needs -p), as a user's shell would:
 *               each time it stops (Ctrl-Z), say on the terminal whether
 *               it left the terminal in line mode, put the terminal's
 *               settings back as they were before the job, and continue
 *               it in the foreground (fg)
 *   -i SIGNAL   start the command with signal number SIGNAL ignored (all
 *               others take their default action)
 *   -b SIGNAL   start the command with signal number SIGNAL blocked
 *   -r FILE     write the peak resident set size of the command and its
 *               children, in kilobytes, to FILE
 * The command runs in a process group of its own. On Linux supervise is a
 * "child subreaper": orphans of the command are adopted and reaped by it,
 * and it returns only once every one of them has ended, so a process that
 * never ends shows up as a time-out. Exit status: the command's, 128 + the
 * number of the signal that killed it, or 124 on a time-out.
 */
#define _XOPEN_SOURCE 700
#define _DARWIN_C_SOURCE /* macOS: ru_maxrss, struct winsize */
#define _DEFAULT_SOURCE  /* glibc: struct winsize with _XOPEN_SOURCE */

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
#include <termios.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#define MAX_SIGNALS 8

struct settings {
    long long timeout_ms, after_ms;
    int use_pty, columns, key, group_signal, job_control;
    const char *marker, *keys, *first_keys;
    int ignored[MAX_SIGNALS], ignored_count;
    int blocked[MAX_SIGNALS], blocked_count;
    const char *rss_file;
    char **command;
};

static long long now_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long long)now.tv_sec * 1000LL + now.tv_nsec / 1000000L;
}

static void add_signal(int list[], int *count, const char *number)
{
    if (*count == MAX_SIGNALS)
        errx(2, "too many signals");
    list[(*count)++] = atoi(number);
}

static struct settings parse(int argc, char *argv[])
{
    struct settings s = {
        .timeout_ms = 30000, .after_ms = -1, .columns = 80, .key = -1};
    int option;
    while ((option = getopt(argc, argv, "t:pc:a:k:g:m:K:I:ji:b:r:")) != -1) {
        switch (option) {
        case 't':
            s.timeout_ms = atoll(optarg) * 1000LL;
            break;
        case 'p':
            s.use_pty = 1;
            break;
        case 'c':
            s.columns = atoi(optarg);
            break;
        case 'a':
            s.after_ms = atoll(optarg);
            break;
        case 'k':
            s.key = atoi(optarg);
            break;
        case 'g':
            s.group_signal = atoi(optarg);
            break;
        case 'm':
            s.marker = optarg;
            break;
        case 'K':
            s.keys = optarg;
            break;
        case 'I':
            s.first_keys = optarg;
            break;
        case 'j':
            s.job_control = 1;
            break;
        case 'i':
            add_signal(s.ignored, &s.ignored_count, optarg);
            break;
        case 'b':
            add_signal(s.blocked, &s.blocked_count, optarg);
            break;
        case 'r':
            s.rss_file = optarg;
            break;
        default:
            exit(2);
        }
    }
    if (optind >= argc)
        errx(2, "usage: supervise [options] -- command [argument...]");
    s.command = argv + optind;
    const char *scale = getenv("HANG_GUARD_SCALE");
    if (scale != NULL && atoll(scale) > 1)
        s.timeout_ms *= atoll(scale);
    return s;
}

/* In the new process, before exec: every signal at its default action
 * (a shell starts a background job with SIGINT and SIGQUIT ignored, and
 * the suite runs its tests in background lanes), then the inherited
 * settings asked for. */
static void set_up_signals(const struct settings *s)
{
    for (int number = 1; number < 32; number++) {
        if (number != SIGKILL && number != SIGSTOP)
            signal(number, SIG_DFL);
    }
    sigset_t blocked;
    sigemptyset(&blocked);
    for (int i = 0; i < s->blocked_count; i++)
        sigaddset(&blocked, s->blocked[i]);
    sigprocmask(SIG_SETMASK, &blocked, NULL);
    for (int i = 0; i < s->ignored_count; i++)
        signal(s->ignored[i], SIG_IGN);
}

/* -j: be a job-control shell on the terminal (stdin) for one job, the
 * command: in a process group of its own, in the foreground. Each time it
 * stops, say how it left the terminal, take the terminal back with the
 * settings it had before the job (as a shell does), then continue the job
 * in the foreground (fg). Ends with the job's exit status. */
static void run_as_job(char **command)
{
    struct termios before, left;
    if (tcgetattr(STDIN_FILENO, &before) == -1)
        err(1, "tcgetattr");
    signal(SIGTTOU, SIG_IGN); /* tcsetpgrp from the background */
    pid_t job = fork();
    if (job == -1)
        err(1, "fork");
    if (job == 0) {
        setpgid(0, 0);
        tcsetpgrp(STDIN_FILENO, getpgrp());
        signal(SIGTTOU, SIG_DFL);
        execvp(command[0], command);
        err(127, "%s", command[0]);
    }
    setpgid(job, job);
    tcsetpgrp(STDIN_FILENO, job);
    int status;
    for (;;) {
        if (waitpid(job, &status, WUNTRACED) == -1) {
            if (errno == EINTR)
                continue;
            err(1, "waitpid");
        }
        if (!WIFSTOPPED(status))
            break;
        int line_mode = tcgetattr(STDIN_FILENO, &left) == 0 &&
                        (left.c_lflag & (ICANON | ECHO)) == (ICANON | ECHO);
        tcsetpgrp(STDIN_FILENO, getpgrp());
        tcsetattr(STDIN_FILENO, TCSANOW, &before);
        fprintf(stderr,
                "\nsupervise: job stopped by signal %d; it left the "
                "terminal %s\n",
                WSTOPSIG(status),
                line_mode ? "in line mode" : "without line mode or echo");
        tcsetpgrp(STDIN_FILENO, job);
        kill(-job, SIGCONT);
    }
    exit(WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status));
}

static char one_key(const char **next_key);

/* -I, in supervise: once the command's side has the terminal open, type
 * the keys on it. */
static void type_first_keys(int ready[2], int master, const char *keys)
{
    char byte, typed[256];
    size_t count = 0;
    close(ready[1]);
    if (read(ready[0], &byte, 1) == 1) {
        while (*keys != '\0' && count < sizeof typed)
            typed[count++] = one_key(&keys);
        if (write(master, typed, count) != (ssize_t)count)
            warn("typing");
    }
    close(ready[0]);
}

/* -I, in the command's process: say that the terminal is open, then wait
 * until the keys typed on it can be read. */
static void wait_for_first_keys(int ready[2])
{
    struct pollfd in = {STDIN_FILENO, POLLIN, 0};
    close(ready[0]);
    if (write(ready[1], "o", 1) != 1)
        err(1, "-I");
    close(ready[1]);
    while (poll(&in, 1, -1) == -1 && errno == EINTR) {
    }
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
    int ready[2] = {-1, -1};
    if (s->use_pty && s->first_keys != NULL && pipe(ready) == -1)
        err(1, "pipe");
    fflush(stdout);
    pid_t pid = fork();
    if (pid == -1)
        err(1, "fork");
    if (pid > 0) {
        if (ready[0] != -1)
            type_first_keys(ready, *master, s->first_keys);
        return pid;
    }

    if (s->use_pty) {
        setsid(); /* a new session: the pty becomes its terminal */
        int slave = open(slave_name, O_RDWR);
        if (slave == -1)
            err(1, "open %s", slave_name);
#ifdef TIOCSCTTY
        ioctl(slave, TIOCSCTTY, 0);
#endif
#ifdef TIOCSWINSZ
        struct winsize size = {.ws_row = 24,
                               .ws_col = (unsigned short)s->columns};
        ioctl(slave, TIOCSWINSZ, &size);
#endif
        dup2(slave, 0);
        dup2(slave, 1);
        dup2(slave, 2);
        if (slave > 2)
            close(slave);
        close(*master);
        if (ready[0] != -1)
            wait_for_first_keys(ready);
    } else {
        setpgid(0, 0);
    }
    set_up_signals(s);
    if (s->use_pty && s->job_control)
        run_as_job(s->command);
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

/* What the terminal has shown so far, to count markers in. */
static char shown[1 << 20];
static size_t shown_length;

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
    if (shown_length + (size_t)got < sizeof shown) {
        memcpy(shown + shown_length, buffer, (size_t)got);
        shown_length += (size_t)got;
        shown[shown_length] = '\0';
    }
    return 1;
}

static int count_markers(const char *marker)
{
    int count = 0;
    for (const char *at = shown; (at = strstr(at, marker)) != NULL; at++)
        count++;
    return count;
}

/* One key of KEYS, at *NEXT_KEY: "^C" is Ctrl-C (3), "^[" ESC. */
static char one_key(const char **next_key)
{
    char key = **next_key;
    if (key == '^' && (*next_key)[1] != '\0') {
        key = (char)((*next_key)[1] & 0x1f); /* ^C is 3 */
        (*next_key)++;
    }
    (*next_key)++;
    return key;
}

/* -m/-K: type the next key (or group of keys) once the terminal shows one
 * more marker. */
static void type_keys(const struct settings *s, int master, int *typed,
                      const char **next_key)
{
    if (s->marker == NULL || **next_key == '\0' ||
        count_markers(s->marker) <= *typed)
        return;
    char keys[256];
    size_t count = 0;
    if (**next_key == '(') { /* a group, typed at once */
        (*next_key)++;
        while (**next_key != '\0' && **next_key != ')' && count < sizeof keys)
            keys[count++] = one_key(next_key);
        if (**next_key == ')')
            (*next_key)++;
    } else {
        keys[count++] = one_key(next_key);
    }
    (*typed)++;
    if (write(master, keys, count) != (ssize_t)count)
        warn("typing");
}

int main(int argc, char *argv[])
{
    struct settings s = parse(argc, argv);
    int master, status = 0, done = 0, open_pty, typed = 0;
    const char *next_key = s.keys != NULL ? s.keys : "";
#ifdef PR_SET_CHILD_SUBREAPER
    if (prctl(PR_SET_CHILD_SUBREAPER, 1) == -1)
        err(1, "prctl");
#endif
    pid_t pid = start(&s, &master);
    long long started = now_ms();

    open_pty = master != -1;
    while (!done || open_pty) {
        long long elapsed = now_ms() - started;
        if (elapsed > s.timeout_ms) {
            kill(-pid, SIGKILL);
            fprintf(stderr,
                    "supervise: hang guard: still running after %lld ms, "
                    "killed\n",
                    elapsed);
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
            type_keys(&s, master, &typed, &next_key);
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
#ifdef __APPLE__
        fprintf(file, "%ld\n", (long)(usage.ru_maxrss / 1024)); /* bytes */
#else
        fprintf(file, "%ld\n", (long)usage.ru_maxrss); /* kilobytes */
#endif
        fclose(file);
    }
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return WEXITSTATUS(status);
}
