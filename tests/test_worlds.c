/* tests/test_worlds.c: unit tests of the model of every interleaving
 * (apparatus/worlds.c) and of --explore's driver (apparatus/explore.c),
 * with a callback in place of the real runs. Pure computation: no process,
 * no shared memory. */
#include "../apparatus/basics.h"
#include "../apparatus/explore.h"
#include "../apparatus/worlds.h"
#include "check.h"

#include <stdarg.h>
#include <stdbool.h>

#define ALL_PS "ppppppppppp" /* the eleven writes */

static const struct settings
    racy = {.mode = RACY},
    synced = {.mode = SYNCED},
    post_early = {.mode = SYNCED, .wrong_fix = POST_FIRST},
    busy_wait = {.mode = RACY, .wrong_fix = SPIN_ON_FLAG},
    child_sleep = {.mode = RACY, .wrong_fix = SLEEP_IN_CHILD},
    racy_private = {.mode = RACY, .wrong_fix = PRIVATE_MAPPING},
    synced_private = {.mode = SYNCED, .wrong_fix = PRIVATE_MAPPING};

static char what[256]; /* the name of a check, built with said() */

static const char *said(const char *format, ...) PRINTF_LIKE(1, 2);
static const char *said(const char *format, ...)
{
    va_list args;
    va_start(args, format);
    vsnprintf(what, sizeof what, format, args);
    va_end(args);
    return what;
}

/* A plan as letters: W write, P post, A wait, S spin, Z sleep, R read. */
static const char *plan_text(const struct world_plan *plan)
{
    static char text[32];
    const char letters[] = "WPASZR";
    size_t length = 0;
    for (int i = 0; i < plan->parent_steps; i++)
        text[length++] = letters[plan->parent[i]];
    text[length++] = '/';
    for (int j = 0; j < plan->child_steps; j++)
        text[length++] = letters[plan->child[j]];
    text[length] = '\0';
    return text;
}

static void test_plans(void)
{
    struct {
        const char *name;
        const struct settings *settings;
        const char *steps;
        bool shared;
    } cases[] = {
        {"--racy", &racy, "WWWWWWWWWWW/R", true},
        {"--synced", &synced, "WWWWWWWWWWWP/AR", true},
        {"--post-early", &post_early, "PWWWWWWWWWWW/AR", true},
        {"--busy-wait", &busy_wait, "WWWWWWWWWWW/SR", true},
        {"--child-sleep", &child_sleep, "WWWWWWWWWWW/ZR", true},
        {"--racy --map-private", &racy_private, "WWWWWWWWWWW/R", false},
        {"--synced --map-private", &synced_private, "WWWWWWWWWWWP/AR", false},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        struct world_plan plan = world_plan_for(cases[k].settings);
        CHECK(strcmp(plan_text(&plan), cases[k].steps) == 0 &&
                  plan.shared == cases[k].shared,
              said("the steps of %s are %s%s", cases[k].name, cases[k].steps,
                   cases[k].shared ? "" : ", on a copy"));
    }
}

/* What a schedule leads to: the letters seen, or -1 if it has not read. */
static int seen_after(const struct settings *settings, const char *schedule)
{
    struct world_plan plan = world_plan_for(settings);
    return world_after_schedule(&plan, schedule).letters_seen;
}

