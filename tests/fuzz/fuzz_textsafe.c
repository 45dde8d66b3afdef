/* libFuzzer target for textsafe: whatever bytes come in, what goes to the
 * terminal holds no control character, no bidi override and no invalid
 * UTF-8, fits its buffer and ends in a NUL; the UTF-8 repair gives valid
 * UTF-8 without NUL; fitting never overshoots its columns.  A broken
 * promise aborts, which libFuzzer and the corpus replay both report. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "textsafe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void require(int ok)
{
    if (!ok)
        abort();
}

/* Valid UTF-8, and nothing a terminal would act on. */
static void check_displayable(const char *s, size_t n, enum textsafe_charset charset)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        unsigned cp;
        size_t len = textsafe_utf8_decode(u + i, n - i, &cp);
        require(len > 0);
        require(cp >= 0x20 && cp != 0x7f && !(cp >= 0x80 && cp <= 0x9f));
        require(!(cp >= 0x202a && cp <= 0x202e) && !(cp >= 0x2066 && cp <= 0x2069));
        require(charset == TEXTSAFE_UTF8 || cp < 0x80);
        i += len;
    }
}

static void check_copy(const char *in, size_t len, size_t outsz, enum textsafe_charset charset)
{
    char *out = malloc(outsz);
    require(out != NULL);
    size_t n = textsafe_copy(out, outsz, in, len, charset);
    require(n < outsz && out[n] == '\0' && strlen(out) == n);
    check_displayable(out, n, charset);
    for (int cols = 0; cols <= 81; cols += 9) {
        int used = -1;
        size_t fit = textsafe_fit(out, n, cols, &used);
        require(fit <= n && used >= 0 && used <= cols);
    }
    free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *in = (const char *)data;
    static const size_t sizes[] = {1, 2, 5, 16, 64};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        check_copy(in, size, sizes[i], TEXTSAFE_UTF8);
        check_copy(in, size, sizes[i], TEXTSAFE_ASCII);
    }
    /* room for every byte's longest placeholder: nothing is cut */
    check_copy(in, size, size * 8 + 1, TEXTSAFE_UTF8);
    char *fixed = textsafe_utf8_dup(in, size);
    require(fixed != NULL);
    size_t n = strlen(fixed);
    for (size_t i = 0; i < n;) {
        unsigned cp;
        size_t len = textsafe_utf8_decode((const unsigned char *)fixed + i, n - i, &cp);
        require(len > 0);
        i += len;
    }
    require(n >= size);   /* nothing dropped: each bad byte becomes U+FFFD */
    free(fixed);
    return 0;
}
