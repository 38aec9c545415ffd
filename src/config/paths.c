/* Lexical path cleaning; see paths.h. */
#include <string.h>

#include "src/config/paths.h"

void path_clean(char *path)
{
	const char *in = path, *end;
	char *out = path;

	if (*in == '/')
		*out++ = *in++;
	for (; *in; in = *end ? end + 1 : end) {
		size_t n = (size_t)((end = strchrnul(in, '/')) - in);

		if (n == 0 || (n == 1 && in[0] == '.'))
			continue;	/* "//" or "/./" */
		if (out > path && out[-1] != '/')
			*out++ = '/';
		memmove(out, in, n);
		out += n;
	}
	if (out == path)
		*out++ = '.';	/* relative, and nothing but dots */
	*out = '\0';
}
