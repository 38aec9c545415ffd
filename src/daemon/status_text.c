/* See status_text.h. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "src/daemon/output.h"
#include "src/daemon/status_text.h"

/* The length of the well-formed UTF-8 character (RFC 3629: no overlong
 * form, no surrogate, nothing past U+10FFFF) of two bytes or more at S,
 * N bytes being left; 0 when none starts there. The ranges are those of
 * its table 3-7 (Unicode): the second byte is the one narrowed. */
static size_t utf8_char(const unsigned char *s, size_t n)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t len;

	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		if (s[0] == 0xe0)
			lo = 0xa0;	/* below: overlong */
		else if (s[0] == 0xed)
			hi = 0x9f;	/* above: surrogates */
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		if (s[0] == 0xf0)
			lo = 0x90;	/* below: overlong */
		else if (s[0] == 0xf4)
			hi = 0x8f;	/* above: past U+10FFFF */
	} else {
		return 0;
	}
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return len;
}

/* C1 controls, U+0080 to U+009F: a terminal acts on some (CSI) */
static bool c1_control(const unsigned char *s, size_t len)
{
	return len == 2 && s[0] == 0xc2 && s[1] < 0xa0;
}

size_t status_text(char *dst, size_t cap, const char *src, size_t n)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t out = 0, i = 0;

	while (i < n) {
		char e[8];
		size_t ne, used, len = s[i] < 0x80 ? 1 : utf8_char(s + i, n - i);

		if (len == 1) {
			ne = output_escape(e, sizeof e, src + i, 1);
			used = 1;
		} else if (len && !c1_control(s + i, len)) {
			memcpy(e, src + i, len);
			ne = used = len;
		} else {
			/* one byte at a time: the second of a C1 control,
			 * a continuation byte, is escaped in its turn */
			ne = (size_t)snprintf(e, sizeof e, "\\x%02x", s[i]);
			used = 1;
		}
		if (out + ne >= cap)
			break;	/* never half an escape or a character */
		memcpy(dst + out, e, ne);
		out += ne;
		i += used;
	}
	dst[out] = '\0';
	return out;
}
