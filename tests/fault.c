/* tests/fault.c: an LD_PRELOAD library that makes one call fail on demand,
 * and logs the calls it sees, so the tests can prove how shmdemo copes.
 *
 *   SHMDEMO_FAULT="CALL:ERRNO[:N[:child]]"
 *       the Nth call (default 1) of CALL in a process fails with ERRNO
 *       (a name such as EACCES); with ":child", only in a child made by
 *       fork. ERRNO EINTR on nanosleep sleeps half the time first and
 *       reports the other half as remaining, as a real signal would; on
 *       pselect (with a timeout) it returns after half the time.
 *   SHMDEMO_FAULT_LOG=FILE
 *       append a line "PID CALL ARGUMENT" to FILE for every call seen
 *       (for fork: the parent's PID and fork's result).
 *
 * CALL is one of: shm_open ftruncate mmap sem_open fork sem_post sem_wait
 * waitpid nanosleep pselect fputs (fputs fails only when writing to stdout;
 * pselect is logged and fails only when it has a timeout).
 * Build: cc -shared -fPIC -o libfault.so fault.c -ldl
 *
 * LD_PRELOAD works with a dynamically linked shmdemo of the same word size,
 * on Linux and the BSDs; not on macOS (DYLD_INSERT_LIBRARIES needs
 * interposing tables) nor with a static build. tests/t_robust.sh first
 * checks that it has an effect, and skips the fault tests if not.
 */
#define _GNU_SOURCE
#define _DARWIN_C_SOURCE

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <semaphore.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/select.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../apparatus/basics.h"
#include "errnos.h"

static int in_child;     /* this process was made by an intercepted fork */
static int calls_so_far; /* calls of the faulty CALL in this process */

/* Should this call of CALL fail? If so, set errno and say yes. */
static int should_fail(const char *call)
{
    const char *spec = getenv("SHMDEMO_FAULT");
    char name[32], error[32], where[16] = "";
    int nth = 1;
    if (spec == NULL ||
        sscanf(spec, "%31[^:]:%31[^:]:%d:%15s", name, error, &nth, where) < 2)
        return 0;
    if (strcmp(name, call) != 0 || (strcmp(where, "child") == 0 && !in_child))
        return 0;
    if (++calls_so_far != nth)
        return 0;
    for (size_t i = 0; i < sizeof errnos / sizeof errnos[0]; i++) {
        if (strcmp(errnos[i].name, error) == 0) {
            errno = errnos[i].value;
            return 1;
        }
    }
    return 0;
}

/* Append "PID CALL ..." to the log, FORMAT as for printf. */
static void log_call(const char *call, const char *format, ...)
    PRINTF_LIKE(2, 3);
static void log_call(const char *call, const char *format, ...)
{
    const char *path = getenv("SHMDEMO_FAULT_LOG");
    if (path == NULL)
        return;
    char line[256];
    int length = snprintf(line, sizeof line, "%ld %s ", (long)getpid(), call);
    va_list args;
    va_start(args, format);
    length +=
        vsnprintf(line + length, sizeof line - (size_t)length, format, args);
    va_end(args);
    int saved_errno = errno;
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0600);
    if (fd != -1) {
        line[length++] = '\n';
        if (write(fd, line, (size_t)length) < 0)
            (void)0;
        close(fd);
    }
    errno = saved_errno;
}

/* The next definition of NAME, as a pointer to a function of NAME's type.
 * ISO C has no conversion from dlsym's void * to a function pointer
 * (-Wpedantic says so): a union hands the pointer over instead. */
