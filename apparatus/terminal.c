/* apparatus/terminal.c: what the terminal on stdout can show (its width,
 * whether it shows colour or takes escape codes at all), and keys read one
 * at a time from the terminal on stdin, for --step: Ctrl-D ends the input,
 * an escape sequence is one ignored key, Ctrl-Z gives the terminal back
 * until fg, and keys left unread are thrown away at the end.
 */
#define _POSIX_C_SOURCE 200809L
#define _DARWIN_C_SOURCE /* macOS: struct winsize and TIOCGWINSZ */

#include "terminal.h"

#include "exits.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#define CTRL_D 4

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

bool terminal_can_erase(void)
{
    const char *term = getenv("TERM");
    return isatty(STDOUT_FILENO) && term != NULL && *term != '\0' &&
           strcmp(term, "dumb") != 0;
}

bool terminal_shows_colour(void)
{
    const char *no_color = getenv("NO_COLOR");
    return (no_color == NULL || *no_color == '\0') && terminal_can_erase();
}

/* The keyboard as it was before take_keyboard, and as --step wants it. The
 * handlers for Ctrl-Z and fg read them: they are set before the handlers
 * are installed. */
static struct termios saved, raw;
static volatile sig_atomic_t keyboard_changed;
static pid_t keyboard_owner; /* the parent; its child shares the handlers */
static int resumed[2] = {-1, -1}; /* written to on fg, read by the prompt */
static bool ended_in_line_mode;   /* see input_ended_in_line_mode */

/* The terminal's settings are ours to give back only while we are its
 * foreground: stopped in the background (bg, then kill -TSTP), we leave
 * them alone (tcsetattr would first stop us with SIGTTOU). */
static bool in_foreground(void)
{
    return tcgetpgrp(STDIN_FILENO) == getpgrp();
}

static void handle(int signal_number, void (*handler)(int))
{
    struct sigaction action = {.sa_handler = handler, .sa_flags = SA_RESTART};
    sigemptyset(&action.sa_mask);
    sigaction(signal_number, &action, NULL);
}

/* Ctrl-Z: give the terminal back as it was, then stop as if there were no
 * handler (the shell says "Stopped"). Only async-signal-safe calls. */
static void suspend(int signal_number)
{
    int saved_errno = errno;
    if (keyboard_changed && getpid() == keyboard_owner && in_foreground())
        tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    handle(signal_number, SIG_DFL);
    sigset_t only;
    sigemptyset(&only);
    sigaddset(&only, signal_number);
    sigprocmask(SIG_UNBLOCK, &only, NULL);
    raise(signal_number); /* stopped here, until fg */
    /* cppcheck-suppress unreachableCode ; raise returns after SIGCONT */
    handle(signal_number, suspend);
    errno = saved_errno;
}

/* fg (SIGCONT): take the keyboard again, and have the prompt drawn again.
 * Continued in the background (bg), tcsetattr stops us again (SIGTTOU)
 * until fg. */
static void resume(int signal_number)
{
    (void)signal_number;
    int saved_errno = errno;
    if (keyboard_changed && getpid() == keyboard_owner) {
        tcsetattr(STDIN_FILENO, TCSANOW, &raw);
        char byte = 'r';
        if (write(resumed[1], &byte, 1) == -1) {
            /* full: a redraw is asked for already */
        }
    }
    errno = saved_errno;
}

static int open_resumed_pipe(void)
{
    if (resumed[0] != -1)
        return 0;
    if (pipe(resumed) == -1)
        return -1;
    for (int i = 0; i < 2; i++) {
        int flags = fcntl(resumed[i], F_GETFL);
        if (flags == -1 || fcntl(resumed[i], F_SETFL, flags | O_NONBLOCK) == -1)
            return -1;
    }
    return 0;
}

/* The input has ended already, in line mode: Ctrl-D typed before the
 * keyboard was taken, or script(1) at the end of its own input. Linux
 * keeps that end as a NUL byte, which becomes a key without line mode. It
 * is readable, yet holds no bytes (FIONREAD 0). Where a system keeps
 * Ctrl-D itself, read_key knows it as such. */
