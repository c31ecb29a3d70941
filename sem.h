/* sem.h: a named POSIX semaphore, created and unlinked at once.
 *
 * The semaphore outlives its name: a child made by fork() inherits it open,
 * so nobody needs to open it by name again, and nothing is left in /dev/shm.
 */
#ifndef SEM_H
#define SEM_H

#include <semaphore.h>

#include "apparatus/basics.h" /* PRINTF_LIKE: narrated formats checked */

/* How many names named_sem_create tries before it gives up on EEXIST. */
#define SEM_NAME_TRIES 10

/* One open semaphore; name is kept only to narrate what happened. */
struct named_sem {
    char name[32];           /* "/shmdemo-PID-sem" */
    sem_t *handle;           /* what sem_open returned */
    const char *failed_call; /* on failure: the call that failed */
};

/* Create a semaphore with value 0: sem_open under a fresh name with
 * O_CREAT|O_EXCL and mode 0600 (an existing name is never opened: the next
 * name is tried), then sem_unlink. Each call is reported through NARRATE
 * (which may be NULL). Returns 0, or -1 with errno set and sem->failed_call
 * naming the call, leaving nothing behind. */
int named_sem_create(struct named_sem *sem,
                     void (*narrate)(const char *format, ...)
                         PRINTF_LIKE(1, 2));

#endif
