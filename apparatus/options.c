/* apparatus/options.c: the command line, read strictly.
 *
 * Every option is checked: numbers are digits only and in range, modes and
 * wrong fixes must fit together, and anything the user typed is quoted back
 * with its control characters escaped and clipped on a character boundary,
 * so that an error message is one harmless line.
 */
#define _POSIX_C_SOURCE 200809L

#include "options.h"

#include "basics.h"

#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdnoreturn.h>
#include <string.h>
#include <unistd.h>

#define VERSION "2.0.0"

#define DEFAULT_DELAY_MS 1000L /* a single run: long enough to see the race */
#define MAX_DELAY_MS 60000L
#define MAX_WRITE_DELAY_US 1000000L
#define MAX_RUNS 10000000L
#define QUOTED_CHARACTERS 24 /* how much of an argument an error quotes */

static const char usage_text[] =
    "Usage: shmdemo --racy | --synced [OPTION...]\n"
    "\n"
    "Two processes share memory: the parent writes \"Ala ma kota\" into a\n"
    "POSIX shared-memory region; the child prints what it finds there.\n"
    "\n"
    "  --racy             no synchronization: the child reads at once\n"
    "  --synced           the parent posts a named semaphore after writing;\n"
    "                     the child waits on it first\n"
    "  --delay MS         the parent works MS milliseconds before it writes\n"
    "                     (0 to 60000; default 1000, or 0 with --runs,\n"
    "                     --schedule, --step or --explore)\n"
    "  --write-delay US   pause US microseconds after each character written\n"
    "                     (0 to 1000000): a slow writer\n"
    "  --runs N           repeat the experiment N times (1 to 10000000) and\n"
    "                     count what the child saw: full, torn or empty\n"
    "\n"
    "Steer the race (the child reads in one step; the parent writes one\n"
    "character per step, and posts in one more):\n"
    "  --schedule LIST    LIST of p and c: each letter lets the parent (p) or\n"
    "                     the child (c) take its next step; then both run\n"
    "                     freely. Example: --racy --schedule pppc\n"
    "  --step             choose each step with a key: p, c, or q to quit;\n"
    "                     ? shows what each key still makes possible\n"
    "  --explore          run every interleaving of the steps once, each a\n"
    "                     real run, and show what each gives\n"
    "\n"
    "Fixes that don't work (one at a time):\n"
    "  --child-sleep MS   (--racy) the child sleeps MS ms (0 to 60000), then\n"
    "                     reads\n"
    "  --busy-wait        (--racy) the child spins until table[0] is not zero\n"
    "  --post-early       (--synced) the parent posts before it writes\n"
    "  --map-private      the region is mapped MAP_PRIVATE, not MAP_SHARED\n"
    "\n"
    "  --brief            only the lines a class looks at: the fork, the\n"
    "                     writes, the post and the wait, the child's table,\n"
    "                     the verdict\n"
    "  -h, --help         show this help and exit\n"
    "  -V, --version      show the version and exit\n"
    "\n"
    "Exit status: 0 the demo ran (whatever the child saw); 1 a system call\n"
    "failed, or the child did; 2 a usage error; 128+N ended by signal N\n"
    "(130 for Ctrl-C).\n";

/* TEXT as typed, made safe to print on one line: control characters and
 * bytes that are not UTF-8 are escaped (\n, \t, \e, \xNN), and it is
 * clipped to QUOTED_CHARACTERS characters, never inside one. Two results
 * can be in use at once. */
static const char *quoted(const char *text)
{
    static char buffers[2][QUOTED_CHARACTERS * 4 + 8];
    static int next;
    char *out = buffers[next++ % 2];
    size_t length = 0;
    const unsigned char *in = (const unsigned char *)text;

    for (int characters = 0; *in != '\0'; characters++) {
        if (characters == QUOTED_CHARACTERS) {
            memcpy(out + length, "...", 4);
            return out;
        }
        /* The bytes of one UTF-8 character: a lead byte and 0 to 3
         * continuation bytes (10xxxxxx). */
        size_t size = *in < 0x80 ? 1 : *in >= 0xf0 ? 4 : *in >= 0xe0 ? 3 : 2;
        size_t valid = 1;
        while (valid < size && (in[valid] & 0xc0) == 0x80)
            valid++;
        /* Not UTF-8, or a C1 control character (U+0080 to U+009F, such
         * as CSI): escaped byte by byte, as a terminal would obey it. */
        bool c1 = *in == 0xc2 && valid == 2 && in[1] < 0xa0;
        if (*in >= 0x80 && (*in < 0xc2 || *in > 0xf4 || valid < size || c1)) {
            length += (size_t)sprintf(out + length, "\\x%02x", *in++);
        } else if (*in < 0x20 || *in == 0x7f) {
            const char *name = *in == '\n'   ? "\\n"
                               : *in == '\t' ? "\\t"
                               : *in == 033  ? "\\e"
                                             : NULL;
            length += name != NULL
                          ? (size_t)sprintf(out + length, "%s", name)
                          : (size_t)sprintf(out + length, "\\x%02x", *in);
            in++;
        } else {
            memcpy(out + length, in, size);
            length += size;
            in += size;
        }
    }
    out[length] = '\0';
    return out;
}

