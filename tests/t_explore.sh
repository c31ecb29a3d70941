# tests/t_explore.sh: --explore, every interleaving as a real run (issue
# 18). The model and the driver are unit-tested in tests/test_worlds.c;
# here, what a user types. Sourced by tests/run.sh; each t_... function is
# one test.
# shellcheck shell=sh disable=SC2154,SC2034 # $status, $SHMDEMO... come from run.sh

t_explore_with_runs_schedule_or_step_exits_2_naming_the_conflict() {
    for conflict in "--runs 5" "--schedule pc" "--step"; do
        # shellcheck disable=SC2086 # a list of arguments
        demo --racy --explore $conflict
        expect_status 2
        [ ! -s out ] || fail "--explore $conflict: something on stdout"
        [ "$(wc -l <err)" = 2 ] || fail "--explore $conflict: stderr is not two lines: $(cat err)"
        expect_line err "^shmdemo: --explore .*: it cannot be used with ${conflict% *}\$"
        expect_line err "^Try 'shmdemo --help' for more information\.$"
    done
}

t_explore_is_in_the_help() {
    demo --help
    expect_status 0
    expect_line out '^  --explore  +run every interleaving of the steps once, each a$'
}
