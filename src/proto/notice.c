/* The peer_restarted notice: a frame whose body the library must read
 * without a JSON parser, so it is written and read here, field by field. */
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "src/proto/error.h"
#include "src/proto/frame.h"
#include "src/proto/notice.h"

#define KEY_INCARNATION "\"incarnation\":"
#define KEY_AT "\"at\":"

long pf_encode_notice(void *buf, size_t cap, unsigned long incarnation, uint64_t at_ns)
{
	const char *code = pf_error_name(PROSPERO_E_PEER_RESTARTED);
	char body[64];
	struct pf_frame f = {
		.kind = PF_ERROR, .method = code, .method_len = (uint16_t)strlen(code), .body = body,
	};

	f.body_len = (uint32_t)snprintf(body, sizeof body, "{" KEY_INCARNATION "%lu," KEY_AT "%llu}", incarnation,
					(unsigned long long)at_ns);
	return pf_encode(buf, cap, &f);
}

/* LIT at *P (before END): moves *P past it. */
static bool literal(const char **p, const char *end, const char *lit)
{
	size_t n = strlen(lit);

	if ((size_t)(end - *p) < n || memcmp(*p, lit, n) != 0)
		return false;
	*p += n;
	return true;
}

/* The positive decimal number at *P, as JSON writes it (no sign, no
 * leading zero), up to MAX: moves *P past it. */
static bool number(const char **p, const char *end, uint64_t max, uint64_t *out)
{
	uint64_t n = 0;
	const char *s = *p;

	if (s == end || *s < '1' || *s > '9')
		return false;
	for (; s < end && *s >= '0' && *s <= '9'; s++) {
		if (n > (max - (uint64_t)(*s - '0')) / 10)
			return false;
		n = n * 10 + (uint64_t)(*s - '0');
	}
	*p = s;
	*out = n;
	return true;
}

int pf_notice_fields(const void *body, size_t len, unsigned long *incarnation, uint64_t *at_ns)
{
	const char *p = body, *end = p + len;
	uint64_t inc, at;

	*incarnation = 0;
	*at_ns = 0;
	/* only the daemon sends it, always so: anything else is not a notice
	 * to act on, and zeros would read as "unknown", failing every call */
	if (!body || !literal(&p, end, "{" KEY_INCARNATION) || !number(&p, end, ULONG_MAX, &inc) ||
	    !literal(&p, end, "," KEY_AT) || !number(&p, end, UINT64_MAX, &at) || !literal(&p, end, "}") ||
	    p != end)
		return -1;
	*incarnation = (unsigned long)inc;
	*at_ns = at;
	return 0;
}