static void test_schedules(void)
{
    CHECK(seen_after(&racy, "pppc") == 3, "racy pppc: the child sees 3");
    CHECK(seen_after(&racy, "c") == 0, "racy c: the child sees nothing");
    CHECK(seen_after(&racy, "ppp") == -1, "racy ppp: the child has not read");
    CHECK(seen_after(&racy, ALL_PS "pppc") == 11,
          "racy: a p for a parent with no steps left does nothing");
    CHECK(seen_after(&racy, "cpc") == 0,
          "racy: a c for a child with no steps left does nothing");
    CHECK(seen_after(&racy_private, ALL_PS "c") == 0,
          "--map-private: after all 11 writes the child still sees nothing");

    struct world_plan plan = world_plan_for(&busy_wait);
    struct world_state state = world_after_schedule(&plan, "c");
    CHECK(state.child_blocked && state.child_done == 0,
          "--busy-wait c: the child spins (blocked)");
    state = world_after_schedule(&plan, "cc");
    CHECK(state.child_blocked && state.child_done == 0,
          "--busy-wait cc: a c for a spinning child does nothing");
    state = world_after_schedule(&plan, "cp");
    CHECK(!state.child_blocked && state.child_done == 1,
          "--busy-wait cp: the spin ends by itself after the first write");
    CHECK(seen_after(&busy_wait, "cpc") == 1 &&
              seen_after(&busy_wait, "pcc") == 1,
          "--busy-wait cpc and pcc: the child sees 1");

    plan = world_plan_for(&synced);
    state = world_after_schedule(&plan, "c" ALL_PS);
    CHECK(state.child_blocked && state.child_done == 0,
          "--synced: the child waits through all 11 writes");
    state = world_after_schedule(&plan, "c" ALL_PS "p");
    CHECK(!state.child_blocked && state.child_done == 1,
          "--synced: the wait ends by itself after the post");
    CHECK(seen_after(&synced, "c" ALL_PS "pc") == 11,
          "--synced c, 12 p, c: the child sees 11");
    CHECK(seen_after(&post_early, "pcc") == 0 &&
              seen_after(&post_early, "cpc") == 0,
          "--post-early pcc and cpc: the child sees nothing");
    CHECK(seen_after(&child_sleep, "cpc") == 1,
          "--child-sleep cpc: the child sees 1");
}

/* The exact outcome of exploring one mode and variant. */
struct expected {
    const char *name;
    const struct settings *settings;
    int count;
    long orders;
    int counts[WORLD_ENDS];           /* empty, torn, full, blocked */
    const char *shortest[WORLD_ENDS]; /* NULL: no interleaving ends so */
};

static const struct expected explorations[] = {
    {"--racy", &racy, 12, 12, {1, 10, 1, 0}, {"c", "pc", ALL_PS "c", NULL}},
    {"--synced", &synced, 1, 1, {0, 0, 1, 0}, {NULL, NULL, ALL_PS "pcc", NULL}},
    {"--post-early",
     &post_early,
     12,
     78,
     {1, 10, 1, 0},
     {"pcc", "pcpc", "pc" ALL_PS "c", NULL}},
    {"--busy-wait",
     &busy_wait,
     11,
     66,
     {0, 10, 1, 0},
     {NULL, "pcc",
      "pc"
      "pppppppppp"
      "c",
      NULL}},
    {"--child-sleep",
     &child_sleep,
     12,
     78,
     {1, 10, 1, 0},
     {"cc", "cpc", "c" ALL_PS "c", NULL}},
    {"--racy --map-private",
     &racy_private,
     12,
     12,
     {12, 0, 0, 0},
     {"c", NULL, NULL, NULL}},
    {"--synced --map-private",
     &synced_private,
     1,
     1,
     {1, 0, 0, 0},
     {ALL_PS "pcc", NULL, NULL, NULL}},
};

/* The shortest length of a schedule that ends END, found by trying
 * every schedule of p and c up to 16 letters, blocked starts included
 * (independent of the exploration's walk). 0 if none does. */
static int shortest_by_brute_force(const struct world_plan *plan, int end)
{
    char schedule[17];
    for (int length = 1; length <= 16; length++) {
        for (long bits = 0; bits < 1L << length; bits++) {
            for (int i = 0; i < length; i++)
                schedule[i] = (bits >> i) & 1 ? 'p' : 'c';
            schedule[length] = '\0';
            struct world_state state = world_after_schedule(plan, schedule);
            bool blocked =
                state.child_blocked && state.parent_done == plan->parent_steps;
            if ((state.letters_seen >= 0 &&
                 (int)outcome_of(state.letters_seen) == end) ||
                (blocked && end == BLOCKED_FOR_EVER))
                return length;
        }
    }
    return 0;
}

