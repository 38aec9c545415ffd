/* See status_text.h. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "src/daemon/output.h"
#include "src/daemon/status_text.h"
#include "src/proto/utf8.h"

size_t status_text(char *dst, size_t cap, const char *src, size_t n)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t out = 0, i = 0;

	while (i < n) {
		char e[8];
		size_t ne, used, len = s[i] < 0x80 ? 1 : pp_utf8_char(s + i, n - i);

		if (len == 1) {
			ne = output_escape(e, sizeof e, src + i, 1);
			used = 1;
		} else if (len && !(len == 2 && pp_utf8_c1(s[i], s[i + 1]))) {
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
