/* Helpers for tests that need real database files. */
#ifndef STREAMTOP_TEST_TESTDB_H
#define STREAMTOP_TEST_TESTDB_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>

/* A fresh directory under $TMPDIR; removed by testdb_rmdir. */
char *testdb_mkdtemp(void);
void testdb_rmdir(char *dir);

/* dir/name, malloc'd. */
char *testdb_path(const char *dir, const char *name);

/* Creates path (if needed) and brings it to schema version target. */
void testdb_migrate(const char *path, int target);

/* Runs SQL on path through a plain read-write connection (no WAL change). */
void testdb_exec(const char *path, const char *sql);

/* A single integer or text result of SQL on path. */
long long testdb_int(const char *path, const char *sql);
char *testdb_text(const char *path, const char *sql);

/* Whole file contents (NULL if it does not exist). */
char *testdb_read_file(const char *path, size_t *len);
bool testdb_file_exists(const char *path);

/* sqlite_schema as one string, sorted, for comparing schemas. */
char *testdb_schema_dump(const char *path);

#endif
