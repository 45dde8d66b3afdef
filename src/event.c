#include "config.h"

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "event.h"
#include "jsonscan.h"
#include "timeutil.h"

char *event_id(int64_t timepoint, char buf[EVENT_ID_LEN])
{
    snprintf(buf, EVENT_ID_LEN, EVENT_RESOURCE_KIND ":%lld", (long long)timepoint);
    return buf;
}

const char *event_type_name(enum event_type t)
{
    return t == EVENT_DELETED ? "deleted" : "changed";
}

/* Everything an event points to lives in its own allocation (see
 * event_decode), so one free() releases it.  That matters across threads:
 * the writer frees what the stream thread allocated, and each free() of
 * another thread's memory takes that thread's malloc arena lock. */
void event_free(struct stream_event *ev)
{
    free(ev);
}

/* The text fields of an event, in the order event_decode fills them. */
enum text_field {
    T_COMPANY_NUMBER, T_ETAG, T_NAME, T_STATUS, T_TYPE, T_CREATED, T_CEASED,
    T_ADDRESS_1, T_ADDRESS_2, T_LOCALITY, T_REGION, T_POSTAL_CODE, T_COUNTRY,
    T_SIC_CODES, T_DATA, T_COUNT
};

/* Where each text field's pointer lives in the struct. */
static const size_t text_offset[T_COUNT] = {
    [T_COMPANY_NUMBER] = offsetof(struct stream_event, company_number),
    [T_ETAG] = offsetof(struct stream_event, etag),
    [T_NAME] = offsetof(struct stream_event, company_name),
    [T_STATUS] = offsetof(struct stream_event, company_status),
    [T_TYPE] = offsetof(struct stream_event, company_type),
    [T_CREATED] = offsetof(struct stream_event, date_of_creation),
    [T_CEASED] = offsetof(struct stream_event, date_of_cessation),
    [T_ADDRESS_1] = offsetof(struct stream_event, address_line_1),
    [T_ADDRESS_2] = offsetof(struct stream_event, address_line_2),
    [T_LOCALITY] = offsetof(struct stream_event, locality),
    [T_REGION] = offsetof(struct stream_event, region),
    [T_POSTAL_CODE] = offsetof(struct stream_event, postal_code),
    [T_COUNTRY] = offsetof(struct stream_event, country),
    [T_SIC_CODES] = offsetof(struct stream_event, sic_codes),
    [T_DATA] = offsetof(struct stream_event, data),
};

/* Where each text field comes from while decoding: inside the cJSON tree,
 * or (sic_codes and data) printed by cJSON and freed after packing. */
struct texts {
    const char *at[T_COUNT];
    char *printed_sic, *printed_data;
};

/* The member called name, or NULL.  When a name is repeated the last one
 * counts, as for Python's json and JavaScript; cJSON's lookup finds the first. */
static const cJSON *member(const cJSON *obj, const char *name)
{
    const cJSON *found = NULL;
    if (!cJSON_IsObject(obj))
        return NULL;
    for (const cJSON *c = obj->child; c; c = c->next)
        if (strcmp(c->string, name) == 0)
            found = c;
    return found;
}

/* A string member, or NULL when absent, not a string, or empty. */
static const char *member_text(const cJSON *obj, const char *name)
{
    const cJSON *v = member(obj, name);
    return cJSON_IsString(v) && v->valuestring[0] ? v->valuestring : NULL;
}

/* The timepoint from its token's digits, not through cJSON's double, which
 * would round anything above 2^53 to a neighbouring timepoint. */
static int read_timepoint(const struct jsonscan *scan, int64_t *out, struct err *e)
{
    const char *p = scan->timepoint;
    size_t n = scan->timepoint_len;
    int64_t v = 0;
    if (!p)
        return err_set(e, "missing event.timepoint"), -1;
    for (size_t i = 0; i < n; i++) {
        int d = p[i] - '0';
        if (d < 0 || d > 9 || v > (INT64_MAX - d) / 10) {
            n = 0;
            break;
        }
        v = v * 10 + d;
    }
    if (n == 0)
        return err_set(e, "event.timepoint is not a non-negative integer "
                              "(digits, at most 9223372036854775807)"), -1;
    *out = v;
    return 0;
}

static int read_envelope(const cJSON *root, const struct jsonscan *scan, struct stream_event *ev,
                         struct err *e)
{
    const cJSON *kind = member(root, "resource_kind");
    const cJSON *event = member(root, "event");
    if (!cJSON_IsString(kind))
        return err_set(e, "missing resource_kind"), -1;
    if (strcmp(kind->valuestring, EVENT_RESOURCE_KIND) != 0)
        return err_set(e, "unexpected resource_kind '%.64s'", kind->valuestring), -1;
    if (!cJSON_IsObject(event))
        return err_set(e, "missing event object"), -1;
    if (read_timepoint(scan, &ev->timepoint, e) < 0)
        return -1;
    const cJSON *type = member(event, "type");
    if (!cJSON_IsString(type))
        return err_set(e, "missing event.type"), -1;
    if (strcmp(type->valuestring, "changed") == 0)
        ev->type = EVENT_CHANGED;
    else if (strcmp(type->valuestring, "deleted") == 0)
        ev->type = EVENT_DELETED;
    else
        return err_set(e, "unknown event type '%.64s'", type->valuestring), -1;
    const cJSON *published = member(event, "published_at");
    if (!cJSON_IsString(published) ||
        !time_parse_iso(published->valuestring, TIME_NAIVE_IS_LONDON, &ev->published_at))
        ev->published_at = 0;
    return 0;
}

