/* apparatus/turns.c: each step told, and steered with --schedule LIST or
 * --step.
 *
 * The parent is the conductor: each time it reaches a step, it reads
 * letters (from LIST, or keys) until one is its own. A letter for the
 * child hands the child one step: the child waits in step(), having told
 * the parent what its next step is, and the parent writes it a byte that
 * lets it go; then the parent waits until the child has finished that step.
 *
 * Whether the child's step can finish is known from the letters given so
 * far, in the model of the steps that --explore checks (worlds.c), never
 * guessed from a time: sem_wait blocks until the parent has posted, the
 * spin until the parent has written table[0]; the rest never block. A blocked
 * step is reported at once; it finishes by itself right after the parent's step
 * that frees it, and the conductor waits for that before it hands out the next
 * letter. So a schedule gives the same turns and the same outcome on an idle
 * machine and on a busy one.
 *
 * With --step the keyboard is read whenever the parent waits, not only at
 * the prompt: while it delays or waits for the child's step, q ends the
 * run at once, and p and c are kept, in order, for the next prompt.
 *
 * All of this goes through two pipes of its own: the teacher's hand, never
 * the semaphore under study. Without --schedule and --step, a step is only
 * told, and nothing else here runs.
 */
#define _POSIX_C_SOURCE 200809L

#include "turns.h"

#include "exits.h"
#include "process.h"
#include "signals.h"
#include "terminal.h"
#include "timeline.h"
#include "worlds.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define GO_ONE_STEP 'g'
#define RUN_FREELY 'f'
#define STARTED 'S' /* the child has told its step and begins it */

/* What the child tells the parent before each step: what it will do. */
struct next_step {
    char kind; /* enum step */
    char text[63];
};

static const char *const blocked_text[] = {
    [WAIT] = "blocked in sem_wait: nothing has been posted",
    [SPIN] = "spinning: table[0] is still zero",
};

static struct {
    const struct settings *settings;
    bool active;                    /* --schedule or --step */
    bool keyboard;                  /* --step */
    const char *letters;            /* what is left of LIST */
    bool free;                      /* no more turns: both run freely */
    bool prompt_shown;              /* --step: the prompt is on screen */
    int to_child[2], from_child[2]; /* the two pipes, [0] to read */
    /* --step: p and c typed while the parent waited for something else,
     * in order, for the next prompt (a class types a few; more are
     * dropped). */
    char ahead[64];
    int ahead_count;
    /* The parent's view of the child. */
    enum { STARTING, WAITING, IN_STEP, BLOCKED, FINISHED } child;
    struct next_step step; /* the child's next step, or the one it is in */
    char said[sizeof(struct next_step) - 1]; /* my last step, for returned() */
    /* The conductor's state: the model of these steps (worlds.c), and
     * where the letters given so far lead in it. It says whether the
     * child's step blocks, and, for --step's ?, what is still possible. */
    struct world_plan plan;
    struct world_state world;
} turns = {.to_child = {-1, -1}, .from_child = {-1, -1}};

static void key_while_waiting(void);

static void close_pipe(int ends[2])
{
    for (int i = 0; i < 2; i++) {
        if (ends[i] != -1)
            close(ends[i]);
        ends[i] = -1;
    }
}

/* Before each fork: a fresh start, and the pipes that hand out turns. */
static void prepare_turns(void)
{
    const struct settings *settings = turns.settings;
    close_pipe(turns.to_child); /* the last experiment's */
    close_pipe(turns.from_child);
    if (!turns.active)
        return;
    if (turns.keyboard) {
        if (terminal_can_erase()) /* TERM=dumb: no escape codes at all */
            erase_prompt_before_lines();
        if (take_keyboard() == -1) /* before the first prompt: no echo */
            die("tcsetattr");
        /* Keys count while the parent waits for something else too (a
         * delay, the child's step): q acts at once. */
        turns.ahead_count = 0;
        watch_while_waiting(STDIN_FILENO, key_while_waiting);
    }
    turns.letters = settings->schedule;
    turns.plan = world_plan_for(settings);
    turns.world = WORLD_START;
    turns.free = false;
    turns.child = STARTING;
    if (pipe(turns.to_child) == -1 || pipe(turns.from_child) == -1)
        die("pipe");
}

/* Right after fork: each process closes the pipe ends that are the
 * other's. */
static void turns_after_fork(pid_t child)
{
    if (!turns.active)
        return;
    int unused_to = child == 0 ? 1 : 0, unused_from = child == 0 ? 0 : 1;
    close(turns.to_child[unused_to]);
    close(turns.from_child[unused_from]);
    turns.to_child[unused_to] = turns.from_child[unused_from] = -1;
}

