/* tests/check.h: the smallest unit-test kit. Each CHECK prints one line,
 * "ok - WHAT" or "not ok - WHAT", which tests/run.sh counts. */
#ifndef CHECK_H
#define CHECK_H

#include <errno.h>
#include <stdio.h>
#include <string.h>

static int check_failures;

#define CHECK(condition, what)                                                 \
    do {                                                                       \
        int check_ok_ = (condition);                                           \
        printf("%s - %s\n", check_ok_ ? "ok" : "not ok", (what));              \
        if (!check_ok_) {                                                      \
            printf("#   %s:%d: %s (errno: %s)\n", __FILE__, __LINE__,          \
                   #condition, strerror(errno));                               \
            check_failures++;                                                  \
        }                                                                      \
        fflush(stdout);                                                        \
    } while (0)

#endif
