#include "config.h"

#include <dlfcn.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "curl_api.h"

static struct curl_api api;
static char load_error[512];
static int loaded;   /* 0 not yet, 1 loaded, -1 failed */

/* dlsym returns void *; POSIX guarantees it converts to a function pointer. */
static int bind_symbol(void *lib, const char *name, void *slot)
{
    void *sym = dlsym(lib, name);
    if (!sym) {
        snprintf(load_error, sizeof load_error, "%s: no symbol %s", CURL_SONAME, name);
        return -1;
    }
    memcpy(slot, &sym, sizeof sym);
    return 0;
}

static int load(void)
{
    void *lib = dlopen(CURL_SONAME, RTLD_NOW | RTLD_LOCAL);
    CURLcode (*global_init)(long) = NULL;
    if (!lib) {
        snprintf(load_error, sizeof load_error, "cannot load %s: %s", CURL_SONAME, dlerror());
        return -1;
    }
    if (bind_symbol(lib, "curl_global_init", &global_init) < 0 ||
        bind_symbol(lib, "curl_easy_init", &api.easy_init) < 0 ||
        bind_symbol(lib, "curl_easy_setopt", &api.easy_setopt) < 0 ||
        bind_symbol(lib, "curl_easy_perform", &api.easy_perform) < 0 ||
        bind_symbol(lib, "curl_easy_getinfo", &api.easy_getinfo) < 0 ||
        bind_symbol(lib, "curl_easy_cleanup", &api.easy_cleanup) < 0 ||
        bind_symbol(lib, "curl_easy_strerror", &api.easy_strerror) < 0 ||
        bind_symbol(lib, "curl_version_info", &api.version_info) < 0 ||
        bind_symbol(lib, "curl_getdate", &api.getdate) < 0 ||
        bind_symbol(lib, "curl_slist_append", &api.slist_append) < 0 ||
        bind_symbol(lib, "curl_slist_free_all", &api.slist_free_all) < 0)
        return -1;
    if (global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        snprintf(load_error, sizeof load_error, "curl_global_init failed");
        return -1;
    }
    return 0;
}

const struct curl_api *curl_api_load(struct err *e)
{
    if (loaded == 0)
        loaded = load() == 0 ? 1 : -1;
    if (loaded < 0) {
        err_set(e, "%s", load_error);
        return NULL;
    }
    return &api;
}
