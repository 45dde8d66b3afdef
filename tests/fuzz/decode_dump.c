/* decode_dump — the decoder's verdict on each line of stdin, as one JSON
 * object per line, for differential.sh to hold against an independent
 * parser.  Lines are split by the framer, as the stream client does;
 * heartbeats print nothing.  The timepoint is printed as a string so it
 * reaches the other side exactly. */
#include "config.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "framer.h"

#define DUMP_MAX_LINE (16 * 1024 * 1024)

static void add_text(cJSON *out, const char *name, const char *value)
{
    if (value)
        cJSON_AddStringToObject(out, name, value);
    else
        cJSON_AddNullToObject(out, name);
}

static cJSON *verdict(const char *line, size_t len)
{
    struct stream_event *ev;
    struct err e;
    cJSON *out = cJSON_CreateObject();
    if (event_decode(line, len, &ev, &e) < 0) {
        cJSON_AddFalseToObject(out, "ok");
        cJSON_AddStringToObject(out, "why", e.msg);
        return out;
    }
    char tp[24];
    snprintf(tp, sizeof tp, "%lld", (long long)ev->timepoint);
    cJSON_AddTrueToObject(out, "ok");
    cJSON_AddStringToObject(out, "timepoint", tp);
    cJSON_AddStringToObject(out, "type", event_type_name(ev->type));
    const struct { const char *name, *value; } fields[] = {
        {"company_number", ev->company_number}, {"etag", ev->etag},
        {"company_name", ev->company_name}, {"company_status", ev->company_status},
        {"company_type", ev->company_type}, {"date_of_creation", ev->date_of_creation},
        {"date_of_cessation", ev->date_of_cessation}, {"address_line_1", ev->address_line_1},
        {"address_line_2", ev->address_line_2}, {"locality", ev->locality},
        {"region", ev->region}, {"postal_code", ev->postal_code}, {"country", ev->country},
        {"sic_codes", ev->sic_codes}, {"data", ev->data},
    };
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        add_text(out, fields[i].name, fields[i].value);
    cJSON_AddBoolToObject(out, "raw_exact", ev->raw_len == len && memcmp(ev->raw, line, len) == 0);
    event_free(ev);
    return out;
}

static int print_verdict(void *ctx, const struct framed_line *f)
{
    (void)ctx;
    if (f->kind == FRAME_HEARTBEAT)
        return 0;
    if (f->kind == FRAME_OVERSIZE) {
        fprintf(stderr, "decode_dump: a line of %zu bytes is too long\n", f->full_len);
        return -1;
    }
    cJSON *out = verdict(f->data, f->len);
    char *text = cJSON_PrintUnformatted(out);
    cJSON_Delete(out);
    if (!text)
        return -1;
    puts(text);
    cJSON_free(text);
    return 0;
}

int main(void)
{
    struct framer fr;
    char block[65536];
    size_t n;
    int rc = 0;
    framer_init(&fr, DUMP_MAX_LINE);
    while (rc == 0 && (n = fread(block, 1, sizeof block, stdin)) > 0)
        rc = framer_feed(&fr, block, n, print_verdict, NULL);
    framer_free(&fr);
    return rc == 0 && !ferror(stdin) && fflush(stdout) == 0 ? 0 : 1;
}
