#include "config.h"

#include <stdio.h>
#include <string.h>

#include "humanfmt.h"

char *human_count(int64_t n, char buf[HUMAN_LEN])
{
    char digits[24];
    uint64_t mag = n < 0 ? (uint64_t)0 - (uint64_t)n : (uint64_t)n;
    int len = snprintf(digits, sizeof digits, "%llu", (unsigned long long)mag);
    size_t pos = 0;
    if (n < 0)
        buf[pos++] = '-';
    for (int i = 0; i < len; i++) {
        if (i > 0 && (len - i) % 3 == 0)
            buf[pos++] = ',';
        buf[pos++] = digits[i];
    }
    buf[pos] = '\0';
    return buf;
}

char *human_rate(double r, char buf[HUMAN_LEN])
{
    if (!(r > 0.0))   /* also catches NaN */
        snprintf(buf, HUMAN_LEN, "0/s");
    else if (r < 10.0)
        snprintf(buf, HUMAN_LEN, "%.1f/s", r);
    else if (r < 1000.0)
        snprintf(buf, HUMAN_LEN, "%.0f/s", r);
    else if (r < 1e6)
        snprintf(buf, HUMAN_LEN, "%.1fk/s", r / 1e3);
    else
        snprintf(buf, HUMAN_LEN, "%.1fM/s", r / 1e6);
    return buf;
}

char *human_number(double v, char buf[HUMAN_LEN])
{
    static const char suffix[] = "kMGT";
    if (v != v || v - v != 0.0) {   /* NaN or infinite */
        snprintf(buf, HUMAN_LEN, "-");
        return buf;
    }
    const char *sign = v < 0 ? "-" : "";
    double mag = v < 0 ? -v : v;
    int i = -1;
    /* 999.6 rounds to "1e+03" at three digits: it is 1.00k */
    while (mag >= 999.5 && i < (int)sizeof suffix - 2) {
        mag /= 1000.0;
        i++;
    }
    if (i < 0)
        snprintf(buf, HUMAN_LEN, "%s%.3g", sign, mag);
    else if (mag >= 999.5)
        snprintf(buf, HUMAN_LEN, "%s%.0f%c", sign, mag, suffix[i]);
    else
        snprintf(buf, HUMAN_LEN, "%s%.3g%c", sign, mag, suffix[i]);
    return buf;
}

char *human_duration(int64_t s, char buf[HUMAN_LEN])
{
    if (s < 0)
        s = 0;
    if (s < 60)
        snprintf(buf, HUMAN_LEN, "%llds", (long long)s);
    else if (s < 3600)
        snprintf(buf, HUMAN_LEN, "%lldm %02llds", (long long)(s / 60), (long long)(s % 60));
    else if (s < 86400)
        snprintf(buf, HUMAN_LEN, "%lldh %02lldm", (long long)(s / 3600), (long long)(s / 60 % 60));
    else
        snprintf(buf, HUMAN_LEN, "%lldd %02lldh", (long long)(s / 86400), (long long)(s / 3600 % 24));
    return buf;
}

char *human_age(int64_t s, char buf[HUMAN_LEN])
{
    if (s < 1)
        snprintf(buf, HUMAN_LEN, "now");
    else if (s < 60)
        snprintf(buf, HUMAN_LEN, "%llds ago", (long long)s);
    else if (s < 3600)
        snprintf(buf, HUMAN_LEN, "%lldm ago", (long long)(s / 60));
    else if (s < 86400)
        snprintf(buf, HUMAN_LEN, "%lldh ago", (long long)(s / 3600));
    else
        snprintf(buf, HUMAN_LEN, "%lldd ago", (long long)(s / 86400));
    return buf;
}

char *human_bytes(int64_t b, char buf[HUMAN_LEN])
{
    static const char *const units[] = {"KiB", "MiB", "GiB", "TiB"};
    if (b < 1024) {
        snprintf(buf, HUMAN_LEN, "%lld B", (long long)(b < 0 ? 0 : b));
        return buf;
    }
    double v = (double)b / 1024.0;
    size_t u = 0;
    while (v >= 1024.0 && u + 1 < sizeof units / sizeof units[0]) {
        v /= 1024.0;
        u++;
    }
    snprintf(buf, HUMAN_LEN, "%.1f %s", v, units[u]);
    return buf;
}
