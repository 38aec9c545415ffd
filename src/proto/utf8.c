/* See utf8.h. */
#include "src/proto/utf8.h"

/* The ranges are those of table 3-7 of the Unicode standard: the second
 * byte is the one narrowed. */
size_t pp_utf8_char(const unsigned char *s, size_t n)
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

size_t pp_utf8_cut(const char *s, size_t n, size_t max)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;

	while (i < n) {
		size_t len = u[i] < 0x80 ? 1 : pp_utf8_char(u + i, n - i);

		if (len == 0)
			len = 1;
		if (len > max - i)
			break;
		i += len;
	}
	return i;
}

bool pp_utf8_c1(unsigned char first, unsigned char second)
{
	return first == 0xc2 && second >= 0x80 && second < 0xa0;
}
