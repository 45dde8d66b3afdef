/* error_kind — what kind of failure an error message describes.
 *
 * Forty thousand failures usually fall into a handful of causes whose
 * messages differ only in what varies from event to event: numbers,
 * quoted text, hexadecimal hashes.  The kind is the message with those
 * replaced ("invalid JSON at byte 123" and "... byte 7" are both "invalid
 * JSON at byte #"), so the failures list can be grouped by it.  The same
 * function is registered with SQLite as streamtop_error_kind(), so a group
 * can be listed and retried by keyset queries like any filter. */
#ifndef STREAMTOP_ERROR_KIND_H
#define STREAMTOP_ERROR_KIND_H

#include <sqlite3.h>

#define ERROR_KIND_MAX 128

void error_kind(const char *message, char out[ERROR_KIND_MAX]);

/* Registers streamtop_error_kind(TEXT) on a connection. */
int error_kind_register(sqlite3 *db);

#endif
