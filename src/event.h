/* event — decodes one line of the stream into a company-profile event.
 *
 * Accepts what the real stream sends (DESIGN.md section 3): published_at
 * with or without a zone and fractions (without a zone it is UK civil
 * time), fields_changed absent, unknown extra fields, any profile field
 * missing.  Refuses what is not an event, with a readable reason: a line
 * that is not exactly one JSON value (jsonscan.h), a raw NUL byte, a
 * timepoint that is not a non-negative JSON integer fitting 64 bits, an
 * unknown event type or resource kind, data that is not an object.
 *
 * Of a repeated member name the last counts.  Text that cannot be applied
 * as valid UTF-8 (\u0000, lone surrogates, bytes that are not UTF-8) is
 * decoded as U+FFFD in every field; raw keeps the line byte for byte.
 *
 * A decoded event owns copies of everything the store and the processor
 * need, including the raw line, so it can cross threads freely. */
#ifndef STREAMTOP_EVENT_H
#define STREAMTOP_EVENT_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define EVENT_RESOURCE_KIND "company-profile"
#define EVENT_ID_LEN 64

enum event_type {
    EVENT_CHANGED,
    EVENT_DELETED,
};

struct stream_event {
    int64_t timepoint;
    enum event_type type;
    int64_t published_at;       /* UTC ms; 0 when absent or unreadable */
    char *company_number;       /* data.company_number, else resource_id; may be NULL */
    char *etag;                 /* data.etag; may be NULL */
    /* profile columns of companies; each may be NULL */
    char *company_name, *company_status, *company_type;
    char *date_of_creation, *date_of_cessation;
    char *address_line_1, *address_line_2, *locality, *region, *postal_code, *country;
    char *sic_codes;            /* JSON array text */
    char *data;                 /* the data object as JSON text; NULL when absent */
    char *raw;                  /* the line as received */
    size_t raw_len;
};

/* Decodes line (len bytes, not NUL-terminated).  Returns 0 and a new event,
 * or -1 with e saying why the line is not a valid event. */
int event_decode(const char *line, size_t len, struct stream_event **out, struct err *e);
void event_free(struct stream_event *ev);

/* "company-profile:<timepoint>" */
char *event_id(int64_t timepoint, char buf[EVENT_ID_LEN]);

const char *event_type_name(enum event_type t);

#endif
