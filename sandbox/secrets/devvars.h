/* The .dev.vars file, a development source of secrets: NAME=value lines.
 * Blank lines and lines starting with '#' are skipped; blanks around NAME
 * and value are trimmed; one pair of double quotes around the value is
 * removed, nothing else is interpreted. A malformed line or a name set
 * twice is an error with file:line; no message echoes a line, which may
 * hold a value. Parsing is pure: a buffer in, views into it out. */
#ifndef PROSPERO_SANDBOX_SECRETS_DEVVARS_H
#define PROSPERO_SANDBOX_SECRETS_DEVVARS_H

#include <stddef.h>

struct sb_devvar {
	const char *name;	/* into the parsed text, not terminated */
	size_t name_len;
	const char *val;	/* likewise */
	size_t val_len;
	unsigned line;		/* 1-based */
};

struct sb_devvars {
	struct sb_devvar *v;
	size_t n, cap;
};

/* Parse the LEN bytes at TEXT, the content of the file PATH (named in
 * messages), into *OUT, which starts zeroed and borrows from TEXT. 0, or
 * -1 with errno (EINVAL for a bad line, ENOMEM) and errmsg
 * "PATH:LINE: ...". Free *OUT with sb_devvars_free either way. */
int sb_devvars_parse(const char *path, const char *text, size_t len, struct sb_devvars *out,
		     char *errmsg, size_t errlen);

/* The entry for the LEN-byte NAME, or NULL. */
const struct sb_devvar *sb_devvars_find(const struct sb_devvars *d, const char *name,
					size_t len);

void sb_devvars_free(struct sb_devvars *d);

#endif
