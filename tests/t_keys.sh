# tests/t_keys.sh: the keyboard at the prompt of --step, on a real
# pseudo-terminal, as a class meets it: Ctrl-Z then fg, Ctrl-D and the end
# of input, the escape sequences of arrows, function keys, the keypad and
# Alt, keys typed ahead, a terminal that takes no escape codes, a narrow
# one; q while the parent waits for something else (a delay, the child's
# step), and a stop signal at the prompt or before q. Sourced by
# tests/run.sh; each t_... function is one test.
# shellcheck shell=sh disable=SC2154,SC2034 # $status, $SHMDEMO... come from run.sh

# keys_on_terminal KEYS OPTIONS COMMAND...: run COMMAND on a pseudo-terminal
# of its own, typing the next of KEYS each time the terminal shows "[q] quit"
# (or $keys_marker, if set) once more (supervise -K: "^Z" is Ctrl-Z, "(...)"
# is typed at once). OPTIONS: more options of supervise, one word ("" for
# none). What the terminal showed goes to screen, the exit status to
# $status. The time limit is only a hang guard: each run here ends in about
# a second, and one that does not is a failure, never a pass.
keys_on_terminal() {
    keys=$1 options=$2
    shift 2
    # shellcheck disable=SC2086 # OPTIONS is a list of options
    NO_COLOR=1 "$supervise" -t 10 -p $options -m "${keys_marker:-[q] quit}" \
        -K "$keys" -- "$@" >screen 2>err
    status=$?
    [ "$status" != 1 ] || ! grep -q 'pseudo-terminal' err ||
        skip "no pseudo-terminal here: $(cat err)"
    [ "$status" != 124 ] || {
        say "--- the terminal showed:"
        tr '\r' '\n' <screen | tail -n 5
        fail "no end within 10 s (hang guard) after keys $keys"
    }
}

# keys_step KEYS OPTIONS ARGUMENT...: shmdemo ARGUMENT... --step on a
# pseudo-terminal whose TERM takes escape codes, as keys_on_terminal.
keys_step() {
    keys=$1 options=$2
    shift 2
    keys_on_terminal "$keys" "$options" env TERM=xterm "$SHMDEMO" "$@" --step
}

# keys_prompts: each prompt the terminal was shown (the text after ESC [K,
# up to the next carriage return), one a line, with its trailing space.
keys_prompts() {
    tr '\r' '\n' <screen | sed -n -E "s/^${escape}\[K((next: |keys: |\[p\] ).*)/\1/p"
}

# keys_rows: what stays on each line of the terminal once it has scrolled
# away: a carriage return starts the line again, and ESC [K erases it.
keys_rows() {
    sed -e "s/$carriage\$//" -e "s/.*$carriage//" -e "s/$escape\[K//g" screen
}

# keys_turns: the letters of the turns taken, in order ("pppc").
keys_turns() {
    keys_rows | sed -n "s/^------ \([pcq]\): .*/\1/p" | tr -d '\n'
}

t_keys_ctrl_z_gives_the_terminal_back_and_fg_takes_it_again() {
    # Three steps, Ctrl-Z (byte 26) at the fourth prompt, then the rest.
    # supervise -j is the user's shell: it sees the job stop, notes the
    # terminal's mode, puts its own settings back (as a shell does), and
    # continues the job in the foreground (fg, SIGCONT).
    keys_step 'ppp^Zppppppppc' -j --racy
    expect_status 0
    grep -q 'supervise: job stopped by signal [0-9]*; it left the terminal in line mode' screen ||
        fail "Ctrl-Z stopped shmdemo with the terminal not restored: $(grep -a 'supervise:' screen)"
    # fg: the same prompt again, once, before the next step.
    tr '\r' '\n' <screen | sed -n '/supervise: job stopped/,/------ p/p' |
        sed -n "s/^${escape}\[K\(next: .*\)/\1/p" >again
    [ "$(cat again)" = "next: [p] write ' ' into table[3]  [c] read the table  [q] quit " ] ||
        fail "after fg the prompt was not drawn again once: '$(cat again)'"
    # The keys after fg were taken one at a time without Enter (the run
    # went to its end) and were not echoed.
    [ "$(keys_turns)" = pppppppppppc ] ||
        fail "turns taken: $(keys_turns), expected 11 p then c"
    expect_line screen '^.*verdict: full'
    ! grep -q 'quit [pc]' screen || fail "a key was echoed after fg"
}

