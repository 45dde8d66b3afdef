/* namebits — a set of names held as a bitmask and stored as a JSON array
 * of strings: an API key's permissions, the events a webhook wants.
 *
 * A table is an array of names; name i is bit 1 << i.  Parsing a list
 * stops at the first unknown or empty word and says which; reading a
 * stored array ignores names it does not know (a newer streamtop's), and
 * anything that is not an array of strings reads as no names. */
#ifndef STREAMTOP_NAMEBITS_H
#define STREAMTOP_NAMEBITS_H

#include <stddef.h>

struct namebits {
    const char *const *names;
    size_t count;                   /* at most the bits of an unsigned */
};

/* The bit of one word (len bytes), 0 when it is not in the table. */
unsigned namebits_bit(const struct namebits *t, const char *word, size_t len);

/* "a,b" -> a mask; -1 with *bad and *bad_len at the first word that is not
 * a name (an empty one included). */
int namebits_parse_list(const struct namebits *t, const char *list, unsigned *mask,
                        const char **bad, size_t *bad_len);

/* The JSON array of the names in mask, in table order: ["a","b"].  Returns
 * -1 when buf is too small (buf then holds "[]"). */
int namebits_json(const struct namebits *t, unsigned mask, char *buf, size_t size);

/* The mask of a stored JSON array. */
unsigned namebits_from_json(const struct namebits *t, const char *json);

#endif
