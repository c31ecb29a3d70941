# tests/demo.sh: the classroom demo, one narrated run, as a user sees it.
# Sourced by tests/run.sh; each t_... function is one test.
# shellcheck shell=sh disable=SC2154,SC2034 # $status and $SHMDEMO come from run.sh

t_first_line_is_the_page_size() {
    demo --synced --delay 0
    expect_status 0
    pagesize=$(getconf PAGESIZE)
    head -n 1 out | grep -E -q "^\[parent [0-9]+\] +[0-9.]+  page size: $pagesize bytes$" ||
        fail "first line is not the page size ($pagesize): $(head -n 1 out)"
}

t_synced_child_prints_the_whole_message() {
    demo --synced --delay 200
    expect_status 0
    [ "$(child_table)" = "A|l|a| |m|a| |k|o|t|a" ] ||
        fail "child's table is '$(child_table)'"
    [ "$(verdict_word)" = full ] || fail "verdict is '$(verdict_word)'"
    [ -z "$(cat err)" ] || fail "stderr is not empty: $(cat err)"
}

t_racy_child_reads_too_early_with_the_default_delay() {
    # The parent sleeps 1000 ms before writing; the child reads at once. A
    # child held up for a whole second would see more: that is the race,
    # but with a 1 s head start it does not happen on a working machine.
    demo --racy
    expect_status 0
    [ "$(child_table)" = "_|_|_|_|_|_|_|_|_|_|_" ] ||
        fail "child's table is '$(child_table)'"
    [ "$(verdict_word)" = empty ] || fail "verdict is '$(verdict_word)'"
}

t_racy_verdict_names_what_the_child_printed() {
    # Whatever the timing, the verdict agrees with the table the child
    # printed: one snapshot is judged and shown.
    for write_delay in 0 300; do
        demo --racy --delay 0 --write-delay $write_delay
        expect_status 0
        table=$(child_table)
        case $table in
        "A|l|a| |m|a| |k|o|t|a") expected=full ;;
        "_|_|_|_|_|_|_|_|_|_|_") expected=empty ;;
        *) expected=torn ;;
        esac
        [ "$(verdict_word)" = $expected ] ||
            fail "table '$table' but verdict '$(verdict_word)'"
    done
}

t_verdict_is_the_last_line_with_a_reason() {
    for mode in --racy --synced; do
        demo $mode --delay 50
        expect_status 0
        # The last paragraph: "verdict: WORD: why", wrapped at 80 columns.
        last=$(awk '/^$/ { text = ""; next } { text = text $0 "\n" } END { printf "%s", text }' out)
        say "$last" | head -n 1 | grep -E -q '^verdict: (full|empty|torn): ' ||
            fail "$mode: the last paragraph is not the verdict: $last"
        ! say "$last" | sed 1d | grep -q -v '^  ' ||
            fail "$mode: the verdict is not the last thing printed"
        case $(say "$last" | tr '\n' ' ' | tr -s ' ') in
        *"nothing made it wait."* | *"posted only after writing the whole message."*) ;;
        *) fail "$mode: the verdict gives no reason: $last" ;;
        esac
    done
}

t_parent_and_child_see_the_region_at_the_same_address() {
    demo --synced --delay 0
    expect_status 0
    parent_address=$(sed -n 's/^\[parent.*table at \(0x[0-9a-f]*\):$/\1/p' out)
    child_address=$(sed -n 's/^ *\[child.*table at \(0x[0-9a-f]*\):$/\1/p' out)
    mmap_address=$(sed -n 's/^\[parent.*  = \(0x[0-9a-f]*\)$/\1/p' out | head -n 1)
    [ -n "$parent_address" ] && [ "$parent_address" = "$child_address" ] ||
        fail "parent's table at '$parent_address', child's at '$child_address'"
    [ "$parent_address" = "$mmap_address" ] ||
        fail "mmap returned '$mmap_address', the table is at '$parent_address'"
}

