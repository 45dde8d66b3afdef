#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "timeutil.h"

int64_t time_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t time_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t time_mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void time_mono_deadline(struct timespec *ts, int64_t ms)
{
    clock_gettime(CLOCK_MONOTONIC, ts);
    ts->tv_sec += ms / 1000;
    ts->tv_nsec += (ms % 1000) * 1000000;
    if (ts->tv_nsec >= 1000000000) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000;
    }
}

void time_mono_cond_init(pthread_cond_t *cond)
{
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(cond, &attr);
    pthread_condattr_destroy(&attr);
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
 * days_from_civil): exact for every year, no table, no locale, no TZ. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int *year, unsigned *month, unsigned *day)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = (int64_t)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *day = doy - (153 * mp + 2) / 5 + 1;
    *month = mp < 10 ? mp + 3 : mp - 9;
    *year = (int)(y + (*month <= 2));
}

char *time_format_iso(int64_t epoch_ms, char buf[ISO_TIME_LEN])
{
    int64_t secs = epoch_ms >= 0 ? epoch_ms / 1000 : (epoch_ms - 999) / 1000;
    int ms = (int)(epoch_ms - secs * 1000);
    int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
    int sod = (int)(secs - days * 86400);
    int year;
    unsigned month, day;
    civil_from_days(days, &year, &month, &day);
    snprintf(buf, ISO_TIME_LEN, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", year, month, day,
             sod / 3600, sod / 60 % 60, sod % 60, ms);
    return buf;
}

static int days_in_month(int year, unsigned month)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return month == 2 && leap ? 29 : days[month - 1];
}

/* Reads exactly n digits. */
static bool read_digits(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)(*p)[i]))
            return false;
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += n;
    *out = v;
    return true;
}

/* UTC instant of 01:00 UTC on the last Sunday of a month: when UK summer
 * time starts (March) and ends (October). */
static int64_t last_sunday_0100_utc(int year, unsigned month)
{
    int last = days_in_month(year, month);
    int64_t days = days_from_civil(year, month, (unsigned)last);
    int weekday = (int)((days % 7 + 11) % 7);   /* 0 = Sunday; 1970-01-01 was a Thursday */
    return ((days - weekday) * 86400 + 3600) * 1000;
}

int64_t time_london_offset_ms(int64_t utc_ms)
{
    int year;
    unsigned month, day;
    int64_t days = utc_ms >= 0 ? utc_ms / 86400000 : (utc_ms - 86399999) / 86400000;
    civil_from_days(days, &year, &month, &day);
    int64_t start = last_sunday_0100_utc(year, 3);
    int64_t end = last_sunday_0100_utc(year, 10);
    return utc_ms >= start && utc_ms < end ? 3600000 : 0;
}

bool time_parse_iso(const char *text, enum time_zone_default naive, int64_t *epoch_ms)
{
    const char *p = text;
    int year, month, day, hour, minute, second, ms = 0;
    if (!p || !read_digits(&p, 4, &year) || *p++ != '-' || !read_digits(&p, 2, &month) ||
        *p++ != '-' || !read_digits(&p, 2, &day) || (*p != 'T' && *p != 't' && *p != ' '))
        return false;
    p++;
    if (!read_digits(&p, 2, &hour) || *p++ != ':' || !read_digits(&p, 2, &minute) ||
        *p++ != ':' || !read_digits(&p, 2, &second))
        return false;
    if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, (unsigned)month) ||
        hour > 23 || minute > 59 || second > 60)
        return false;
    if (*p == '.' || *p == ',') {
        int scale = 100, digits = 0;
        for (p++; isdigit((unsigned char)*p); p++, digits++) {
            ms += (*p - '0') * scale;
            scale /= 10;
        }
        if (digits == 0)
            return false;
    }
    int64_t local = (days_from_civil(year, (unsigned)month, (unsigned)day) * 86400 +
                     hour * 3600 + minute * 60 + second) * 1000 + ms;
    if (*p == 'Z' || *p == 'z') {
        p++;
        *epoch_ms = local;
    } else if (*p == '+' || *p == '-') {
        int sign = *p++ == '-' ? -1 : 1, oh, om = 0;
        if (!read_digits(&p, 2, &oh))
            return false;
        if (*p == ':')
            p++;
        if (isdigit((unsigned char)*p) && !read_digits(&p, 2, &om))
            return false;
        if (oh > 23 || om > 59)
            return false;
        *epoch_ms = local - sign * (int64_t)(oh * 60 + om) * 60000;
    } else if (naive == TIME_NAIVE_IS_LONDON) {
        /* Local time read as UTC is at most an hour ahead of the instant;
         * the offset at (local - 1h) settles it except inside the repeated
         * autumn hour, which reads as summer time: the earlier instant. */
        *epoch_ms = local - time_london_offset_ms(local - 3600000);
    } else {
        *epoch_ms = local;
    }
    return *p == '\0';
}