t_keys_ctrl_d_ends_like_q() {
    # At the prompt, where the terminal has no line mode: Ctrl-D is a byte.
    keys_step 'pp^D' "" --racy
    expect_status 0
    keys_rows >out
    expect_line out '^------ q: stopped; the child is stopped too$'
    expect_line out '^stopped with q before the end: no verdict\.$'
    expect_no_line out '^verdict:'
    [ "$(keys_turns)" = ppq ] || fail "turns taken: $(keys_turns), expected ppq"
    expect_ended "$(child_pid out)"
    # Before shmdemo starts, in line mode (supervise -I): the terminal keeps
    # it as the end of the input, which the first prompt must see.
    NO_COLOR=1 TERM=xterm "$supervise" -t 10 -p -I '^D' -- "$SHMDEMO" \
        --racy --step >screen 2>err
    status=$?
    [ "$status" != 124 ] || fail "Ctrl-D typed before the start: no end within 10 s (hang guard)"
    expect_status 0
    keys_rows >out
    expect_line out '^stopped with q before the end: no verdict\.$'
    [ "$(keys_turns)" = q ] || fail "turns taken: $(keys_turns), expected q"
    expect_ended "$(child_pid out)"
}

t_keys_the_end_of_input_ends_like_q_under_script() {
    # script(1) (util-linux) types Ctrl-D on its terminal when its own
    # input ends; here it ends at once.
    script -qc true /dev/null </dev/null >/dev/null 2>&1 ||
        skip "no script(1) of util-linux (script -qc COMMAND FILE) here"
    "$supervise" -t 10 -- script -qc "$SHMDEMO --racy --step" /dev/null \
        </dev/null >screen 2>err
    status=$?
    [ "$status" != 124 ] || fail "hang guard: --step did not end within 10 s at the end of input"
    expect_status 0
    keys_rows >out
    expect_line out '^stopped with q before the end: no verdict\.$'
    expect_ended "$(child_pid out)"
}

t_keys_escape_sequences_are_read_whole_and_ignored_with_a_hint() {
    # After the first step: the up arrow, F5, F1, the keypad's 1 and 0 in
    # keypad mode (ESC O q, ESC O p), Alt-c, and a lone ESC; each typed at
    # once, as a terminal sends it. None of them is a key of --step: q, p
    # and c inside them do nothing.
    keys_step 'p(^[[A)(^[[15~)(^[OP)(^[Oq)(^[Op)(^[c)^[ppcpppppppp' "" --racy
    expect_status 0
    [ "$(keys_turns)" = pppcpppppppp ] ||
        fail "turns taken: $(keys_turns), expected pppc then 8 p"
    keys_rows >out
    expect_table "A|l|a|_|_|_|_|_|_|_|_"
    # Each ignored key: the hint once, on the prompt's line.
    hints=$(keys_prompts | grep -c '^keys: p c q  \[p\] write .l. into table\[1\]  \[c\] read the table  \[q\] quit $')
    [ "$hints" = 7 ] || fail "$hints hints for 7 ignored keys: $(keys_prompts)"
    expect_no_line out 'keys: p c q' # no line of it stays on the screen
}