t_system_calls_are_narrated_in_call_order() {
    demo --synced --delay 100
    expect_status 0
    # The first line that names each call, in the order they appear.
    order=$(grep -o -E '(shm_open|ftruncate|mmap|close|shm_unlink|sem_open|sem_unlink|fork|sem_wait|sem_post|waitpid)\(' out |
        awk '!seen[$0]++' | tr -d '(' | tr '\n' ' ')
    # The child may print its sem_wait line before the parent prints fork's
    # result: both come right after the fork, in either order.
    case $order in
    "shm_open ftruncate mmap close shm_unlink sem_open sem_unlink fork sem_wait sem_post waitpid " | \
        "shm_open ftruncate mmap close shm_unlink sem_open sem_unlink sem_wait fork sem_post waitpid ") ;;
    *) fail "calls narrated in this order: $order" ;;
    esac
    expect_line out 'shm_open\("/shmdemo-[0-9]+-0", O_CREAT\|O_EXCL\|O_RDWR, 0600\)'
    expect_line out 'sem_open\("/shmdemo-[0-9]+-0", O_CREAT\|O_EXCL, 0600, 0\)'
    # The child's wait ends only after the parent's post began.
    post=$(grep -n 'sem_post(sem) \.\.\.' out | cut -d: -f1)
    waited=$(grep -n 'sem_wait(sem) = 0' out | cut -d: -f1)
    [ -n "$post" ] && [ -n "$waited" ] && [ "$waited" -gt "$post" ] ||
        fail "sem_wait returned (line $waited) before sem_post (line $post)"
}

t_racy_mode_creates_no_semaphore() {
    demo --racy --delay 0
    expect_status 0
    expect_no_line out 'sem_(open|unlink|wait|post)'
    expect_line out 'reading now, without waiting'
}

t_every_line_is_tagged_with_role_and_pid() {
    demo --synced --delay 0
    expect_status 0
    parent=$(parent_pid)
    child=$(child_pid)
    # Up to the blank line before the verdict, every line is a timeline line.
    sed '/^$/,$d' out >timeline
    grep -v -E "^\[parent $parent\] +[0-9]+\.[0-9]  |^ {26}\[child  $child\] +[0-9]+\.[0-9]  " timeline >untagged
    [ ! -s untagged ] || fail "lines without their tag: $(cat untagged)"
    grep -q "^\[parent $parent\]" timeline && grep -q "\[child  $child\]" timeline ||
        fail "both processes should have spoken"
}

t_child_lines_are_in_the_right_hand_lane() {
    demo --synced --delay 0
    expect_status 0
    grep '\[child ' out >child_lines
    [ -s child_lines ] || fail "the child printed nothing"
    grep -v -E '^ {26}\[child ' child_lines >misplaced
    [ ! -s misplaced ] || fail "child lines outside the lane: $(cat misplaced)"
    expect_no_line out '^ +\[parent'
}

t_every_line_fits_in_80_columns() {
    for mode in --racy --synced; do
        demo $mode --delay 0
        expect_status 0
        awk 'length($0) > 80 { print; bad = 1 } END { exit bad }' out ||
            fail "$mode: lines longer than 80 columns"
    done
}

t_no_raw_nul_byte_is_printed() {
    demo --racy --delay 100
    expect_status 0
    [ "$(tr -d '\000' <out | wc -c)" = "$(wc -c <out)" ] ||
        fail "the output contains NUL bytes"
    expect_line out '_\|_\|_\|_\|_\|_\|_\|_\|_\|_\|_'
    expect_line out 'legend: _ is a zero byte'
}

t_no_line_is_printed_twice_when_piped() {
    for mode in --racy --synced; do
        "$SHMDEMO" $mode --delay 0 | cat >out
        [ "$(grep -c 'page size' out)" = 1 ] || fail "$mode: page size printed twice"
        ! sort out | uniq -d | grep -q -v '^$' ||
            fail "$mode: repeated lines: $(sort out | uniq -d)"
        [ "$(grep -c '^verdict:' out)" = 1 ] || fail "$mode: not one verdict"
    done
}