static void test_exploration(const struct expected *want)
{
    struct world_plan plan = world_plan_for(want->settings);
    struct world_exploration found;
    world_explore(&plan, &found);
    CHECK(found.count == want->count && found.orders == want->orders,
          said("%s: %d interleaving(s), of %ld order(s) of the steps",
               want->name, want->count, want->orders));
    for (int end = 0; end < WORLD_ENDS; end++) {
        const char *witness =
            found.shortest[end] == -1
                ? NULL
                : found.interleavings[found.shortest[end]].schedule;
        bool same = witness == NULL || want->shortest[end] == NULL
                        ? witness == want->shortest[end]
                        : strcmp(witness, want->shortest[end]) == 0;
        CHECK(found.counts[end] == want->counts[end] && same,
              said("%s: %s in %d, shortest --schedule %s", want->name,
                   world_end_name(end), want->counts[end],
                   want->shortest[end] ? want->shortest[end] : "(none)"));
        /* The same length as the brute force finds, or none at all. */
        int brute = shortest_by_brute_force(&plan, end);
        const char *expected = want->shortest[end];
        if (expected == NULL)
            CHECK(brute == 0, said("%s: no schedule of up to 16 letters ends "
                                   "%s",
                                   want->name, world_end_name(end)));
        else
            CHECK(brute == (int)strlen(expected),
                  said("%s: the shortest schedule that ends %s has %zu "
                       "letter(s)",
                       want->name, world_end_name(end), strlen(expected)));
    }
    /* Each interleaving's schedule gives what the interleaving says. */
    bool replays = true;
    long orders = 0;
    for (int k = 0; k < found.count; k++) {
        const struct world_interleaving *world = &found.interleavings[k];
        replays &= world_after_schedule(&plan, world->schedule).letters_seen ==
                   world->letters_seen;
        orders += world->orders;
    }
    CHECK(replays && orders == found.orders,
          said("%s: every interleaving's schedule gives its outcome",
               want->name));
}

static void test_witnesses(void)
{
    struct world_plan plan = world_plan_for(&racy);
    struct world_exploration found;
    world_explore(&plan, &found);
    const char *hint = world_witness_for(&found, 3);
    CHECK(hint != NULL && strcmp(hint, "pppc") == 0,
          "racy, 3 letters seen: replay with --schedule pppc");
    plan = world_plan_for(&busy_wait);
    world_explore(&plan, &found);
    hint = world_witness_for(&found, 3);
    CHECK(hint != NULL && strcmp(hint, "pcppc") == 0,
          "--busy-wait, 3 letters seen: replay with --schedule pcppc");
    CHECK(world_witness_for(&found, 0) == NULL,
          "--busy-wait, nothing seen: no schedule gives it");
    plan = world_plan_for(&synced);
    world_explore(&plan, &found);
    CHECK(world_witness_for(&found, 5) == NULL,
          "--synced, 5 letters seen: no schedule gives it");
}

static unsigned ends_after(const struct settings *settings,
                           const char *schedule, char key)
{
    struct world_plan plan = world_plan_for(settings);
    return world_ends_after(&plan, world_after_schedule(&plan, schedule), key);
}

#define E (1u << EMPTY)
#define T (1u << TORN)
#define F (1u << FULL)
#define B (1u << BLOCKED_FOR_EVER)

