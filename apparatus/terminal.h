/* apparatus/terminal.h: what the terminal on stdout can show, and keys read
 * one at a time from the terminal on stdin (--step). */
#ifndef TERMINAL_H
#define TERMINAL_H

#include <stdbool.h>

#define DEFAULT_COLUMNS 80

/* Back to the start of the line, and erase it: the one way a prompt or a
 * progress line is taken off the screen. */
#define ERASE_LINE "\r\033[K"

/* The terminal's own width, else $COLUMNS, else DEFAULT_COLUMNS. */
int terminal_columns(void);

/* stdout is a terminal, TERM is set and not "dumb", NO_COLOR is not set. */
bool terminal_shows_colour(void);

/* Keys from now on come one at a time, without Enter and without echo.
 * Returns 0, or -1 with errno set. */
int take_keyboard(void);

/* One key from stdin, without Enter and without echo; EOF at the end of
 * input, KEY_INTERRUPTED if a signal came first. */
#define KEY_INTERRUPTED (-2)
int read_key(void);

/* Put stdin's terminal back as it was before read_key. */
void restore_keyboard(void);

#endif
