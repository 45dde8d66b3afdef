#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "textsafe.h"

size_t textsafe_utf8_decode(const unsigned char *s, size_t n, unsigned *cp)
{
    if (n == 0)
        return 0;
    unsigned c = s[0];
    size_t len;
    unsigned min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if ((c & 0xE0) == 0xC0) {
        len = 2, min = 0x80, c &= 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
        len = 3, min = 0x800, c &= 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
        len = 4, min = 0x10000, c &= 0x07;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        c = (c << 6) | (s[i] & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        return 0;
    *cp = c;
    return len;
}

/* Bidirectional formatting characters can reorder what follows them on the
 * line, making one company's text appear inside another's column. */
static bool is_bidi_control(unsigned cp)
{
    return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) ||
           cp == 0x200E || cp == 0x200F || cp == 0x061C;
}

/* Appends piece if it fits whole; returns false (and writes nothing) if not. */
static bool put(char *out, size_t outsz, size_t *pos, const char *piece, size_t n)
{
    if (*pos + n + 1 > outsz)
        return false;
    memcpy(out + *pos, piece, n);
    *pos += n;
    return true;
}

size_t textsafe_copy(char *out, size_t outsz, const char *in, size_t len,
                     enum textsafe_charset charset)
{
    size_t pos = 0;
    if (outsz == 0)
        return 0;
    const unsigned char *s = (const unsigned char *)in;
    for (size_t i = 0; i < len;) {
        char tmp[16];
        const char *piece = tmp;
        size_t n;
        unsigned cp;
        size_t clen = textsafe_utf8_decode(s + i, len - i, &cp);
        if (clen == 0) {
            n = (size_t)snprintf(tmp, sizeof tmp, "\\x%02X", s[i]);
            clen = 1;
        } else if (cp < 0x20 || cp == 0x7F) {
            tmp[0] = '^';
            tmp[1] = (char)(cp ^ 0x40);
            n = 2;
        } else if ((cp >= 0x80 && cp < 0xA0) || is_bidi_control(cp)) {
            n = (size_t)snprintf(tmp, sizeof tmp, "<U+%04X>", cp);
        } else if (cp >= 0x80 && charset == TEXTSAFE_ASCII) {
            tmp[0] = '?';
            n = 1;
        } else {
            piece = (const char *)s + i;
            n = clen;
        }
        if (!put(out, outsz, &pos, piece, n))
            break;
        i += clen;
    }
    out[pos] = '\0';
    return pos;
}

size_t textsafe_str(char *out, size_t outsz, const char *in, enum textsafe_charset charset)
{
    return textsafe_copy(out, outsz, in ? in : "", in ? strlen(in) : 0, charset);
}

char *textsafe_utf8_dup(const char *in, size_t len)
{
    static const char replacement[] = "\xEF\xBF\xBD";
    char *out = malloc(len * 3 + 1), *p = out;
    const unsigned char *s = (const unsigned char *)in;
    if (!out)
        return NULL;
    for (size_t i = 0; i < len;) {
        unsigned cp;
        size_t clen = textsafe_utf8_decode(s + i, len - i, &cp);
        if (clen == 0 || cp == 0) {
            memcpy(p, replacement, 3);
            p += 3;
            i++;
        } else {
            memcpy(p, s + i, clen);
            p += clen;
            i += clen;
        }
    }
    *p = '\0';
    return out;
}

size_t textsafe_fit(const char *s, size_t len, int cols, int *used)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    int w = 0;
    while (i < len) {
        unsigned cp;
        size_t clen = textsafe_utf8_decode(u + i, len - i, &cp);
        int cw = 1;
        if (clen == 0)
            clen = 1;
        else if (cp >= 0x80)
            cw = wcwidth((wchar_t)cp) < 0 ? 1 : wcwidth((wchar_t)cp);
        if (w + cw > cols)
            break;
        w += cw;
        i += clen;
    }
    if (used)
        *used = w;
    return i;
}
