/* apparatus/worlds.c: every possible world, the model behind --explore,
 * the replay hints of --runs and the '?' of --step.
 *
 * A world is an order in which the steps finish: the parent's steps in the
 * parent's order, the child's in the child's, interleaved any way the
 * blocking allows (a WAIT cannot finish before the POST, a SPIN before the
 * first WRITE). The child sees the letters written before its READ.
 *
 * When are two orders the same world? When one becomes the other by
 * swapping neighbouring steps of the two processes that are independent:
 * steps that touch different bytes of the table and do not both touch the
 * semaphore. Swapping those changes nothing either process can observe (the
 * classic equivalence of Mazurkiewicz traces, on which partial-order
 * reduction rests). So an order is known by which dependent steps come
 * first: for each child step and each parent step it shares a byte or the
 * semaphore with, which of the two finished first. Orders known the same
 * way are one interleaving, run once and counted for all.
 *
 * The bytes a step touches: WRITE i table[i]; READ all of table[]; SPIN
 * table[0]; POST and WAIT the semaphore; SLEEP nothing. The model goes by
 * the names in the program, table[i], even under --map-private, where the
 * child's table is a copy: so --map-private explores the same worlds as
 * --racy, and each shows the copy empty (the one that reads after all
 * eleven writes too), which is the lesson.
 *
 * What comes out (tests/test_worlds.c checks each):
 *   --racy           12: empty 1 (c), torn 10 (pc), full 1 (p x11, c)
 *   --synced          1: full; wherever the child begins to wait, its WAIT
 *                        finishes after the POST, which follows the writes
 *   --post-early     12: like --racy, one step later: empty 1 (pcc), torn 10
 *                        (pcpc), full 1; 78 orders (the WAIT, after the POST,
 *                        touches no byte: where it falls does not matter)
 *   --busy-wait      11: torn 10 (pcc), full 1; never empty: the child
 *                        reads only once table[0] is written; 66 orders
 *   --child-sleep    12: like --racy (cc, cpc, ...): the sleep touches
 *                        nothing, so it orders nothing; 78 orders
 *   --map-private    --racy's 12 or --synced's 1, every one empty
 * No variant can block for ever: whoever waits is posted to or written to.
 * A plan that could (a WAIT with no POST) ends BLOCKED_FOR_EVER.
 */
#include "worlds.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *world_end_name(int end)
{
    return end < OUTCOMES ? outcome_names[end] : "blocked for ever";
}

struct world_plan world_plan_for(const struct settings *settings)
{
    struct world_plan plan = {.shared = settings->wrong_fix != PRIVATE_MAPPING};
    bool synced = settings->mode == SYNCED;

    if (synced && settings->wrong_fix == POST_FIRST)
        plan.parent[plan.parent_steps++] = POST;
    for (int i = 0; i < (int)MESSAGE_SIZE; i++)
        plan.parent[plan.parent_steps++] = WRITE;
    if (synced && settings->wrong_fix != POST_FIRST)
        plan.parent[plan.parent_steps++] = POST;

    if (synced)
        plan.child[plan.child_steps++] = WAIT;
    else if (settings->wrong_fix == SLEEP_IN_CHILD)
        plan.child[plan.child_steps++] = SLEEP;
    else if (settings->wrong_fix == SPIN_ON_FLAG)
        plan.child[plan.child_steps++] = SPIN;
    plan.child[plan.child_steps++] = READ;
    return plan;
}

/* The writes among the first DONE steps of the parent. */
static int writes_in(const struct world_plan *plan, int done)
{
    int writes = 0;
    for (int i = 0; i < done; i++)
        writes += plan->parent[i] == WRITE;
    return writes;
}

/* Whether the child's next step can finish now, with the parent's first
 * PARENT_DONE steps finished. */
static bool child_can_finish(const struct world_plan *plan, int child_done,
                             int parent_done)
{
    switch (plan->child[child_done]) {
    case WAIT:
        for (int i = 0; i < parent_done; i++) {
            if (plan->parent[i] == POST)
                return true;
        }
        return false;
    case SPIN:
        return writes_in(plan, parent_done) > 0; /* table[0] is written */
    default:
        return true;
    }
}

