#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "schema_model.h"

static char *column_text(sqlite3_stmt *st, int col)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    return t ? strdup((const char *)t) : NULL;
}

static int fail(sqlite3 *h, struct err *e, const char *what)
{
    err_set(e, "reading the schema (%s): %s", what, sqlite3_errmsg(h));
    return -1;
}

/* Appends one zeroed element to the array whose pointer lives at
 * array_field (*count elements of elem_size) and returns it, or NULL when
 * out of memory.  The pointer is moved with memcpy so any element type can
 * share this helper without aliasing it through void **. */
static void *grow(void *array_field, size_t *count, size_t elem_size)
{
    void *array;
    memcpy(&array, array_field, sizeof array);
    void *grown = realloc(array, (*count + 1) * elem_size);
    if (!grown)
        return NULL;
    memcpy(array_field, &grown, sizeof grown);
    void *item = (char *)grown + *count * elem_size;
    memset(item, 0, elem_size);
    (*count)++;
    return item;
}

static int load_columns(sqlite3 *h, struct schema_table *t, struct err *e)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(h, "SELECT name, type, \"notnull\", dflt_value FROM pragma_table_info(?1)",
                           -1, &st, NULL) != SQLITE_OK)
        return fail(h, e, "columns");
    sqlite3_bind_text(st, 1, t->name, -1, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct schema_column *c = grow(&t->columns, &t->ncolumns, sizeof *c);
        if (!c) {
            sqlite3_finalize(st);
            return err_set(e, "out of memory"), -1;
        }
        c->name = column_text(st, 0);
        c->type = column_text(st, 1);
        c->not_null = sqlite3_column_int(st, 2) != 0;
        c->default_sql = column_text(st, 3);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : fail(h, e, "columns");
}

static int load_index_columns(sqlite3 *h, struct schema_index *ix, struct err *e)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(h, "SELECT name FROM pragma_index_info(?1) ORDER BY seqno", -1, &st,
                           NULL) != SQLITE_OK)
        return fail(h, e, "index columns");
    sqlite3_bind_text(st, 1, ix->name, -1, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        char **slot = grow(&ix->columns, &ix->ncolumns, sizeof *slot);
        if (!slot) {
            sqlite3_finalize(st);
            return err_set(e, "out of memory"), -1;
        }
        *slot = sqlite3_column_type(st, 0) == SQLITE_NULL ? strdup("<expr>") : column_text(st, 0);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : fail(h, e, "index columns");
}

static int load_indexes(sqlite3 *h, struct schema_model *m, const char *table, struct err *e)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(h,
            "SELECT il.name, il.\"unique\", il.origin, il.partial, s.sql "
            "FROM pragma_index_list(?1) AS il "
            "LEFT JOIN sqlite_schema AS s ON s.type = 'index' AND s.name = il.name",
            -1, &st, NULL) != SQLITE_OK)
        return fail(h, e, "indexes");
    sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct schema_index *ix = grow(&m->indexes, &m->nindexes, sizeof *ix);
        if (!ix || !(ix->table = strdup(table))) {
            sqlite3_finalize(st);
            return err_set(e, "out of memory"), -1;
        }
        ix->name = column_text(st, 0);
        ix->unique = sqlite3_column_int(st, 1) != 0;
        ix->from_constraint = strcmp((const char *)sqlite3_column_text(st, 2), "c") != 0;
        ix->partial = sqlite3_column_int(st, 3) != 0;
        ix->sql = column_text(st, 4);
        if (load_index_columns(h, ix, e) < 0) {
            sqlite3_finalize(st);
            return -1;
        }
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : fail(h, e, "indexes");
}

int schema_model_load(sqlite3 *h, struct schema_model *m, struct err *e)
{
    sqlite3_stmt *st;
    memset(m, 0, sizeof *m);
    if (sqlite3_prepare_v2(h,
            "SELECT type, name, tbl_name, sql FROM sqlite_schema "
            "WHERE type IN ('table', 'trigger') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
            "AND name <> 'schema_migrations' ORDER BY rowid",
            -1, &st, NULL) != SQLITE_OK)
        return fail(h, e, "objects");
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *type = (const char *)sqlite3_column_text(st, 0);
        if (strcmp(type, "table") == 0) {
            struct schema_table *t = grow(&m->tables, &m->ntables, sizeof *t);
            if (!t)
                goto oom;
            t->name = column_text(st, 1);
            t->sql = column_text(st, 3);
            if (load_columns(h, t, e) < 0 || load_indexes(h, m, t->name, e) < 0)
                goto failed;
        } else {
            struct schema_trigger *tr = grow(&m->triggers, &m->ntriggers, sizeof *tr);
            if (!tr)
                goto oom;
            tr->name = column_text(st, 1);
            tr->table = column_text(st, 2);
            tr->sql = column_text(st, 3);
        }
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        schema_model_free(m);
        return fail(h, e, "objects");
    }
    return 0;
