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

/* stdout is a terminal that takes escape codes (TERM is set and not
 * "dumb"): a line can be erased with \r ESC [K. Elsewhere nothing may
 * write an escape code. */
bool terminal_can_erase(void);

/* Keys from now on come one at a time, without Enter and without echo.
 * Ctrl-Z still suspends: the terminal is given back first, and taken again
 * on fg (see keyboard_resumed). Returns 0, or -1 with errno set. */
int take_keyboard(void);

/* One key from stdin, without Enter and without echo. EOF at the end of
 * input or on Ctrl-D (the terminal's end-of-file key); KEY_INTERRUPTED if
 * a signal came first; KEY_IGNORED for an escape sequence (an arrow, a
 * function key, the keypad, Alt with a key, a lone ESC), read whole. */
#define KEY_INTERRUPTED (-2)
#define KEY_IGNORED (-3)
int read_key(void);

/* A descriptor that becomes readable when the program was suspended
 * (Ctrl-Z) and has been continued (fg): whatever was on the screen must be
 * drawn again. -1 before take_keyboard. keyboard_resumed empties it, and
 * says whether it was readable. */
int keyboard_resumed_fd(void);
bool keyboard_resumed(void);

/* Put stdin's terminal back as it was before take_keyboard, and throw away
 * the keys typed but not read: they would land in the shell's command
 * line. */
void restore_keyboard(void);

#endif
