/* strlist — a growable list of owned strings (notes, missing schema parts). */
#ifndef STREAMTOP_STRLIST_H
#define STREAMTOP_STRLIST_H

#include <stddef.h>

struct strlist {
    char **items;
    size_t count;
};

/* Appends a formatted string; returns -1 when out of memory. */
int strlist_addf(struct strlist *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Joins the items with sep into a new string (caller frees); "" when empty. */
char *strlist_join(const struct strlist *l, const char *sep);

void strlist_free(struct strlist *l);

#endif
