/* The config loader: JSONC in, a tree or file:line:col diagnostics out.
 *
 * The input is up to four files, split at each line "//@@" (itself a
 * JSONC comment); they are written into a scratch directory and loaded
 * together with cfg_load, as `prospero check` does, so the whole path runs:
 * reading, stripping, jansson, every key's reader, merging and the tree's
 * checks. Writing a file per input costs a few microseconds on tmpfs,
 * far below a load; a load-from-memory entry point would skip the reading
 * and the directory resolution the loader does and is not needed.
 *
 * Properties beyond "no crash, no leak": a load fails only with an error
 * said; every diagnostic names one of the files and, when it has a
 * position, one inside that file; a tree that loads is whole. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/config/config.h"
#include "tests/fuzz/fuzz.h"
#include "tests/fuzz/scratch.h"

#define SEP "//@@\n"
#define MAX_FILES 4

/* Beside each other and in subdirectories, so that paths resolve
 * relative to the file that names them. */
static const char *const names[MAX_FILES] = { "root.jsonc", "sub/a.jsonc", "b.jsonc", "sub/work/c.jsonc" };

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fz_scratch_mkdir("sub");
	fz_scratch_mkdir("sub/work");
	fz_scratch_mkdir("work");
	/* what the tests' configs run: ./w beside a file, and a file that is
	 * not executable */
	fz_scratch_put("w", "#!/bin/sh\n", 10, 0755);
	fz_scratch_put("sub/w", "#!/bin/sh\n", 10, 0755);
	fz_scratch_put("plain", "", 0, 0644);
	/* a bare command is looked up in $PATH: the same one every run */
	setenv("PATH", "/usr/bin:/bin", 1);
	return 0;
}

/* The 1-based number of lines of TEXT (LEN bytes), and the longest. */
static void measure(const uint8_t *text, size_t len, unsigned *lines, size_t *longest)
{
	size_t start = 0;

	*lines = 1;
	*longest = 0;
	for (size_t i = 0; i <= len; i++) {
		if (i == len || text[i] == '\n') {
			if (i - start > *longest)
				*longest = i - start;
			if (i < len)
				++*lines;
			start = i + 1;
		}
	}
}

struct file {
	char path[256];
	const uint8_t *text;
	size_t len;
};

/* A diagnostic starts with one of the paths given and, when it carries
 * LINE:COL, they are inside that file. */
static void check_line(const char *d, const struct file *files, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		size_t plen = strlen(files[i].path), longest;
		unsigned line, col, lines;
		int used = 0;

		if (strncmp(d, files[i].path, plen) != 0 || d[plen] != ':')
			continue;
		if (sscanf(d + plen, ":%u:%u: %n", &line, &col, &used) == 2 && used > 0) {
			measure(files[i].text, files[i].len, &lines, &longest);
			fz_assert(line >= 1 && line <= lines);
			fz_assert(col >= 1 && col <= longest + 1);
		}
		fz_assert(strstr(d, ": error: ") || strstr(d, ": warning: "));
		return;
	}
	fz_fail("a diagnostic names one of the files", __FILE__, __LINE__);
}

/* Names become file names (README "Configuration"). */
static bool name_ok(const char *name)
{
	size_t n = strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.");

	return n > 0 && n <= CFG_MAX_NAME && !name[n] && name[0] != '.';
}

static void check_actor(const struct cfg_actor *a)
{
	fz_assert(a->name && name_ok(a->name));
	fz_assert(a->argv && a->argv[0] && a->path[0] == '/' && a->cwd[0] == '/');
	fz_assert(a->order != CFG_NOT_IN_TREE);
	fz_assert(a->instances >= 1 && a->instances <= CFG_MAX_INSTANCES);
	for (size_t b = 0; b < a->nbindings; b++)
		fz_assert(a->bindings[b].service && a->bindings[b].service->order != CFG_NOT_IN_TREE);
}

static void check_tree(const struct cfg_supervisor *s)
{
	fz_assert(s->name && name_ok(s->name) && s->period_s >= 1);
	for (size_t i = 0; i < s->nchildren; i++) {
		if (s->children[i].kind == CFG_CHILD_SUPERVISOR)
			check_tree(s->children[i].u.sup);
		else
			check_actor(s->children[i].u.actor);
	}
}

/* What `check` and `run` ask of a tree once it is loaded. */
static void use(const struct cfg *cfg)
{
	struct cfg_diag diag;

	check_tree(cfg->root);
	(void)cfg_dynamic_uids(cfg);
	diag = (struct cfg_diag){ 0 };
	if (cfg_check_uid_range(cfg, 0, 0, NULL, 0, &diag) < 0)
		fz_assert(errno == ENOSPC || errno == ENOMEM);
	cfg_diag_free(&diag);
	/* a range of two uids, which a pool of three overflows */
	if (cfg_check_uid_range(cfg, 70000, 70001, NULL, 0, &diag) < 0)
		fz_assert(errno == ENOMEM || diag.nerrors == 1);
	cfg_diag_free(&diag);
}

/* Cut DATA into files at each SEP; the last takes the rest. */
static size_t split(const uint8_t *data, size_t size, struct file *files)
{
	size_t n = 0;

	while (n < MAX_FILES - 1) {
		const uint8_t *sep = memmem(data, size, SEP, sizeof SEP - 1);

		if (!sep)
			break;
		files[n].text = data;
		files[n++].len = (size_t)(sep - data);
		size -= (size_t)(sep - data) + sizeof SEP - 1;
		data = sep + sizeof SEP - 1;
	}
	files[n].text = data;
	files[n++].len = size;
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct file files[MAX_FILES];
	char *paths[MAX_FILES];
	size_t n = split(data, size, files);
	struct cfg_diag diag;
	struct cfg *cfg;

	for (size_t i = 0; i < n; i++) {
		fz_scratch_put(names[i], files[i].text, files[i].len, 0644);
		fz_scratch_path(files[i].path, sizeof files[i].path, names[i]);
		paths[i] = files[i].path;
	}
	errno = 0;
	cfg = cfg_load(paths, n, &diag);
	if (!cfg && errno == ENOMEM && diag.n == 0)
		return 0;	/* out of memory is said, not a finding */
	fz_assert(cfg ? diag.nerrors == 0 && cfg->root : diag.nerrors > 0);
	for (size_t i = 0; i < diag.n; i++)
		check_line(diag.lines[i], files, n);
	if (cfg)
		use(cfg);
	cfg_free(cfg);
	cfg_diag_free(&diag);
	return 0;
}
