# tests/t_demo.sh: the classroom demo, one narrated run, as a user sees it.
# Sourced by tests/run.sh; each t_... function is one test.
# shellcheck shell=sh disable=SC2154,SC2034 # $status, $SHMDEMO... come from run.sh

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

t_racy_default_delay_is_a_second_before_the_write() {
    # The parent does 1000 ms of "other work" before writing; the child
    # reads at once. Whether it really reads first is up to timing (a
    # steered run shows it for certain, see t_steer.sh): this checks the
    # second, which a sleep can only make longer, and that the verdict
    # names the table the child printed.
    demo --racy
    expect_status 0
    expect_line out '^\[parent [0-9]+\] +[0-9.]+  doing other work for 1000 ms$'
    wrote=$(sed -n 's/^\[parent [0-9]*\] *\([0-9]*\)\.[0-9]  wrote "Ala ma kota".*/\1/p' out)
    [ -n "$wrote" ] && [ "$wrote" -ge 1000 ] ||
        fail "the parent wrote at '$wrote' ms, before its 1000 ms of other work"
    case $(child_table) in
    "_|_|_|_|_|_|_|_|_|_|_") expected=empty ;;
    "A|l|a| |m|a| |k|o|t|a") expected=full ;;
    *) expected=torn ;;
    esac
    [ "$(verdict_word)" = "$expected" ] ||
        fail "table '$(child_table)' but verdict '$(verdict_word)'"
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
        # The last paragraph: "verdict: WORD: why", wrapped.
        last=$(awk '/^$/ { text = ""; next } { text = text $0 "\n" } END { printf "%s", text }' out)
        say "$last" | head -n 1 | grep -E -q '^verdict: (full|empty|torn): ' ||
            fail "$mode: the last paragraph is not the verdict: $last"
        ! say "$last" | sed 1d | grep -q -v '^  ' ||
            fail "$mode: the verdict is not the last thing printed"
        case $(say "$last" | tr '\n' ' ' | tr -s ' ') in
        *"nothing made the child wait for the parent."* | *"posted only after writing the whole message."*) ;;
        *) fail "$mode: the verdict gives no reason: $last" ;;
        esac
    done
}

t_parent_and_child_see_the_region_at_the_same_address() {
    demo --synced --delay 0
    expect_status 0
    parent_address=$(sed -n 's/^\[parent.*table at \(0x[0-9a-f]*\):$/\1/p' out)
    child_address=$(sed -n 's/^ *\[child.*table at \(0x[0-9a-f]*\):$/\1/p' out)
    mmap_address=$(sed -n '/mmap(/,/ = 0x/s/.* = \(0x[0-9a-f]*\)$/\1/p' out | head -n 1)
    [ -n "$parent_address" ] && [ "$parent_address" = "$child_address" ] ||
        fail "parent's table at '$parent_address', child's at '$child_address'"
    [ "$parent_address" = "$mmap_address" ] ||
        fail "mmap returned '$mmap_address', the table is at '$parent_address'"
}

t_system_calls_are_narrated_in_call_order() {
    demo --synced --delay 100
    expect_status 0
    # The first line that names each call, in the order they appear.
    order=$(grep -o -E '(shm_open|ftruncate|posix_fallocate|mmap|close|shm_unlink|sem_open|sem_unlink|fork|sem_wait|sem_post|waitpid)\(' out |
        awk '!seen[$0]++' | tr -d '(' | tr '\n' ' ')
    # posix_fallocate only where the system has it; the child may print
    # its sem_wait line before the parent prints fork's result.
    order=$(say "$order" | sed 's/posix_fallocate //')
    case $order in
    "shm_open ftruncate mmap close shm_unlink sem_open sem_unlink fork sem_wait sem_post waitpid " | \
        "shm_open ftruncate mmap close shm_unlink sem_open sem_unlink sem_wait fork sem_post waitpid ") ;;
    *) fail "calls narrated in this order: $order" ;;
    esac
    pid=$(parent_pid)
    expect_line out "shm_open\(\"/shmdemo-$pid-mem\", O_CREAT\|O_EXCL\|O_RDWR,"
    expect_line out "sem_open\(\"/shmdemo-$pid-sem\", O_CREAT\|O_EXCL, 0600, 0\)"
    # The child's wait ends only after the parent's post began.
    post=$(grep -n 'sem_post(sem) \.\.\.' out | cut -d: -f1)
    waited=$(grep -n 'sem_wait(sem) = 0' out | cut -d: -f1)
    [ -n "$post" ] && [ -n "$waited" ] && [ "$waited" -gt "$post" ] ||
        fail "sem_wait returned (line $waited) before sem_post (line $post)"
}

