/* apparatus/timeline.c: the two-lane timeline every run is told in.
 *
 * Each line is tagged with its role, PID and the milliseconds since start:
 * "[parent 2837]    0.1  shm_open(...)". The parent's lane starts at the
 * left edge; the child's is indented, less on a narrow terminal. A line too
 * long for its lane breaks at a space (never inside a quoted string), and a
 * call whose result does not fit puts " = result" on the next line; the
 * table is never broken. Colour, where the terminal shows it, marks the
 * role tags, the system calls and the table.
 */
#define _POSIX_C_SOURCE 200809L

#include "timeline.h"

#include "exits.h"
#include "signals.h"
#include "terminal.h"

#include <err.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdnoreturn.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define WIDEST_CHILD_INDENT 26
#define CHILD_TEXT_ROOM 24 /* the child's table, "  A|l|a| |m|a| |k|o|t|a" */
#define MIN_COLUMNS 52     /* both lanes, with a 7-digit PID */
#define LINE_MAX_BYTES 1024

static struct {
    pid_t pid; /* the parent's; the child's is asked for when it speaks */
    struct timespec start;
    int columns;      /* where lines wrap */
    int child_indent; /* where the child's lane starts */
    bool colour;
    bool quiet;   /* --runs: no narration, only the summary */
    bool brief;   /* --brief: only the lines a class looks at */
    bool erase;   /* --step: each line first erases the prompt, if shown */
    bool holding; /* lines are kept back while the names exist */
    char held[8192];
    size_t held_length;
} out;

static const char *const bold = "\033[1m", *const normal = "\033[22m";

/* On the way out, what was held back comes first (see hold_lines). */
static void write_out_held_lines(void)
{
    release_lines();
}

void start_timeline(const struct settings *settings)
{
    out.brief = settings->brief;
    out.quiet = settings->explore; /* only the summary */
    on_the_way_out(write_out_held_lines, NULL);
    /* One line at a time, so lines appear in the order they happen, also
     * when stdout is a pipe or a file. */
    if (setvbuf(stdout, NULL, _IOLBF, 0) != 0)
        die_because("cannot make stdout line-buffered");
    if (clock_gettime(CLOCK_MONOTONIC, &out.start) == -1)
        die("clock_gettime");
    out.pid = getpid();
    out.colour = terminal_shows_colour();
    out.columns = terminal_columns();
    if (out.columns < MIN_COLUMNS) {
        warnx("%d columns are too few for the two lanes, which need %d: "
              "lines will wrap",
              out.columns, MIN_COLUMNS);
        out.columns = DEFAULT_COLUMNS;
    }
    int tag = snprintf(NULL, 0, "[parent %ld] 1000.0  ", (long)out.pid);
    out.child_indent = out.columns - tag - CHILD_TEXT_ROOM;
    if (out.child_indent > WIDEST_CHILD_INDENT)
        out.child_indent = WIDEST_CHILD_INDENT;
}

void erase_prompt_before_lines(void)
{
    out.erase = isatty(STDOUT_FILENO);
}

void stop_narrating(void)
{
    out.quiet = true;
}

/* Writing stdout failed: say so and end; or, if a stop signal cut the
 * write short, end by that signal. */
static noreturn void write_failed(void)
{
    stop_if_asked();
    if (in_the_child()) /* the parent says it, once (see exits.h) */
        _exit(EXIT_OUTPUT_FAILED + (errno > 0 && errno < 200 ? errno : EIO));
    die("write to stdout");
}

void flush_timeline(void)
{
    /* Quiet (--runs), nothing is written between two forks, and nothing
     * waits in the buffer: a flush would only cost a page fault, the
     * FILE being shared with the last child. */
    if (out.quiet && !ferror(stdout))
        return;
    if (fflush(stdout) == EOF || ferror(stdout))
        write_failed();
}

static void put_line(const char *line)
{
    size_t length = strlen(line);
    if (out.holding) {
        if (out.held_length + length < sizeof out.held) {
            memcpy(out.held + out.held_length, line, length + 1);
            out.held_length += length;
        }
        return;
    }
    if (out.erase && fputs(ERASE_LINE, stdout) == EOF)
        write_failed();
    if (fputs(line, stdout) == EOF)
        write_failed();
}

void hold_lines(void)
{
    out.holding = true;
}

void release_lines(void)
{
    out.holding = false;
    if (out.held_length > 0) {
        out.held_length = 0;
        if (fputs(out.held, stdout) == EOF)
            write_failed();
    }
}

/* Where to break TEXT so that the first piece fits in ROOM columns: before
 * a call's " = result" if the call fits, else at the last space that fits
 * and is not inside a quoted string. Returns the length of the first
 * piece, or of the whole text if it cannot be broken. */
static int break_point(const char *text, int room)
{
    const char *result = strstr(text, " = ");
    if (result != NULL && result > text && result - text <= room &&
        strchr(text, '(') != NULL && strchr(text, '(') < result)
        return (int)(result - text);
    int last_space = 0;
    bool in_quotes = false;
    for (int i = 0; (i <= room || last_space == 0) && text[i] != '\0'; i++) {
        if (text[i] == '"')
            in_quotes = !in_quotes;
        else if (text[i] == ' ' && !in_quotes && i > 0 && text[i - 1] != '=')
            last_space = i; /* never between "=" and its result */
    }
    return last_space > 0 ? last_space : (int)strlen(text);
}

