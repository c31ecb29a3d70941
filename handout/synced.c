/* synced.c: racy.c fixed: a named semaphore makes the child wait.
 * The parent calls sem_post only after writing all of "Ala ma kota", and the
 * child reads only after sem_wait: it prints A|l|a| |m|a| |k|o|t|a each time.
 * Build: make handout/synced (or: cc -std=c11 -pthread synced.c -o synced -lrt)
 * Run:   handout/synced      (and see: diff handout/racy.c handout/synced.c)
 */
#define _POSIX_C_SOURCE 200809L
#include <err.h>
#include <fcntl.h>
#include <semaphore.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MESSAGE "Ala ma kota"
#define SIZE (sizeof MESSAGE - 1) /* 11 bytes: no terminating zero */

int main(void)
{
    char mem_name[64], sem_name[64];
    snprintf(mem_name, sizeof mem_name, "/handout-%ld-mem", (long)getpid());
    snprintf(sem_name, sizeof sem_name, "/handout-%ld-sem", (long)getpid());

    /* Create the object and remove its name at once: the descriptor keeps
     * it, and nothing is left in /dev/shm even if we are killed. */
    int fd = shm_open(mem_name, O_CREAT | O_EXCL | O_RDWR, 0600);
    if (fd == -1)
        err(1, "shm_open");
    if (shm_unlink(mem_name) == -1)
        err(1, "shm_unlink");
    if (ftruncate(fd, SIZE) == -1) /* the new bytes are zero */
        err(1, "ftruncate");
    char *table = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (table == MAP_FAILED)
        err(1, "mmap");

    /* At 0, sem_wait blocks until a sem_post. Unlinked at once, as above. */
    sem_t *ready = sem_open(sem_name, O_CREAT | O_EXCL, 0600, 0);
    if (ready == SEM_FAILED)
        err(1, "sem_open");
    if (sem_unlink(sem_name) == -1)
        err(1, "sem_unlink");

    if (fflush(stdout) == EOF) /* or the child would print it again */
        err(1, "fflush");
    pid_t child = fork(); /* the child inherits the mapping: one page */
    if (child == -1)
        err(1, "fork");
    if (child == 0) {
        /* What the parent wrote before its sem_post, the child sees after
         * its sem_wait (POSIX.1-2017, XBD 4.12 Memory Synchronization). */
        if (sem_wait(ready) == -1)
            err(1, "sem_wait");
        char seen[SIZE];
        memcpy(seen, table, SIZE);
        for (size_t i = 0; i < SIZE; i++) /* a zero byte shows as '_' */
            printf("%c%c", seen[i] ? seen[i] : '_', i + 1 < SIZE ? '|' : '\n');
        if (fflush(stdout) == EOF) /* _exit does not flush */
            err(1, "fflush");
        _exit(0);
    }

    /* The same 100 ms of other work as in racy.c: now the child waits. */
    struct timespec other_work = {.tv_nsec = 100000000}; /* 100 ms */
    if (nanosleep(&other_work, NULL) == -1)
        err(1, "nanosleep");
    for (size_t i = 0; i < SIZE; i++)
        table[i] = MESSAGE[i];
    if (sem_post(ready) == -1) /* after the last write */
        err(1, "sem_post");
    if (sem_close(ready) == -1)
        err(1, "sem_close");
    int status;
    if (waitpid(child, &status, 0) == -1)
        err(1, "waitpid");
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}