/* The child finishes its next step; a READ sees what is written by now. */
static void child_finishes(const struct world_plan *plan,
                           struct world_state *state)
{
    if (plan->child[state->child_done] == READ)
        state->letters_seen =
            plan->shared ? writes_in(plan, state->parent_done) : 0;
    state->child_done++;
    state->child_blocked = false;
}

struct world_state world_after(const struct world_plan *plan,
                               struct world_state state, char letter)
{
    bool child_left = state.child_done < plan->child_steps;
    if (letter == 'p' && state.parent_done < plan->parent_steps) {
        state.parent_done++;
        /* A blocked child's step finishes by itself once it can. */
        if (state.child_blocked &&
            child_can_finish(plan, state.child_done, state.parent_done))
            child_finishes(plan, &state);
    } else if (letter == 'c' && child_left && !state.child_blocked) {
        if (child_can_finish(plan, state.child_done, state.parent_done))
            child_finishes(plan, &state);
        else
            state.child_blocked = true;
    }
    return state;
}

struct world_state world_after_schedule(const struct world_plan *plan,
                                        const char *schedule)
{
    struct world_state state = WORLD_START;
    for (const char *letter = schedule; *letter != '\0'; letter++)
        state = world_after(plan, state, *letter);
    return state;
}

unsigned world_possible_ends(const struct world_plan *plan,
                             struct world_state state)
{
    if (state.letters_seen >= 0)
        return 1u << outcome_of(state.letters_seen);
    bool parent_can = state.parent_done < plan->parent_steps;
    bool child_can =
        state.child_done < plan->child_steps && !state.child_blocked;
    if (!parent_can && !child_can)
        return 1u
               << BLOCKED_FOR_EVER; /* nobody can move, and nobody has read */
    unsigned ends = 0;
    if (parent_can)
        ends |= world_possible_ends(plan, world_after(plan, state, 'p'));
    if (child_can)
        ends |= world_possible_ends(plan, world_after(plan, state, 'c'));
    return ends;
}

unsigned world_ends_after(const struct world_plan *plan,
                          struct world_state state, char letter)
{
    return world_possible_ends(plan, world_after(plan, state, letter));
}

const char *world_ends_text(unsigned ends, char *text, size_t size)
{
    int named = 0, total = 0;
    for (int end = 0; end < WORLD_ENDS; end++)
        total += (int)((ends >> end) & 1u);
    size_t length = 0;
    text[0] = '\0';
    for (int end = 0; end < WORLD_ENDS && length < size; end++) {
        if (!((ends >> end) & 1u))
            continue;
        named++;
        const char *joint = named == 1 ? "" : named == total ? " or " : ", ";
        int wrote = snprintf(text + length, size - length, "%s%s", joint,
                             world_end_name(end));
        length += wrote > 0 ? (size_t)wrote : 0;
    }
    return text;
}

/* Whether the parent's step I and the child's step J touch the same byte
 * of the table, or both the semaphore. */
static bool dependent(const struct world_plan *plan, int i, int j)
{
    enum step parent = plan->parent[i], child = plan->child[j];
    if (parent == POST)
        return child == WAIT;
    if (parent != WRITE)
        return false;
    if (child == READ)
        return true;                                 /* all the bytes */
    return child == SPIN && writes_in(plan, i) == 0; /* table[0] */
}

/* An order of the steps, as the exploration walks it. */
struct walk {
    const struct world_plan *plan;
    struct world_exploration *found;
    char schedule[WORLD_MAX_SCHEDULE];        /* the letters so far */
    int parent_before[WORLD_MAX_CHILD_STEPS]; /* finished before child j */
    unsigned long long signatures[WORLD_MAX_INTERLEAVINGS];
};

/* Which interleaving an order belongs to: how many child steps finished,
 * and for each child step and each parent step dependent on it, which
 * finished first. */
static unsigned long long signature(const struct walk *walk, int child_done)
{
    unsigned long long bits = (unsigned long long)child_done;
    for (int j = 0; j < walk->plan->child_steps; j++) {
        for (int i = 0; i < walk->plan->parent_steps; i++) {
            bits <<= 1;
            if (dependent(walk->plan, i, j))
                bits |= j < child_done && i < walk->parent_before[j];
        }
    }
    return bits;
}