t_keys_typed_ahead_are_taken_in_order_and_never_reach_the_shell() {
    # 17 keys at the first prompt, all at once: 11 p, c, and 5 more than
    # the run needs. The shell around shmdemo then reads what is left.
    keys_on_terminal '(pppppppppppcppppp)' "" env TERM=xterm sh -c '
        "$0" --racy --step; echo $? >inner
        stty -icanon min 0 time 0; dd bs=64 count=1 of=left 2>/dev/null' \
        "$SHMDEMO"
    [ "$status" = 0 ] && [ "$(cat inner)" = 0 ] ||
        fail "status $status, shmdemo's $(cat inner): $(cat err)"
    keys_rows >out
    [ "$(keys_turns)" = pppppppppppc ] ||
        fail "turns taken: $(keys_turns), expected 11 p then c"
    [ "$(sed -n "s/^------ p: the parent's turn: write '\(.\)' .*/\1/p" out | tr -d '\n')" = "Ala ma kota" ] ||
        fail "the writes were not in order: $(grep '^------ p' out)"
    expect_line out '^verdict: full'
    [ -f left ] && [ ! -s left ] ||
        fail "keys left for the shell after shmdemo: '$(cat left)'"
}

t_keys_a_terminal_without_escape_codes_gets_none() {
    # TERM=dumb, and no TERM at all: each prompt is a line of its own.
    for term in dumb unset; do
        if [ "$term" = unset ]; then
            keys_on_terminal pppcpppppppp "" env -u TERM "$SHMDEMO" --racy --step
        else
            keys_on_terminal pppcpppppppp "" env TERM=dumb "$SHMDEMO" --racy --step
        fi
        expect_status 0
        ! grep -q "$escape" screen ||
            fail "TERM $term: escape codes written: $(grep -a "$escape" screen | head -n 3 | od -c | head -n 5)"
        tr -d '\r' <screen >out
        expect_line out "^next: \[p\] write 'A' into table\[0\]  \[c\] read the table  \[q\] quit$"
        expect_table "A|l|a|_|_|_|_|_|_|_|_"
    done
}

t_keys_the_prompt_fits_terminals_of_20_to_27_columns() {
    # A wrapped prompt leaves its first part behind: \r and ESC [K erase
    # only the last line. x is a key that does nothing: its hint must fit
    # too. The keys are never cut.
    for columns in 20 21 22 23 24 25 26 27; do
        keys_step pxppcpppppppp "-c $columns" --racy
        expect_status 0
        keys_prompts >shown
        [ "$(grep -c 'keys: ' shown)" = 1 ] || fail "$columns columns: no hint shown"
        awk -v room=$((columns - 1)) 'length($0) > room || !/\[q\] quit $/ {
            print length($0) ": " $0; bad = 1 } END { exit bad }' shown >wide ||
            fail "$columns columns: prompts longer than $((columns - 1)) or without [q] quit: $(cat wide)"
        keys_rows >out
        expect_no_line out '\[q\] quit'
        expect_table "A|l|a|_|_|_|_|_|_|_|_"
    done
}

# keys_child_said: the child's lines (its lane), as they stay on screen.
keys_child_said() {
    keys_rows | grep '^ *\[child '
}

# keys_after_turn LETTER: what the terminal kept after the last turn mark
# of LETTER ("p"), up to the end.
keys_after_turn() {
    keys_rows | sed -n "/^------ $1: /,\$p" | sed 1d
}

