#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "randbytes.h"

int random_bytes(unsigned char *b, size_t n, struct err *e)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = getrandom(b + got, n - got, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return err_set(e, "the system's random number generator failed: %s", strerror(errno)), -1;
        got += (size_t)r;
    }
    return 0;
}
