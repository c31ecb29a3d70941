/* shm.c: create, map and unlink a POSIX shared-memory region.
 *
 * shm_open with O_EXCL, ftruncate, posix_fallocate, mmap, close the
 * descriptor, and unlink the name at once: after that the region is known
 * only to this process and the children it forks, and nothing can be left
 * in /dev/shm. (The example in shm_open(3) cannot unlink early, because its
 * two programs find the object by name; ours is shared through fork.) This
 * file reports errors to its caller; it never prints.
 */
#define _POSIX_C_SOURCE 200809L

#include "shm.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

void object_name(char *name, size_t size, const char *kind, int attempt)
{
    if (attempt > 0)
        snprintf(name, size, "/shmdemo-%ld-%s-%d", (long)getpid(), kind,
                 attempt);
    else
        snprintf(name, size, "/shmdemo-%ld-%s", (long)getpid(), kind);
}

/* Undo what was done so far and report CALL as the one that failed: unmap
 * the region if it is mapped, close FD if it is open (not -1), unlink the
 * name if it is still ours (NAMED). errno stays as the failed call left it. */
static int undo_and_fail(struct shm_region *region, const char *call, int fd,
                         bool named)
{
    int saved_errno = errno;

    if (region->addr != NULL)
        munmap(region->addr, region->size);
    if (fd != -1)
        close(fd);
    if (named)
        shm_unlink(region->name);
    region->addr = NULL;
    region->failed_call = call;
    errno = saved_errno;
    return -1;
}

/* Open a new object exclusively: "/shmdemo-PID-mem", then "-mem-1", ...
 * An existing name may be a stale object from a crashed run or one planted
 * by someone else: never open or unlink it, just try the next name.
 * Returns the descriptor, or -1. */
static int open_fresh_object(struct shm_region *region,
                             void (*narrate)(const char *format, ...))
{
    for (int attempt = 0; attempt < REGION_NAME_TRIES; attempt++) {
        object_name(region->name, sizeof region->name, "mem", attempt);
        int fd = shm_open(region->name, O_CREAT | O_EXCL | O_RDWR,
                          S_IRUSR | S_IWUSR);
        if (fd != -1 || errno != EEXIST)
            return fd;
        if (narrate)
            narrate("shm_open(\"%s\", ...) = -1 EEXIST: name taken, "
                    "trying the next",
                    region->name);
    }
    errno = EEXIST;
    return -1;
}

/* Reserve the object's pages now. ftruncate only sets the size: on a full
 * /dev/shm the first store into the mapping would kill us with SIGBUS.
 * posix_fallocate turns that into ENOSPC here. Returns 0 or an errno value
 * (it does not set errno). Where the system has no posix_fallocate (macOS),
 * or cannot reserve pages of this kind of object, nothing is reserved. */
static int reserve_pages(int fd, size_t size,
                         void (*narrate)(const char *format, ...))
{
#if defined(_POSIX_ADVISORY_INFO) && _POSIX_ADVISORY_INFO > 0
    int error = posix_fallocate(fd, 0, (off_t)size);
    if (error == EINVAL || error == EOPNOTSUPP || error == ENODEV) {
        if (narrate)
            narrate("posix_fallocate(%d, 0, %zu) = %s: not reserved", fd, size,
                    error == EINVAL   ? "EINVAL"
                    : error == ENODEV ? "ENODEV"
                                      : "EOPNOTSUPP");
        return 0;
    }
    if (error == 0 && narrate)
        narrate("posix_fallocate(%d, 0, %zu) = 0", fd, size);
    return error;
#else
    (void)fd;
    (void)size;
    (void)narrate;
    return 0;
#endif
}

int region_create(struct shm_region *region, size_t size, bool shared,
                  void (*narrate)(const char *format, ...))
{
    region->addr = NULL;
    region->size = size;
    region->failed_call = NULL;

    /* Create the object; it is born empty, 0 bytes long. */
    int fd = open_fresh_object(region, narrate);
    if (fd == -1)
        return undo_and_fail(region,
                             errno == EEXIST ? "shm_open (every name tried)"
                                             : "shm_open",
                             -1, false);
    if (narrate)
        narrate("shm_open(\"%s\", O_CREAT|O_EXCL|O_RDWR, 0600) = %d",
                region->name, fd);

    /* Give it its size; the new bytes read as zero. Without this, the
     * object stays 0 bytes long, and touching the mapping raises SIGBUS. */
    if (ftruncate(fd, (off_t)size) == -1)
        return undo_and_fail(region, "ftruncate", fd, true);
    if (narrate)
        narrate("ftruncate(%d, %zu) = 0", fd, size);

    int error = reserve_pages(fd, size, narrate);
    if (error != 0) {
        errno = error;
        return undo_and_fail(region, "posix_fallocate", fd, true);
    }

    /* Map it. MAP_SHARED makes a store by one process visible to every
     * process mapping the object, including a child made by fork().
     * MAP_PRIVATE gives each process its own copy of the page as soon as
     * it writes (copy-on-write): nothing written after fork is shared. */
    void *addr = mmap(NULL, size, PROT_READ | PROT_WRITE,
                      shared ? MAP_SHARED : MAP_PRIVATE, fd, 0);
    if (addr == MAP_FAILED)
        return undo_and_fail(region, "mmap", fd, true);
    region->addr = addr;
    if (narrate)
        narrate("mmap(NULL, %zu, PROT_READ|PROT_WRITE, %s, %d, 0) = %p", size,
                shared ? "MAP_SHARED" : "MAP_PRIVATE", fd, addr);

    /* The mapping keeps the object alive; the descriptor is no longer
     * needed. */
    if (close(fd) == -1)
        return undo_and_fail(region, "close", -1, true);
    if (narrate)
        narrate("close(%d) = 0", fd);

    /* Remove the name at once: from here on nothing can be left in /dev/shm,
     * even if this program is killed. The memory lives until the last
     * mapping goes away. */
    if (shm_unlink(region->name) == -1)
        return undo_and_fail(region, "shm_unlink", -1, false);
    if (narrate)
        narrate("shm_unlink(\"%s\") = 0", region->name);
    return 0;
}

int region_destroy(struct shm_region *region)
{
    if (munmap(region->addr, region->size) == -1) {
        region->failed_call = "munmap";
        return -1;
    }
    region->addr = NULL;
    return 0;
}
