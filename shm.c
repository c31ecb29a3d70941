/* shm.c: create, map and unlink a POSIX shared-memory region.
 *
 * The sequence is the one every careful program uses (see shm_open(3)):
 * shm_open with O_EXCL, ftruncate, mmap, close the descriptor, and unlink the
 * name at once. This file reports errors to its caller; it never prints.
 */
#define _POSIX_C_SOURCE 200809L

#include "shm.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* Report the failed call to the caller, undoing what was done so far: unmap
 * the region if it is mapped, close FD if it is open (not -1), unlink the
 * name if it is still ours (NAMED). errno stays as the failed call left it. */
static int give_up(struct shm_region *region, const char *call, int fd,
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

/* Open a new object exclusively. An existing name may be a stale object from
 * a crashed run or one planted by someone else: never open or unlink it, just
 * try the next name. Returns the descriptor, or -1. */
static int open_fresh_object(struct shm_region *region,
                             void (*narrate)(const char *format, ...))
{
    for (int attempt = 0; attempt < REGION_NAME_TRIES; attempt++) {
        snprintf(region->name, sizeof region->name, "/shmdemo-%ld-%d",
                 (long)getpid(), attempt);
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

int region_create(struct shm_region *region, size_t size,
                  void (*narrate)(const char *format, ...))
{
    region->addr = NULL;
    region->size = size;
    region->failed_call = NULL;

    /* Create the object; it is born empty, 0 bytes long. */
    int fd = open_fresh_object(region, narrate);
    if (fd == -1)
        return give_up(region,
                       errno == EEXIST ? "shm_open (every name tried)"
                                       : "shm_open",
                       -1, false);
    if (narrate)
        narrate("shm_open(\"%s\", O_CREAT|O_EXCL|O_RDWR, 0600) = %d",
                region->name, fd);

    /* Give it its size; the new bytes read as zero. */
    if (ftruncate(fd, (off_t)size) == -1)
        return give_up(region, "ftruncate", fd, true);
    if (narrate)
        narrate("ftruncate(%d, %zu) = 0", fd, size);

    /* Map it. MAP_SHARED makes a store by one process visible to every
     * process mapping the object, including a child made by fork(). */
    void *addr = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (addr == MAP_FAILED)
        return give_up(region, "mmap", fd, true);
    region->addr = addr;
    if (narrate)
        narrate("mmap(NULL, %zu, PROT_READ|PROT_WRITE, MAP_SHARED, %d, 0) = %p",
                size, fd, addr);

    /* The mapping keeps the object alive; the descriptor is no longer
     * needed. */
    if (close(fd) == -1)
        return give_up(region, "close", -1, true);
    if (narrate)
        narrate("close(%d) = 0", fd);

    /* Remove the name at once: from here on nothing can be left in /dev/shm,
     * even if this program is killed. The memory lives until the last
     * mapping goes away. */
    if (shm_unlink(region->name) == -1)
        return give_up(region, "shm_unlink", -1, false);
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
