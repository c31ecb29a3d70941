/* apparatus/timeline.h: the two-lane timeline every run is told in.
 *
 * The parent's lines on the left, the child's indented to the right, each
 * tagged with its role, PID and milliseconds since start; wrapped to the
 * terminal's width without splitting a call or the table; coloured on a
 * terminal that can show colour.
 */
#ifndef TIMELINE_H
#define TIMELINE_H

#include <stdbool.h>
#include <stddef.h>

#include "basics.h"
#include "options.h"

/* Start the clock, and learn the terminal's width and colours. With
 * --brief only the lines a class looks at are told (detail() says
 * nothing); with --explore only the summary. */
void start_timeline(const struct settings *settings);

/* A line in this process's lane (the child's is on the right). */
void say(const char *format, ...) PRINTF_LIKE(1, 2);

/* A line that --brief leaves out: set-up, addresses, bookkeeping. */
void detail(const char *format, ...) PRINTF_LIKE(1, 2);

/* Lines are told (not --runs). */
bool narrating(void);

/* The table as the course prints it, A|l|a| |m|a| |k|o|t|a, in this
 * process's lane; a zero byte shows as _. Never split across lines. */
void say_table(const char *table, size_t size);

/* The table, unless --brief: a detail. */
void detail_table(const char *table, size_t size);

/* A line of the summary at the end: no lane, no tag. "" is a blank line. */
void summarize(const char *format, ...) PRINTF_LIKE(1, 2);

/* A mark across both lanes where control passes from one process to the
 * other (the schedule, under --schedule and --step). */
void mark_turn(const char *format, ...) PRINTF_LIKE(1, 2);

/* --step on a terminal: each line first erases the line it starts on, so
 * that a line of the other process never lands after the prompt. */
void erase_prompt_before_lines(void);

/* No narration from now on (--runs): only the summary is printed. */
void stop_narrating(void);

/* Keep lines back while the names exist (a write to a full pipe must not
 * keep them alive), and print them, in order and with the times they
 * happened, when the names are gone. */
void hold_lines(void);
void release_lines(void);

/* Write what stdout holds; an error on stdout ends the program. */
void flush_timeline(void);

#endif
