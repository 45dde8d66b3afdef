#include "config.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "event.h"
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

/* A string member, or NULL when absent, not a string, or empty. */
static const char *member_text(const cJSON *obj, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
    return cJSON_IsString(v) && v->valuestring[0] ? v->valuestring : NULL;
}

/* Whether the line holds the escape \u0000, which would cut a C string. */
static int has_escaped_nul(const char *line, size_t len)
{
    for (const char *p = line; (p = memchr(p, '\\', (size_t)(line + len - p))) != NULL; p++) {
        if ((size_t)(line + len - p) >= 6 && p[1] == 'u' && strncmp(p + 2, "0000", 4) == 0)
            return 1;
        if (p + 1 < line + len && p[1] == '\\')
            p++;   /* an escaped backslash: the next one starts nothing */
    }
    return 0;
}

static int read_timepoint(const cJSON *event, int64_t *out, struct err *e)
{
    const cJSON *tp = cJSON_GetObjectItemCaseSensitive(event, "timepoint");
    if (cJSON_IsNumber(tp)) {
        double v = tp->valuedouble;
        if (v >= 0 && v <= 9007199254740992.0 && floor(v) == v) {
            *out = (int64_t)v;
            return 0;
        }
    } else if (cJSON_IsString(tp) && tp->valuestring[0]) {
        char *end;
        long long v = strtoll(tp->valuestring, &end, 10);
        if (*end == '\0' && v >= 0) {
            *out = v;
            return 0;
        }
    } else if (!tp) {
        err_set(e, "missing event.timepoint");
        return -1;
    }
    err_set(e, "event.timepoint is not a non-negative integer");
    return -1;
}

static int read_envelope(const cJSON *root, struct stream_event *ev, struct err *e)
{
    const cJSON *kind = cJSON_GetObjectItemCaseSensitive(root, "resource_kind");
    const cJSON *event = cJSON_GetObjectItemCaseSensitive(root, "event");
    if (!cJSON_IsString(kind))
        return err_set(e, "missing resource_kind"), -1;
    if (strcmp(kind->valuestring, EVENT_RESOURCE_KIND) != 0)
        return err_set(e, "unexpected resource_kind '%.64s'", kind->valuestring), -1;
    if (!cJSON_IsObject(event))
        return err_set(e, "missing event object"), -1;
    if (read_timepoint(event, &ev->timepoint, e) < 0)
        return -1;
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(event, "type");
    if (!cJSON_IsString(type))
        return err_set(e, "missing event.type"), -1;
    if (strcmp(type->valuestring, "changed") == 0)
        ev->type = EVENT_CHANGED;
    else if (strcmp(type->valuestring, "deleted") == 0)
        ev->type = EVENT_DELETED;
    else
        return err_set(e, "unknown event type '%.64s'", type->valuestring), -1;
    const cJSON *published = cJSON_GetObjectItemCaseSensitive(event, "published_at");
    if (!cJSON_IsString(published) ||
        !time_parse_iso(published->valuestring, TIME_NAIVE_IS_LONDON, &ev->published_at))
        ev->published_at = 0;
    return 0;
}

static int read_profile(const cJSON *root, const struct stream_event *ev, struct texts *t,
                        struct err *e)
{
    const cJSON *data = cJSON_GetObjectItemCaseSensitive(root, "data");
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
    const cJSON *addr = cJSON_GetObjectItemCaseSensitive(data, "registered_office_address");
    for (size_t i = 0; i < sizeof address / sizeof address[0]; i++)
        t->at[address[i].f] = member_text(addr, address[i].name);
    const cJSON *sic = cJSON_GetObjectItemCaseSensitive(data, "sic_codes");
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

int event_decode(const char *line, size_t len, struct stream_event **out, struct err *e)
{
    *out = NULL;
    if (memchr(line, '\0', len))
        return err_set(e, "the line contains a NUL byte"), -1;
    if (has_escaped_nul(line, len))
        return err_set(e, "the event contains \\u0000"), -1;
    cJSON *root = cJSON_ParseWithLength(line, len);
    if (!root)
        return err_set(e, "not valid JSON"), -1;
    struct stream_event head = {0};
    struct texts t = {0};
    int rc = -1;
    if (!cJSON_IsObject(root))
        err_set(e, "not a JSON object");
    else if (read_envelope(root, &head, e) == 0 && read_profile(root, &head, &t, e) == 0)
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
