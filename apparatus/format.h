/* apparatus/format.h: PRINTF_LIKE, which lets GCC and clang check every
 * printf-like format of the apparatus against its arguments. */
#ifndef PRINTF_LIKE
#if defined(__GNUC__) || defined(__clang__)
#define PRINTF_LIKE(f, a) __attribute__((__format__(__printf__, f, a)))
#else
#define PRINTF_LIKE(f, a)
#endif
#endif