void start_turns(const struct settings *settings)
{
    turns.settings = settings;
    turns.active =
        settings->schedule != NULL || settings->step || settings->explore;
    turns.keyboard = settings->step;
    at_fork(prepare_turns, turns_after_fork);
    on_the_way_out(clear_prompt, NULL);
}

/* The child: tell the parent KIND and TEXT. A failed write means the
 * parent has gone; the next read then ends too. */
static void tell_parent(char kind, const char *text)
{
    struct next_step next = {.kind = kind};
    snprintf(next.text, sizeof next.text, "%s", text);
    while (write(turns.from_child[1], &next, sizeof next) == -1 &&
           errno == EINTR) {
    }
}

/* The child: say what my next step is, and wait until I may take it. */
static void wait_for_go(enum step kind, const char *text)
{
    tell_parent((char)kind, text);
    char go = RUN_FREELY;
    ssize_t got;
    do {
        got = read(turns.to_child[0], &go, 1);
    } while (got == -1 && errno == EINTR);
    if (got != 1 || go == RUN_FREELY)
        turns.free = true; /* the schedule has run out, or the parent left */
}

/* The parent: hear what the child says next, waiting as long as it takes
 * (a stop signal or q still end the run at once). A message is its next
 * step; the end of the pipe is the end of the child. */
static bool read_from_child(struct next_step *message)
{
    while (await_event(turns.from_child[0], NULL) != WOKEN_READY)
        check_on_child();
    ssize_t got = read(turns.from_child[0], message, sizeof *message);
    if (got == (ssize_t)sizeof *message) {
        message->text[sizeof message->text - 1] = '\0';
        return true;
    }
    turns.child = FINISHED;
    check_on_child(); /* a child that failed ends the demo now */
    return false;
}

static void hear_child(void)
{
    if (turns.child != FINISHED && read_from_child(&turns.step))
        turns.child = WAITING;
}

/* Hand the child GO. A child that has been killed has closed its end:
 * then the write fails with EPIPE, and the SIGPIPE it raises is not a stop
 * signal of ours (it is held during the write, and dropped after it): the
 * child's death is told when it is reaped. */
static void tell_child(char go)
{
    sigset_t pipe_signal, before;
    sigemptyset(&pipe_signal);
    sigaddset(&pipe_signal, SIGPIPE);
    if (sigprocmask(SIG_BLOCK, &pipe_signal, &before) == -1)
        die("sigprocmask");
    ssize_t written = write(turns.to_child[1], &go, 1);
    int saved_errno = errno;
    if (written == -1 && saved_errno == EPIPE) {
        /* A pending signal whose action is "ignore" is dropped. */
        struct sigaction ignore = {.sa_handler = SIG_IGN}, handler;
        sigemptyset(&ignore.sa_mask);
        sigaction(SIGPIPE, &ignore, &handler);
        sigprocmask(SIG_SETMASK, &before, NULL);
        sigaction(SIGPIPE, &handler, NULL);
        turns.child = FINISHED;
        return;
    }
    sigprocmask(SIG_SETMASK, &before, NULL);
    errno = saved_errno;
    if (written != 1)
        die("write to the child's turn pipe");
}

/* The parent's last step is done: if it freed a blocked child (the model
 * says so: a post frees sem_wait, the first letter the spin), wait until
 * the child has finished its step. */
static void parent_step_done(void)
{
    if (turns.child == BLOCKED && !turns.world.child_blocked)
        hear_child(); /* it finishes now, by itself */
}

/* A letter for the child: let it take its next step, and wait until it has
 * finished it, unless it is blocked. */
static void child_turn(void)
{
    if (turns.child == STARTING)
        hear_child(); /* it is on its way to its first step */

    if (turns.child == FINISHED) {
        mark_turn("c: the child has no steps left");
        return;
    }
    if (turns.child == BLOCKED) {
        mark_turn("c: the child is %s", blocked_text[(int)turns.step.kind]);
        return;
    }
    mark_turn("c: the child's turn: %s", turns.step.text);
    turns.child = IN_STEP;
    tell_child(GO_ONE_STEP);
    struct next_step started; /* it has told its step, and begins it */
    if (turns.child == FINISHED || !read_from_child(&started))
        return; /* it was killed */
    if (!turns.world.child_blocked) {
        hear_child();
    } else {
        turns.child = BLOCKED;
        mark_turn("the child is %s", blocked_text[(int)turns.step.kind]);
    }
}

/* The prompt's texts get this many columns at least, or none. */
#define PROMPT_MIN_TEXTS 8

/* The prompt of --step, in ROOM columns at most: what each process will do
 * next (P and C), cut to fit. On a narrow terminal the texts go first,
 * then "next:", never the keys. HINT (after a key that does nothing) puts
 * "keys: p c q" in place of "next:" (down to "keys: p c [q] quit"). */