static noreturn void usage_error(const char *format, ...) PRINTF_LIKE(1, 2);
static noreturn void usage_error(const char *format, ...)
{
    va_list args;
    va_start(args, format);
    vwarnx(format, args);
    va_end(args);
    fprintf(stderr, "Try 'shmdemo --help' for more information.\n");
    exit(2);
}

/* Print TEXT on stdout and exit 0, or 1 if it could not be written. */
static noreturn void print_and_exit(const char *text)
{
    if (fputs(text, stdout) == EOF || fflush(stdout) == EOF)
        err(EXIT_FAILURE, "write to stdout");
    exit(EXIT_SUCCESS);
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
                    option, quoted(text), unit, min, max);
    return value;
}

static const char *parse_schedule(const char *text)
{
    if (text[0] == '\0')
        usage_error("--schedule: give at least one letter, p or c");
    size_t bad = strspn(text, "pc");
    if (text[bad] != '\0') {
        /* The whole character: its lead byte and continuation bytes. */
        size_t size = 1;
        while (size < 4 && ((unsigned char)text[bad + size] & 0xc0) == 0x80)
            size++;
        char letter[5] = {0};
        memcpy(letter, text + bad, size);
        usage_error("--schedule: '%s' is not p (the parent) or c (the child)",
                    quoted(letter));
    }
    return text;
}

