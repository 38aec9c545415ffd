/* The .dev.vars parser: one pass over the buffer, views into it. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sandbox/secrets/devvars.h"
#include "sandbox/secrets/name.h"

static void trim(const char **s, size_t *len)
{
	while (*len && (**s == ' ' || **s == '\t')) {
		(*s)++;
		(*len)--;
	}
	while (*len && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t'))
		(*len)--;
}

const struct sb_devvar *sb_devvars_find(const struct sb_devvars *d, const char *name,
					size_t len)
{
	for (size_t i = 0; i < d->n; i++)
		if (d->v[i].name_len == len && memcmp(d->v[i].name, name, len) == 0)
			return &d->v[i];
	return NULL;
}

static int add(struct sb_devvars *d, const struct sb_devvar *v)
{
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 16;
		struct sb_devvar *grown = reallocarray(d->v, cap, sizeof(*grown));

		if (!grown)
			return -1;
		d->v = grown;
		d->cap = cap;
	}
	d->v[d->n++] = *v;
	return 0;
}

/* One non-blank, non-comment line of LEN bytes at KEY, trimmed already. */
static int parse_line(const char *path, unsigned line, const char *key, size_t len,
		      struct sb_devvars *out, char *errmsg, size_t errlen)
{
	const char *eq = memchr(key, '=', len), *val;
	const struct sb_devvar *dup;
	size_t klen, vlen;

	if (!eq) {
		snprintf(errmsg, errlen, "%s:%u: expected NAME=value", path, line);
		errno = EINVAL;
		return -1;
	}
	klen = (size_t)(eq - key);
	val = eq + 1;
	vlen = len - klen - 1;
	trim(&key, &klen);
	trim(&val, &vlen);
	if (!sb_secret_name_valid_n(key, klen)) {
		/* the length too: a long name matches the pattern alone */
		snprintf(errmsg, errlen, "%s:%u: invalid secret name (expected " SB_SECRET_NAME_RULE ")", path,
			 line);
		errno = EINVAL;
		return -1;
	}
	if (vlen >= 2 && val[0] == '"' && val[vlen - 1] == '"') {
		val++;
		vlen -= 2;
	}
	if ((dup = sb_devvars_find(out, key, klen))) {
		snprintf(errmsg, errlen, "%s:%u: \"%.*s\" is already set on line %u",
			 path, line, (int)klen, key, dup->line);
		errno = EINVAL;
		return -1;
	}
	if (add(out, &(struct sb_devvar){ key, klen, val, vlen, line }) < 0) {
		snprintf(errmsg, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

int sb_devvars_parse(const char *path, const char *text, size_t len, struct sb_devvars *out,
		     char *errmsg, size_t errlen)
{
	const char *p = text, *end = text + len;
	unsigned line = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *key = p;
		size_t n = (size_t)((nl ? nl : end) - p);

		line++;
		p = nl ? nl + 1 : end;
		if (n && key[n - 1] == '\r')	/* written on Windows */
			n--;
		trim(&key, &n);
		if (n == 0 || key[0] == '#')
			continue;
		if (parse_line(path, line, key, n, out, errmsg, errlen) < 0)
			return -1;
	}
	return 0;
}

void sb_devvars_free(struct sb_devvars *d)
{
	free(d->v);
	*d = (struct sb_devvars){ 0 };
}
