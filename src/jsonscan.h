/* jsonscan — checks that a line is exactly one JSON value, before cJSON
 * builds a tree of it.
 *
 * cJSON is lenient where the stream's other readers (Python's json, jq) are
 * strict, and silent where the decoder needs to know: it stops after the
 * first value, takes any byte up to space as whitespace, reads "01" as a
 * number, keeps raw control characters in strings, cuts strings at \u0000,
 * refuses lone surrogates and keeps a number only as a double.  One pass
 * over the bytes, with no allocation, settles all of that:
 *   - the grammar of RFC 8259 exactly, followed by nothing but whitespace;
 *   - whether a string holds something the tree cannot carry as valid
 *     UTF-8 (\u0000, a lone surrogate escape, bytes that are not UTF-8),
 *     which jsonscan_repair() then turns into U+FFFD;
 *   - the exact text of event.timepoint (the last such member of the last
 *     "event" member, as for every duplicate key). */
#ifndef STREAMTOP_JSONSCAN_H
#define STREAMTOP_JSONSCAN_H

#include <stdbool.h>
#include <stddef.h>

/* Deeper nesting than this is refused (cJSON stops at 1000). */
#define JSONSCAN_MAX_DEPTH 512

struct jsonscan {
    bool needs_repair;         /* see jsonscan_repair */
    const char *timepoint;     /* first byte of event.timepoint's value; NULL when absent */
    size_t timepoint_len;      /* its length when it is a number token, else 0 */
    char why[96];              /* when the line is refused */
};

/* Scans len bytes of line.  Returns 0 when they are one JSON value and
 * whitespace, else -1 with out->why saying what is wrong and where. */
int jsonscan_line(const char *line, size_t len, struct jsonscan *out);

/* A copy of a scanned line in which every \u0000, every lone surrogate
 * escape and every byte that is not UTF-8 inside a string becomes U+FFFD.
 * Still one valid JSON value; *outlen gets its length.  Caller frees. */
char *jsonscan_repair(const char *line, size_t len, size_t *outlen);

#endif