oom:
    err_set(e, "out of memory");
failed:
    sqlite3_finalize(st);
    schema_model_free(m);
    return -1;
}

void schema_model_free(struct schema_model *m)
{
    for (size_t i = 0; i < m->ntables; i++) {
        struct schema_table *t = &m->tables[i];
        for (size_t c = 0; c < t->ncolumns; c++) {
            free(t->columns[c].name);
            free(t->columns[c].type);
            free(t->columns[c].default_sql);
        }
        free(t->columns);
        free(t->name);
        free(t->sql);
    }
    for (size_t i = 0; i < m->nindexes; i++) {
        struct schema_index *ix = &m->indexes[i];
        for (size_t c = 0; c < ix->ncolumns; c++)
            free(ix->columns[c]);
        free(ix->columns);
        free(ix->name);
        free(ix->table);
        free(ix->sql);
    }
    for (size_t i = 0; i < m->ntriggers; i++) {
        free(m->triggers[i].name);
        free(m->triggers[i].table);
        free(m->triggers[i].sql);
    }
    free(m->tables);
    free(m->indexes);
    free(m->triggers);
    memset(m, 0, sizeof *m);
}

static bool same_name(const char *a, const char *b)
{
    return a && b && sqlite3_stricmp(a, b) == 0;
}

static const struct schema_table *find_table(const struct schema_model *m, const char *name)
{
    for (size_t i = 0; i < m->ntables; i++)
        if (same_name(m->tables[i].name, name))
            return &m->tables[i];
    return NULL;
}

static bool has_column(const struct schema_table *t, const char *name)
{
    for (size_t i = 0; i < t->ncolumns; i++)
        if (same_name(t->columns[i].name, name))
            return true;
    return false;
}

static bool same_columns(const struct schema_index *a, const struct schema_index *b)
{
    if (a->ncolumns != b->ncolumns || !same_name(a->table, b->table))
        return false;
    for (size_t i = 0; i < a->ncolumns; i++)
        if (!same_name(a->columns[i], b->columns[i]))
            return false;
    return true;
}

static bool index_present(const struct schema_model *real, const struct schema_index *want)
{
    for (size_t i = 0; i < real->nindexes; i++) {
        const struct schema_index *have = &real->indexes[i];
        if (!want->from_constraint && same_name(have->name, want->name))
            return true;
        if (want->from_constraint && have->unique && !have->partial && same_columns(have, want))
            return true;
        if (!want->from_constraint && !want->partial && !have->partial &&
            have->unique == want->unique && same_columns(have, want))
            return true;
    }
    return false;
}

static bool trigger_present(const struct schema_model *real, const char *name)
{
    for (size_t i = 0; i < real->ntriggers; i++)
        if (same_name(real->triggers[i].name, name))
            return true;
    return false;
}

/* Lower-cased text without whitespace, for comparing SQL fragments. */
static char *squeeze(const char *s, size_t len)
{
    char *out = malloc(len + 1), *p = out;
    if (!out)
        return NULL;
    for (size_t i = 0; i < len; i++)
        if (!isspace((unsigned char)s[i]))
            *p++ = (char)tolower((unsigned char)s[i]);
    *p = '\0';
    return out;
}

/* Whether every CHECK (...) clause of want_sql appears in have_sql. */
static bool checks_present(const char *want_sql, const char *have_sql)
{
    char *have = squeeze(have_sql ? have_sql : "", have_sql ? strlen(have_sql) : 0);
    bool all = have != NULL;
    for (const char *p = want_sql; all && p && (p = strcasestr(p, "check")); p += 5) {
        const char *q = p + 5;
        while (isspace((unsigned char)*q))
            q++;
        if (*q != '(')
            continue;
        int depth = 0;
        const char *end = q;
        for (; *end; end++) {
            depth += *end == '(' ? 1 : *end == ')' ? -1 : 0;
            if (depth == 0)
                break;
        }
        char *clause = squeeze(p, (size_t)(end - p) + (*end ? 1 : 0));
        all = clause && strstr(have, clause) != NULL;
        free(clause);
    }
    free(have);
    return all;
}