t_lines_appear_in_time_order_when_written_to_a_file() {
    demo --synced --delay 50
    expect_status 0
    # The times of the timeline, in the order printed, never go back by
    # more than a moment (two processes take turns writing).
    sed '/^$/,$d' out | sed 's/^ *\[[a-z]* *[0-9]*\] *\([0-9.]*\) .*/\1/' |
        awk 'NR > 1 && $1 < last - 5 { bad = 1 } { last = $1 } END { exit bad }' ||
        fail "lines out of time order"
}

t_mapping_shows_as_deleted_in_proc_maps() {
    [ -r /proc/self/maps ] || return 0 # only where /proc exists
    demo --racy --delay 0
    expect_status 0
    expect_line out '/proc/self/maps: /dev/shm/shmdemo-[0-9]+-0 \(deleted\)$'
}

t_colour_on_a_terminal_only() {
    "$supervise" -p -- "$SHMDEMO" --synced --delay 0 >tty_out
    grep -q "$(printf '\033')\[36m\[parent" tty_out || fail "no parent colour on a terminal"
    grep -q "$(printf '\033')\[35m *\[child" tty_out || fail "no child colour on a terminal"
    NO_COLOR=1 "$supervise" -p -- "$SHMDEMO" --synced --delay 0 >tty_out
    ! grep -q "$(printf '\033')\[" tty_out || fail "colour despite NO_COLOR"
    demo --synced --delay 0
    ! grep -q "$(printf '\033')" out || fail "colour in a file"
}

t_help_goes_to_stdout_and_exits_0() {
    demo --help
    expect_status 0
    expect_line out '^Usage: shmdemo --racy \| --synced'
    expect_line out '--delay MS'
    [ ! -s err ] || fail "stderr: $(cat err)"
}

t_version_exits_0() {
    demo --version
    expect_status 0
    expect_line out '^shmdemo [0-9]+\.[0-9]+\.[0-9]+$'
}

t_usage_errors_exit_2_with_a_hint() {
    for arguments in "" "--bogus" "-x" "--racy extra" "--racy --delay" \
        "--racy --delay abc" "--racy --synced"; do
        # shellcheck disable=SC2086 # each string is a list of arguments
        demo $arguments
        expect_status 2
        [ ! -s out ] || fail "'$arguments': something on stdout"
        [ "$(wc -l <err)" = 2 ] || fail "'$arguments': stderr is not two lines"
        expect_line err "^shmdemo: "
        expect_line err "^Try 'shmdemo --help' for more information\.$"
    done
    demo
    expect_stderr "shmdemo: choose a mode: --racy or --synced
Try 'shmdemo --help' for more information."
    demo --racy --bogus
    expect_line err "^shmdemo: unknown or ambiguous option '--bogus'$"
    demo --racy --delay 99999
    expect_line err "^shmdemo: --delay: '99999' is not a whole number of milliseconds from 0 to 60000$"
}

t_make_demo_runs_both_modes() {
    make -s -C "$top" demo >out 2>err
    status=$?
    expect_status 0
    [ "$(grep -c '^verdict: ' out)" = 2 ] || fail "two verdicts expected"
    expect_line out '^verdict: full: the child waited on the semaphore'
}

t_make_install_honours_prefix_and_destdir() {
    make -s -C "$top" install DESTDIR="$PWD/stage" PREFIX=/opt/demo >log 2>&1 ||
        fail "install failed: $(cat log)"
    [ -x stage/opt/demo/bin/shmdemo ] || fail "not installed in DESTDIR/PREFIX/bin"
    stage/opt/demo/bin/shmdemo --version >/dev/null || fail "installed copy does not run"
    make -s -C "$top" uninstall DESTDIR="$PWD/stage" PREFIX=/opt/demo >log 2>&1 ||
        fail "uninstall failed: $(cat log)"
    [ ! -e stage/opt/demo/bin/shmdemo ] || fail "uninstall left the program"
}