#define REAL(name)                                                             \
    ((union {                                                                  \
         void *object;                                                         \
         __typeof__(&name) function;                                           \
     }){dlsym(RTLD_NEXT, #name)}                                               \
         .function)

/* mode_t may be narrower than int (16 bits on macOS), so a variadic mode
 * arrives as an int. macOS declares shm_open variadic; Linux does not. */
#ifdef __APPLE__
int shm_open(const char *name, int flags, ...)
{
    va_list args;
    va_start(args, flags);
    mode_t mode = (mode_t)va_arg(args, int);
    va_end(args);
#else
int shm_open(const char *name, int flags, mode_t mode)
{
#endif
    log_call("shm_open", "%s", name);
    return should_fail("shm_open") ? -1 : REAL(shm_open)(name, flags, mode);
}

int ftruncate(int fd, off_t length)
{
    log_call("ftruncate", "%d", fd);
    return should_fail("ftruncate") ? -1 : REAL(ftruncate)(fd, length);
}

void *mmap(void *addr, size_t length, int prot, int flags, int fd, off_t offset)
{
    log_call("mmap", "%d", fd);
    if (should_fail("mmap"))
        return MAP_FAILED;
    return REAL(mmap)(addr, length, prot, flags, fd, offset);
}

sem_t *sem_open(const char *name, int flags, ...)
{
    va_list args;
    va_start(args, flags);
    mode_t mode = (mode_t)va_arg(args, int);
    unsigned value = va_arg(args, unsigned);
    va_end(args);
    log_call("sem_open", "%s", name);
    if (should_fail("sem_open"))
        return SEM_FAILED;
    return REAL(sem_open)(name, flags, mode, value);
}

pid_t fork(void)
{
    if (should_fail("fork")) {
        log_call("fork", "-1");
        return -1;
    }
    pid_t pid = REAL(fork)();
    if (pid == 0) {
        in_child = 1;
        calls_so_far = 0;
    } else {
        log_call("fork", "%ld", (long)pid); /* the parent logs the child */
    }
    return pid;
}

int sem_post(sem_t *sem)
{
    log_call("sem_post", "%s", "");
    return should_fail("sem_post") ? -1 : REAL(sem_post)(sem);
}

int sem_wait(sem_t *sem)
{
    log_call("sem_wait", "%s", "");
    return should_fail("sem_wait") ? -1 : REAL(sem_wait)(sem);
}

pid_t waitpid(pid_t pid, int *status, int options)
{
    log_call("waitpid", "%ld", (long)pid);
    return should_fail("waitpid") ? -1 : REAL(waitpid)(pid, status, options);
}

int nanosleep(const struct timespec *request, struct timespec *remaining)
{
    log_call("nanosleep", "%lld.%09ld", (long long)request->tv_sec,
             request->tv_nsec);
    if (!should_fail("nanosleep"))
        return REAL(nanosleep)(request, remaining);
    if (errno == EINTR && remaining != NULL) {
        long long total = request->tv_sec * 1000000000LL + request->tv_nsec;
        struct timespec half = {(time_t)(total / 2 / 1000000000LL),
                                (long)(total / 2 % 1000000000LL)};
        REAL(nanosleep)(&half, NULL);
        long long rest = total - total / 2;
        remaining->tv_sec = (time_t)(rest / 1000000000LL);
        remaining->tv_nsec = (long)(rest % 1000000000LL);
        errno = EINTR;
    }
    return -1;
}

int pselect(int count, fd_set *readable, fd_set *writable, fd_set *failing,
            const struct timespec *timeout, const sigset_t *mask)
{
    if (timeout != NULL)
        log_call("pselect", "%lld.%09ld", (long long)timeout->tv_sec,
                 timeout->tv_nsec);
    if (timeout == NULL || !should_fail("pselect"))
        return REAL(pselect)(count, readable, writable, failing, timeout,
                             mask);
    if (errno == EINTR) { /* as a signal would: after half the time */
        long long total = timeout->tv_sec * 1000000000LL + timeout->tv_nsec;
        struct timespec half = {(time_t)(total / 2 / 1000000000LL),
                                (long)(total / 2 % 1000000000LL)};
        REAL(nanosleep)(&half, NULL);
        errno = EINTR;
    }
    return -1;
}

int fputs(const char *text, FILE *stream)
{
    if (stream == stdout && should_fail("fputs"))
        return EOF;
    return REAL(fputs)(text, stream);
}
