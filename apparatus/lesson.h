/* apparatus/lesson.h: what the lesson (main.c) shares with the apparatus:
 * the message, what the child can see of it, and the steps the two
 * processes take, which --schedule and --step hand out one at a time.
 */
#ifndef LESSON_H
#define LESSON_H

/* What the parent writes, without its terminating zero byte. */
#define MESSAGE "Ala ma kota"
#define MESSAGE_SIZE (sizeof MESSAGE - 1)

/* What the child saw: nothing yet, part of the message, or all of it. */
enum outcome { EMPTY, TORN, FULL, OUTCOMES };
extern const char *const outcome_names[OUTCOMES];

/* The outcome of a table in which LETTERS of the message were written. */
enum outcome outcome_of(int letters);

/* The child tells the parent how many letters it saw through its exit
 * status: EXIT_SAW + letters (10 empty, 11 to 20 torn, 21 full). Status 1
 * means it failed, and has said why. */
#define EXIT_SAW 10

/* The steps of the two processes. The parent writes one letter per step
 * (WRITE) and, with a semaphore, posts in one more (POST); the child waits
 * (WAIT, or a wrong fix's SPIN or SLEEP), then reads the table (READ). */
enum step { WRITE, POST, WAIT, SPIN, SLEEP, READ };

#endif
