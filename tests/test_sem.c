/* tests/test_sem.c: unit tests of sem.c on its own. A semaphore's value is
 * read with sem_trywait, not sem_getvalue, which macOS does not have. */
#define _XOPEN_SOURCE 700

#include "../sem.h"
#include "../shm.h"
#include "check.h"

#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char calls[256];

static void record(const char *format, ...)
{
    size_t length = strcspn(format, "(");
    strncat(calls, format, length < 32 ? length : 32);
    strcat(calls, " ");
}

static void sleep_ms(long ms)
{
    struct timespec pause = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&pause, &pause) == -1 && errno == EINTR)
        continue;
}

/* The name named_sem_create tries at ATTEMPT: shm.c's one naming rule. */
static void name_for(int attempt, char *name, size_t size)
{
    object_name(name, size, "sem", attempt);
}

/* The value of SEM, counted down with sem_trywait (and so set to 0). */
static int take_all(sem_t *sem)
{
    int value = 0;
    while (sem_trywait(sem) == 0)
        value++;
    return value;
}

static void creates_an_unlinked_semaphore_at_zero(void)
{
    struct named_sem sem;
    calls[0] = '\0';
    CHECK(named_sem_create(&sem, record) == 0, "named_sem_create succeeds");
    CHECK(sem_open(sem.name, 0) == SEM_FAILED && errno == ENOENT,
          "the name is unlinked at once");
    CHECK(strcmp(calls, "sem_open sem_unlink ") == 0,
          "narrates sem_open, then sem_unlink");
    CHECK(sem_trywait(sem.handle) == -1 && errno == EAGAIN,
          "a new semaphore starts at 0");
    CHECK(sem_post(sem.handle) == 0 && sem_wait(sem.handle) == 0,
          "a post lets one wait through");
    CHECK(sem_close(sem.handle) == 0, "sem_close succeeds");
}

static void a_forked_child_posts_to_the_parent(void)
{
    struct named_sem sem;
    named_sem_create(&sem, NULL);
    pid_t child = fork();
    if (child == 0) {
        sleep_ms(100);
        _exit(sem_post(sem.handle) == 0 ? 0 : 1);
    }
    CHECK(sem_wait(sem.handle) == 0,
          "the parent's wait ends with the inherited semaphore's post");
    int status;
    waitpid(child, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
          "the child could post to the inherited semaphore");
    sem_close(sem.handle);
}

static void skips_a_name_that_exists(void)
{
    char planted[32], expected[32];
    struct named_sem sem;
    name_for(0, planted, sizeof planted);
    sem_t *other = sem_open(planted, O_CREAT | O_EXCL, 0600, 5U);
    CHECK(named_sem_create(&sem, NULL) == 0,
          "named_sem_create succeeds when its first name is taken");
    name_for(1, expected, sizeof expected);
    CHECK(strcmp(sem.name, expected) == 0, "it moves on to the next name");
    int value = -1;
    sem_t *again = sem_open(planted, 0);
    if (again != SEM_FAILED)
        value = take_all(again);
    CHECK(value == 5, "the existing semaphore is neither changed nor unlinked");
    sem_close(sem.handle);
    sem_close(other);
    if (again != SEM_FAILED)
        sem_close(again);
    sem_unlink(planted);
}

static void gives_up_when_every_name_is_taken(void)
{
    char name[32];
    struct named_sem sem;
    sem_t *planted[SEM_NAME_TRIES];
    for (int attempt = 0; attempt < SEM_NAME_TRIES; attempt++) {
        name_for(attempt, name, sizeof name);
        planted[attempt] = sem_open(name, O_CREAT | O_EXCL, 0600, 0U);
    }
    int result = named_sem_create(&sem, NULL);
    CHECK(result == -1 && errno == EEXIST,
          "every name taken: -1 with errno EEXIST");
    CHECK(sem.failed_call != NULL && strncmp(sem.failed_call, "sem_open", 8) == 0,
          "the failed call is sem_open");
    int intact = 1;
    for (int attempt = 0; attempt < SEM_NAME_TRIES; attempt++) {
        name_for(attempt, name, sizeof name);
        sem_t *again = sem_open(name, 0);
        intact = intact && again != SEM_FAILED;
        if (again != SEM_FAILED)
            sem_close(again);
        sem_close(planted[attempt]);
        sem_unlink(name);
    }
    CHECK(intact, "none of the existing semaphores is unlinked");
}

int main(void)
{
    creates_an_unlinked_semaphore_at_zero();
    a_forked_child_posts_to_the_parent();
    skips_a_name_that_exists();
    gives_up_when_every_name_is_taken();
    return check_failures != 0;
}
