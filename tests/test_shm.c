/* tests/test_shm.c: unit tests of shm.c on its own. Objects are planted
 * and read through mmap, not read/write, which macOS does not allow on a
 * shared-memory object. */
#define _XOPEN_SOURCE 700

#include "../shm.h"
#include "check.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char calls[256]; /* the calls narrated, e.g. "shm_open ftruncate " */

static void record(const char *format, ...)
{
    size_t length = strcspn(format, "(");
    strncat(calls, format, length < 32 ? length : 32);
    strcat(calls, " ");
}

static int name_exists(const char *name)
{
    int fd = shm_open(name, O_RDONLY, 0);
    if (fd != -1)
        close(fd);
    return fd != -1;
}

#define PLANTED_SIZE 16

/* The name region_create tries at ATTEMPT: shm.c's one naming rule. */
static void name_for(int attempt, char *name, size_t size)
{
    object_name(name, size, "mem", attempt);
}

static void plant(int attempt, const char *content)
{
    char name[32];
    name_for(attempt, name, sizeof name);
    int fd = shm_open(name, O_CREAT | O_EXCL | O_RDWR, 0600);
    char *map = MAP_FAILED;
    if (fd != -1 && ftruncate(fd, PLANTED_SIZE) == 0)
        map = mmap(NULL, PLANTED_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
                   0);
    if (map == MAP_FAILED) {
        perror("plant");
    } else {
        strncpy(map, content, PLANTED_SIZE - 1);
        munmap(map, PLANTED_SIZE);
    }
    if (fd != -1)
        close(fd);
}

static int planted_intact(int attempt, const char *content)
{
    char name[32];
    name_for(attempt, name, sizeof name);
    int fd = shm_open(name, O_RDONLY, 0);
    if (fd == -1)
        return 0;
    char *map = mmap(NULL, PLANTED_SIZE, PROT_READ, MAP_SHARED, fd, 0);
    close(fd);
    if (map == MAP_FAILED)
        return 0;
    int intact = strcmp(map, content) == 0;
    munmap(map, PLANTED_SIZE);
    return intact;
}

static void unplant(int attempt)
{
    char name[32];
    name_for(attempt, name, sizeof name);
    shm_unlink(name);
}

static void creates_zeroed_unlinked_region(void)
{
    struct shm_region region;
    calls[0] = '\0';
    CHECK(region_create(&region, 11, true, record) == 0,
          "region_create succeeds");
    CHECK(region.addr != NULL && region.size == 11, "region is mapped");
    int zero = 1;
    for (size_t i = 0; i < region.size; i++)
        zero = zero && region.addr[i] == 0;
    CHECK(zero, "a new region is zero-filled");
    CHECK(!name_exists(region.name) && errno == ENOENT,
          "the name is unlinked as soon as the region is mapped");
    CHECK(strcmp(calls, "shm_open ftruncate posix_fallocate mmap close "
                        "shm_unlink ") == 0 ||
              strcmp(calls, "shm_open ftruncate mmap close shm_unlink ") == 0,
          "narrates shm_open, ftruncate, (posix_fallocate,) mmap, close, "
          "shm_unlink in order");
    CHECK(region_destroy(&region) == 0 && region.addr == NULL,
          "region_destroy unmaps the region");
}

static void child_shares_the_region(void)
{
    struct shm_region region;
    CHECK(region_create(&region, 11, true, NULL) == 0,
          "region_create, no narrator");
    pid_t child = fork();
    if (child == 0) {
        memcpy(region.addr, "Ala ma kota", 11);
        _exit(0);
    }
    int status;
    waitpid(child, &status, 0);
    CHECK(memcmp(region.addr, "Ala ma kota", 11) == 0,
          "a write by a forked child is seen by the parent (MAP_SHARED)");
    region_destroy(&region);
}

static void a_private_mapping_is_not_shared(void)
{
    struct shm_region region;
    CHECK(region_create(&region, 11, false, NULL) == 0,
          "region_create with a private mapping");
    pid_t child = fork();
    if (child == 0) {
        memcpy(region.addr, "Ala ma kota", 11);
        _exit(0);
    }
    int status;
    waitpid(child, &status, 0);
    CHECK(region.addr[0] == '\0',
          "a write by a forked child is not seen by the parent (MAP_PRIVATE)");
    region_destroy(&region);
}

static void skips_a_name_that_exists(void)
{
    struct shm_region region;
    char expected[32];
    plant(0, "planted");
    calls[0] = '\0';
    CHECK(region_create(&region, 11, true, record) == 0,
          "region_create succeeds when its first name is taken");
    name_for(1, expected, sizeof expected);
    CHECK(strcmp(region.name, expected) == 0, "it moves on to the next name");
    CHECK(strncmp(calls, "shm_open shm_open ", 18) == 0,
          "it narrates the clash");
    CHECK(planted_intact(0, "planted"),
          "the existing object is neither changed nor unlinked");
    region_destroy(&region);
    unplant(0);
}

static void gives_up_when_every_name_is_taken(void)
{
    struct shm_region region;
    for (int attempt = 0; attempt < REGION_NAME_TRIES; attempt++)
        plant(attempt, "planted");
    int result = region_create(&region, 11, true, NULL);
    CHECK(result == -1 && errno == EEXIST,
          "every name taken: -1 with errno EEXIST");
    CHECK(region.failed_call != NULL &&
              strncmp(region.failed_call, "shm_open", 8) == 0,
          "the failed call is shm_open");
    int intact = 1;
    for (int attempt = 0; attempt < REGION_NAME_TRIES; attempt++) {
        intact = intact && planted_intact(attempt, "planted");
        unplant(attempt);
    }
    CHECK(intact, "none of the existing objects is touched");
}

static void a_failed_step_leaves_nothing_behind(void)
{
    struct shm_region region;
    /* No object can be SIZE_MAX bytes: ftruncate fails. */
    int result = region_create(&region, SIZE_MAX, true, NULL);
    CHECK(result == -1 && region.failed_call != NULL &&
              strcmp(region.failed_call, "ftruncate") == 0,
          "an impossible size fails in ftruncate");
    CHECK(!name_exists(region.name), "and the new name is unlinked");
}

int main(void)
{
    creates_zeroed_unlinked_region();
    child_shares_the_region();
    a_private_mapping_is_not_shared();
    skips_a_name_that_exists();
    gives_up_when_every_name_is_taken();
    a_failed_step_leaves_nothing_behind();
    return check_failures != 0;
}
