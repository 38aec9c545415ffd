/* See json.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "src/config/json_oom.h"
#include "src/control/json.h"
#include "src/proto/utf8.h"

char *ctl_json_line(json_t *o)
{
	struct json_oom_watch w;
	char *s, *line;
	size_t n;
	bool short_of_memory;

	if (!o) {
		errno = ENOMEM;	/* the object its caller could not build */
		return NULL;
	}
	/* whole or nothing: json_oom.h */
	json_oom_watch(&w);
	s = json_dumps(o, JSON_COMPACT);
	short_of_memory = json_oom_unwatch(&w);
	json_decref(o);
	if (short_of_memory || !s) {
		free(s);
		errno = ENOMEM;
		return NULL;
	}
	n = strlen(s);
	line = realloc(s, n + 2);
	if (!line) {
		free(s);
		errno = ENOMEM;
		return NULL;
	}
	line[n] = '\n';
	line[n + 1] = 0;
	return line;
}

json_t *ctl_json_load(const char *line, size_t len, size_t flags)
{
	struct json_oom_watch w;
	json_t *o;

	json_oom_watch(&w);
	o = json_loadb(line, len, flags, NULL);
	if (json_oom_unwatch(&w)) {
		json_decref(o);
		errno = ENOMEM;
		return NULL;
	}
	if (!o)
		errno = EINVAL;
	return o;
}

bool ctl_json_copy_str(const json_t *v, char *dst, size_t cap)
{
	size_t n;

	if (!json_is_string(v))
		return false;
	n = json_string_length(v);
	if (n >= cap || memchr(json_string_value(v), 0, n))
		return false;
	memcpy(dst, json_string_value(v), n + 1);
	return true;
}

json_t *ctl_json_text(const char *s, size_t len)
{
	json_t *v = json_stringn(s, len);
	char *copy;

	if (v || !(copy = malloc(len + 1)))
		return v;
	/* not UTF-8, or a NUL inside: keep ASCII and whole characters, mark
	 * each other byte */
	for (size_t i = 0; i < len;) {
		size_t k = pp_utf8_char((const unsigned char *)s + i, len - i);

		if (k) {
			memcpy(copy + i, s + i, k);
			i += k;
		} else {
			copy[i] = s[i] > 0 && (unsigned char)s[i] < 0x80 ? s[i] : '?';
			i++;
		}
	}
	v = json_stringn(copy, len);
	free(copy);
	return v;
}
