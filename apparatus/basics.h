/* apparatus/basics.h: the few things every part of the apparatus uses:
 * PRINTF_LIKE, which lets GCC and clang check every printf-like format
 * against its arguments, and the time between two clock readings. */
#ifndef BASICS_H
#define BASICS_H

#include <time.h>

#if defined(__GNUC__) || defined(__clang__)
#define PRINTF_LIKE(f, a) __attribute__((__format__(__printf__, f, a)))
#else
#define PRINTF_LIKE(f, a)
#endif

/* Milliseconds from THEN to NOW (two readings of the same clock). */
static inline double ms_between(const struct timespec *then,
                                const struct timespec *now)
{
    return (double)(now->tv_sec - then->tv_sec) * 1e3 +
           (double)(now->tv_nsec - then->tv_nsec) / 1e6;
}

#endif
