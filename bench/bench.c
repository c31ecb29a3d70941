/* bench/bench.c: how close one shmdemo experiment comes to the cost of fork.
 *
 * The floor is a bare loop of fork(), _exit(0) in the child, waitpid() in the
 * parent: no experiment can cost less. The benchmark runs, in turn, the
 * floor, `shmdemo --racy --runs N --delay 0` and `shmdemo --synced --runs N
 * --delay 0`, ROUNDS times each, each as a process of its own timed from
 * start to end, and prints microseconds per experiment and each mode's
 * median ratio to the floor of the same round. Then it checks that peak
 * memory does not grow with N.
 *
 * Usage: bench SHMDEMO [N [ROUNDS]]        (defaults: 5000 runs, 5 rounds)
 *        bench --floor N                   (the floor loop itself)
 *        bench --window SHMDEMO-WINDOW N   (the create window, N runs each
 *                                           with stdout a pipe and a pty)
 * SHMDEMO-WINDOW is shmdemo built with -DSHMDEMO_MEASURE_WINDOW: it prints
 * how long its names existed ("window: N ns") on stderr as it exits.
 */
#define _XOPEN_SOURCE 700 /* realpath, posix_openpt */
#define _DARWIN_C_SOURCE  /* macOS: ru_maxrss */

#include <err.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_ROUNDS 50

static int floor_loop(long runs)
{
    for (long run = 0; run < runs; run++) {
        pid_t child = fork();
        if (child == -1)
            err(1, "fork");
        if (child == 0)
            _exit(0);
        if (waitpid(child, NULL, 0) == -1)
            err(1, "waitpid");
    }
    return 0;
}