static void compose_prompt(char *line, size_t size, int room, bool hint,
                           const char *p, int p_length, const char *c,
                           int c_length)
{
    const char *lead = hint ? "keys: p c q  " : "next: ";
    int texts = room - (int)strlen(lead) - (int)strlen("[p]   [c]   [q] quit");
    if (texts >= PROMPT_MIN_TEXTS) {
        if (p_length + c_length > texts) { /* cut the longer, or both */
            if (p_length > texts / 2 && c_length > texts - texts / 2) {
                p_length = texts / 2;
                c_length = texts - texts / 2;
            } else if (p_length > c_length) {
                p_length = texts - c_length;
            } else {
                c_length = texts - p_length;
            }
        }
        snprintf(line, size, "%s[p] %.*s  [c] %.*s  [q] quit", lead, p_length,
                 p, c_length, c);
        return;
    }
    /* Too narrow for the texts: the keys alone, in the wider form that
     * fits (the hint names p and c already). */
    static const char *const narrow[2][2] = {
        {"next: [p] [c] [q] quit", "[p] [c] [q] quit"},
        {"keys: p c q  [q] quit", "keys: p c [q] quit"}};
    const char *form = narrow[hint][0];
    if ((int)strlen(form) > room)
        form = narrow[hint][1];
    snprintf(line, size, "%s", form);
    if (room >= 0 && (int)strlen(line) > room)
        line[room] = '\0'; /* narrower than any terminal we were asked for */
}

/* What each process will do next, for the prompt of --step. The prompt
 * is one line that never wraps, for \r and ESC [K erase only the last
 * line: a blocked child is said in short ("blocked in sem_wait"), and the
 * line is cut to the terminal's width, less one column for the cursor and
 * one for the space before it. Where the terminal takes no escape codes
 * (TERM=dumb, or no TERM), each prompt is a line of its own instead,
 * ended by a newline, and nothing is erased. */
static void show_choices(const char *parent_next, bool hint)
{
    const char *p = parent_next != NULL ? parent_next : "(no steps left)";
    const char *c = turns.child == FINISHED ? "(no steps left)"
                    : turns.child == BLOCKED
                        ? blocked_text[(int)turns.step.kind]
                        : turns.step.text;
    int c_length =
        turns.child == BLOCKED ? (int)strcspn(c, ":") : (int)strlen(c);
    char line[256];
    compose_prompt(line, sizeof line, terminal_columns() - 2, hint, p,
                   (int)strlen(p), c, c_length);
    turns.prompt_shown = terminal_can_erase();
    if (turns.prompt_shown)
        printf(ERASE_LINE "%s ", line);
    else
        printf("%s\n", line);
    flush_timeline();
}

void clear_prompt(void)
{
    /* The child does not know whether the parent's prompt is up: it
     * erases the line anyway (on the terminal --step needs, if it takes
     * escape codes). */
    if (turns.keyboard && (turns.prompt_shown || in_the_child()) &&
        terminal_can_erase()) {
        fputs(ERASE_LINE, stdout);
        fflush(stdout);
    }
    turns.prompt_shown = false;
}

/* --step's ?: for each key, the outcomes still possible after it, from the
 * model of every interleaving (worlds.c), on one line across the lanes. */
static void say_what_is_possible(void)
{
    char after_p[64], after_c[64];
    world_ends_text(world_ends_after(&turns.plan, turns.world, 'p'), after_p,
                    sizeof after_p);
    world_ends_text(world_ends_after(&turns.plan, turns.world, 'c'), after_c,
                    sizeof after_c);
    clear_prompt();
    mark_turn("?: p -> %s, c -> %s", after_p, after_c);
}

static noreturn void quit(void)
{
    stop_if_asked(); /* a stop signal that came before q is the exit */
    mark_turn("q: stopped; the child is stopped too");
    summarize("%s", "");
    summarize("stopped with q before the end: no verdict.");
    flush_timeline();
    end_early(); /* stops the child, gives the keyboard back */
}

/* --step, a key typed while the parent waits for something else (a delay,
 * the child's step): q or the end of input ends the run at once, as at the
 * prompt; p, c and ? wait, in order, for the next prompt; the rest, escape
 * sequences among them, do nothing. */
static void key_while_waiting(void)
{
    int key = read_key();
    if (key == 'q' || key == EOF)
        quit();
    if ((key == 'p' || key == 'c' || key == '?') &&
        turns.ahead_count < (int)sizeof turns.ahead)
        turns.ahead[turns.ahead_count++] = (char)key;
}

#define NOT_A_KEY (-10) /* the wait at the prompt ended for something else */

