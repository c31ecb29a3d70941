/* apparatus/terminal.c: what the terminal on stdout can show (its width,
 * whether it shows colour), and keys read one at a time from the terminal
 * on stdin, for --step.
 */
#define _POSIX_C_SOURCE 200809L
#define _DARWIN_C_SOURCE /* macOS: struct winsize and TIOCGWINSZ */

#include "terminal.h"

#include "exits.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

int terminal_columns(void)
{
#ifdef TIOCGWINSZ
    struct winsize size;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0)
        return size.ws_col;
#endif
    const char *columns = getenv("COLUMNS");
    if (columns != NULL) {
        char *end;
        long value = strtol(columns, &end, 10);
        if (end != columns && *end == '\0' && value > 0 && value < 10000)
            return (int)value;
    }
    return DEFAULT_COLUMNS;
}

bool terminal_shows_colour(void)
{
    const char *no_color = getenv("NO_COLOR"), *term = getenv("TERM");
    return isatty(STDOUT_FILENO) && (no_color == NULL || *no_color == '\0') &&
           term != NULL && *term != '\0' && strcmp(term, "dumb") != 0;
}

static struct termios saved;
static bool keyboard_changed;

/* On the way out: the terminal as it was. */
static void give_keyboard_back(int signal_number)
{
    (void)signal_number;
    restore_keyboard();
}

int take_keyboard(void)
{
    static bool registered;
    if (!registered)
        on_the_way_out(NULL, give_keyboard_back);
    registered = true;
    if (keyboard_changed)
        return 0;
    struct termios raw;
    if (tcgetattr(STDIN_FILENO, &saved) == -1)
        return -1;
    raw = saved;
    /* No waiting for Enter, no echo; Ctrl-C still sends SIGINT. */
    raw.c_lflag &= (tcflag_t) ~(ICANON | ECHO);
    raw.c_cc[VMIN] = 1;
    raw.c_cc[VTIME] = 0;
    if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) == -1)
        return -1;
    keyboard_changed = true;
    return 0;
}

int read_key(void)
{
    if (take_keyboard() == -1)
        return EOF;
    unsigned char key;
    ssize_t got = read(STDIN_FILENO, &key, 1);
    if (got == 1)
        return key;
    return got == -1 && errno == EINTR ? KEY_INTERRUPTED : EOF;
}

void restore_keyboard(void)
{
    if (keyboard_changed && tcsetattr(STDIN_FILENO, TCSANOW, &saved) == 0)
        keyboard_changed = false;
}