static int read_profile(const cJSON *root, const struct stream_event *ev, struct texts *t,
                        struct err *e)
{
    const cJSON *data = member(root, "data");
    if (data && !cJSON_IsObject(data))
        return err_set(e, "data is not an object"), -1;
    if (!data && ev->type == EVENT_CHANGED)
        return err_set(e, "a changed event without data"), -1;
    t->at[T_COMPANY_NUMBER] = member_text(data, "company_number");
    if (!t->at[T_COMPANY_NUMBER])
        t->at[T_COMPANY_NUMBER] = member_text(root, "resource_id");
    if (!data)
        return 0;
    static const struct member { enum text_field f; const char *name; } profile[] = {
        {T_ETAG, "etag"}, {T_NAME, "company_name"}, {T_STATUS, "company_status"},
        {T_TYPE, "type"}, {T_CREATED, "date_of_creation"}, {T_CEASED, "date_of_cessation"},
    };
    static const struct member address[] = {
        {T_ADDRESS_1, "address_line_1"}, {T_ADDRESS_2, "address_line_2"},
        {T_LOCALITY, "locality"}, {T_REGION, "region"}, {T_POSTAL_CODE, "postal_code"},
        {T_COUNTRY, "country"},
    };
    for (size_t i = 0; i < sizeof profile / sizeof profile[0]; i++)
        t->at[profile[i].f] = member_text(data, profile[i].name);
    const cJSON *addr = member(data, "registered_office_address");
    for (size_t i = 0; i < sizeof address / sizeof address[0]; i++)
        t->at[address[i].f] = member_text(addr, address[i].name);
    const cJSON *sic = member(data, "sic_codes");
    if (cJSON_IsArray(sic))
        t->at[T_SIC_CODES] = t->printed_sic = cJSON_PrintUnformatted(sic);
    t->at[T_DATA] = t->printed_data = cJSON_PrintUnformatted(data);
    if (!t->printed_data || (cJSON_IsArray(sic) && !t->printed_sic))
        return err_set(e, "out of memory"), -1;
    return 0;
}

/* One allocation: the event, then its text fields, then the raw line. */
static struct stream_event *pack(const struct stream_event *head, const struct texts *t,
                                 const char *line, size_t len)
{
    size_t lens[T_COUNT], total = sizeof *head + len + 1;
    for (int f = 0; f < T_COUNT; f++) {
        lens[f] = t->at[f] ? strlen(t->at[f]) + 1 : 0;
        total += lens[f];
    }
    struct stream_event *ev = malloc(total);
    if (!ev)
        return NULL;
    *ev = *head;
    char *next = (char *)(ev + 1);
    for (int f = 0; f < T_COUNT; f++) {
        char **slot = (char **)((char *)ev + text_offset[f]);
        *slot = t->at[f] ? memcpy(next, t->at[f], lens[f]) : NULL;
        next += lens[f];
    }
    ev->raw = memcpy(next, line, len);
    ev->raw[len] = '\0';
    ev->raw_len = len;
    return ev;
}

/* Lines are checked by jsonscan before cJSON sees them; only a line with
 * text cJSON cannot carry as valid UTF-8 is parsed from a repaired copy. */
int event_decode(const char *line, size_t len, struct stream_event **out, struct err *e)
{
    struct jsonscan scan;
    *out = NULL;
    if (memchr(line, '\0', len))
        return err_set(e, "the line contains a NUL byte"), -1;
    if (jsonscan_line(line, len, &scan) < 0)
        return err_set(e, "%s", scan.why), -1;
    size_t text_len = len;
    char *repaired = scan.needs_repair ? jsonscan_repair(line, len, &text_len) : NULL;
    if (scan.needs_repair && !repaired)
        return err_set(e, "out of memory"), -1;
    cJSON *root = cJSON_ParseWithLength(repaired ? repaired : line, text_len);
    free(repaired);
    if (!root)
        return err_set(e, "not valid JSON"), -1;
    struct stream_event head = {0};
    struct texts t = {0};
    int rc = -1;
    if (!cJSON_IsObject(root))
        err_set(e, "not a JSON object");
    else if (read_envelope(root, &scan, &head, e) == 0 && read_profile(root, &head, &t, e) == 0)
        rc = 0;
    if (rc == 0 && !(*out = pack(&head, &t, line, len))) {
        err_set(e, "out of memory");
        rc = -1;
    }
    cJSON_free(t.printed_sic);
    cJSON_free(t.printed_data);
    cJSON_Delete(root);
    return rc;
}
