#include "config.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "benchutil.h"
#include "sbuf.h"
#include "simgen.h"

extern char **environ;

const char *bench_name = "bench";

void bench_die(const char *what, const char *detail)
{
    fprintf(stderr, "%s: %s: %s\n", bench_name, what, detail);
    exit(1);
}

void bench_exec(sqlite3 *h, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(h, sql, NULL, NULL, &msg) != SQLITE_OK)
        bench_die(sql, msg);
}

sqlite3_stmt *bench_prepare(sqlite3 *h, const char *sql)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) != SQLITE_OK)
        bench_die(sql, sqlite3_errmsg(h));
    return st;
}

void bench_step_reset(sqlite3 *h, sqlite3_stmt *st)
{
    if (sqlite3_step(st) != SQLITE_DONE)
        bench_die("step", sqlite3_errmsg(h));
    sqlite3_reset(st);
}

double bench_elapsed_ms(struct timespec a, struct timespec b)
{
    return (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6;
}

struct timespec bench_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t;
}

int bench_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

void bench_sleep_ms(long ms)
{
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&t, NULL);
}

pid_t bench_spawn(char *const argv[], const char *out_path)
{
    posix_spawn_file_actions_t fa;
    pid_t pid;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, out_path ? out_path : "/dev/null",
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    if (posix_spawn(&pid, argv[0], &fa, NULL, argv, environ) != 0)
        bench_die("spawn", argv[0]);
    posix_spawn_file_actions_destroy(&fa);
    return pid;
}

void bench_run(char *const argv[])
{
    int status;
    waitpid(bench_spawn(argv, NULL), &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        bench_die(argv[1], "failed");
}

void bench_stop(pid_t pid)
{
    int status;
    kill(pid, SIGTERM);
    waitpid(pid, &status, 0);
}

pid_t bench_simulator(const char *streamtop, const char *dir, char *const source[], char *url,
                      size_t urlsize)
{
    char out[4096];
    char *argv[16] = {(char *)streamtop, "simulate", "--port", "0", "--rate", "1e7",
                      "--heartbeat", "5"};
    int argc = 8;
    for (int i = 0; source[i] && argc < 15; i++)
        argv[argc++] = source[i];
    snprintf(out, sizeof out, "%s/simulator.out", dir);
    pid_t pid = bench_spawn(argv, out);
    /* A replayed file is read whole before the simulator listens: a
     * million events take several seconds. */
    for (int i = 0; i < 12000; i++, bench_sleep_ms(10)) {
        FILE *f = fopen(out, "r");
        char line[256] = "";
        if (f && fgets(line, sizeof line, f)) {
            char *at = strstr(line, "http://");
            fclose(f);
            if (at) {
                at[strcspn(at, "\n")] = '\0';
                snprintf(url, urlsize, "%s", at);
                return pid;
            }
        } else if (f) {
            fclose(f);
        }
    }
    bench_die("simulator", "did not start");
}

size_t bench_write_events(const char *path, long n)
{
    struct simgen g;
    struct sbuf line = {0};
    FILE *f = fopen(path, "w");
    if (!f)
        bench_die(path, "cannot create");
    simgen_init(&g, 42, 1, 0, 1000.0);
    size_t bytes = 0;
    for (int64_t tp = 1; tp <= n; tp++) {
        sbuf_reset(&line);
        simgen_event(&g, tp, &line);
        fwrite(line.data, 1, line.len, f);
        bytes += line.len;
    }
    sbuf_free(&line);
    fclose(f);
    return bytes;
}
