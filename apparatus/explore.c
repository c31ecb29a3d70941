/* apparatus/explore.c: --explore. Every interleaving the model lists is
 * run once, for real, with its --schedule; the real outcome is checked
 * against the model's, and a disagreement is said loudly: it is a bug in
 * shmdemo (in the model or in the steering), never the lesson.
 *
 * Then the summary: how many interleavings, a table of the outcomes with
 * how many interleavings gave each and the shortest schedule that steers every
 * step up to the child's read and gives it, a verdict in one line, and for a
 * wrong fix the interleaving that breaks it. The table counts what the real
 * runs saw.
 */
#include "explore.h"

#include "basics.h"
#include "worlds.h"

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

/* Where the real runs are made, and where the lines go. */
struct explorer {
    int (*run_one)(void *context, const char *schedule);
    void *context;
    void (*line)(const char *format, ...) PRINTF_LIKE(1, 2);
};

/* Why the outcome is what it is, for each way of waiting. */
static const char *why(const struct settings *settings)
{
    switch (settings->wrong_fix) {
    case SLEEP_IN_CHILD:
        return "the sleep waits for a time, not for the parent";
    case SPIN_ON_FLAG:
        return "the spin waits for the first letter, not for the last";
    case POST_FIRST:
        return "the post lets the child read before the writes are done";
    case PRIVATE_MAPPING:
        return "the child reads its own copy of the table (MAP_PRIVATE), "
               "which no write of the parent reaches";
    case NO_WRONG_FIX:
        break;
    }
    if (settings->mode == SYNCED)
        return "the child is blocked in sem_wait until the post, and the "
               "parent posts only after its last write";
    return "nothing makes the child's read wait for the parent's writes";
}

/* The interleaving that shows a wrong fix failing, and what it shows;
 * -1 for the right fix and plain --racy. */
static int breaker(const struct settings *settings,
                   const struct world_exploration *worlds, const char **story)
{
    switch (settings->wrong_fix) {
    case POST_FIRST:
        *story = "the child reads after the post and before the writes";
        return worlds->shortest[EMPTY];
    case SPIN_ON_FLAG:
        *story = "the spin ends at the first letter, and the child reads "
                 "while the parent is still writing";
        return worlds->shortest[TORN];
    case SLEEP_IN_CHILD:
        *story = "the sleep orders nothing once the parent is slower: the "
                 "child wakes and reads before the parent has written";
        return worlds->shortest[EMPTY] != -1 ? worlds->shortest[EMPTY]
                                             : worlds->shortest[TORN];
    case PRIVATE_MAPPING:
        *story = "even reading after all the writes, the child sees its own "
                 "copy, as in every interleaving";
        for (int k = 0; k < worlds->count; k++) {
            if (worlds->interleavings[k].writes_before_read ==
                (int)MESSAGE_SIZE)
                return k;
        }
        return -1;
    case NO_WRONG_FIX:
        break;
    }
    return -1;
}

/* Run one interleaving for real; say so loudly if it disagrees with the
 * model. Returns what the child saw, as an end. */
static int run_and_check(const struct explorer *explorer,
                         const struct world_interleaving *world,
                         int *disagreements)
{
    int seen = explorer->run_one(explorer->context, world->schedule);
    bool possible = seen >= 0 && seen <= (int)MESSAGE_SIZE;
    if (possible && seen == world->letters_seen)
        return world->end;
    (*disagreements)++;
    if (!possible) {
        explorer->line("BUG: --schedule %s: the model says the child sees %d "
                       "letters (%s), but the real run reported %d, which "
                       "cannot be",
                       world->schedule, world->letters_seen,
                       world_end_name(world->end), seen);
        return world->end; /* counted as the model says; the bug is said */
    }
    explorer->line("BUG: --schedule %s: the model says the child sees %d "
                   "letters (%s), but in the real run it saw %d (%s)",
                   world->schedule, world->letters_seen,
                   world_end_name(world->end), seen,
                   world_end_name(outcome_of(seen)));
    return outcome_of(seen);
}

int explore(const struct settings *settings,
            int (*run_one)(void *context, const char *schedule), void *context,
            void (*line)(const char *format, ...))
{
    const struct explorer the_explorer = {run_one, context, line};
    const struct explorer *explorer = &the_explorer;
    struct world_plan plan = world_plan_for(settings);
    struct world_exploration worlds;
    world_explore(&plan, &worlds);

    const char *s = worlds.count == 1 ? "" : "s";
    explorer->line("%d interleaving%s, %s real run of the two processes",
                   worlds.count, s, worlds.count == 1 ? "a" : "each a");
    if (worlds.orders != worlds.count)
        explorer->line("(%ld orders of the steps in all: orders that differ "
                       "only in steps on different bytes are one interleaving, "
                       "run once)",
                       worlds.orders);

    /* Each interleaving once, for real (one that blocks for ever is not
     * run: it would never end). The table counts what the runs saw. */
    int disagreements = 0, runs = 0;
    int counts[WORLD_ENDS] = {0}, shortest[WORLD_ENDS];
    int seen[WORLD_MAX_INTERLEAVINGS];
    for (int end = 0; end < WORLD_ENDS; end++)
        shortest[end] = -1;
    for (int k = 0; k < worlds.count; k++) {
        const struct world_interleaving *world = &worlds.interleavings[k];
        seen[k] = world->end;
        if (world->end != BLOCKED_FOR_EVER) {
            seen[k] = run_and_check(explorer, world, &disagreements);
            runs++;
        }
        counts[seen[k]]++;
        if (shortest[seen[k]] == -1) /* in order: shortest schedule first */
            shortest[seen[k]] = k;
    }

    explorer->line("%-17s %13s   %s", "outcome", "interleavings",
                   "replay with");
    unsigned ends = 0;
    for (int end = 0; end < WORLD_ENDS; end++) {
        if (counts[end] == 0)
            continue;
        ends |= 1u << end;
        explorer->line(
            "%-17s %13d   --schedule %s%s", world_end_name(end), counts[end],
            worlds.interleavings[shortest[end]].schedule,
            end == BLOCKED_FOR_EVER ? " (not run: it never ends)" : "");
    }

    char possible[64];
    world_ends_text(ends, possible, sizeof possible);
    if ((ends & (ends - 1)) == 0) /* one end only */
        explorer->line("verdict: %s in every interleaving: %s.", possible,
                       why(settings));
    else
        explorer->line("verdict: it depends on the interleaving (%s): %s.",
                       possible, why(settings));

    const char *story = NULL;
    int broken = breaker(settings, &worlds, &story);
    if (broken != -1)
        explorer->line("what breaks it: --schedule %s: %s: %s.",
                       worlds.interleavings[broken].schedule, story,
                       world_end_name(seen[broken]));
    if (disagreements > 0)
        explorer->line("BUG: %d of %d real runs disagreed with the model: "
                       "shmdemo's model or its steering is wrong",
                       disagreements, runs);
    return disagreements;
}
