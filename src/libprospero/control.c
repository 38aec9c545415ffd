/* The daemon's datagrams on the control channel: sd_notify-style
 * assignments, one per line. */
#include <stdlib.h>
#include <string.h>

#include "src/libprospero/internal.h"

/* The value of KEY= in MSG, and its length in *vlen; NULL when absent. */
static const char *value(const char *msg, size_t len, const char *key, size_t *vlen)
{
	size_t klen = strlen(key);
	const char *end = msg + len, *line = msg;

	while (line < end) {
		const char *nl = memchr(line, '\n', (size_t)(end - line));
		const char *stop = nl ? nl : end;

		if ((size_t)(stop - line) > klen && memcmp(line, key, klen) == 0 && line[klen] == '=') {
			*vlen = (size_t)(stop - line) - klen - 1;
			return line + klen + 1;
		}
		line = stop + 1;
	}
	return NULL;
}

int pr_control_parse(const char *msg, size_t len, char *name, size_t cap, unsigned long *inc)
{
	size_t nlen, ilen;
	const char *n = value(msg, len, "PEER_RESTARTED", &nlen);
	const char *i = value(msg, len, "INCARNATION", &ilen);

	*inc = 0;
	if (!n || nlen == 0 || nlen >= cap)
		return 0;
	memcpy(name, n, nlen);
	name[nlen] = '\0';
	if (i) {
		char buf[24], *e;

		if (ilen == 0 || ilen >= sizeof buf)
			return 1;
		memcpy(buf, i, ilen);
		buf[ilen] = '\0';
		unsigned long v = strtoul(buf, &e, 10);
		if (*e == '\0' && buf[0] >= '0' && buf[0] <= '9')
			*inc = v;
	}
	return 1;
}
