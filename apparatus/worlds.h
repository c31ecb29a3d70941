/* apparatus/worlds.h: every possible world. The model of the steps the two
 * processes take (the steps of --schedule), of what the child sees in each
 * order of them, and of what is still possible halfway.
 *
 * Part of the apparatus, pure C with no I/O: --explore runs each
 * interleaving it lists as a real run and checks the real outcome against
 * it; --runs asks it for a schedule that replays what the child saw;
 * --step asks it what each key still makes possible.
 */
#ifndef WORLDS_H
#define WORLDS_H

#include "lesson.h"
#include "options.h"

#include <stdbool.h>
#include <stddef.h>

/* The steps (lesson.h's enum step), as --schedule hands them out one
 * letter each: WRITE and POST never block; WAIT finishes only once the
 * POST has happened, SPIN only once table[0] is written; SLEEP never
 * blocks, and orders nothing; READ, the child's last, never blocks. */
#define WORLD_MAX_PARENT_STEPS (MESSAGE_SIZE + 1) /* the writes, a post */
#define WORLD_MAX_CHILD_STEPS 2                   /* maybe a wait, a read */
#define WORLD_MAX_SCHEDULE                                                     \
    (WORLD_MAX_PARENT_STEPS + WORLD_MAX_CHILD_STEPS + 1) /* with its '\0' */
#define WORLD_MAX_INTERLEAVINGS 128 /* at most C(14, 2) = 91 */

/* How a world ends: one of lesson.h's outcomes (what the child saw), or,
 * after them, that the child never got to read. */
enum { BLOCKED_FOR_EVER = OUTCOMES, WORLD_ENDS };

/* An end in words: outcome_names[END], or "blocked for ever". */
const char *world_end_name(int end);

/* The steps of one mode and wrong fix, in each process's order. */
struct world_plan {
    int parent_steps;
    enum step parent[WORLD_MAX_PARENT_STEPS];
    int child_steps;
    enum step child[WORLD_MAX_CHILD_STEPS];
    bool shared; /* false with --map-private: the child reads its own copy */
};

/* Where a schedule has got to. A child blocked in a step (a WAIT before
 * the post, a SPIN before table[0] is written) finishes it by itself right
 * after the parent step that unblocks it. */
struct world_state {
    int parent_done;    /* parent steps finished */
    int child_done;     /* child steps finished */
    bool child_blocked; /* the child has begun its next step, which blocks */
    int letters_seen;   /* what the child's READ saw: 0..11; -1 before it */
};
#define WORLD_START ((struct world_state){.letters_seen = -1})

/* One interleaving: a class of orders of the steps that differ only in
 * steps that touch different bytes (see worlds.c), run once for all. */
struct world_interleaving {
    int end;                /* an outcome, or BLOCKED_FOR_EVER */
    int letters_seen;       /* 0..11; -1 if blocked for ever */
    int writes_before_read; /* the same, except under --map-private */
    long orders;            /* how many orders of the steps it stands for */
    char schedule[WORLD_MAX_SCHEDULE]; /* its shortest --schedule */
};

/* Every interleaving of a plan, and for each end how many give it and the
 * shortest schedule that does (shortest[end] indexes interleavings[], -1
 * if none gives that end). */
struct world_exploration {
    int count;
    long orders; /* all the orders of the steps, before they are classed */
    struct world_interleaving interleavings[WORLD_MAX_INTERLEAVINGS];
    int counts[WORLD_ENDS];
    int shortest[WORLD_ENDS];
};

/* The steps of the mode and wrong fix SETTINGS asks for. */
struct world_plan world_plan_for(const struct settings *settings);

/* The state after one more letter, p or c, of a schedule. A letter for a
 * process with no steps left, or for a blocked child, does nothing. */
struct world_state world_after(const struct world_plan *plan,
                               struct world_state state, char letter);

/* The state after a whole schedule, from the start. */
struct world_state world_after_schedule(const struct world_plan *plan,
                                        const char *schedule);

/* The ends still possible from STATE, whatever comes next (a schedule that
 * runs out lets both run freely: any continuation): bit (1u << end) set
 * for each. Once the child has read, the one it saw. */
unsigned world_possible_ends(const struct world_plan *plan,
                             struct world_state state);

/* --step's '?': the ends still possible after the key LETTER (p or c). */
unsigned world_ends_after(const struct world_plan *plan,
                          struct world_state state, char letter);

/* ENDS in words, into TEXT: "empty", "torn or full", "empty, torn or
 * full". Returns TEXT. */
const char *world_ends_text(unsigned ends, char *text, size_t size);

/* Every interleaving of PLAN, into EXPLORATION, in the order of their
 * schedules (shortest first, then c before p). */
void world_explore(const struct world_plan *plan,
                   struct world_exploration *exploration);

/* The shortest schedule after which the child has seen LETTERS (0..11),
 * for --runs to name a replay; NULL if no interleaving gives that. */
const char *world_witness_for(const struct world_exploration *exploration,
                              int letters);

#endif
