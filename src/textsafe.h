/* textsafe — makes text from the stream safe to put on a terminal.
 *
 * Company names, ids, error messages and JSON come from the network.  Before
 * any of it reaches curses or stdout it passes through here: control
 * characters (C0, DEL, C1) become visible placeholders so escape sequences
 * can never act on the terminal, bidirectional overrides are neutralised,
 * and bytes that are not valid UTF-8 are shown, not passed on.  Output is
 * always NUL-terminated and never longer than the buffer. */
#ifndef STREAMTOP_TEXTSAFE_H
#define STREAMTOP_TEXTSAFE_H

#include <stdbool.h>
#include <stddef.h>

enum textsafe_charset {
    TEXTSAFE_UTF8,   /* printable UTF-8 passes through */
    TEXTSAFE_ASCII,  /* non-ASCII characters become '?' (terminals without UTF-8) */
};

/* Sanitises len bytes of in (NUL bytes included) into out.  Placeholders:
 * "^X" caret notation for C0 controls and DEL ("^[" for ESC), "<U+0085>"-style
 * for C1 controls and bidi controls, "\xNN" for bytes that are not UTF-8.
 * Returns the number of bytes written, excluding the terminating NUL; when
 * the output would not fit it stops at a character boundary. */
size_t textsafe_copy(char *out, size_t outsz, const char *in, size_t len,
                     enum textsafe_charset charset);

/* Like textsafe_copy for a NUL-terminated string; a NULL in gives "". */
size_t textsafe_str(char *out, size_t outsz, const char *in, enum textsafe_charset charset);

/* A copy of len bytes of in that is valid UTF-8 without NUL bytes: each
 * invalid byte and each NUL becomes U+FFFD.  For JSON output, which must be
 * valid UTF-8 but may carry control characters escaped.  Caller frees. */
char *textsafe_utf8_dup(const char *in, size_t len);

/* How many bytes of len bytes of already sanitised text fit in cols
 * terminal columns, stopping at a character boundary; *used gets the
 * columns they take.  Wide characters count two, combining ones zero. */
size_t textsafe_fit(const char *s, size_t len, int cols, int *used);

/* Decodes one UTF-8 character at s (n bytes available).  Returns its length
 * (1..4) and stores the code point, or returns 0 for an invalid, overlong,
 * surrogate or truncated sequence. */
size_t textsafe_utf8_decode(const unsigned char *s, size_t n, unsigned *cp);

#endif
