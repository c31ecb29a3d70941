/* main.c: shmdemo, two processes share memory, first without and then with
 * a semaphore.
 *
 * The parent creates and maps a POSIX shared-memory region, forks, and writes
 * "Ala ma kota" into it; the child prints what it finds there. With --racy
 * nothing makes the child wait, and it reads too early. With --synced the
 * parent posts a named semaphore after writing, the child waits on it first,
 * and always sees the whole message.
 *
 * Usage: ./shmdemo --racy | --synced [--delay MS] [--write-delay US]
 *                                     [--runs N]
 */
#define _POSIX_C_SOURCE 200809L

#include "sem.h"
#include "shm.h"

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdnoreturn.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#define VERSION "1.0.0"

/* What the parent writes, without its terminating zero byte. */
#define MESSAGE "Ala ma kota"
#define MESSAGE_SIZE (sizeof MESSAGE - 1)

#define DEFAULT_DELAY_MS 1000L /* a single run: long enough to see the race */
#define MAX_DELAY_MS 60000L
#define MAX_WRITE_DELAY_US 1000000L
#define MAX_RUNS 10000000L

enum mode { NO_MODE, RACY, SYNCED };

/* What the child saw. It tells the parent through its exit status:
 * CHILD_SAW + outcome. Status 1 means the child failed, and said why. */
enum outcome { EMPTY, TORN, FULL, OUTCOMES };
static const char *const outcome_names[OUTCOMES] = {"empty", "torn", "full"};
#define CHILD_SAW 10

struct demo {
    enum mode mode;
    long delay_ms;       /* the parent's "other work" before it writes */
    long write_delay_us; /* pause after each character written */
    long runs;           /* 0: one narrated run; N: N quiet runs, counted */
    struct shm_region region;
    struct named_sem sem;
};

/* The plumbing at the end of this file: output, errors, numbers, time. */
static struct demo parse_command_line(int argc, char *argv[]);
static void start_output(void);
static void say(const char *format, ...);
static void say_table(const char *table);
static void say_mapping(const struct shm_region *region);
static void summarize(const char *format, ...);
static void be_quiet(void);
static void become_child(pid_t parent);
static void hold_interruptions(bool hold);
static void show_progress(long done, long total);
static void pause_for_us(long long microseconds);
static pid_t wait_for(pid_t child, int *status);
static noreturn void die(const char *call);
static noreturn void die_because(const char *format, ...);
static void finish_output(void);

static enum outcome run_once(struct demo *demo);
static void run_many(struct demo *demo, long counts[]);
static enum outcome run_experiment(struct demo *demo);
static void parent_part(struct demo *demo);
static noreturn void child_part(struct demo *demo, pid_t parent);
static enum outcome reap_child(pid_t child);
static enum outcome classify(const char *seen);
static void give_verdict(const struct demo *demo, enum outcome seen);
static void give_tally(const struct demo *demo, const long counts[]);

/* The child of a running experiment, so that an error in the parent can stop
 * and reap it: nothing is left in the process table. 0 when there is none. */
static pid_t running_child;

int main(int argc, char *argv[])
{
    struct demo demo = parse_command_line(argc, argv);
    start_output();

    /* Memory is mapped in whole pages: our 11 bytes take one page. */
    long page_size = sysconf(_SC_PAGESIZE);
    if (page_size == -1)
        die("sysconf");
    say("page size: %ld bytes", page_size);
    say("legend: _ is a zero byte; times are ms since start");

    /* Create the shared region and, for --synced, the semaphore. Their names
     * exist only for a moment, between create and unlink; hold off Ctrl-C
     * and everything else that could end us in that moment, so no name can
     * be left behind. */
    hold_interruptions(true);
    if (region_create(&demo.region, MESSAGE_SIZE, say) == -1)
        die(demo.region.failed_call);
    if (demo.mode == SYNCED && named_sem_create(&demo.sem, say) == -1)
        die(demo.sem.failed_call);
    hold_interruptions(false);
    say_mapping(&demo.region);

    /* Run the experiment once, told step by step, or many times, counted. */
    if (demo.runs == 0) {
        give_verdict(&demo, run_once(&demo));
    } else {
        long counts[OUTCOMES] = {0};
        run_many(&demo, counts);
        give_tally(&demo, counts);
    }

    /* Tidy up: the names are long gone; close and unmap what is open. */
    if (demo.mode == SYNCED && named_sem_close(&demo.sem) == -1)
        die(demo.sem.failed_call);
    if (region_destroy(&demo.region) == -1)
        die(demo.region.failed_call);
    finish_output();
    return EXIT_SUCCESS;
}

