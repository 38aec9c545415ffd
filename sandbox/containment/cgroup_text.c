/* Parsers for the cgroup text the kernel writes; see cgroup_text.h. */

#include <errno.h>
#include <string.h>

#include "sandbox/containment/cgroup_text.h"

/* The next space-separated field of *s, NUL-terminated in place. */
static char *next_field(char **s)
{
	char *f = *s, *end;

	if (!f || !*f)
		return NULL;
	end = strchr(f, ' ');
	if (end) {
		*end = '\0';
		*s = end + 1;
	} else {
		*s = NULL;
	}
	return f;
}

static bool is_octal(char c)
{
	return c >= '0' && c <= '7';
}

/* The kernel writes space, tab, newline and backslash in paths as \ooo. */
static void unescape_octal(char *s)
{
	char *w = s;

	for (char *r = s; *r; r++) {
		if (r[0] == '\\' && is_octal(r[1]) && is_octal(r[2]) && is_octal(r[3])) {
			*w++ = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
			r += 3;
		} else {
			*w++ = *r;
		}
	}
	*w = '\0';
}

int sb_mountinfo_parse_line(char *line, struct sb_mountinfo_entry *e)
{
	char *s = line, *f;
	int i;

	/* id, parent id, major:minor, root, mount point, mount options */
	for (i = 0; i < 6 && (f = next_field(&s)); i++) {
		if (i == 3)
			e->root = f;
		else if (i == 4)
			e->mnt = f;
	}
	if (i < 6)
		goto bad;
	/* optional fields, up to the "-" separator */
	while ((f = next_field(&s)) && strcmp(f, "-") != 0)
		;
	if (!f)
		goto bad;
	e->fstype = next_field(&s);
	if (!e->fstype || !next_field(&s))	/* the source */
		goto bad;
	e->super = next_field(&s);
	if (!e->super)
		goto bad;
	unescape_octal(e->root);
	unescape_octal(e->mnt);
	return 0;
bad:
	errno = EINVAL;
	return -1;
}

int sb_proc_cgroup_parse_line(char *line, struct sb_proc_cgroup_entry *e)
{
	char *c1 = strchr(line, ':'), *c2;
	unsigned long id = 0;

	if (!c1 || c1 == line)
		goto bad;
	for (const char *p = line; p < c1; p++) {
		if (*p < '0' || *p > '9' || id > 0xffff)
			goto bad;
		id = id * 10 + (unsigned long)(*p - '0');
	}
	/* the path is the rest: it may itself hold a ':' */
	c2 = strchr(c1 + 1, ':');
	if (!c2 || c2[1] != '/')
		goto bad;
	*c1 = *c2 = '\0';
	e->id = (unsigned)id;
	e->controllers = c1 + 1;
	e->path = c2 + 1;
	return 0;
bad:
	errno = EINVAL;
	return -1;
}

bool sb_cgroup_list_has(const char *list, char sep, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = list;; p++) {
		if (strncmp(p, word, n) == 0 && (p[n] == sep || p[n] == '\n' || p[n] == '\0'))
			return true;
		if (!(p = strchr(p, sep)))
			return false;
	}
}

/* A decimal number ending at end-of-string, a newline or a space. */
static int parse_decimal(const char *s, uint64_t *v, const char **end)
{
	uint64_t n = 0;
	const char *p = s;

	if (*p < '0' || *p > '9') {
		errno = EINVAL;
		return -1;
	}
	for (; *p >= '0' && *p <= '9'; p++) {
		unsigned d = (unsigned)(*p - '0');
		if (n > (UINT64_MAX - d) / 10) {
			errno = ERANGE;
			return -1;
		}
		n = n * 10 + d;
	}
	*v = n;
	*end = p;
	return 0;
}

int sb_cgroup_kv_u64(const char *text, const char *key, uint64_t *v)
{
	size_t n = strlen(key);
	const char *end;

	for (const char *l = text; l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		if (strncmp(l, key, n) != 0 || l[n] != ' ')
			continue;
		if (parse_decimal(l + n + 1, v, &end) < 0)
			return -1;
		if (*end != '\n' && *end != '\0') {
			errno = EINVAL;
			return -1;
		}
		return 0;
	}
	errno = ENOENT;
	return -1;
}

int sb_cgroup_parse_u64(const char *text, uint64_t *v)
{
	const char *end;

	if (strcmp(text, "max") == 0 || strcmp(text, "max\n") == 0) {
		*v = UINT64_MAX;
		return 0;
	}
	if (parse_decimal(text, v, &end) < 0)
		return -1;
	if (!(end[0] == '\0' || (end[0] == '\n' && end[1] == '\0'))) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}
