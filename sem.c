/* sem.c: a named POSIX semaphore that exists only as long as it is open.
 *
 * Created with O_CREAT|O_EXCL and mode 0600, and unlinked at once: a child
 * made by fork() inherits it open, and nothing can be left in /dev/shm.
 * Stevens does the same in UNIX Network Programming vol. 2, shm/incr2.c
 * (sem_open, then sem_unlink right away, before fork; mode 0644 there);
 * so does PostgreSQL's src/backend/port/posix_sema.c, in its build with
 * named semaphores ("Unlink the semaphore immediately ... This also
 * ensures that it will go away if we crash"), with O_CREAT|O_EXCL and the
 * next name on EEXIST. This file reports errors to its caller; it never
 * prints.
 */
#define _POSIX_C_SOURCE 200809L

#include "sem.h"

#include "shm.h" /* object_name */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

/* Report CALL as the one that failed, with errno as the call left it. */
static int fail(struct named_sem *sem, const char *call)
{
    sem->failed_call = call;
    return -1;
}

/* The file-size limit (ulimit -f) is below SIZE bytes. */
static int file_size_limit_below(size_t size)
{
    struct rlimit limit;
    return getrlimit(RLIMIT_FSIZE, &limit) == 0 &&
           limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < size;
}

/* sem_open, creating a new semaphore with value 0: "nothing written yet".
 * glibc and musl build it in a file under /dev/shm; when a file-size limit
 * cuts that write short, sem_open fails but sets no errno: glibc leaves 0,
 * musl whatever an earlier call inside it set (ENOENT). Nothing else cuts
 * the write of a sem_t to /dev/shm short, so that is what we report. */
static sem_t *create_semaphore(const char *name)
{
    errno = 0;
    sem_t *handle = sem_open(name, O_CREAT | O_EXCL, S_IRUSR | S_IWUSR, 0U);
    if (handle == SEM_FAILED && errno != EEXIST &&
        (errno == 0 || file_size_limit_below(sizeof(sem_t))))
        errno = EFBIG;
    if (handle == SEM_FAILED && errno != EEXIST) {
        /* sem_open can fail after the name is in place: glibc links its
         * file into /dev/shm, then allocates its own record of the mapping,
         * and when that fails (sh -c 'ulimit -v 2500; exec ./shmdemo
         * --synced') it returns SEM_FAILED with the name left behind. The
         * name holds our PID and O_EXCL made it new, so it can only be
         * ours: remove it. (Where nothing was linked this finds nothing.) */
        int saved_errno = errno;
        sem_unlink(name);
        errno = saved_errno;
    }
    return handle;
}

/* Open a new semaphore exclusively: "/shmdemo-PID-sem", then "-sem-1", ...
 * An existing name may be stale or someone else's: never open or unlink it,
 * just try the next name. Returns the handle, or SEM_FAILED. */
static sem_t *open_fresh_semaphore(struct named_sem *sem,
                                   void (*narrate)(const char *format, ...))
{
    for (int attempt = 0; attempt < SEM_NAME_TRIES; attempt++) {
        object_name(sem->name, sizeof sem->name, "sem", attempt);
        sem_t *handle = create_semaphore(sem->name);
        if (handle != SEM_FAILED || errno != EEXIST)
            return handle;
        if (narrate)
            narrate("sem_open(\"%s\", ...) = SEM_FAILED EEXIST: name taken, "
                    "trying the next",
                    sem->name);
    }
    errno = EEXIST;
    return SEM_FAILED;
}

int named_sem_create(struct named_sem *sem,
                     void (*narrate)(const char *format, ...))
{
    sem->failed_call = NULL;

    /* Create it. */
    sem->handle = open_fresh_semaphore(sem, narrate);
    if (sem->handle == SEM_FAILED)
        return fail(sem, errno == EEXIST ? "sem_open (every name tried)"
                                         : "sem_open");
    if (narrate)
        narrate("sem_open(\"%s\", O_CREAT|O_EXCL, 0600, 0) = %p", sem->name,
                (void *)sem->handle);

    /* Remove the name at once: the open semaphore lives on, and is inherited
     * by fork(), but nothing can be left in /dev/shm. */
    if (sem_unlink(sem->name) == -1) {
        int saved_errno = errno;
        sem_close(sem->handle);
        sem->handle = SEM_FAILED;
        errno = saved_errno;
        return fail(sem, "sem_unlink");
    }
    if (narrate)
        narrate("sem_unlink(\"%s\") = 0", sem->name);
    return 0;
}