/* The next key for the prompt: first those typed while waiting, in order,
 * then one from the keyboard. The wait for it may end first: for fg after
 * Ctrl-Z (the prompt is drawn again), the child's next step, the end of
 * the child (a spin that gave up), or a signal; then NOT_A_KEY. The
 * keyboard was taken in prepare_turns, so a key is ready without Enter. */
static int key_at_prompt(void)
{
    if (turns.ahead_count > 0) {
        int key = (unsigned char)turns.ahead[0];
        turns.ahead_count--;
        memmove(turns.ahead, turns.ahead + 1, (size_t)turns.ahead_count);
        return key;
    }
    int fds[3] = {keyboard_resumed_fd(),
                  turns.child == FINISHED ? -1 : turns.from_child[0],
                  STDIN_FILENO};
    bool ready[3];
    if (await_events(3, fds, ready, NULL) != WOKEN_READY) {
        check_on_child();
        keyboard_resumed(); /* the prompt is drawn again anyway */
        return NOT_A_KEY;
    }
    if (ready[0] && keyboard_resumed())
        return NOT_A_KEY;
    if (ready[1]) {
        hear_child();
        return NOT_A_KEY;
    }
    return ready[2] ? read_key() : NOT_A_KEY;
}

/* The next letter of the schedule, or the next key p, c or q; EOF when the
 * schedule has run out. The end of input (or Ctrl-D) is q. Any other key,
 * an escape sequence read whole among them, does nothing but show the
 * keys on the prompt's line. */
static int next_letter(const char *parent_next)
{
    if (!turns.keyboard)
        return *turns.letters != '\0' ? *turns.letters++ : EOF;
    if (turns.child == STARTING)
        hear_child();
    bool hint = false;
    keyboard_resumed(); /* the prompt is about to be drawn anyway */
    for (;;) {
        show_choices(parent_next, hint);
        int key = key_at_prompt();
        if (key == NOT_A_KEY)
            continue;
        check_on_child(); /* a stop signal that came with the key wins */
        if (key == '?') {
            say_what_is_possible(); /* then the prompt again */
            continue;
        }
        if (key == 'p' || key == 'c' || key == 'q' || key == EOF) {
            clear_prompt(); /* the prompt goes; the turn's mark stays */
            return key == EOF ? 'q' : key;
        }
        if (key != KEY_INTERRUPTED)
            hint = true;
    }
}

/* The schedule has run out: nobody waits for a turn any more. */
static void run_freely(void)
{
    if (!turns.keyboard)
        mark_turn("the schedule has run out: both run freely");
    turns.free = true;
    if (turns.child != FINISHED)
        tell_child(RUN_FREELY);
}

/* The parent conducts until it is its own turn to do PARENT_NEXT (NULL:
 * it has no steps left), or until the letters run out. */
static void conduct(const char *parent_next)
{
    parent_step_done();
    for (;;) {
        if (turns.keyboard && parent_next == NULL && turns.child == FINISHED)
            return; /* nothing is left to choose */
        int letter = next_letter(parent_next);
        if (letter == EOF) {
            run_freely();
            return;
        }
        if (letter == 'q')
            quit();
        turns.world = world_after(&turns.plan, turns.world, (char)letter);
        if (letter == 'c') {
            child_turn();
        } else if (parent_next == NULL) {
            mark_turn("p: the parent has no steps left");
        } else {
            mark_turn("p: the parent's turn: %s", parent_next);
            return;
        }
    }
}

/* Take my turn (if the steps are steered), then tell the step: a call and
 * a wait are told as "call ...", the rest only by their turn's mark. */
void step(enum step kind, const char *format, ...)
{
    bool steered = turns.active && !turns.free;
    bool told = kind != WRITE && kind != READ && narrating();
    if (!steered && !told)
        return; /* --runs: nothing to format, nothing to wait for */
    va_list args;
    va_start(args, format);
    vsnprintf(turns.said, sizeof turns.said, format, args);
    va_end(args);
    bool acknowledge = false;
    if (steered) {
        if (in_the_child()) {
            wait_for_go(kind, turns.said);
            acknowledge = !turns.free;
        } else {
            conduct(turns.said);
        }
    }
    if (told)
        say("%s ...", turns.said);
    if (acknowledge) /* the parent waits for this before it goes on */
        tell_parent(STARTED, "");
}

void returned(long value)
{
    say("%s = %ld", turns.said, value);
}

void no_more_turns(void)
{
    if (turns.active && !turns.free && !in_the_child())
        conduct(NULL);
    if (turns.active && turns.keyboard) {
        watch_while_waiting(-1, NULL); /* no more keys: nothing to watch */
        restore_keyboard();            /* the terminal as it was */
    }
}