/* One complete order: a new interleaving, or one more order of a known
 * one (kept with the shortest schedule, then the first in c-before-p
 * order, which the walk meets first). */
static void found_order(struct walk *walk, int length, int child_done,
                        const struct world_state *state)
{
    struct world_exploration *found = walk->found;
    unsigned long long bits = signature(walk, child_done);
    found->orders++;
    int k = 0;
    while (k < found->count && walk->signatures[k] != bits)
        k++;
    struct world_interleaving *world = &found->interleavings[k];
    if (k == found->count) {
        if (k == WORLD_MAX_INTERLEAVINGS)
            abort(); /* cannot be: at most 91 */
        found->count++;
        walk->signatures[k] = bits;
        *world = (struct world_interleaving){.letters_seen = -1};
        bool read = child_done == walk->plan->child_steps;
        world->end =
            read ? (int)outcome_of(state->letters_seen) : (int)BLOCKED_FOR_EVER;
        world->letters_seen = read ? state->letters_seen : -1;
        world->writes_before_read =
            read ? writes_in(walk->plan,
                             walk->parent_before[walk->plan->child_steps - 1])
                 : -1;
    }
    world->orders++;
    if (world->schedule[0] == '\0' || length < (int)strlen(world->schedule))
        memcpy(world->schedule, walk->schedule, (size_t)length + 1);
}

/* Walk every order on from STATE: first the child's step (c), then the
 * parent's (p), so that orders come in c-before-p order. The letters are
 * the order in which the steps finish: no letter starts a step that
 * blocks, so a real run of a schedule never has to wait to see that the
 * child is blocked. */
static void walk_on(struct walk *walk, struct world_state state, int length)
{
    const struct world_plan *plan = walk->plan;
    bool parent_left = state.parent_done < plan->parent_steps;
    bool child_left = state.child_done < plan->child_steps;
    if (!child_left) {
        walk->schedule[length] = '\0';
        found_order(walk, length, state.child_done, &state);
        return;
    }
    bool child_can =
        child_can_finish(plan, state.child_done, state.parent_done);
    if (!child_can && !parent_left) {
        /* Blocked for ever: the witness ends with the c that starts the
         * step that never finishes. */
        walk->schedule[length] = 'c';
        walk->schedule[length + 1] = '\0';
        found_order(walk, length + 1, state.child_done, &state);
        return;
    }
    if (child_can) {
        walk->schedule[length] = 'c';
        walk->parent_before[state.child_done] = state.parent_done;
        walk_on(walk, world_after(plan, state, 'c'), length + 1);
    }
    if (parent_left) {
        walk->schedule[length] = 'p';
        walk_on(walk, world_after(plan, state, 'p'), length + 1);
    }
}

/* Shortest schedule first, then c before p. */
static int by_schedule(const void *a, const void *b)
{
    const struct world_interleaving *x = a, *y = b;
    size_t x_length = strlen(x->schedule), y_length = strlen(y->schedule);
    if (x_length != y_length)
        return x_length < y_length ? -1 : 1;
    return strcmp(x->schedule, y->schedule);
}

void world_explore(const struct world_plan *plan,
                   struct world_exploration *exploration)
{
    memset(exploration, 0, sizeof *exploration);
    struct walk walk = {.plan = plan, .found = exploration};
    walk_on(&walk, WORLD_START, 0);

    qsort(exploration->interleavings, (size_t)exploration->count,
          sizeof exploration->interleavings[0], by_schedule);
    for (int end = 0; end < WORLD_ENDS; end++)
        exploration->shortest[end] = -1;
    for (int k = 0; k < exploration->count; k++) {
        int end = exploration->interleavings[k].end;
        exploration->counts[end]++;
        if (exploration->shortest[end] == -1)
            exploration->shortest[end] = k; /* sorted: the first is it */
    }
}

const char *world_witness_for(const struct world_exploration *exploration,
                              int letters)
{
    for (int k = 0; k < exploration->count; k++) {
        if (exploration->interleavings[k].letters_seen == letters)
            return exploration->interleavings[k].schedule;
    }
    return NULL;
}
