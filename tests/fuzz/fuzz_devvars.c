/* The .dev.vars parser: the input is the file.
 *
 * It is written to a scratch file and read through the public entry
 * sb_secrets_env() (sandbox/secrets/deliver.c, devvars.c), which reads the file and parses
 * it (the static devvars_parse()) before looking each name up; the names
 * are a few the tests use. When the parser is reachable on its own, this
 * is the one call to re-point.
 *
 * Properties: a secret found is "NAME=value" with a value that holds no
 * newline and no NUL and has no blank at either end unless it was quoted;
 * a failure says why, and a bad line is named by the file's path. */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "sandbox/secrets/deliver.h"
#include "tests/fuzz/fuzz.h"
#include "tests/fuzz/scratch.h"

static const char *const names[] = { "OK", "PLAIN", "PAYMENT_API_KEY" };

static char path[256];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fz_scratch_path(path, sizeof path, ".dev.vars");
	return 0;
}

static bool blank(char c)
{
	return c == ' ' || c == '\t';
}

static void check_found(const char *name, const char *entry, const uint8_t *data, size_t size)
{
	size_t nlen = strlen(name);
	const char *value = entry + nlen + 1;
	size_t vlen = strlen(value);

	fz_assert(strncmp(entry, name, nlen) == 0 && entry[nlen] == '=');
	fz_assert(!strchr(value, '\n'));
	/* the value's bytes are in the file as they are */
	fz_assert(vlen == 0 || memmem(data, size, value, vlen));
	/* blanks around a value are trimmed, unless it was quoted */
	if (vlen && (blank(value[0]) || blank(value[vlen - 1]))) {
		char *quoted = malloc(vlen + 2);

		if (!quoted)
			abort();
		quoted[0] = quoted[vlen + 1] = '"';
		memcpy(quoted + 1, value, vlen);
		fz_assert(memmem(data, size, quoted, vlen + 2));
		free(quoted);
	}
}

static void check_failed(const char *err)
{
	fz_assert(err[0]);
	fz_assert(errno == EINVAL || errno == ENOENT || errno == ENOMEM);
	if (errno == EINVAL)
		fz_assert(strncmp(err, path, strlen(path)) == 0 || strstr(err, "holds a NUL byte"));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sb_secret_sources src = { .dev_vars = path };

	fz_scratch_put(".dev.vars", data, size, 0600);
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		char err[512] = "";
		char **env = NULL;

		errno = 0;
		if (sb_secrets_env(&src, &names[i], 1, &env, err, sizeof err) == 0) {
			fz_assert(env && env[0] && !env[1]);
			check_found(names[i], env[0], data, size);
		} else {
			check_failed(err);
		}
		sb_secrets_env_free(env);
	}
	return 0;
}