static int add_gap(struct schema_gaps *g, struct schema_gap gap, struct err *e)
{
    struct schema_gap *slot = grow(&g->items, &g->count, sizeof *slot);
    if (!slot)
        return err_set(e, "out of memory"), -1;
    *slot = gap;
    return 0;
}

int schema_diff(const struct schema_model *real, const struct schema_model *ref,
                struct schema_gaps *g, struct err *e)
{
    memset(g, 0, sizeof *g);
    for (size_t i = 0; i < ref->ntables; i++) {
        const struct schema_table *want = &ref->tables[i];
        if (!find_table(real, want->name) &&
            add_gap(g, (struct schema_gap){.kind = GAP_TABLE, .table = want}, e) < 0)
            goto failed;
    }
    for (size_t i = 0; i < ref->ntables; i++) {
        const struct schema_table *want = &ref->tables[i], *have = find_table(real, want->name);
        for (size_t c = 0; have && c < want->ncolumns; c++)
            if (!has_column(have, want->columns[c].name) &&
                add_gap(g, (struct schema_gap){.kind = GAP_COLUMN, .table = want,
                                               .column = &want->columns[c]}, e) < 0)
                goto failed;
    }
    for (int pass = 0; pass < 2; pass++) {   /* constraints first, then ordinary indexes */
        for (size_t i = 0; i < ref->nindexes; i++) {
            const struct schema_index *want = &ref->indexes[i];
            const struct schema_table *table = find_table(ref, want->table);
            bool table_exists = find_table(real, want->table) != NULL;
            /* A table created from the reference brings its constraint
             * indexes with it, but not its ordinary ones. */
            if (want->from_constraint != (pass == 0) || (want->from_constraint && !table_exists) ||
                (table_exists && index_present(real, want)))
                continue;
            if (add_gap(g, (struct schema_gap){.kind = pass == 0 ? GAP_UNIQUE : GAP_INDEX,
                                               .table = table, .index = want}, e) < 0)
                goto failed;
        }
    }
    for (size_t i = 0; i < ref->ntriggers; i++) {
        const struct schema_trigger *want = &ref->triggers[i];
        if (!trigger_present(real, want->name) &&
            add_gap(g, (struct schema_gap){.kind = GAP_TRIGGER, .table = find_table(ref, want->table),
                                           .trigger = want}, e) < 0)
            goto failed;
    }
    for (size_t i = 0; i < ref->ntables; i++) {
        const struct schema_table *want = &ref->tables[i], *have = find_table(real, want->name);
        if (have && !checks_present(want->sql, have->sql) &&
            add_gap(g, (struct schema_gap){.kind = GAP_CHECK, .table = want}, e) < 0)
            goto failed;
    }
    return 0;
failed:
    schema_gaps_free(g);
    return -1;
}

void schema_gaps_free(struct schema_gaps *g)
{
    free(g->items);
    g->items = NULL;
    g->count = 0;
}

int schema_gaps_describe(const struct schema_gaps *g, struct strlist *out)
{
    for (size_t i = 0; i < g->count; i++) {
        const struct schema_gap *gap = &g->items[i];
        int rc = 0;
        switch (gap->kind) {
        case GAP_TABLE:
            rc = strlist_addf(out, "table %s", gap->table->name);
            break;
        case GAP_COLUMN:
            rc = strlist_addf(out, "column %s.%s", gap->table->name, gap->column->name);
            break;
        case GAP_UNIQUE:
            rc = strlist_addf(out, "unique constraint on %s(%s)", gap->index->table,
                              gap->index->columns[0]);
            break;
        case GAP_INDEX:
            rc = strlist_addf(out, "index %s", gap->index->name);
            break;
        case GAP_TRIGGER:
            rc = strlist_addf(out, "trigger %s", gap->trigger->name);
            break;
        case GAP_CHECK:
            rc = strlist_addf(out, "CHECK constraints on %s", gap->table->name);
            break;
        }
        if (rc < 0)
            return -1;
    }
    return 0;
}
