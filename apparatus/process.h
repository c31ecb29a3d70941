/* apparatus/process.h: the two processes: the parent's bookkeeping around
 * fork, its sleeps, and its wait for the child.
 *
 * The parent owns "the running child" from fork until it has ended, so
 * that an error, Ctrl-C or q can stop it: nothing is left in the process
 * table, and no PID is signalled once it could belong to someone else.
 * The child never outlives its parent.
 */
#ifndef PROCESS_H
#define PROCESS_H

#include <sys/types.h>

/* Something to do around each fork: BEFORE in the parent just before it,
 * AFTER in both processes right after it (CHILD: 0 in the child). At most
 * 4 pairs; either may be NULL. */
void at_fork(void (*before)(void), void (*after)(pid_t child));

/* Just before fork: stdout written out (fork copies its buffer), and what
 * at_fork registered. */
void before_fork(void);

/* Right after fork, in both. In the parent (CHILD > 0): CHILD is running,
 * and ours to stop. In the child (CHILD == 0): speak in the child's lane,
 * and never outlive PARENT (a dead parent would never post the semaphore). */
void after_fork(pid_t child, pid_t parent);

/* Sleep; a signal does not cut the sleep short, but a stop signal ends the
 * run, and a child that failed ends the demo at once. */
void pause_us(long long microseconds);
void pause_ms(long milliseconds);

/* A stop signal ends the run; a child that has ended with status 1 (it
 * failed, and said why) ends the demo. The child is not reaped here. */
void check_on_child(void);

/* Wait until the running child has ended, without reaping it: waitpid
 * then reaps it at once. From here on its PID is not ours to signal. A
 * stop signal still ends the run (and the child) while we wait. */
void wait_until_child_ends(void);

#endif