t_keys_q_acts_at_once_in_a_write_delay_after_60_c_at_a_blocked_step() {
    # c blocks the child in sem_wait. At the next prompt, at once: 60 c,
    # then p, then 60 c and q. The first 60 c are taken in order at the
    # prompt, each told as blocked; p writes 'A' and begins an 8 s write
    # delay, in which the other keys are read: the 60 c wait for the next
    # prompt, and q ends the run at once. So that prompt never comes, nor
    # any of those 60 c: the delay never finished.
    c60=cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc
    keys_step "c(${c60}p${c60}q)" "" --synced --write-delay 8000
    keys_rows >out
    expect_status 0
    [ "$(keys_turns)" = "c${c60}pq" ] ||
        fail "turns taken: $(keys_turns), expected c, 60 c, p, q"
    [ "$(grep -c '^------ c: the child is blocked in sem_wait: nothing has been posted$' out)" = 60 ] ||
        fail "not 60 c told as blocked: $(grep -c '^------ c:' out) c marks"
    keys_after_turn p >after
    [ "$(cat after)" = "------ q: stopped; the child is stopped too

stopped with q before the end: no verdict." ] ||
        fail "after p's turn, more than q's end: $(cat after)"
    [ "$(keys_prompts | grep -c "write 'l' into table\[1\]")" = 0 ] ||
        fail "the prompt after the write delay was shown: q waited for the delay"
    expect_ended "$(child_pid out)"
}

t_keys_q_acts_at_once_in_a_child_sleep_step() {
    # c, c and q at once at the first prompt. The first c lets the child
    # begin its 8 s sleep; the parent waits for the step to end, and reads
    # the second c (for the next prompt) and q meanwhile: q ends the run at
    # once. The child never reads the table: its sleep never finished, and
    # the second c was never taken.
    keys_step '(ccq)' "" --racy --child-sleep 8000
    keys_rows >out
    expect_status 0
    [ "$(keys_turns)" = cq ] || fail "turns taken: $(keys_turns), expected cq"
    expect_line out "^------ c: the child's turn: sleep 8000 ms$"
    expect_line out '^stopped with q before the end: no verdict\.$'
    ! keys_child_said | grep -q 'table at' ||
        fail "the child read the table: q waited for its 8 s sleep: $(keys_child_said)"
    [ "$(keys_prompts | wc -l)" = 1 ] ||
        fail "$(keys_prompts | wc -l) prompts, expected 1: q waited for the sleep"
    expect_ended "$(child_pid out)"
}

t_keys_a_question_typed_during_a_step_is_answered_at_the_next_prompt() {
    # c and ? at once: the child sleeps 300 ms in its step while ? waits;
    # at the next prompt ? is answered first (nothing is written yet: the
    # child's read gives empty), then q ends the run.
    keys_step '(c?)q' "" --racy --child-sleep 300
    keys_rows >out
    expect_status 0
    expect_line out '^------ \?: p -> .*, c -> empty$'
    [ "$(keys_turns)" = cq ] || fail "turns taken: $(keys_turns), expected cq"
}

t_keys_q_acts_at_once_in_the_parents_delay() {
    # c and q while the parent does 8 s of other work, before its first
    # step (no prompt yet): q ends the run at once; c was never taken.
    keys_marker='doing other work for 8000 ms'
    keys_step '(cq)' "" --racy --delay 8000
    keys_rows >out
    expect_status 0
    [ "$(keys_turns)" = q ] || fail "turns taken: $(keys_turns), expected q"
    expect_line out '^stopped with q before the end: no verdict\.$'
    [ -z "$(keys_prompts)" ] ||
        fail "a prompt was shown: q waited for the delay: $(keys_prompts)"
    ! keys_child_said | grep -q 'table at' ||
        fail "the child read the table: c was taken after the delay"
    expect_ended "$(child_pid out)"
}

# keys_can_inject: strace is here and can deliver a signal on entry to a
# system call (-e inject=...:signal=, strace 4.16 and later, ptrace
# allowed); else the test skips.
keys_can_inject() {
    command -v strace >/dev/null 2>&1 || skip "no strace here to land a signal at a chosen call"
    strace -o /dev/null -e trace=kill -e inject=kill:signal=TERM \
        sh -c 'kill -0 $$; echo survived' >/dev/null 2>&1
    [ $? = 143 ] || skip "strace cannot inject a signal here (-e inject=...:signal=; ptrace may be denied)"
}

# keys_traced KEYS STRACE_OPTIONS ARGUMENT...: shmdemo ARGUMENT... --step
# under strace with STRACE_OPTIONS (one word), on a pseudo-terminal, as
# keys_on_terminal. strace runs the binary itself, not the wrapper that
# notes its PID (a shell before it would share strace's counts of calls,
# and under -m32 count apart), so the PID is noted here, from what it
# printed. LeakSanitizer cannot work under ptrace (make check's sanitizer
# build): it is turned off there.
keys_traced() {
    keys=$1 trace=$2
    shift 2
    # shellcheck disable=SC2086 # STRACE_OPTIONS is a list of options
    keys_on_terminal "$keys" "" env TERM=xterm \
        ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
        strace $trace "$real_shmdemo" "$@" --step
    traced=$(keys_rows | sed -n 's/^\[parent \([0-9]*\)\].*/\1/p' | head -n 1)
    [ -z "$traced" ] || echo "$traced" >>"$SHMDEMO_PIDS"
}

t_keys_a_stop_signal_at_the_prompt_ends_the_run() {
    # SIGTERM while the prompt waits for a key.
    NO_COLOR=1 "$supervise" -t 10 -p -- env TERM=xterm "$SHMDEMO" --racy \
        --step >screen 2>err &
    watcher=$!
    wait_for_line screen '\[q\] quit'
    pid=$(keys_rows | sed -n 's/^\[parent \([0-9]*\)\].*/\1/p' | head -n 1)
    [ -n "$pid" ] || fail "no parent PID on the terminal: $(keys_rows | head -n 3)"
    kill -TERM "$pid"
    wait "$watcher"
    status=$?
    keys_rows >out
    [ "$status" != 124 ] || fail "SIGTERM at the prompt: no end within 10 s (hang guard)"
    expect_status 143
    expect_no_line out '^------ q:'
    expect_ended "$(child_pid out)"
}

t_keys_a_stop_signal_just_before_the_prompts_wait_is_not_lost() {
    # SIGTERM landing between the prompt's last look at the signals and
    # its wait for a key: strace delivers it on entry to the ioctl that
    # reads the terminal's width for the second prompt (after c the child
    # has no steps left, so nothing else would end that wait). The count
    # of ioctl calls up to there is taken from a run without the signal.
    keys_can_inject
    keys_traced cq "-o dry -e trace=ioctl,read" --racy
    keys_rows >out
    expect_status 0
    # The last width ioctl before the q is read (a C library may ask for
    # the width elsewhere too: musl's isatty does), counted among all the
    # ioctl calls, as strace's when= counts them.
    n=$(awk '/^ioctl\(/ { calls++; if (/TIOCGWINSZ/) last = calls }
        /^read\(0, "q"/ { print last; exit }' dry)
    [ -n "$n" ] || fail "no ioctl TIOCGWINSZ before q in the run without the signal: $(head -n 5 dry)"
    keys_traced c "-o /dev/null -e trace=ioctl -e inject=ioctl:signal=TERM:when=$n" --racy
    keys_rows >out
    expect_status 143
    keys_prompts >shown
    grep -q '^next: \[p\] write .A. into table\[0\]  \[c\] (no steps left)  \[q\] quit $' shown ||
        fail "the signal did not land at the second prompt: $(cat shown)"
    expect_ended "$(child_pid out)"
}

t_keys_q_after_a_pending_stop_signal_is_the_signals_exit() {
    # q during the parent's delay, and SIGTERM delivered on entry to the
    # read that takes the q: the signal came first, so the run ends by it
    # (143), not by q (0). strace delivers it; the count of read calls up
    # to the q is taken from a run without the signal.
    keys_can_inject
    keys_marker='doing other work for 8000 ms'
    keys_traced q "-o dry -e trace=read" --racy --delay 8000
    keys_rows >out
    expect_status 0
    # The reads up to the q, counted as strace's when= counts them.
    n=$(awk '/^read\(/ { calls++ } /^read\(0, "q"/ { print calls; exit }' dry)
    [ -n "$n" ] || fail "no read of the q in the run without the signal: $(grep '^read(0' dry)"
    keys_traced q "-o /dev/null -e trace=read -e inject=read:signal=TERM:when=$n" \
        --racy --delay 8000
    keys_rows >out
    expect_status 143
    expect_no_line out '^------ q:'
    expect_no_line out 'stopped with q'
    expect_ended "$(child_pid out)"
}
