/* apparatus/options.h: the command line, read into the settings of a run.
 *
 * Part of the apparatus: it serves the demo, not the lesson. main.c reads
 * struct settings and nothing else of the command line.
 */
#ifndef OPTIONS_H
#define OPTIONS_H

#include <stdbool.h>

enum mode { NO_MODE, RACY, SYNCED };

/* The fixes students propose that do not work, one at a time. */
enum wrong_fix {
    NO_WRONG_FIX,
    SLEEP_IN_CHILD,  /* --child-sleep MS: the child sleeps, then reads */
    SPIN_ON_FLAG,    /* --busy-wait: the child spins until table[0] != 0 */
    POST_FIRST,      /* --post-early: the parent posts, then writes */
    PRIVATE_MAPPING, /* --map-private: the region is mapped MAP_PRIVATE */
};

struct settings {
    enum mode mode;
    enum wrong_fix wrong_fix;
    long delay_ms;        /* the parent's "other work" before it writes */
    long write_delay_us;  /* the parent's pause after each character */
    long child_sleep_ms;  /* --child-sleep */
    long runs;            /* 0: one narrated run; N: N quiet runs, counted */
    const char *schedule; /* --schedule: letters p and c; NULL if none */
    bool step;            /* --step: the keyboard chooses each step */
    bool brief;           /* --brief: only the lines a class looks at */
    bool explore;         /* --explore: every interleaving, each run once */
};

/* The option that chooses FIX ("--busy-wait"); "" for none. */
const char *wrong_fix_option(enum wrong_fix fix);

/* Read the command line. On --help or --version, print and exit 0; on a
 * usage error, say what is wrong and exit 2. */
struct settings read_command_line(int argc, char *argv[]);

#endif