/* One run, narrated: show the empty table, then let the two processes go. */
static enum outcome run_once(struct demo *demo)
{
    say("table at %p:", (void *)demo->region.addr);
    say_table(demo->region.addr);

    /* fork() copies this process, stdio buffers included: flush them first,
     * or the child would print the parent's pending output a second time. */
    if (fflush(stdout) == EOF)
        die("write to stdout");
    return run_experiment(demo);
}

/* N runs, quiet: count what the child saw each time. */
static void run_many(struct demo *demo, long counts[])
{
    say("running the experiment %ld times...", demo->runs);
    if (fflush(stdout) == EOF) /* before the first fork: see run_once */
        die("write to stdout");
    be_quiet();
    for (long run = 1; run <= demo->runs; run++) {
        counts[run_experiment(demo)]++;
        show_progress(run, demo->runs);
    }
}

/* One experiment: a zeroed table, fork, the parent writes, the child reads. */
static enum outcome run_experiment(struct demo *demo)
{
    /* Each experiment starts from an empty table. The child of the last one
     * has been reaped, so nobody else is looking at it now. */
    memset(demo->region.addr, 0, demo->region.size);

    /* Nothing is waiting in stdout's buffer (the caller flushed it), so
     * nothing can be printed twice. */
    pid_t parent = getpid();
    pid_t child = fork();
    if (child == -1)
        die("fork");
    if (child == 0)
        child_part(demo, parent); /* does not return */

    running_child = child;
    say("fork() = %ld", (long)child);
    parent_part(demo);
    return reap_child(child);
}

/* The parent: work a while, write the message and, if synced, say so. */
static void parent_part(struct demo *demo)
{
    /* Before writing, the parent "does other work". The racy child does
     * not wait for it, so this delay is the window in which it reads. */
    say("doing other work for %ld ms", demo->delay_ms);
    pause_for_us(demo->delay_ms * 1000LL);

    for (size_t i = 0; i < MESSAGE_SIZE; i++) {
        demo->region.addr[i] = MESSAGE[i];
        pause_for_us(demo->write_delay_us); /* --write-delay: a slow writer */
    }
    say("wrote \"%s\" into the table", MESSAGE);

    if (demo->mode == SYNCED) {
        /* Post only now, after the last byte is written: the post is the
         * message "the table is ready". */
        say("sem_post(sem) ...: the table is ready");
        if (named_sem_post(&demo->sem) == -1)
            die(demo->sem.failed_call);
        say("sem_post(sem) = 0");
    }
}

/* The child: read the table (after waiting, if synced), show it, and tell
 * the parent what it saw through its exit status. */
static noreturn void child_part(struct demo *demo, pid_t parent)
{
    become_child(parent);

    if (demo->mode == SYNCED) {
        /* sem_wait returns only after the parent's sem_post, which comes
         * after the parent's last write. POSIX lists sem_post and sem_wait
         * among the calls that synchronize memory (XBD 4.12): everything
         * the parent stored before sem_post is visible to the child after
         * sem_wait. That ordering, not luck, is what makes the read safe. */
        say("sem_wait(sem) ...");
        if (named_sem_wait(&demo->sem) == -1)
            die(demo->sem.failed_call);
        say("sem_wait(sem) = 0");
    } else {
        /* Nothing orders this read after the parent's write. One process
         * writing bytes that another reads, with no synchronization between
         * them, is a data race: undefined behaviour under the memory models
         * of C11 and POSIX, so no particular result is promised. In practice
         * the child sees whatever is there when it looks, and the parent's
         * --delay makes sure that is nothing yet. Declaring the table
         * volatile would not help: volatile forces the reads to happen, but
         * orders nothing between two processes. */
        say("reading now, without waiting");
    }

    /* Take one snapshot; judge and show that, so the two always agree. */
    char seen[MESSAGE_SIZE];
    memcpy(seen, demo->region.addr, MESSAGE_SIZE);
    enum outcome outcome = classify(seen);
    say("table at %p:", (void *)demo->region.addr);
    say_table(seen);
    say("_exit(%d): saw %s", CHILD_SAW + outcome, outcome_names[outcome]);

    /* _exit, not exit: the parent's cleanup is the parent's. Every line
     * is already written (stdout is line-buffered), and checked. */
    _exit(CHILD_SAW + outcome);
}

