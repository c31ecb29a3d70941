/* tests/texts.c: this system's own wording of an error or a signal, so that
 * the tests expect what the C library under test says (glibc and musl
 * differ: "No child processes" and "No child process").
 *
 * Usage: texts errno NAME     (NAME such as EACCES)
 *        texts signal NUMBER
 *        texts number SIGNAL   (SIGNAL such as USR1: its number here)
 */
#define _POSIX_C_SOURCE 200809L

#include "errnos.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char *argv[])
{
    static const struct {
        const char *name;
        int value;
    } signals[] = {{"INT", SIGINT},   {"TERM", SIGTERM}, {"PIPE", SIGPIPE},
                   {"USR1", SIGUSR1}, {"USR2", SIGUSR2}, {"ALRM", SIGALRM},
                   {"CHLD", SIGCHLD}, {"KILL", SIGKILL}};
    for (size_t i = 0; argc == 3 && i < sizeof signals / sizeof signals[0];
         i++) {
        if (strcmp(argv[1], "number") == 0 &&
            strcmp(argv[2], signals[i].name) == 0) {
            printf("%d\n", signals[i].value);
            return 0;
        }
    }
    if (argc == 3 && strcmp(argv[1], "signal") == 0) {
        puts(strsignal(atoi(argv[2])));
        return 0;
    }
    for (size_t i = 0; argc == 3 && i < sizeof errnos / sizeof errnos[0]; i++) {
        if (strcmp(argv[1], "errno") == 0 &&
            strcmp(argv[2], errnos[i].name) == 0) {
            puts(strerror(errnos[i].value));
            return 0;
        }
    }
    fprintf(stderr, "usage: texts errno NAME | texts signal NUMBER\n");
    return 2;
}