static const struct option options[] = {
    {"racy", no_argument, NULL, 'r'},
    {"synced", no_argument, NULL, 's'},
    {"delay", required_argument, NULL, 'd'},
    {"write-delay", required_argument, NULL, 'w'},
    {"runs", required_argument, NULL, 'n'},
    {"schedule", required_argument, NULL, 'L'},
    {"step", no_argument, NULL, 'S'},
    {"explore", no_argument, NULL, 'x'},
    {"child-sleep", required_argument, NULL, 'z'},
    {"busy-wait", no_argument, NULL, 'b'},
    {"post-early", no_argument, NULL, 'e'},
    {"map-private", no_argument, NULL, 'm'},
    {"brief", no_argument, NULL, 'B'},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

/* The long name of the option whose letter is LETTER. */
static const char *name_of(int letter)
{
    const struct option *o = options;
    while (o->name != NULL && o->val != letter)
        o++;
    return o->name != NULL ? o->name : "?";
}

/* The option ARG names, if exactly one matches it (getopt_long accepts an
 * unambiguous abbreviation); NULL otherwise. */
static const struct option *option_named(const char *arg)
{
    size_t length = strcspn(arg, "=");
    const struct option *found = NULL;
    for (const struct option *o = options; o->name != NULL; o++) {
        if (strncmp(o->name, arg, length) != 0)
            continue;
        if (strlen(o->name) == length)
            return o;
        if (found != NULL)
            return NULL; /* ambiguous */
        found = o;
    }
    return found;
}

/* ARG is a bundle of short options ("-xy") that holds LETTER. */
static bool short_options_with(const char *arg, int letter)
{
    return arg != NULL && arg[0] == '-' && arg[1] != '-' && arg[1] != '\0' &&
           letter != 0 && strchr(arg + 1, letter) != NULL;
}

/* getopt_long rejected an option: say why, in our own words. The C
 * libraries differ in what they report, so look at what was typed: ARG,
 * the argument getopt_long is in or has just left (NEXT). */
static noreturn void reject_option(const char *arg, const char *next,
                                   int short_option)
{
    if (short_options_with(next, short_option) ||
        short_options_with(arg, short_option) || strncmp(arg, "--", 2) != 0 ||
        arg[2] == '\0')
        usage_error("unknown option '-%s'",
                    quoted((char[2]){(char)short_option, '\0'}));
    const struct option *option = option_named(arg + 2);
    if (option == NULL)
        usage_error("unknown or ambiguous option '%s'", quoted(arg));
    if (option->has_arg == no_argument && strchr(arg, '=') != NULL)
        usage_error("option '--%s' takes no value", option->name);
    usage_error("option '--%s' needs a value", option->name);
}

static const char *const wrong_fix_options[] = {
    [NO_WRONG_FIX] = "",
    [SLEEP_IN_CHILD] = "--child-sleep",
    [SPIN_ON_FLAG] = "--busy-wait",
    [POST_FIRST] = "--post-early",
    [PRIVATE_MAPPING] = "--map-private",
};

const char *wrong_fix_option(enum wrong_fix fix)
{
    return wrong_fix_options[fix];
}

static void choose_wrong_fix(struct settings *settings, enum wrong_fix fix)
{
    if (settings->wrong_fix != NO_WRONG_FIX)
        usage_error("one wrong fix at a time: %s or %s, not both",
                    wrong_fix_options[settings->wrong_fix],
                    wrong_fix_options[fix]);
    settings->wrong_fix = fix;
}

/* What the options together must make sense as. */
static void check_combination(struct settings *settings, const bool given[])
{
    enum wrong_fix fix = settings->wrong_fix;
    if (settings->mode == NO_MODE)
        usage_error("choose a mode: --racy or --synced");
    if ((fix == SLEEP_IN_CHILD || fix == SPIN_ON_FLAG) &&
        settings->mode != RACY)
        usage_error("%s is a fix for the racy version: use it with --racy",
                    wrong_fix_options[fix]);
    if (fix == POST_FIRST && settings->mode != SYNCED)
        usage_error("--post-early moves the semaphore's post: use it with "
                    "--synced");
    if (settings->step && settings->schedule != NULL)
        usage_error("--step and --schedule both choose the steps: use one");
    if (settings->step && settings->runs > 0)
        usage_error("--step is for one run: it cannot be used with --runs");
    if (settings->explore && settings->runs > 0)
        usage_error("--explore runs each interleaving once: it cannot be used "
                    "with --runs");
    if (settings->explore && settings->schedule != NULL)
        usage_error("--explore chooses the schedules itself: it cannot be "
                    "used with --schedule");
    if (settings->explore && settings->step)
        usage_error("--explore chooses the steps itself: it cannot be used "
                    "with --step");
    if (settings->step && !isatty(STDIN_FILENO))
        usage_error("--step reads keys: standard input must be a terminal");
    if (settings->step && !isatty(STDOUT_FILENO))
        usage_error("--step shows its prompt: standard output must be a "
                    "terminal");
    bool steered_or_counted = settings->runs > 0 || settings->step ||
                              settings->schedule != NULL || settings->explore;
    if (!given['d'])
        settings->delay_ms = steered_or_counted ? 0 : DEFAULT_DELAY_MS;
}

struct settings read_command_line(int argc, char *argv[])
{
    struct settings settings = {.mode = NO_MODE};
    bool given[128] = {false}; /* the options seen, by their letter */
    int option;

    opterr = 0; /* we say what is wrong ourselves, in our own words */
    while ((option = getopt_long(argc, argv, ":hV", options, NULL)) != -1) {
        if (option == '?' || option == ':')
            reject_option(argv[optind - 1], optind < argc ? argv[optind] : NULL,
                          optopt);
        if (given[option])
            usage_error("option '--%s' given more than once", name_of(option));
        given[option] = true;

        switch (option) {
        case 'r':
        case 's':
            if (settings.mode != NO_MODE)
                usage_error("choose one mode: --racy or --synced, not both");
            settings.mode = option == 'r' ? RACY : SYNCED;
            break;
        case 'd':
            settings.delay_ms = parse_number("--delay", optarg, 0, MAX_DELAY_MS,
                                             "milliseconds");
            break;
        case 'w':
            settings.write_delay_us = parse_number(
                "--write-delay", optarg, 0, MAX_WRITE_DELAY_US, "microseconds");
            break;
        case 'n':
            settings.runs = parse_number("--runs", optarg, 1, MAX_RUNS, "runs");
            break;
        case 'L':
            settings.schedule = parse_schedule(optarg);
            break;
        case 'S':
            settings.step = true;
            break;
        case 'x':
            settings.explore = true;
            break;
        case 'z':
            settings.child_sleep_ms = parse_number(
                "--child-sleep", optarg, 0, MAX_DELAY_MS, "milliseconds");
            choose_wrong_fix(&settings, SLEEP_IN_CHILD);
            break;
        case 'b':
            choose_wrong_fix(&settings, SPIN_ON_FLAG);
            break;
        case 'e':
            choose_wrong_fix(&settings, POST_FIRST);
            break;
        case 'm':
            choose_wrong_fix(&settings, PRIVATE_MAPPING);
            break;
        case 'B':
            settings.brief = true;
            break;
        case 'h':
            print_and_exit(usage_text);
        case 'V':
            print_and_exit("shmdemo " VERSION "\n");
        }
    }
    if (optind < argc)
        usage_error("unexpected argument '%s'", quoted(argv[optind]));
    check_combination(&settings, given);
    return settings;
}
