/* curl_api — libcurl, loaded when a command first needs it.
 *
 * Only the commands that stream use libcurl, and linking it costs every
 * process its thirty-odd dependencies (TLS, Kerberos, LDAP, SSH).  On the
 * reference machine that is 13.6 ms against 2 ms at start-up, more than a
 * whole `status`.  So libcurl is opened with dlopen() the first time it is
 * needed, and reached through this table of the functions streamtop calls.
 * The headers, and so the types, still come from the installed libcurl. */
#ifndef STREAMTOP_CURL_API_H
#define STREAMTOP_CURL_API_H

#include <curl/curl.h>

#include "err.h"

struct curl_api {
    CURL *(*easy_init)(void);
    CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
    CURLcode (*easy_perform)(CURL *);
    CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
    void (*easy_cleanup)(CURL *);
    const char *(*easy_strerror)(CURLcode);
    curl_version_info_data *(*version_info)(CURLversion);
    time_t (*getdate)(const char *, const time_t *);
    struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
    void (*slist_free_all)(struct curl_slist *);
};

/* Loads libcurl and runs curl_global_init once per process.  Call it from
 * the main thread before starting threads that use it.  Returns the table,
 * or NULL with e set. */
const struct curl_api *curl_api_load(struct err *e);

#endif
