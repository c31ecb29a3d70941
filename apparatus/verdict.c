/* apparatus/verdict.c: the last lines of a run: what the child saw, and
 * what that teaches. The right fix alone can never see less than the whole
 * message: if it does, that is a bug, and the demo says so and fails.
 */
#include "verdict.h"

#include "exits.h"
#include "timeline.h"

#include <stdbool.h>
#include <stdio.h>

/* What each way of waiting teaches, in one sentence. */
static const char *lesson(const struct settings *set)
{
    switch (set->wrong_fix) {
    case SLEEP_IN_CHILD:
        return "a sleep is a guess about timing, not an ordering.";
    case SPIN_ON_FLAG:
        return "a first byte that says \"started\" is not a message that "
               "says \"finished\".";
    case POST_FIRST:
        return "the post announced a message that was not there yet.";
    case PRIVATE_MAPPING:
        return "MAP_PRIVATE gave each process its own copy of the page "
               "(copy-on-write after fork): synchronization orders access "
               "to shared memory, it cannot share memory that is private.";
    case NO_WRONG_FIX:
        break;
    }
    if (set->mode == SYNCED)
        return "the child waited on the semaphore, which the parent posted "
               "only after writing the whole message.";
    return "nothing made the child wait for the parent.";
}

/* The right fix: --synced, and no wrong fix. */
static bool right_fix(const struct settings *set)
{
    return set->mode == SYNCED && set->wrong_fix == NO_WRONG_FIX;
}

/* The right fix saw less than the whole message in TOO_EARLY of RUNS runs:
 * that is a bug, not a lesson. */
static void check_right_fix(const struct settings *set, long too_early,
                            long runs)
{
    if (right_fix(set) && too_early > 0)
        die_because("%ld of %ld run%s saw less than the full message "
                    "despite the semaphore: a bug",
                    too_early, runs, runs == 1 ? "" : "s");
}

void give_verdict(const struct settings *set, int letters)
{
    static const char *const what[OUTCOMES] = {
        [EMPTY] = "the child read the table before the parent wrote it",
        [TORN] = "the child read while the parent was still writing",
        [FULL] = "the child read after the parent wrote",
    };
    enum outcome seen = outcome_of(letters);
    check_right_fix(set, seen != FULL, 1);
    summarize("%s", "");
    if (set->wrong_fix == PRIVATE_MAPPING)
        summarize("verdict: %s: the child read its own copy of the table: %s",
                  outcome_names[seen], lesson(set));
    else if (seen == FULL && !right_fix(set) && set->schedule == NULL &&
             !set->step)
        summarize("verdict: full: this time the child happened to read after "
                  "the parent wrote (try --runs): %s",
                  lesson(set));
    else
        summarize("verdict: %s: %s: %s", outcome_names[seen], what[seen],
                  lesson(set));
}

void give_tally_verdict(const struct settings *set, const struct tally *tally)
{
    long too_early = tally->counts[EMPTY] + tally->counts[TORN];
    print_tally(tally);
    check_right_fix(set, too_early, tally->done);
    const char *runs = tally->done == 1 ? "run" : "runs";
    if (right_fix(set))
        summarize("verdict: %ld of %ld %s saw the full message: %s",
                  tally->done, tally->done, runs, lesson(set));
    else if (set->wrong_fix == PRIVATE_MAPPING)
        summarize("verdict: %ld of %ld %s saw less than the full message, "
                  "reading its own copy of the table: %s",
                  too_early, tally->done, runs, lesson(set));
    else if (too_early > 0)
        summarize("verdict: %ld of %ld %s read too early (empty or torn): %s",
                  too_early, tally->done, runs, lesson(set));
    else
        summarize("verdict: no run read too early this time, but nothing "
                  "prevents it: %s",
                  lesson(set));
    print_replays(set, tally);
}
