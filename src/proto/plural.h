/* A count's noun, one way for every message of every part (daemon,
 * command line, config diagnostics): ONE for 1, MORE for any other
 * number, so nothing says "1 faults". */
#ifndef PROSPERO_PROTO_PLURAL_H
#define PROSPERO_PROTO_PLURAL_H

#include <stdint.h>

static inline const char *plural(uintmax_t n, const char *one, const char *more)
{
	return n == 1 ? one : more;
}

#endif
