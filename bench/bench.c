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
 */
#define _XOPEN_SOURCE 700 /* realpath */

#include <err.h>
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
        if (write(pipe_ends[1], &usage.ru_maxrss, sizeof usage.ru_maxrss) < 0)
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

int main(int argc, char *argv[])
{
    if (argc == 3 && strcmp(argv[1], "--floor") == 0)
        return floor_loop(atol(argv[2]));
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
