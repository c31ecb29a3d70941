/* tests/errnos.h: the errno names the tests use, and their values here: one
 * table for the test programs (texts.c prints a name's text, fault.c makes
 * a call fail with a named errno). Add a name here to use it in a test. */
#ifndef ERRNOS_H
#define ERRNOS_H

#include <errno.h>

static const struct {
    const char *name;
    int value;
} errnos[] = {
    {"EACCES", EACCES},       {"EAGAIN", EAGAIN}, {"EBADF", EBADF},
    {"ECHILD", ECHILD},       {"EEXIST", EEXIST}, {"EFBIG", EFBIG},
    {"EINTR", EINTR},         {"EINVAL", EINVAL}, {"EIO", EIO},
    {"EMFILE", EMFILE},       {"ENOMEM", ENOMEM}, {"ENOSPC", ENOSPC},
    {"EOVERFLOW", EOVERFLOW}, {"EPIPE", EPIPE},
};

#endif
