#include <ctype.h>
#include <errno.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/capability.h>

#include "sandbox/daemon/names.h"

/* above the highest syscall number of any native ABI libseccomp knows */
#define SYSCALL_NR_LIMIT 1024

void sb_names_free(char **names)
{
	for (char **p = names; p && *p; p++)
		free(*p);
	free(names);
}

char **sb_syscall_names(size_t *n)
{
	char **names = calloc(SYSCALL_NR_LIMIT + 1, sizeof *names);

	*n = 0;
	if (!names)
		return NULL;
	for (int nr = 0; nr < SYSCALL_NR_LIMIT; nr++) {
		char *s;

		/* NULL for a number without a name, and for a name that
		 * could not be copied: only the copy sets errno */
		errno = 0;
		if ((s = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr)))
			names[(*n)++] = s;
		else if (errno == ENOMEM)
			goto oom;
	}
	return names;
oom:
	sb_names_free(names);
	*n = 0;
	errno = ENOMEM;
	return NULL;
}

static void upper(const char *from, char *out, size_t len)
{
	size_t k = 0;

	for (; *from && k + 1 < len; from++)
		out[k++] = (char)toupper((unsigned char)*from);
	if (len)
		out[k] = '\0';
}

char **sb_cap_names(size_t *n)
{
	char **names = calloc(CAP_LAST_CAP + 2, sizeof *names);

	*n = 0;
	if (!names)
		return NULL;
	for (int c = 0; c <= CAP_LAST_CAP; c++) {
		char *s = cap_to_name(c);
		size_t len;

		/* every capability has a name, a number for one libcap does
		 * not know: NULL is a copy that could not be made */
		if (!s) {
			sb_names_free(names);
			*n = 0;
			errno = ENOMEM;
			return NULL;
		}
		len = strlen(s) + 1;
		names[*n] = malloc(len);
		if (names[*n])
			upper(s, names[*n], len);
		cap_free(s);
		if (!names[(*n)++]) {
			sb_names_free(names);
			*n = 0;
			errno = ENOMEM;
			return NULL;
		}
	}
	return names;
}

void sb_cap_spelling(const char *name, char *out, size_t len)
{
	size_t k = 0;

	if (strncasecmp(name, "cap_", 4) != 0 && len > 4) {
		memcpy(out, "CAP_", 4);
		k = 4;
	}
	upper(name, out + k, len - k);
}