/* Wait for the child and decode its exit status into what it saw. */
static enum outcome reap_child(pid_t child)
{
    int status;
    if (wait_for(child, &status) == -1)
        die("waitpid");
    running_child = 0;

    if (WIFSIGNALED(status))
        die_because("child %ld was killed by signal %d (%s)", (long)child,
                    WTERMSIG(status), strsignal(WTERMSIG(status)));
    int code = WEXITSTATUS(status);
    if (code == EXIT_FAILURE)
        exit(EXIT_FAILURE); /* the child has already said why */
    if (code < CHILD_SAW || code >= CHILD_SAW + OUTCOMES)
        die_because("child %ld exited with unexpected status %d", (long)child,
                    code);
    say("waitpid(%ld, &status, 0) = %ld: status %d, saw %s", (long)child,
        (long)child, code, outcome_names[code - CHILD_SAW]);
    return (enum outcome)(code - CHILD_SAW);
}

/* The whole message, nothing yet, or something in between. */
static enum outcome classify(const char *seen)
{
    if (memcmp(seen, MESSAGE, MESSAGE_SIZE) == 0)
        return FULL;
    for (size_t i = 0; i < MESSAGE_SIZE; i++) {
        if (seen[i] != '\0')
            return TORN;
    }
    return EMPTY;
}

/* The last line of a single run: what the child saw, and why. */
static void give_verdict(const struct demo *demo, enum outcome seen)
{
    static const char *const racy_why[OUTCOMES] = {
        [EMPTY] = "the child read the table before the parent wrote it, "
                  "because nothing made it wait.",
        [TORN] = "the child read while the parent was still writing, "
                 "because nothing made it wait.",
        [FULL] = "this time the child happened to read after the parent "
                 "wrote, but nothing made sure of it (try --runs).",
    };

    if (demo->mode == SYNCED && seen != FULL)
        die_because("the child saw %s despite the semaphore: a bug",
                    outcome_names[seen]);
    summarize("");
    if (demo->mode == SYNCED)
        summarize("verdict: full: the child waited on the semaphore, which "
                  "the parent posted only after writing the whole message.");
    else
        summarize("verdict: %s: %s", outcome_names[seen], racy_why[seen]);
}

/* The end of N runs: one line per outcome, then the verdict. */
static void give_tally(const struct demo *demo, const long counts[])
{
    summarize("");
    summarize("outcome     runs    share");
    for (int outcome = FULL; outcome >= EMPTY; outcome--)
        summarize("%-7s %8ld  %6.2f%%", outcome_names[outcome], counts[outcome],
                  100.0 * (double)counts[outcome] / (double)demo->runs);

    long too_early = counts[EMPTY] + counts[TORN];
    if (demo->mode == SYNCED && too_early > 0)
        die_because("%ld runs saw less than the full message despite the "
                    "semaphore: a bug",
                    too_early);
    if (demo->mode == SYNCED)
        summarize("verdict: all %ld runs saw the full message: the child "
                  "always waited for the parent's post.",
                  demo->runs);
    else if (too_early > 0)
        summarize("verdict: %ld of %ld runs read too early (empty or torn): "
                  "without synchronization the result is down to timing.",
                  too_early, demo->runs);
    else
        summarize("verdict: no run read too early this time, but nothing "
                  "prevents it: the race is still there.");
}

/* ------------------------------------------------------------------------
 * Plumbing: the command line, output, errors, time. Read the story above
 * first; nothing below changes it.
 * ------------------------------------------------------------------------ */

static noreturn void usage_error(const char *format, ...)
{
    va_list args;
    va_start(args, format);
    vwarnx(format, args);
    va_end(args);
    fprintf(stderr, "Try 'shmdemo --help' for more information.\n");
    exit(2);
}