static double seconds_now(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

/* Run ARGV with stdout on /dev/null; return its wall time in seconds. */
static double timed_run(char *const argv[])
{
    fflush(stdout); /* or the child would print our buffer a second time */
    double start = seconds_now();
    pid_t pid = fork();
    if (pid == -1)
        err(1, "fork");
    if (pid == 0) {
        if (freopen("/dev/null", "w", stdout) == NULL)
            err(1, "/dev/null");
        execv(argv[0], argv);
        err(127, "%s", argv[0]);
    }
    int status;
    if (waitpid(pid, &status, 0) == -1)
        err(1, "waitpid");
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        errx(1, "%s %s failed", argv[0], argv[1]);
    return seconds_now() - start;
}

/* Peak resident memory in KiB: macOS counts it in bytes. */
static long in_kib(long maxrss)
{
#ifdef __APPLE__
    return maxrss / 1024;
#else
    return maxrss;
#endif
}

/* Peak resident memory (KiB) of ARGV, run in a child of a fresh child so
 * that RUSAGE_CHILDREN sees that one command alone. */
static long peak_kib(char *const argv[])
{
    int pipe_ends[2];
    if (pipe(pipe_ends) == -1)
        err(1, "pipe");
    fflush(stdout);
    pid_t helper = fork();
    if (helper == -1)
        err(1, "fork");
    if (helper == 0) {
        struct rusage usage;
        timed_run(argv);
        getrusage(RUSAGE_CHILDREN, &usage);
        long kib = in_kib((long)usage.ru_maxrss);
        if (write(pipe_ends[1], &kib, sizeof kib) < 0)
            _exit(1);
        _exit(0);
    }
    long kib = -1;
    close(pipe_ends[1]);
    if (read(pipe_ends[0], &kib, sizeof kib) != (ssize_t)sizeof kib)
        errx(1, "no memory figure for %s", argv[0]);
    close(pipe_ends[0]);
    waitpid(helper, NULL, 0);
    return kib;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double values[], int count)
{
    qsort(values, (size_t)count, sizeof values[0], by_value);
    return count % 2 ? values[count / 2]
                     : (values[count / 2 - 1] + values[count / 2]) / 2;
}

/* One run of SHMDEMO-WINDOW --synced --delay 0 with stdout on OUT_FD (a
 * pipe's or a pty's writing end; READ_FD is what we drain it from):
 * returns the window it reports, in nanoseconds. */
static long one_window(char *binary, int out_fd, int read_fd)
{
    int errors[2];
    if (pipe(errors) == -1)
        err(1, "pipe");
    fflush(stdout);
    pid_t pid = fork();
    if (pid == -1)
        err(1, "fork");
    if (pid == 0) {
        dup2(out_fd, STDOUT_FILENO);
        dup2(errors[1], STDERR_FILENO);
        execl(binary, binary, "--synced", "--delay", "0", (char *)NULL);
        err(127, "%s", binary);
    }
    close(errors[1]);
    char buffer[8192], text[512] = "";
    size_t have = 0;
    ssize_t got;
    for (;;) { /* drain stdout so that it never blocks, until it ends */
        int status;
        while ((got = read(read_fd, buffer, sizeof buffer)) > 0)
            continue;
        if (waitpid(pid, &status, WNOHANG) == pid)
            break;
        struct timespec tick = {0, 200000};
        nanosleep(&tick, NULL);
    }
    while ((got = read(errors[0], text + have, sizeof text - 1 - have)) > 0)
        have += (size_t)got;
    close(errors[0]);
    text[have] = '\0';
    const char *line = strstr(text, "window: ");
    if (line == NULL)
        errx(1, "%s printed no window: %s", binary, text);
    return atol(line + strlen("window: "));
}

static int by_long(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;
    return (x > y) - (x < y);
}

static void report_windows(const char *where, long windows[], int count)
{
    qsort(windows, (size_t)count, sizeof windows[0], by_long);
    printf("create window, stdout %-8s %4d runs: median %6.1f us, maximum "
           "%7.1f us\n",
           where, count, (double)windows[count / 2] / 1e3,
           (double)windows[count - 1] / 1e3);
}

/* How long the names exist, with stdout a pipe and a pseudo-terminal. */
static int window_runs(char *binary, int runs)
{
    long *windows = calloc((size_t)runs, sizeof *windows);
    int ends[2];
    if (windows == NULL || pipe(ends) == -1)
        err(1, "window");
    fcntl(ends[0], F_SETFL, O_NONBLOCK);
    for (int run = 0; run < runs; run++)
        windows[run] = one_window(binary, ends[1], ends[0]);
    report_windows("a pipe,", windows, runs);

    int master = posix_openpt(O_RDWR | O_NOCTTY);
    const char *name;
    if (master == -1 || grantpt(master) == -1 || unlockpt(master) == -1 ||
        (name = ptsname(master)) == NULL)
        err(1, "pseudo-terminal");
    int slave = open(name, O_RDWR | O_NOCTTY);
    if (slave == -1)
        err(1, "%s", name);
    fcntl(master, F_SETFL, O_NONBLOCK);
    for (int run = 0; run < runs; run++)
        windows[run] = one_window(binary, slave, master);
    report_windows("a pty,", windows, runs);
    free(windows);
    return 0;
}

int main(int argc, char *argv[])
{
    if (argc == 3 && strcmp(argv[1], "--floor") == 0)
        return floor_loop(atol(argv[2]));
    if (argc == 4 && strcmp(argv[1], "--window") == 0)
        return window_runs(argv[2], atoi(argv[3]));
    if (argc < 2)
        errx(2, "usage: bench SHMDEMO [N [ROUNDS]]");

    char *shmdemo = argv[1];
    long runs = argc > 2 ? atol(argv[2]) : 5000;
    int rounds = argc > 3 ? atoi(argv[3]) : 5;
    if (runs < 1 || rounds < 1 || rounds > MAX_ROUNDS)
        errx(2, "N must be at least 1, ROUNDS from 1 to %d", MAX_ROUNDS);

    char runs_text[32], self[4096];
    snprintf(runs_text, sizeof runs_text, "%ld", runs);
    if (realpath(argv[0], self) == NULL)
        err(1, "%s", argv[0]);
    char *floor_argv[] = {self, "--floor", runs_text, NULL};
    char *racy_argv[] = {shmdemo, "--racy", "--runs", runs_text,
                         "--delay", "0", NULL};
    char *synced_argv[] = {shmdemo, "--synced", "--runs", runs_text,
                           "--delay", "0", NULL};

    double us[3][MAX_ROUNDS], ratio[2][MAX_ROUNDS];
    printf("%ld experiments per command, %d rounds, microseconds per "
           "experiment\n\n",
           runs, rounds);
    printf("round  fork floor   --racy  --synced   racy/floor  synced/floor\n");
    for (int round = 0; round < rounds; round++) {
        us[0][round] = timed_run(floor_argv) * 1e6 / (double)runs;
        us[1][round] = timed_run(racy_argv) * 1e6 / (double)runs;
        us[2][round] = timed_run(synced_argv) * 1e6 / (double)runs;
        ratio[0][round] = us[1][round] / us[0][round];
        ratio[1][round] = us[2][round] / us[0][round];
        printf("%5d  %10.1f  %7.1f  %8.1f  %11.3f  %12.3f\n", round + 1,
               us[0][round], us[1][round], us[2][round], ratio[0][round],
               ratio[1][round]);
        fflush(stdout);
    }
    printf("median %10.1f  %7.1f  %8.1f  %11.3f  %12.3f\n",
           median(us[0], rounds), median(us[1], rounds),
           median(us[2], rounds), median(ratio[0], rounds),
           median(ratio[1], rounds));

    /* Peak memory must not depend on the number of runs. */
    char *small_argv[] = {shmdemo, "--synced", "--runs", "100",
                          "--delay", "0", NULL};
    char *large_argv[] = {shmdemo, "--synced", "--runs", "100000",
                          "--delay", "0", NULL};
    printf("\npeak memory: --runs 100: %ld KiB, --runs 100000: %ld KiB\n",
           peak_kib(small_argv), peak_kib(large_argv));
    return 0;
}
