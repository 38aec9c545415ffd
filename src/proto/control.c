/* Control-channel messages: written with snprintf, read line by line
 * with every length checked, never trusting the peer for a NUL. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/proto/control.h"
#include "src/proto/utf8.h"

void pp_notify_parse(char *text, size_t len, struct pp_notify *m)
{
	static const char status[] = PP_KEY_STATUS "=";
	char *line = text, *end = text + len;

	m->ready = m->stopping = m->watchdog = false;
	m->status = NULL;
	m->status_len = 0;
	while (line < end) {
		char *nl = memchr(line, '\n', (size_t)(end - line));

		if (!nl)
			nl = end;
		*nl = '\0';
		if (strcmp(line, PP_READY) == 0)
			m->ready = true;
		else if (strcmp(line, PP_STOPPING) == 0)
			m->stopping = true;
		else if (strcmp(line, PP_WATCHDOG) == 0)
			m->watchdog = true;
		else if (strncmp(line, status, sizeof status - 1) == 0) {
			m->status = line + sizeof status - 1;
			m->status_len = (size_t)(nl - m->status);
		}
		line = nl + 1;
	}
}

int pp_status_format(char *buf, size_t cap, const char *status)
{
	int n;

	if (!status || strchr(status, '\n')) {
		errno = EINVAL;
		return -1;
	}
	/* what the daemon would not keep need not be sent */
	n = snprintf(buf, cap, PP_KEY_STATUS "=%.*s", (int)pp_utf8_cut(status, strlen(status), PP_STATUS_MAX),
		     status);
	if (n < 0 || (size_t)n >= cap) {
		errno = EINVAL;
		return -1;
	}
	return n;
}

int pp_peer_restarted_format(char *buf, size_t cap, const char *name, unsigned long incarnation)
{
	int n = snprintf(buf, cap, PP_KEY_PEER_RESTARTED "=%s\n" PP_KEY_INCARNATION "=%lu\n", name, incarnation);

	if (n < 0 || (size_t)n >= cap) {
		errno = EMSGSIZE;
		return -1;
	}
	return n;
}

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

/* The decimal number of V (LEN bytes), or 0 for anything else: a NUL
 * would end the digits early, and a number too large for the type would
 * come out as its maximum. */
static unsigned long number(const char *v, size_t len)
{
	char buf[24], *e;
	unsigned long n;
	int saved = errno, range;

	if (len == 0 || len >= sizeof buf || v[0] < '0' || v[0] > '9' || memchr(v, '\0', len))
		return 0;
	memcpy(buf, v, len);
	buf[len] = '\0';
	errno = 0;
	n = strtoul(buf, &e, 10);
	range = errno;
	errno = saved;
	return *e == '\0' && range != ERANGE ? n : 0;
}

int pp_peer_restarted_parse(const char *msg, size_t len, char *name, size_t cap, unsigned long *inc)
{
	size_t nlen, ilen;
	const char *n = value(msg, len, PP_KEY_PEER_RESTARTED, &nlen);
	const char *i = value(msg, len, PP_KEY_INCARNATION, &ilen);

	*inc = 0;
	/* a NUL inside would hand the caller a shorter name than was sent */
	if (!n || nlen == 0 || nlen >= cap || memchr(n, '\0', nlen))
		return 0;
	memcpy(name, n, nlen);
	name[nlen] = '\0';
	if (i)
		*inc = number(i, ilen);
	return 1;
}