static void usage(void)
{
    fputs("Usage: shmdemo --racy | --synced [--delay MS] [--write-delay US]\n"
          "                                 [--runs N]\n"
          "\n"
          "Two processes share memory: the parent writes \"" MESSAGE "\"\n"
          "into a POSIX shared-memory region; the child prints what it\n"
          "finds there.\n"
          "\n"
          "  --racy            no synchronization: the child reads at once\n"
          "  --synced          the parent posts a named semaphore after\n"
          "                    writing; the child waits on it first\n"
          "  --delay MS        the parent works MS milliseconds before it\n"
          "                    writes (0 to 60000; default 1000, or 0 with\n"
          "                    --runs)\n"
          "  --write-delay US  write one character at a time, pausing US\n"
          "                    microseconds after each (0 to 1000000)\n"
          "  --runs N          repeat the experiment N times (1 to\n"
          "                    10000000) and count what the child saw:\n"
          "                    full, empty or torn\n"
          "  --help            show this help and exit\n"
          "  --version         show the version and exit\n"
          "\n"
          "Exit status: 0 the demo ran (whatever the racy child saw);\n"
          "1 a system call failed, or the child did; 2 a usage error.\n",
          stdout);
}

/* TEXT as typed, cut to 24 characters: an error message quotes what the
 * user typed, however long that was, in one short line. */
static const char *clipped(const char *text)
{
    static char clip[32];
    if (strlen(text) <= 24)
        return text;
    snprintf(clip, sizeof clip, "%.21s...", text);
    return clip;
}

/* A whole number from MIN to MAX, strictly: digits only, nothing else. */
static long parse_number(const char *option, const char *text, long min,
                         long max, const char *unit)
{
    char *end;
    errno = 0;
    long value = strtol(text, &end, 10);
    bool digits_only = text[0] >= '0' && text[0] <= '9' && *end == '\0';
    if (!digits_only || errno == ERANGE || value < min || value > max)
        usage_error("%s: '%s' is not a whole number of %s from %ld to %ld",
                    option, clipped(text), unit, min, max);
    return value;
}

static struct demo parse_command_line(int argc, char *argv[])
{
    static const struct option options[] = {
        {"racy", no_argument, NULL, 'r'},
        {"synced", no_argument, NULL, 's'},
        {"delay", required_argument, NULL, 'd'},
        {"write-delay", required_argument, NULL, 'w'},
        {"runs", required_argument, NULL, 'n'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    struct demo demo = {.mode = NO_MODE};
    bool given['z' + 1] = {false}; /* options seen, by their letter */
    int option, index = 0;

    opterr = 0; /* we say what is wrong ourselves, in our own words */
    while ((option = getopt_long(argc, argv, ":", options, &index)) != -1) {
        if (option == '?' && optopt != 0)
            usage_error("unknown option '-%c'", optopt);
        if (option == '?')
            usage_error("unknown or ambiguous option '%s'",
                        clipped(argv[optind - 1]));
        if (option == ':')
            usage_error("option '%s' needs a value", clipped(argv[optind - 1]));
        if (given[option])
            usage_error("option '--%s' given more than once",
                        options[index].name);
        given[option] = true;

        switch (option) {
        case 'r':
        case 's':
            if (demo.mode != NO_MODE)
                usage_error("choose one mode: --racy or --synced, not both");
            demo.mode = option == 'r' ? RACY : SYNCED;
            break;
        case 'd':
            demo.delay_ms = parse_number("--delay", optarg, 0, MAX_DELAY_MS,
                                         "milliseconds");
            break;
        case 'w':
            demo.write_delay_us = parse_number(
                "--write-delay", optarg, 0, MAX_WRITE_DELAY_US, "microseconds");
            break;
        case 'n':
            demo.runs = parse_number("--runs", optarg, 1, MAX_RUNS, "runs");
            break;
        case 'h':
            usage();
            finish_output();
            exit(EXIT_SUCCESS);
        case 'V':
            printf("shmdemo " VERSION "\n");
            finish_output();
            exit(EXIT_SUCCESS);
        }
    }
    if (optind < argc)
        usage_error("unexpected argument '%s'", clipped(argv[optind]));
    if (demo.mode == NO_MODE)
        usage_error("choose a mode: --racy or --synced");
    if (!given['d'])
        demo.delay_ms = demo.runs > 0 ? 0 : DEFAULT_DELAY_MS;
    return demo;
}

/* Output: two lanes of one timeline, parent on the left, child on the
 * right, every line tagged with its role, PID and time since start. */

#define COLUMNS 80
#define CHILD_LANE 26 /* the child's lines start this far in */

static struct {
    bool in_child; /* this process is the child: right-hand lane */
    pid_t pid;
    struct timespec start;
    bool colour; /* stdout is a terminal and NO_COLOR is not set */
    bool quiet;  /* --runs: no narration, only the tally */
    bool progress;
    struct timespec last_progress;
    bool holding;         /* in hold_interruptions: no exit on write errors */
    int held_write_error; /* the errno of the first one, meanwhile */
} out;

static double ms_since(const struct timespec *then)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - then->tv_sec) * 1e3 +
           (double)(now.tv_nsec - then->tv_nsec) / 1e6;
}