static bool input_ended_in_line_mode(void)
{
    int pending = -1;
    struct pollfd in = {.fd = STDIN_FILENO, .events = POLLIN};
    return (saved.c_lflag & ICANON) && poll(&in, 1, 0) == 1 &&
           (in.revents & POLLIN) &&
           ioctl(STDIN_FILENO, FIONREAD, &pending) == 0 && pending == 0;
}

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
    if (tcgetattr(STDIN_FILENO, &saved) == -1 || open_resumed_pipe() == -1)
        return -1;
    ended_in_line_mode = input_ended_in_line_mode();
    raw = saved;
    /* No waiting for Enter, no echo; Ctrl-C still sends SIGINT, Ctrl-Z
     * SIGTSTP. */
    raw.c_lflag &= (tcflag_t) ~(ICANON | ECHO);
    raw.c_cc[VMIN] = 1;
    raw.c_cc[VTIME] = 0;
    if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) == -1)
        return -1;
    keyboard_owner = getpid();
    keyboard_changed = 1;
    /* A Ctrl-Z ignored when we started (a shell without job control)
     * stays ignored. */
    struct sigaction old;
    if (sigaction(SIGTSTP, NULL, &old) == 0 && old.sa_handler != SIG_IGN)
        handle(SIGTSTP, suspend);
    handle(SIGCONT, resume);
    return 0;
}

int keyboard_resumed_fd(void)
{
    return resumed[0];
}

bool keyboard_resumed(void)
{
    char bytes[16];
    bool any = false;
    while (resumed[0] != -1 && read(resumed[0], bytes, sizeof bytes) > 0)
        any = true;
    return any;
}

/* How long the rest of an escape sequence may take: a terminal sends a
 * whole sequence at once, so only a lone ESC waits this long. */
#define SEQUENCE_WAIT_MS 100
#define SEQUENCE_MAX 32
#define ESC 27

/* The next byte of an escape sequence: -1 if none comes in time, or
 * KEY_INTERRUPTED if a signal comes first. */
static int next_in_sequence(void)
{
    struct pollfd in = {.fd = STDIN_FILENO, .events = POLLIN};
    int ready = poll(&in, 1, SEQUENCE_WAIT_MS);
    if (ready == -1 && errno == EINTR)
        return KEY_INTERRUPTED;
    unsigned char byte;
    if (ready != 1 || read(STDIN_FILENO, &byte, 1) != 1)
        return -1;
    return byte;
}

/* After ESC: the rest of the sequence, read and thrown away. ESC [ is
 * followed by parameters and ends with a byte from @ to ~ (an arrow is
 * ESC [ A, F5 is ESC [ 1 5 ~); ESC O by one byte (F1 is ESC O P, the
 * keypad's 1 ESC O q); with Alt, ESC by the key itself. */
static int skip_sequence(void)
{
    int byte = next_in_sequence();
    if (byte == '[') {
        for (int i = 0; i < SEQUENCE_MAX; i++) {
            byte = next_in_sequence();
            if (byte < 0 || (byte >= '@' && byte <= '~'))
                break;
        }
    } else if (byte == 'O') {
        byte = next_in_sequence();
    }
    return byte == KEY_INTERRUPTED ? KEY_INTERRUPTED : KEY_IGNORED;
}

int read_key(void)
{
    if (take_keyboard() == -1)
        return EOF;
    unsigned char key;
    ssize_t got = read(STDIN_FILENO, &key, 1);
    if (got == -1 && errno == EINTR)
        return KEY_INTERRUPTED;
    if (got != 1)
        return EOF;
    /* Without line mode the terminal no longer turns Ctrl-D into the end
     * of input: that is done here. */
    if (key == CTRL_D ||
        (saved.c_cc[VEOF] != _POSIX_VDISABLE && key == saved.c_cc[VEOF]))
        return EOF;
    if (key == '\0' && ended_in_line_mode)
        return EOF;
    if (key == ESC)
        return skip_sequence();
    return key;
}

void restore_keyboard(void)
{
    if (!keyboard_changed)
        return;
    /* No Ctrl-Z or fg in between: it would leave the keyboard taken. */
    sigset_t both, before;
    sigemptyset(&both);
    sigaddset(&both, SIGTSTP);
    sigaddset(&both, SIGCONT);
    sigprocmask(SIG_BLOCK, &both, &before);
    tcflush(STDIN_FILENO, TCIFLUSH); /* keys typed ahead end with us */
    if (tcsetattr(STDIN_FILENO, TCSANOW, &saved) == 0)
        keyboard_changed = 0;
    struct sigaction old;
    if (sigaction(SIGTSTP, NULL, &old) == 0 && old.sa_handler == suspend)
        handle(SIGTSTP, SIG_DFL);
    handle(SIGCONT, SIG_DFL);
    sigprocmask(SIG_SETMASK, &before, NULL);
}
