/* benchutil — small helpers the benchmarks share: fail loudly, run SQL,
 * measure time. */
#ifndef STREAMTOP_BENCHUTIL_H
#define STREAMTOP_BENCHUTIL_H

#include <sqlite3.h>
#include <time.h>

/* The program name error messages begin with. */
extern const char *bench_name;

void bench_die(const char *what, const char *detail) __attribute__((noreturn));
void bench_exec(sqlite3 *h, const char *sql);
sqlite3_stmt *bench_prepare(sqlite3 *h, const char *sql);
/* Steps a statement that returns no rows, then resets it. */
void bench_step_reset(sqlite3 *h, sqlite3_stmt *st);
double bench_elapsed_ms(struct timespec a, struct timespec b);
struct timespec bench_now(void);
int bench_cmp_double(const void *a, const void *b);

#endif
