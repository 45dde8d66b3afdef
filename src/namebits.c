#include "config.h"

#include <cjson/cJSON.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "namebits.h"

unsigned namebits_bit(const struct namebits *t, const char *word, size_t len)
{
    for (size_t i = 0; i < t->count; i++)
        if (strlen(t->names[i]) == len && strncmp(t->names[i], word, len) == 0)
            return 1u << i;
    return 0;
}

int namebits_parse_list(const struct namebits *t, const char *list, unsigned *mask,
                        const char **bad, size_t *bad_len)
{
    *mask = 0;
    for (const char *p = list;;) {
        size_t len = strcspn(p, ",");
        unsigned bit = namebits_bit(t, p, len);
        if (!bit) {
            *bad = p;
            *bad_len = len;
            return -1;
        }
        *mask |= bit;
        if (!p[len])
            return 0;
        p += len + 1;
    }
}

int namebits_json(const struct namebits *t, unsigned mask, char *buf, size_t size)
{
    cJSON *a = cJSON_CreateArray();
    bool ok = a != NULL;
    for (size_t i = 0; ok && i < t->count; i++)
        if (mask & (1u << i))
            ok = cJSON_AddItemToArray(a, cJSON_CreateString(t->names[i]));
    ok = ok && size <= INT_MAX && cJSON_PrintPreallocated(a, buf, (int)size, false);
    cJSON_Delete(a);
    if (!ok)
        snprintf(buf, size, "[]");
    return ok ? 0 : -1;
}

unsigned namebits_from_json(const struct namebits *t, const char *json)
{
    unsigned mask = 0;
    cJSON *a = json ? cJSON_Parse(json) : NULL;
    const cJSON *item;
    if (cJSON_IsArray(a))
        cJSON_ArrayForEach(item, a)
            if (cJSON_IsString(item))
                mask |= namebits_bit(t, item->valuestring, strlen(item->valuestring));
    cJSON_Delete(a);
    return mask;
}