static void start_output(void)
{
    /* If stdout were closed, the next descriptor opened (the region's)
     * would become number 1, and our narration would land in it. */
    if (fcntl(STDOUT_FILENO, F_GETFD) == -1)
        die("stdout");

    /* One line at a time, so lines appear in the order they happen, also
     * when stdout is a pipe or a file. */
    if (setvbuf(stdout, NULL, _IOLBF, 0) != 0)
        die_because("cannot make stdout line-buffered");

    /* Times are taken from the monotonic clock: checked once, here. */
    if (clock_gettime(CLOCK_MONOTONIC, &out.start) == -1)
        die("clock_gettime");
    out.pid = getpid();
    const char *no_color = getenv("NO_COLOR");
    out.colour = isatty(STDOUT_FILENO) && (no_color == NULL || *no_color == 0);
}

static void put_line(const char *line)
{
    if (fputs(line, stdout) != EOF)
        return;
    if (!out.holding)
        die("write to stdout");
    if (out.held_write_error == 0) /* reported when the hold ends */
        out.held_write_error = errno;
}

/* Where to break TEXT so the first piece fits in ROOM columns: before a
 * call's " = result" if the call fits, else at the last space that fits. */
static int break_point(const char *text, int room)
{
    const char *result = strstr(text, " = ");
    if (result != NULL && result - text <= room && result > text)
        return (int)(result - text);
    int length = room;
    while (length > room / 2 && text[length] != ' ')
        length--;
    return length;
}

/* Print TEXT behind PREFIX, wrapped at COLUMNS; each piece gets the prefix. */
static void put_wrapped(const char *prefix, const char *text)
{
    const char *colour_on = "", *colour_off = "";
    if (out.colour) {
        colour_on = out.in_child ? "\033[35m" : "\033[36m";
        colour_off = "\033[0m";
    }
    /* Real PIDs and times never leave less than this; the floor only
     * makes sure the loop below always moves on. */
    int width = COLUMNS - (int)strlen(prefix);
    if (width < COLUMNS / 4)
        width = COLUMNS / 4;
    const char *continuation = "";
    do {
        int room = width - (int)strlen(continuation);
        int length = (int)strlen(text);
        if (length > room) /* too long: put the rest on the next line */
            length = break_point(text, room);
        char line[2 * COLUMNS + 32];
        snprintf(line, sizeof line, "%s%s%s%.*s%s\n", colour_on, prefix,
                 continuation, length, text, colour_off);
        put_line(line);
        text += length;
        while (*text == ' ')
            text++;
        continuation = "  ";
    } while (*text != '\0');
}

/* A line of the timeline, in this process's lane. */
static void say(const char *format, ...)
{
    if (out.quiet)
        return;
    char text[512], prefix[COLUMNS];
    va_list args;
    va_start(args, format);
    vsnprintf(text, sizeof text, format, args);
    va_end(args);
    int indent = out.in_child ? CHILD_LANE : 0;
    snprintf(prefix, sizeof prefix, "%*s[%-6s %ld] %6.1f  ", indent, "",
             out.in_child ? "child" : "parent", (long)out.pid,
             ms_since(&out.start));
    put_wrapped(prefix, text);
}

/* A line of the summary at the end: no lane, no tag. */
static void summarize(const char *format, ...)
{
    char text[512];
    va_list args;
    va_start(args, format);
    vsnprintf(text, sizeof text, format, args);
    va_end(args);
    if (text[0] == '\0')
        put_line("\n");
    else
        put_wrapped("", text);
}

/* The table as the course prints it, A|l|a| |m|a| |k|o|t|a; a zero byte
 * shows as _, since a raw NUL byte is invisible on screen. */
static void say_table(const char *table)
{
    char cells[2 * MESSAGE_SIZE];
    for (size_t i = 0; i < MESSAGE_SIZE; i++) {
        cells[2 * i] = (char)(table[i] == '\0' ? '_' : table[i]);
        cells[2 * i + 1] = i + 1 < MESSAGE_SIZE ? '|' : '\0';
    }
    say("  %s", cells);
}