/* The length of the call name TEXT starts with ("shm_open" in
 * "shm_open(...)"), or 0 if it does not start with a call. */
static int call_name_length(const char *text)
{
    int length = (int)strspn(text, "abcdefghijklmnopqrstuvwxyz_");
    return length > 0 && text[length] == '(' ? length : 0;
}

/* Print TEXT as lines that start, after INDENT spaces, with TAG (in
 * TAG_COLOUR, if any) and then AFTER_TAG, wrapped to the width;
 * continuation lines are indented by two more. EMPHASIS: the whole text is
 * bold (the table). */
static void put_wrapped(int indent, const char *tag, const char *tag_colour,
                        const char *after_tag, const char *text, bool emphasis)
{
    int width =
        out.columns - indent - (int)strlen(tag) - (int)strlen(after_tag);
    const char *continuation = "";
    bool first = true;
    do {
        int room = width - (int)strlen(continuation);
        int length = (int)strlen(text);
        if (length > room && !emphasis)
            length = break_point(text, room);

        char line[LINE_MAX_BYTES];
        int used = snprintf(line, sizeof line, "%*s", indent, "");
        if (out.colour && tag_colour != NULL)
            used += snprintf(line + used, sizeof line - (size_t)used,
                             "%s%s\033[0m%s", tag_colour, tag, after_tag);
        else
            used += snprintf(line + used, sizeof line - (size_t)used, "%s%s",
                             tag, after_tag);
        int name = first ? call_name_length(text) : 0;
        if (out.colour && (emphasis || name > 0)) {
            int strong = emphasis ? length : name;
            snprintf(line + used, sizeof line - (size_t)used,
                     "%s%s%.*s%s%.*s\n", continuation, bold, strong, text,
                     normal, length - strong, text + strong);
        } else {
            snprintf(line + used, sizeof line - (size_t)used, "%s%.*s\n",
                     continuation, length, text);
        }
        put_line(line);
        text += length;
        while (*text == ' ')
            text++;
        continuation = "  ";
        first = false;
    } while (*text != '\0');
}

/* The time column, always 6 characters wide, so that the lanes stay
 * aligned however long a run lasts (--step): milliseconds with one decimal
 * up to 10 s ("9999.9"), then seconds (" 12.3s", " 1234s"). */
static void format_time(char *text, size_t size)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    double ms = ms_between(&out.start, &now);
    if (ms < 9999.95)
        snprintf(text, size, " %6.1f  ", ms);
    else if (ms < 999.95e3)
        snprintf(text, size, " %5.1fs  ", ms / 1e3);
    else
        snprintf(text, size, " %5.0fs  ", ms / 1e3);
}

/* A line in this process's lane; EMPHASIS marks the table. */
static void say_in_lane(const char *text, bool emphasis)
{
    char tag[32], time[32];
    bool child = in_the_child(); /* the right-hand lane */
    snprintf(tag, sizeof tag, "[%-6s %ld]", child ? "child" : "parent",
             (long)(child ? getpid() : out.pid));
    format_time(time, sizeof time);
    /* Bold blue and bold magenta read on a dark and on a light background. */
    put_wrapped(child ? out.child_indent : 0, tag,
                child ? "\033[1;35m" : "\033[1;34m", time, text, emphasis);
}

/* A narrated line of FORMAT and ARGS in this process's lane. */
static void say_formatted(const char *format, va_list args) PRINTF_LIKE(1, 0);
static void say_formatted(const char *format, va_list args)
{
    char text[512];
    vsnprintf(text, sizeof text, format, args);
    say_in_lane(text, false);
}

void say(const char *format, ...)
{
    if (out.quiet)
        return;
    va_list args;
    va_start(args, format);
    say_formatted(format, args);
    va_end(args);
}

void detail(const char *format, ...)
{
    if (out.quiet || out.brief)
        return;
    va_list args;
    va_start(args, format);
    say_formatted(format, args);
    va_end(args);
}

bool narrating(void)
{
    return !out.quiet;
}

void say_table(const char *table, size_t size)
{
    if (out.quiet)
        return;
    char cells[2 + 2 * 64] = "  ";
    for (size_t i = 0; i < size && i < 64; i++) {
        cells[2 + 2 * i] = (char)(table[i] == '\0' ? '_' : table[i]);
        cells[2 + 2 * i + 1] = i + 1 < size ? '|' : '\0';
    }
    say_in_lane(cells, true);
}

void detail_table(const char *table, size_t size)
{
    if (!out.brief)
        say_table(table, size);
}

void summarize(const char *format, ...)
{
    char text[1024];
    va_list args;
    va_start(args, format);
    vsnprintf(text, sizeof text, format, args);
    va_end(args);
    if (text[0] == '\0')
        put_line("\n");
    else
        put_wrapped(0, "", NULL, "", text, false);
}

void mark_turn(const char *format, ...)
{
    if (out.quiet)
        return;
    char text[512];
    va_list args;
    va_start(args, format);
    vsnprintf(text, sizeof text, format, args);
    va_end(args);
    put_wrapped(0, "------", NULL, " ", text, false);
}
