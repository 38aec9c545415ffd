/* The peer_restarted notice: a frame whose body the library must read
 * without a JSON parser, so it is written and read here, field by field. */
#include <stdio.h>
#include <stdlib.h>
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

/* The number after KEY in TEXT, or 0. */
static unsigned long long field(const char *text, const char *key)
{
	const char *at = strstr(text, key);

	return at ? strtoull(at + strlen(key), NULL, 10) : 0;
}

void pf_notice_fields(const void *body, size_t len, unsigned long *incarnation, uint64_t *at_ns)
{
	char text[96];

	*incarnation = 0;
	*at_ns = 0;
	if (!body || len >= sizeof text)
		return;
	memcpy(text, body, len);
	text[len] = '\0';
	*incarnation = (unsigned long)field(text, KEY_INCARNATION);
	*at_ns = field(text, KEY_AT);
}
