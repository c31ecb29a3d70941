/* racy.c: a parent and a child share one page, and nothing orders them.
 * The parent writes "Ala ma kota" into the page; the child reads it at once
 * and prints what it saw, a zero byte as '_': usually _|_|_|_|_|_|_|_|_|_|_.
 * Build: make handout/racy   (or: cc -std=c11 racy.c -o racy -lrt)
 * Run:   handout/racy        (and see synced.c: the same program, fixed)
 */
#define _POSIX_C_SOURCE 200809L
#include <err.h>
#include <fcntl.h>
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
    char mem_name[64];
    snprintf(mem_name, sizeof mem_name, "/handout-%ld-mem", (long)getpid());

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

    if (fflush(stdout) == EOF) /* or the child would print it again */
        err(1, "fflush");
    pid_t child = fork(); /* the child inherits the mapping: one page */
    if (child == -1)
        err(1, "fork");
    if (child == 0) {
        /* Nothing orders this read after the parent's writes: POSIX.1-2017,
         * XBD 4.12 Memory Synchronization, asks for a call such as sem_post
         * and sem_wait between them. Without one this is a data race: the
         * child may see none, some or all of the letters (volatile would
         * not change that: it orders nothing between processes). */
        char seen[SIZE];
        memcpy(seen, table, SIZE);
        for (size_t i = 0; i < SIZE; i++) /* a zero byte shows as '_' */
            printf("%c%c", seen[i] ? seen[i] : '_', i + 1 < SIZE ? '|' : '\n');
        if (fflush(stdout) == EOF) /* _exit does not flush */
            err(1, "fflush");
        _exit(0);
    }

    /* 100 ms of other work before writing, so that the race shows: the
     * child, which reads at once, then all but always reads first. */
    struct timespec other_work = {.tv_nsec = 100000000}; /* 100 ms */
    if (nanosleep(&other_work, NULL) == -1)
        err(1, "nanosleep");
    for (size_t i = 0; i < SIZE; i++)
        table[i] = MESSAGE[i];
    int status;
    if (waitpid(child, &status, 0) == -1)
        err(1, "waitpid");
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}
