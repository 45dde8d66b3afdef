/* randbytes — secrets from the kernel's CSPRNG (getrandom(2)): API keys,
 * webhook secrets and message ids. */
#ifndef STREAMTOP_RANDBYTES_H
#define STREAMTOP_RANDBYTES_H

#include <stddef.h>

#include "err.h"

/* Fills b with n random bytes, retrying short reads and EINTR. */
int random_bytes(unsigned char *b, size_t n, struct err *e);

#endif
