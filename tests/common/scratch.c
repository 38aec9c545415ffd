/* See scratch.h. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/common/scratch.h"

static char dir[64];

const char *scratch_enter(const char *what)
{
	snprintf(dir, sizeof dir, "/tmp/prospero-%s.XXXXXX", what);
	ck_assert(mkdtemp(dir) != NULL);
	ck_assert_int_eq(chdir(dir), 0);
	return dir;
}

void scratch_leave(void)
{
	char cmd[128];

	ck_assert_int_eq(chdir("/"), 0);
	snprintf(cmd, sizeof cmd, "/bin/rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

void scratch_put(const char *name, const char *text)
{
	FILE *f = fopen(name, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

void scratch_put_exec(const char *name)
{
	scratch_put(name, "#!/bin/sh\n");
	ck_assert_int_eq(chmod(name, 0755), 0);
}