t_the_region_and_the_semaphore_have_different_names() {
    demo --synced --delay 0
    expect_status 0
    region=$(sed -n 's/.*shm_open("\([^"]*\)".*/\1/p' out)
    semaphore=$(sed -n 's/.*sem_open("\([^"]*\)".*/\1/p' out)
    [ "$region" = "/shmdemo-$(parent_pid)-mem" ] || fail "region named '$region'"
    [ "$semaphore" = "/shmdemo-$(parent_pid)-sem" ] || fail "semaphore named '$semaphore'"
}

t_racy_mode_creates_no_semaphore() {
    demo --racy --delay 0
    expect_status 0
    expect_no_line out 'sem_(open|unlink|wait|post)'
    expect_line out 'not waiting for the parent'
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

t_every_line_fits_in_80_columns_in_a_file() {
    for mode in --racy --synced; do
        demo $mode --delay 0
        expect_status 0
        awk 'length($0) > 80 { print; bad = 1 } END { exit bad }' out ||
            fail "$mode: lines longer than 80 columns"
    done
}

# on_terminal COLUMNS ARGUMENT...: run shmdemo on a pseudo-terminal that
# many columns wide; its output, without carriage returns, goes to out.
on_terminal() {
    columns=$1
    shift
    "$supervise" -t 20 -p -c "$columns" -- "$SHMDEMO" "$@" | tr -d '\r' >out
}

# no_colour FILE: FILE without its colour codes.
no_colour() { sed "s/$(printf '\033')\[[0-9;]*m//g" "$1"; }

t_lines_fit_a_60_and_a_100_column_terminal() {
    for columns in 60 100; do
        for mode in --racy --synced; do
            NO_COLOR=1 on_terminal "$columns" $mode --delay 0 --write-delay 100
            awk -v w="$columns" 'length($0) > w { print; bad = 1 } END { exit bad }' out ||
                fail "$mode: lines wider than $columns columns"
            # The table and each short call stay whole, on one line.
            grep -E -q '\[child .*  [A-Za-z_ ](\|[A-Za-z_ ]){10}$' out ||
                fail "$columns columns, $mode: the table is not whole on one line"
            [ "$mode" = --racy ] || grep -q 'sem_wait(sem) = 0$' out ||
                fail "$columns columns: sem_wait(sem) = 0 is split"
            # The child's lane is still to the right of the parent's.
            grep -E -q '^ {2,}\[child ' out || fail "$columns columns: no child lane"
            # A line broken in a call breaks after a comma or before " = ".
            grep -E '^ *\[(parent|child) *[0-9]+\] +[0-9.]+  [a-z_]+\(' out |
                grep -v -E '\)( = .*|: .*| \.\.\..*)?$|,$' >broken
            [ ! -s broken ] || fail "a call broken inside a word: $(cat broken)"
        done
    done
    NO_COLOR=1 on_terminal 100 --synced --delay 0
    grep -E -q '^ {26}\[child ' out || fail "100 columns: the child's lane moved"
    NO_COLOR=1 on_terminal 60 --synced --delay 0
    grep -E -q '^ {10,16}\[child ' out || fail "60 columns: the child's lane is not narrowed"
}

t_a_terminal_too_narrow_for_two_lanes_says_so() {
    NO_COLOR=1 on_terminal 40 --synced --delay 0
    expect_line out '40 columns are too few for the two lanes, which need [0-9]+: lines will wrap'
    expect_line out '^verdict: full'
}

t_colour_marks_tags_calls_and_the_table_on_a_terminal_only() {
    esc=$(printf '\033')
    TERM=xterm on_terminal 80 --synced --delay 0
    grep -q "^$esc\[1;34m\[parent [0-9]*\]$esc\[0m " out || fail "no colour on the parent's tag"
    grep -q "$esc\[1;35m\[child  [0-9]*\]$esc\[0m " out || fail "no colour on the child's tag"
    grep -q "  $esc\[1mshm_open$esc\[22m(" out || fail "the call shm_open is not bold"
    grep -q "$esc\[1m  A|l|a| |m|a| |k|o|t|a$esc\[22m" out || fail "the table is not bold"
    ! grep -q "$esc\[3[0-9]m" out || fail "whole lines in a colour of their own"
    NO_COLOR=1 TERM=xterm on_terminal 80 --synced --delay 0
    ! grep -q "$esc\[" out || fail "colour despite NO_COLOR"
    TERM=dumb on_terminal 80 --synced --delay 0
    ! grep -q "$esc\[" out || fail "colour on TERM=dumb"
    TERM=xterm demo --synced --delay 0
    ! grep -q "$esc" out || fail "colour in a file"
}

t_help_goes_to_stdout_and_exits_0() {
    for option in --help -h; do
        demo $option
        expect_status 0
        expect_line out '^Usage: shmdemo --racy \| --synced'
        expect_line out '--schedule LIST'
        expect_line out '--map-private'
        [ ! -s err ] || fail "stderr: $(cat err)"
    done
}

t_version_exits_0() {
    for option in --version -V; do
        demo $option
        expect_status 0
        expect_line out '^shmdemo [0-9]+\.[0-9]+\.[0-9]+$'
    done
}

t_usage_errors_exit_2_with_a_hint() {
    for arguments in "" "--bogus" "-x" "--racy extra" "--racy --delay" \
        "--racy --delay abc" "--racy --synced" "--racy=5" "--synced --child-sleep 5"; do
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
    demo --racy=5
    expect_line err "^shmdemo: option '--racy' takes no value$"
    demo --synced --step=1
    expect_line err "^shmdemo: option '--step' takes no value$"
    demo --racy --delay=
    expect_line err "^shmdemo: --delay: '' is not a whole number"
}

t_echoed_arguments_are_escaped_and_clipped_on_a_character() {
    esc=$(printf '\033')
    demo "--${esc}]0;PWNED$(printf '\007')"
    expect_status 2
    ! grep -q "$esc" err || fail "an escape character was echoed raw"
    expect_line err "^shmdemo: unknown or ambiguous option '--\\\\e\]0;PWNED\\\\x07'$"
    demo --racy --delay "$(printf '1\n2')"
    [ "$(wc -l <err)" = 2 ] || fail "a newline split the message: $(cat err)"
    expect_line err "'1\\\\n2' is not a whole number"
    # 30 two-byte characters: clipped after 24 of them, never in one.
    long=$(printf 'ż%.0s' 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30)
    demo --racy --delay "$long"
    expect_line err "'(ż){24}\.\.\.' is not a whole number"
    demo --racy --schedule "ppż"
    expect_line err "^shmdemo: --schedule: 'ż' is not p \(the parent\) or c \(the child\)$"
}

t_runs_and_plurals_read_right() {
    demo --synced --runs 1
    expect_status 0
    expect_line out 'running the experiment 1 time\.\.\.$'
    expect_line out '^verdict: 1 of 1 run saw the full message'
    demo --synced --runs 2
    expect_line out 'running the experiment 2 times\.\.\.$'
    expect_line out '^verdict: 2 of 2 runs saw the full message'
}

t_a_long_runs_says_how_long_before_it_starts() {
    # 10,000,000 runs of a 60 s delay: about 19 years, said before the
    # runs begin.
    # Ctrl-C once the estimate shows (hang guard 20 s, if it never does).
    "$supervise" -t 20 -p -m 'this will take' -K '^C' -- "$SHMDEMO" --racy --runs 10000000 --delay 60000 | tr -d '\r' >out
    expect_line out 'from the delays alone, this will take 19 years more \(Ctrl-C stops it'
    demo --racy --runs 100
    expect_no_line out 'this will take'
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
    # Steered so that the order is certain: the child starts its sem_wait
    # and is reported blocked before the parent writes and posts. Written
    # to a file, the child's line must still come first (not held in a
    # buffer until it exits); and each process's own times never go back.
    # (Between the two processes, load decides whose line is first when
    # nothing orders them: that is not checked.)
    demo --synced --schedule c
    expect_status 0
    waiting=$(grep -n '\[child .*sem_wait(sem) \.\.\.$' out | head -n 1 | cut -d: -f1)
    posting=$(grep -n '^\[parent .*sem_post(sem) \.\.\.' out | head -n 1 | cut -d: -f1)
    [ -n "$waiting" ] && [ -n "$posting" ] && [ "$waiting" -lt "$posting" ] ||
        fail "the child's sem_wait on line $waiting, the parent's post on line $posting"
    for role in parent child; do
        sed '/^$/,$d' out | grep "^ *\[$role " |
            sed 's/^ *\[[a-z]* *[0-9]*\] *\([0-9.]*\) .*/\1/' |
            awk 'NR > 1 && $1 < last { bad = 1 } { last = $1 } END { exit bad }' ||
            fail "the $role's lines are out of time order"
    done
}

# A copy of the tree as make left it: sources, objects, shmdemo and the
# record of the build's flags, times kept; make there, given the variables
# of the suite's build, finds shmdemo up to date and builds nothing (and
# never touches the binary under test).
copy_built_tree() {
    mkdir -p src/apparatus src/build
    cp -p "$top"/*.c "$top"/*.h "$top"/*.o "$top"/Makefile "$top"/shmdemo \
        "$top"/.build-flags src/ || fail "could not copy the built tree"
    cp -p "$top"/apparatus/*.c "$top"/apparatus/*.h "$top"/apparatus/*.o \
        src/apparatus/ || fail "could not copy the built tree"
    cp -p "$top"/build/*.sh src/build/ || fail "could not copy the built tree"
}

# make_in_copy TARGET VARIABLE=VALUE...: make in the copy, with the make
# variables of the suite's build (make test passes them).
make_in_copy() {
    make -C src CC="$CC" CFLAGS="${MAKE_CFLAGS-$CFLAGS}" \
        CPPFLAGS="${MAKE_CPPFLAGS-}" LDFLAGS="$LDFLAGS" \
        LDLIBS="${MAKE_LDLIBS-}" "$@"
}

t_make_demo_runs_both_modes() {
    copy_built_tree
    make_in_copy demo >out 2>err
    status=$?
    expect_status 0
    [ "$(grep -c '^verdict: ' out)" = 2 ] || fail "two verdicts expected"
    expect_line out '^verdict: full: the child read after the parent wrote'
    expect_line out '^\./shmdemo --racy$'
    expect_line out '^\./shmdemo --synced$'
}

t_make_install_honours_prefix_and_destdir() {
    copy_built_tree
    make_in_copy install DESTDIR="$PWD/stage" PREFIX=/opt/demo >log 2>&1 ||
        fail "install failed: $(cat log)"
    [ -x stage/opt/demo/bin/shmdemo ] || fail "not installed in DESTDIR/PREFIX/bin"
    cmp -s stage/opt/demo/bin/shmdemo src/shmdemo || fail "installed a different program"
    stage/opt/demo/bin/shmdemo --version >/dev/null || fail "installed copy does not run"
    make_in_copy uninstall DESTDIR="$PWD/stage" PREFIX=/opt/demo >log 2>&1 ||
        fail "uninstall failed: $(cat log)"
    [ ! -e stage/opt/demo/bin/shmdemo ] || fail "uninstall left the program"
}

t_bundled_short_options_and_c1_controls_are_reported_as_typed() {
    demo --racy -xy
    expect_status 2
    expect_line err "^shmdemo: unknown option '-x'$"
    # U+009B (CSI) in UTF-8 is a control character too: never echoed raw.
    demo --racy --delay "$(printf '\302\2332J')"
    expect_status 2
    ! grep -q "$(printf '\302\233')" err || fail "a C1 control character was echoed raw"
    expect_line err "'\\\\xc2\\\\x9b2J' is not a whole number"
}
