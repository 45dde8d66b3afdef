/* benchutil — small helpers the benchmarks share: fail loudly, run SQL,
 * measure time. */
#ifndef STREAMTOP_BENCHUTIL_H
#define STREAMTOP_BENCHUTIL_H

#include <sqlite3.h>
#include <stddef.h>
#include <sys/types.h>
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
void bench_sleep_ms(long ms);

/* Runs argv with stdout to out_path (or nowhere) and stderr nowhere: the
 * simulator's and ingester's logs would drown the figures. */
pid_t bench_spawn(char *const argv[], const char *out_path);
/* Runs argv to its end; dies unless it exits 0. */
void bench_run(char *const argv[]);
/* SIGTERM, then waits. */
void bench_stop(pid_t pid);

/* Starts `streamtop simulate` at full speed with the given source
 * arguments (NULL-terminated); writes its URL. */
pid_t bench_simulator(const char *streamtop, const char *dir, char *const source[], char *url,
                      size_t urlsize);

/* Writes n generated events, one per line; returns the file's bytes. */
size_t bench_write_events(const char *path, long n);

#endif
