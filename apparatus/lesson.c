/* apparatus/lesson.c: the names of the outcomes, and which is which. */
#include "lesson.h"

const char *const outcome_names[OUTCOMES] = {"empty", "torn", "full"};

enum outcome outcome_of(int letters)
{
    if (letters <= 0)
        return EMPTY;
    return letters >= (int)MESSAGE_SIZE ? FULL : TORN;
}