static void test_still_possible(void)
{
    CHECK(ends_after(&racy, "", 'p') == (T | F) &&
              ends_after(&racy, "", 'c') == E,
          "racy, at the start: p -> torn or full, c -> empty");
    CHECK(ends_after(&racy, "pppppppppp", 'p') == F &&
              ends_after(&racy, "pppppppppp", 'c') == T,
          "racy, after 10 writes: p -> full, c -> torn");
    CHECK(ends_after(&racy, "pc", 'p') == T &&
              ends_after(&racy, "pc", 'c') == T,
          "racy, after the read: what it saw, whatever comes");
    CHECK(ends_after(&synced, "", 'p') == F &&
              ends_after(&synced, "", 'c') == F,
          "--synced: full after either key");
    CHECK(ends_after(&post_early, "", 'p') == (E | T | F) &&
              ends_after(&post_early, "", 'c') == (E | T | F),
          "--post-early, at the start: anything after either key");
    CHECK(ends_after(&busy_wait, "", 'c') == (T | F) &&
              ends_after(&busy_wait, "p", 'c') == (T | F) &&
              ends_after(&busy_wait, "pc", 'c') == T,
          "--busy-wait: never empty; after the spin, c -> torn");
    CHECK(ends_after(&child_sleep, "c", 'c') == E,
          "--child-sleep, after the sleep: c -> empty");
    CHECK(ends_after(&racy_private, ALL_PS, 'c') == E,
          "--map-private, after all the writes: c -> empty");
    char text[64];
    CHECK(strcmp(world_ends_text(T | F, text, sizeof text), "torn or full") ==
                  0 &&
              strcmp(world_ends_text(E | T | F, text, sizeof text),
                     "empty, torn or full") == 0 &&
              strcmp(world_ends_text(E, text, sizeof text), "empty") == 0,
          "the ends in words: \"empty, torn or full\"");
}

/* A plan that can block for ever, which no mode has: a wait, no post. */
static void test_blocked_for_ever(void)
{
    struct world_plan plan = world_plan_for(&racy);
    plan.child[0] = WAIT;
    plan.child[1] = READ;
    plan.child_steps = 2;
    struct world_exploration found;
    world_explore(&plan, &found);
    CHECK(found.count == 1 && found.counts[BLOCKED_FOR_EVER] == 1 &&
              strcmp(found.interleavings[0].schedule, ALL_PS "c") == 0,
          "a wait with no post: 1 interleaving, blocked for ever");
    CHECK(world_possible_ends(&plan, WORLD_START) == B,
          "a wait with no post: blocked for ever is all that is possible");
}

/* --- the driver, with callbacks in place of the real runs ------------- */

static char lines[64][256];
static int line_count;
static char runs[128][WORLD_MAX_SCHEDULE];
static int run_count;
static const char *lie_about; /* a schedule the lying callback lies on */

static void keep_line(const char *format, ...) PRINTF_LIKE(1, 2);
static void keep_line(const char *format, ...)
{
    va_list args;
    va_start(args, format);
    if (line_count < 64)
        vsnprintf(lines[line_count++], sizeof lines[0], format, args);
    va_end(args);
}

/* A run as the model says it goes (and, on LIE_ABOUT, one letter more). */
static int model_run(void *context, const char *schedule)
{
    if (run_count < 128)
        snprintf(runs[run_count++], sizeof runs[0], "%s", schedule);
    int seen = world_after_schedule(context, schedule).letters_seen;
    return lie_about != NULL && strcmp(schedule, lie_about) == 0 ? seen + 1
                                                                 : seen;
}

static int explore_with(const struct settings *settings, const char *lie)
{
    static struct world_plan plan;
    plan = world_plan_for(settings);
    line_count = run_count = 0;
    lie_about = lie;
    return explore(settings, model_run, &plan, keep_line);
}

static bool has_line(const char *line)
{
    for (int i = 0; i < line_count; i++) {
        if (strcmp(lines[i], line) == 0)
            return true;
    }
    return false;
}

static void show_lines(void)
{
    for (int i = 0; i < line_count; i++)
        printf("#   | %s\n", lines[i]);
}

