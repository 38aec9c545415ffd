/* Error codes and their names on the wire. */
#include <string.h>

#include "src/proto/error.h"

static const char *const names[] = {
	[PROSPERO_E_TIMEOUT] = "timeout",
	[PROSPERO_E_PEER_RESTARTED] = "peer_restarted",
	[PROSPERO_E_NO_SUCH_METHOD] = "no_such_method",
	[PROSPERO_E_BAD_REQUEST] = "bad_request",
	[PROSPERO_E_INTERNAL] = "internal",
	[PROSPERO_E_UNAVAILABLE] = "unavailable",
};

#define NCODES (int)(sizeof names / sizeof *names)

const char *pf_error_name(int code)
{
	if (code <= PROSPERO_OK || code >= NCODES || !names[code])
		return names[PROSPERO_E_INTERNAL];
	return names[code];
}

int pf_error_code(const char *name, size_t len)
{
	for (int c = PROSPERO_OK + 1; c < NCODES; c++)
		if (names[c] && strlen(names[c]) == len && memcmp(names[c], name, len) == 0)
			return c;
	return PROSPERO_E_INTERNAL;
}