/* Where /proc exists (Linux), show the kernel's view of the mapping: its
 * name is gone, "(deleted)", but the memory lives on. Optional: skipped
 * quietly elsewhere. */
static void say_mapping(const struct shm_region *region)
{
    FILE *maps = fopen("/proc/self/maps", "r");
    if (maps == NULL)
        return;
    char line[512];
    while (fgets(line, sizeof line, maps) != NULL) {
        char *path = strchr(line, '/');
        unsigned long start = strtoul(line, NULL, 16); /* "start-end ..." */
        if (start == (unsigned long)region->addr && path != NULL) {
            path[strcspn(path, "\n")] = '\0';
            say("/proc/self/maps: %s", path);
        }
    }
    fclose(maps);
}

static void be_quiet(void)
{
    out.quiet = true;
    out.progress = isatty(STDERR_FILENO);
    clock_gettime(CLOCK_MONOTONIC, &out.last_progress);
}

/* A counter on stderr, redrawn in place a few times a second while a long
 * --runs goes on, and cleared at the end; only on a terminal. */
static void show_progress(long done, long total)
{
    if (!out.progress)
        return;
    if (done == total) {
        fputs("\r\033[K", stderr);
    } else if (ms_since(&out.last_progress) >= 100.0) {
        fprintf(stderr, "\rrun %ld of %ld (%ld%%)", done, total,
                done * 100 / total);
        clock_gettime(CLOCK_MONOTONIC, &out.last_progress);
    }
}

static void finish_output(void)
{
    if (fflush(stdout) == EOF || ferror(stdout))
        die("write to stdout");
}

/* Hold off (or let through again) what could end the program: the signals
 * that end it from the keyboard or the system, SIGPIPE from a reader that
 * went away, and errors writing stdout. A held signal is delivered, and a
 * held write error reported, as soon as the hold ends. */
static void hold_interruptions(bool hold)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGQUIT);
    sigaddset(&set, SIGPIPE);
    if (sigprocmask(hold ? SIG_BLOCK : SIG_UNBLOCK, &set, NULL) == -1)
        die("sigprocmask");
    out.holding = hold;
    if (!hold && out.held_write_error != 0) {
        errno = out.held_write_error;
        die("write to stdout");
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

/* The new process is the child: tag its lines, and make sure it never
 * outlives its parent (a killed parent would never post the semaphore). */
static void become_child(pid_t parent)
{
    out.in_child = true;
    out.pid = getpid();
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

/* Sleep, and if a signal cuts the sleep short, sleep the rest. */
static void pause_for_us(long long microseconds)
{
    struct timespec request = {.tv_sec = (time_t)(microseconds / 1000000),
                               .tv_nsec =
                                   (long)(microseconds % 1000000) * 1000};
    struct timespec remaining;
    if (microseconds <= 0)
        return;
    while (nanosleep(&request, &remaining) == -1) {
        if (errno != EINTR)
            die("nanosleep");
        request = remaining;
    }
}

/* waitpid, retried when a signal interrupts it (EINTR). */
static pid_t wait_for(pid_t child, int *status)
{
    pid_t result;
    do {
        result = waitpid(child, status, 0);
    } while (result == -1 && errno == EINTR);
    return result;
}

/* Stop and reap the running child, if any: nothing is left behind. */
static void stop_child(void)
{
    if (running_child <= 0)
        return;
    kill(running_child, SIGKILL);
    wait_for(running_child, NULL);
    running_child = 0;
}

/* End this process with status 1: the child by _exit, which leaves the
 * parent's buffers and cleanup alone; the parent after stopping its child. */
static noreturn void end_in_failure(void)
{
    if (out.in_child)
        _exit(EXIT_FAILURE);
    stop_child();
    exit(EXIT_FAILURE);
}

/* "shmdemo: CALL: strerror(errno)", as err(3) prints it. */
static noreturn void die(const char *call)
{
    int saved_errno = errno;
    fflush(stdout); /* what was said so far comes first */
    errno = saved_errno;
    warn("%s", call);
    end_in_failure();
}

static noreturn void die_because(const char *format, ...)
{
    va_list args;
    fflush(stdout);
    va_start(args, format);
    vwarnx(format, args);
    va_end(args);
    end_in_failure();
}
