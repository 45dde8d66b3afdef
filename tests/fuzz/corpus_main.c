/* Runs the fuzz target over its seed corpus as a TAP test, so every
 * `make check` (and the sanitizer builds) replays the corpus without
 * needing clang.  Files are named on the command line. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0, n;
    uint8_t block[65536];
    while ((n = fread(block, 1, sizeof block, f)) > 0) {
        if (len + n > cap) {
            cap = (len + n) * 2;
            uint8_t *grown = realloc(buf, cap);
            if (!grown) {
                free(buf);
                fclose(f);
                return -1;
            }
            buf = grown;
        }
        for (size_t i = 0; i < n; i++)
            buf[len + i] = block[i];
        len += n;
    }
    fclose(f);
    LLVMFuzzerTestOneInput(buf ? buf : (const uint8_t *)"", len);
    free(buf);
    return 0;
}

int main(int argc, char **argv)
{
    int failed = 0;
    printf("1..%d\n", argc - 1);
    for (int i = 1; i < argc; i++) {
        int rc = replay(argv[i]);
        printf("%s %d - %s\n", rc == 0 ? "ok" : "not ok", i, argv[i]);
        failed |= rc != 0;
    }
    return failed;
}
