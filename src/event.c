#include "config.h"

#include <cjson/cJSON.h>
#include <math.h>
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

void event_free(struct stream_event *ev)
{
    if (!ev)
        return;
    char **owned[] = {&ev->company_number, &ev->etag, &ev->company_name, &ev->company_status,
                      &ev->company_type, &ev->date_of_creation, &ev->date_of_cessation,
                      &ev->address_line_1, &ev->address_line_2, &ev->locality, &ev->region,
                      &ev->postal_code, &ev->country, &ev->raw};
    for (size_t i = 0; i < sizeof owned / sizeof owned[0]; i++)
        free(*owned[i]);
    cJSON_free(ev->sic_codes);   /* both printed by cJSON */
    cJSON_free(ev->data);
    free(ev);
}

/* A string member copied, or NULL when absent, not a string, or empty. */
static char *member_string(const cJSON *obj, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
    return cJSON_IsString(v) && v->valuestring[0] ? strdup(v->valuestring) : NULL;
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

static int read_profile(const cJSON *root, struct stream_event *ev, struct err *e)
{
    const cJSON *data = cJSON_GetObjectItemCaseSensitive(root, "data");
    if (data && !cJSON_IsObject(data))
        return err_set(e, "data is not an object"), -1;
    if (!data && ev->type == EVENT_CHANGED)
        return err_set(e, "a changed event without data"), -1;
    ev->company_number = member_string(data, "company_number");
    if (!ev->company_number)
        ev->company_number = member_string(root, "resource_id");
    if (!data)
        return 0;
    ev->etag = member_string(data, "etag");
    ev->company_name = member_string(data, "company_name");
    ev->company_status = member_string(data, "company_status");
    ev->company_type = member_string(data, "type");
    ev->date_of_creation = member_string(data, "date_of_creation");
    ev->date_of_cessation = member_string(data, "date_of_cessation");
    const cJSON *addr = cJSON_GetObjectItemCaseSensitive(data, "registered_office_address");
    ev->address_line_1 = member_string(addr, "address_line_1");
    ev->address_line_2 = member_string(addr, "address_line_2");
    ev->locality = member_string(addr, "locality");
    ev->region = member_string(addr, "region");
    ev->postal_code = member_string(addr, "postal_code");
    ev->country = member_string(addr, "country");
    const cJSON *sic = cJSON_GetObjectItemCaseSensitive(data, "sic_codes");
    if (cJSON_IsArray(sic))
        ev->sic_codes = cJSON_PrintUnformatted(sic);
    ev->data = cJSON_PrintUnformatted(data);
    if (!ev->data)
        return err_set(e, "out of memory"), -1;
    return 0;
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
    struct stream_event *ev = calloc(1, sizeof *ev);
    int rc = -1;
    if (!ev)
        err_set(e, "out of memory");
    else if (!cJSON_IsObject(root))
        err_set(e, "not a JSON object");
    else if (read_envelope(root, ev, e) == 0 && read_profile(root, ev, e) == 0)
        rc = 0;
    cJSON_Delete(root);
    if (rc == 0 && (ev->raw = malloc(len + 1)) != NULL) {
        memcpy(ev->raw, line, len);
        ev->raw[len] = '\0';
        ev->raw_len = len;
        *out = ev;
        return 0;
    }
    if (rc == 0)
        err_set(e, "out of memory");
    event_free(ev);
    return -1;
}
