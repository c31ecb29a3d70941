/* shm.h: a POSIX shared-memory region, created, mapped and unlinked at once.
 *
 * The region outlives its name: once mapped, the name is removed, so nothing
 * is left in /dev/shm even if the program is killed. A child made by fork()
 * inherits the mapping at the same address.
 */
#ifndef SHM_H
#define SHM_H

#include <stdbool.h>
#include <stddef.h>

#include "apparatus/basics.h" /* PRINTF_LIKE: narrated formats checked */

/* The name of a new object of ours, KIND "mem" or "sem": "/shmdemo-PID-KIND"
 * and, after a clash (ATTEMPT 1 to 9), "/shmdemo-PID-KIND-ATTEMPT". One
 * '/', at the start, and short enough for macOS (31 characters). The PID
 * makes a name ours: the tests clean up only names with their own PIDs. */
void object_name(char *name, size_t size, const char *kind, int attempt);

/* How many names region_create tries before it gives up on EEXIST. */
#define REGION_NAME_TRIES 10

/* One mapped region; name is kept only to narrate what happened. */
struct shm_region {
    char name[32]; /* "/shmdemo-PID-mem": one '/', short enough for macOS */
    char *addr;    /* where the region is mapped in this process */
    size_t size;   /* its size in bytes */
    const char *failed_call; /* on failure: the call that failed, e.g. "mmap" */
};

/* Create a zero-filled region of SIZE bytes: shm_open under a fresh name with
 * O_CREAT|O_EXCL and mode 0600 (a name that already exists is never opened:
 * the next name is tried), ftruncate, posix_fallocate where the system has
 * it, mmap (MAP_SHARED; MAP_PRIVATE when SHARED is false), close,
 * shm_unlink. Each call is reported through NARRATE (which may be NULL).
 * Returns 0, or -1 with errno set, region->failed_call naming the call, and
 * nothing left behind. */
int region_create(struct shm_region *region, size_t size, bool shared,
                  void (*narrate)(const char *format, ...) PRINTF_LIKE(1, 2));

/* Unmap the region. Returns 0, or -1 with errno set. */
int region_destroy(struct shm_region *region);

#endif
