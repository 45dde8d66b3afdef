#include "config.h"

#include <stdio.h>
#include <string.h>

#include "simgen.h"
#include "timeutil.h"

#define COMPANY_POOL 50000

/* splitmix64: a fast, well-mixed hash of one 64-bit value. */
static uint64_t mix(uint64_t x)
{
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

#define PICK(list, r) ((list)[(r) % (sizeof(list) / sizeof((list)[0]))])

static const char *const first_words[] = {
    "ACME", "NORTHERN", "GLENCOYNE", "BRIGHTWATER", "OAKFIELD", "HARBOUR", "REDHILL", "STONEGATE",
    "CAF\xc3\x89", "M\xc3\x9cLLER", "S\xc3\x98RENSEN", "\xc5\x81\xc3\x93" "D\xc5\xb9", "CYMRU",
    "DW\xc5\xb4R", "PENNINE", "THAMES", "KESTREL", "ORCHARD", "MERIDIAN", "FALCON", "BLUEBELL",
};
static const char *const second_words[] = {
    "ENGINEERING", "HOLDINGS", "CONSULTING", "TRADING", "LOGISTICS", "BAKERY", "PROPERTIES",
    "SOLUTIONS", "DESIGN", "MOTORS", "CARE", "SOFTWARE", "FARMS", "VENTURES", "SERVICES",
};
static const char *const suffixes[] = {"LTD", "LIMITED", "LTD", "PLC", "LLP", "LTD"};
static const char *const statuses[] = {
    "active", "active", "active", "active", "active", "active", "active", "active",
    "dissolved", "liquidation", "administration", "voluntary-arrangement",
};
static const char *const types[] = {"ltd", "ltd", "ltd", "ltd", "plc", "llp",
                                    "private-limited-guarant-nsc"};
static const char *const streets[] = {"High Street", "Station Road", "Church Lane", "Mill Road",
                                      "Heath Road Industrial Estate", "Victoria Street", "Park Avenue"};
static const char *const towns[] = {"London", "Norwich", "Manchester", "Cardiff", "Edinburgh",
                                    "Belfast", "Bristol", "Leeds", "Glasgow", "Aberystwyth"};
static const char *const sic[] = {"45200", "62012", "70229", "56101", "68209", "41100", "86900"};

void simgen_init(struct simgen *g, uint64_t seed, int64_t first_timepoint, int64_t start_ms,
                 double rate)
{
    memset(g, 0, sizeof *g);
    g->seed = seed;
    g->first_timepoint = first_timepoint;
    g->start_ms = start_ms;
    g->rate = rate > 0 ? rate : 1;
}

bool simgen_exists(const struct simgen *g, int64_t tp)
{
    return tp >= g->first_timepoint &&
           !(g->gap_every && (tp - g->first_timepoint) % g->gap_every == g->gap_every - 1);
}

int64_t simgen_next(const struct simgen *g, int64_t tp)
{
    do
        tp++;
    while (!simgen_exists(g, tp));
    return tp;
}

/* A value below n from random bits. */
static int digit(uint64_t r, unsigned n)
{
    return (int)(r % n);
}

static char letter(uint64_t r)
{
    return (char)('A' + digit(r, 26));
}

static void company_number(uint64_t r, char buf[16])
{
    unsigned n = (unsigned)(r % COMPANY_POOL);
    unsigned region = (unsigned)(r >> 32) % 100;
    if (region < 8)
        snprintf(buf, 16, "SC%06u", n);
    else if (region < 11)
        snprintf(buf, 16, "NI%06u", n);
    else
        snprintf(buf, 16, "%08u", n + 1000000);
}

/* published_at as the stream writes it: half the time UK local time
 * without a zone, half the time UTC with milliseconds and 'Z'. */
static void published_at(const struct simgen *g, int64_t tp, uint64_t r, char buf[ISO_TIME_LEN])
{
    int64_t at = g->start_ms + (int64_t)((double)(tp - g->first_timepoint) * 1000.0 / g->rate);
    if (r & 1) {
        time_format_iso(at, buf);
        return;
    }
    time_format_iso(at + time_london_offset_ms(at), buf);
    buf[19] = '\0';   /* "YYYY-MM-DDTHH:MM:SS" */
}

/* The source of an event's content: itself, or for a repeat the recent
 * event whose company and etag it repeats. */
static int64_t content_source(const struct simgen *g, int64_t tp)
{
    uint64_t r = mix(g->seed ^ mix((uint64_t)tp));
    if (r % 20 == 0 && tp - g->first_timepoint > 60) {
        int64_t src = tp - 1 - (int64_t)((r >> 16) % 50);
        while (src > g->first_timepoint && !simgen_exists(g, src))
            src--;
        return src;
    }
    return tp;
}

static int append_name(const struct simgen *g, uint64_t r, int64_t src, struct sbuf *out)
{
    char name[160];
    snprintf(name, sizeof name, "%s %s %s", PICK(first_words, r), PICK(second_words, r >> 8),
             PICK(suffixes, r >> 16));
    if (g->hostile_every && (src - g->first_timepoint) % g->hostile_every == g->hostile_every - 1) {
        /* set the window title, turn text red, ring the bell, reorder text */
        snprintf(name, sizeof name, "\x1b]0;PWNED\x07\x1b[31mEVIL\x1b[0m \xe2\x80\xae" "DTL %s\x07",
                 PICK(second_words, r >> 8));
    }
    return sbuf_append_json(out, name);
}

static int append_data(const struct simgen *g, int64_t src, bool deleted, struct sbuf *out)
{
    uint64_t r = mix(g->seed ^ mix((uint64_t)src * 31 + 7));
    uint64_t r2 = mix(r);
    char number[16];
    company_number(mix((uint64_t)src + g->seed), number);
    int rc = sbuf_appendf(out, "{\"company_number\":\"%s\",\"company_name\":\"", number);
    rc |= append_name(g, r, src, out);
    rc |= sbuf_appendf(out, "\",\"etag\":\"%016llx%016llx%08x\"", (unsigned long long)r,
                       (unsigned long long)r2, (unsigned)(r2 >> 7));
    if (deleted)
        return rc | sbuf_appendf(out, ",\"links\":{\"self\":\"/company/%s\"}}", number);
    int year = 1990 + (int)(r2 % 35);
    return rc | sbuf_appendf(out,
        ",\"company_status\":\"%s\",\"type\":\"%s\",\"date_of_creation\":\"%d-%02d-%02d\","
        "\"jurisdiction\":\"england-wales\",\"can_file\":true,"
        "\"registered_office_address\":{\"address_line_1\":\"Unit %u %s\",\"locality\":\"%s\","
        "\"postal_code\":\"%c%c%u %u%c%c\"},"
        "\"sic_codes\":[\"%s\"],"
        "\"accounts\":{\"accounting_reference_date\":{\"day\":\"30\",\"month\":\"09\"},"
        "\"next_due\":\"%d-06-30\",\"last_accounts\":{\"type\":\"micro-entity\"}},"
        "\"links\":{\"self\":\"/company/%s\",\"filing_history\":\"/company/%s/filing-history\","
        "\"officers\":\"/company/%s/officers\"}}",
        PICK(statuses, r >> 24), PICK(types, r >> 32), year, digit(r2 >> 8, 12) + 1,
        digit(r2 >> 16, 28) + 1, (unsigned)digit(r2 >> 20, 40) + 1, PICK(streets, r >> 40),
        PICK(towns, r >> 44), letter(r2 >> 24), letter(r2 >> 28), (unsigned)digit(r2 >> 32, 30),
        (unsigned)digit(r2 >> 36, 10), letter(r2 >> 40), letter(r2 >> 44), PICK(sic, r2 >> 48),
        year + 1, number, number, number);
}

int simgen_event(const struct simgen *g, int64_t tp, struct sbuf *out)
{
    int64_t src = content_source(g, tp);
    uint64_t r = mix(g->seed ^ mix((uint64_t)src * 131 + 3));
    bool deleted = r % 50 == 0;
    char number[16], at[ISO_TIME_LEN];
    company_number(mix((uint64_t)src + g->seed), number);
    published_at(g, tp, mix((uint64_t)tp ^ g->seed), at);
    int rc = sbuf_appendf(out, "{\"resource_kind\":\"company-profile\",\"resource_uri\":"
                               "\"/company/%s\",\"resource_id\":\"%s\",\"data\":", number, number);
    rc |= append_data(g, src, deleted, out);
    rc |= sbuf_appendf(out, ",\"event\":{\"timepoint\":%lld,\"published_at\":\"%s\",\"type\":\"%s\"%s}}\n",
                       (long long)tp, at, deleted ? "deleted" : "changed",
                       (r >> 8) % 3 == 0 ? ",\"fields_changed\":[\"company_name\"]" : "");
    return rc < 0 ? -1 : 0;
}

int simgen_garbage(const struct simgen *g, int64_t after_tp, unsigned k, struct sbuf *out)
{
    (void)g;
    switch (k % SIMGEN_GARBAGE_KINDS) {
    case 0:
        return sbuf_appendf(out, "{\"resource_kind\":\"company-profile\",\"data\": <garbage after %lld>\n",
                            (long long)after_tp);
    case 1:
        return sbuf_appendf(out, "{\"resource_kind\":\"company-profile\",\"data\":{\"company_number\":"
                                 "\"%08lld\"},\"event\":{\"type\":\"changed\"}}\n",
                            (long long)after_tp % 100000000);
    case 2:
        return sbuf_appendf(out, "{\"resource_kind\":\"company-profile\",\"data\":{},\"event\":"
                                 "{\"timepoint\":\"soon-%lld\",\"type\":\"merged\"}}\n",
                            (long long)after_tp);
    case 3:
        return sbuf_appendf(out, "[\"not\",\"an\",\"object\",%lld]\n", (long long)after_tp);
    default: {
        char bytes[] = "\xff\xfe stray bytes \x01\x02 after ";
        return sbuf_append(out, bytes, sizeof bytes - 1) |
               sbuf_appendf(out, "%lld\x1b[2J\n", (long long)after_tp);
    }
    }
}
