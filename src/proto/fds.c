/* Reading PROSPERO_FDS and PROSPERO_FDNAMES; the daemon writes them
 * (src/daemon/bindings.c). The names are checked whole before any is used. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "src/proto/fds.h"

/* Cut S at its first separator, if any: what follows it, or NULL. */
static char *cut(char *s)
{
	char *sep = strchr(s, PP_FDNAMES_SEP[0]);

	if (sep)
		*sep++ = '\0';
	return sep;
}

/* Split VALUE in place at every separator into exactly N names at NAME:
 * -1 for more or fewer, or an empty one (the daemon writes none, and
 * strtok would skip it, miscounting). */
static int split(char *value, char **name, unsigned long n)
{
	unsigned long i = 0;
	char *tok = value, *next;

	if (!*value)
		return n == 0 ? 0 : -1;
	for (; tok; tok = next) {
		next = cut(tok);
		if (!*tok || i == n)
			return -1;
		/* "serve:<client>" holds a separator of its own: glue it back */
		if (strcmp(tok, PP_FDNAME_SERVE) == 0) {
			char *client = next;

			if (!client || !*client || *client == PP_FDNAMES_SEP[0])
				return -1;
			next = cut(client);
			client[-1] = PP_FDNAMES_SEP[0];
		}
		name[i++] = tok;
	}
	return i == n ? 0 : -1;
}

int pp_fds_getenv(char ***names, unsigned long *n)
{
	const char *count = getenv(PP_ENV_FDS), *value = getenv(PP_ENV_FDNAMES);
	char **block, *end;
	size_t len;

	*names = NULL;
	*n = 0;
	if (!count && !value)
		return 0;
	/* one without the other: it must say none */
	if (!count)
		count = "0";
	if (!value)
		value = "";
	unsigned long k = strtoul(count, &end, 10);

	if (*count < '0' || *count > '9' || *end || k > PP_FDS_MAX) {
		errno = EINVAL;
		return -1;
	}
	/* the pointers, then a copy of the value for them to point into */
	len = strlen(value) + 1;
	block = malloc((k + 1) * sizeof *block + len);
	if (!block)
		return -1;
	memcpy(block + k + 1, value, len);
	if (split((char *)(block + k + 1), block, k) < 0) {
		free(block);
		errno = EINVAL;
		return -1;
	}
	block[k] = NULL;
	*names = block;
	*n = k;
	return 0;
}

void pp_fds_unsetenv(void)
{
	unsetenv(PP_ENV_FDS);
	unsetenv(PP_ENV_FDNAMES);
}

const char *pp_fdname_client(const char *fdname)
{
	size_t len = strlen(PP_FDNAME_SERVE_PREFIX);

	return strncmp(fdname, PP_FDNAME_SERVE_PREFIX, len) == 0 ? fdname + len : NULL;
}