static void test_driver(void)
{
    int bugs = explore_with(&racy, NULL);
    const char *racy_lines[] = {
        "12 interleavings, each a real run of the two processes",
        "outcome           interleavings   replay with",
        "empty                         1   --schedule c",
        "torn                         10   --schedule pc",
        "full                          1   --schedule pppppppppppc",
        ("verdict: it depends on the interleaving (empty, torn or full): "
         "nothing makes the child's read wait for the parent's writes."),
    };
    bool same = line_count == 6;
    for (int i = 0; same && i < 6; i++)
        same = strcmp(lines[i], racy_lines[i]) == 0;
    CHECK(bugs == 0 && same, "--explore --racy: the count, the table, the "
                             "verdict, nothing more");
    if (!same)
        show_lines();
    bool each_once = run_count == 12;
    for (int k = 0; each_once && k <= 11; k++) {
        char schedule[16];
        snprintf(schedule, sizeof schedule, "%.*sc", k, ALL_PS);
        each_once = strcmp(runs[k], schedule) == 0;
    }
    CHECK(each_once, "--explore --racy: 12 real runs: c, pc, ppc... once each");

    struct {
        const struct settings *settings;
        int runs;
        const char *verdict, *breaks;
    } cases[] = {
        {&synced, 1,
         "verdict: full in every interleaving: the child is blocked in "
         "sem_wait until the post, and the parent posts only after its last "
         "write.",
         NULL},
        {&post_early, 12,
         "verdict: it depends on the interleaving (empty, torn or full): the "
         "post lets the child read before the writes are done.",
         "what breaks it: --schedule pcc: the child reads after the post and "
         "before the writes: empty."},
        {&busy_wait, 11,
         "verdict: it depends on the interleaving (torn or full): the spin "
         "waits for the first letter, not for the last.",
         "what breaks it: --schedule pcc: the spin ends at the first letter, "
         "and the child reads while the parent is still writing: torn."},
        {&child_sleep, 12,
         "verdict: it depends on the interleaving (empty, torn or full): the "
         "sleep waits for a time, not for the parent.",
         "what breaks it: --schedule cc: the sleep orders nothing once the "
         "parent is slower: the child wakes and reads before the parent has "
         "written: empty."},
        {&racy_private, 12,
         "verdict: empty in every interleaving: the child reads its own copy "
         "of the table (MAP_PRIVATE), which no write of the parent reaches.",
         "what breaks it: --schedule pppppppppppc: even reading after all the "
         "writes, the child sees its own copy, as in every interleaving: "
         "empty."},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        bugs = explore_with(cases[k].settings, NULL);
        bool shown = has_line(cases[k].verdict) &&
                     (cases[k].breaks == NULL || has_line(cases[k].breaks)) &&
                     (cases[k].breaks != NULL ||
                      strncmp(lines[line_count - 1], "verdict: ", 9) == 0);
        CHECK(bugs == 0 && run_count == cases[k].runs && shown,
              said("--explore: %d real run(s), then: %.60s...", cases[k].runs,
                   cases[k].breaks ? cases[k].breaks : cases[k].verdict));
        if (!shown)
            show_lines();
    }
    explore_with(&synced, NULL);
    CHECK(strcmp(lines[0], "1 interleaving, a real run of the two processes") ==
              0,
          "--explore --synced: 1 interleaving, a real run");
    explore_with(&busy_wait, NULL);
    CHECK(has_line("(66 orders of the steps in all: orders that differ only in "
                   "steps on different bytes are one interleaving, run once)"),
          "--explore --busy-wait: 66 orders of the steps, 11 interleavings");

    bugs = explore_with(&racy, "pppc");
    CHECK(bugs == 1 &&
              has_line("BUG: --schedule pppc: the model says the child sees 3 "
                       "letters (torn), but in the real run it saw 4 (torn)") &&
              has_line("BUG: 1 of 12 real runs disagreed with the model: "
                       "shmdemo's model or its steering is wrong"),
          "--explore: a real run that disagrees is a bug, said loudly");
    bugs = explore_with(&racy, ALL_PS "c");
    CHECK(bugs == 1 &&
              has_line("BUG: --schedule pppppppppppc: the model says the child "
                       "sees 11 letters (full), but the real run reported 12, "
                       "which cannot be"),
          "--explore: a real run that reports the impossible is a bug");
}

int main(void)
{
    test_plans();
    test_schedules();
    for (size_t k = 0; k < sizeof explorations / sizeof explorations[0]; k++)
        test_exploration(&explorations[k]);
    test_witnesses();
    test_still_possible();
    test_blocked_for_ever();
    test_driver();
    return check_failures == 0 ? 0 : 1;
}
