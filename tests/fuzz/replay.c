/* A fuzz target under `make check`, without libFuzzer: every file of its
 * corpus ($FUZZ_CORPUS/<target>/, the target named by FUZZ_TARGET at
 * build time) through LLVMFuzzerTestOneInput, one Check test per file in
 * its own process, so an input the fuzzer once found fails the suite if
 * the bug comes back, and the sanitizers watch each one. */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/fuzz/fuzz.h"

#ifndef FUZZ_TARGET
#error "build with -DFUZZ_TARGET='\"name\"'"
#endif

static char corpus[512];
static char **files;
static size_t nfiles;

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The corpus's file names, sorted so that test numbers are stable. */
static void list_corpus(void)
{
	const char *root = getenv("FUZZ_CORPUS");
	DIR *d;
	struct dirent *e;
	size_t cap = 0;

	if (!root || (size_t)snprintf(corpus, sizeof corpus, "%s/%s", root, FUZZ_TARGET) >= sizeof corpus) {
		fprintf(stderr, "replay: set FUZZ_CORPUS to tests/fuzz/corpus\n");
		exit(EXIT_FAILURE);
	}
	if (!(d = opendir(corpus))) {
		fprintf(stderr, "replay: %s: %s\n", corpus, strerror(errno));
		exit(EXIT_FAILURE);
	}
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (nfiles == cap && !(files = reallocarray(files, cap = cap ? cap * 2 : 64, sizeof *files)))
			abort();
		if (!(files[nfiles++] = strdup(e->d_name)))
			abort();
	}
	closedir(d);
	qsort(files, nfiles, sizeof *files, by_name);
}

/* The whole file in a buffer of exactly its size, so that ASan sees a
 * read one byte past the input. */
static uint8_t *slurp(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	uint8_t *buf;
	size_t got = 0;

	ck_assert_msg(fd >= 0 && fstat(fd, &st) == 0, "%s: %s", path, strerror(errno));
	*len = (size_t)st.st_size;
	buf = malloc(*len ? *len : 1);
	ck_assert_ptr_nonnull(buf);
	while (got < *len) {
		ssize_t r = read(fd, buf + got, *len - got);

		ck_assert_msg(r > 0, "%s: short read", path);
		got += (size_t)r;
	}
	close(fd);
	return buf;
}

START_TEST(replay_one)
{
	char path[1024];
	uint8_t *data;
	size_t len;

	snprintf(path, sizeof path, "%s/%s", corpus, files[_i]);
	fprintf(stderr, "replay: %s\n", path);
	data = slurp(path, &len);
	ck_assert_int_eq(LLVMFuzzerTestOneInput(data, len), 0);
	free(data);
}
END_TEST

START_TEST(the_corpus_is_not_empty)
{
	ck_assert_msg(nfiles > 0, "no inputs in %s", corpus);
}
END_TEST

int main(int argc, char **argv)
{
	Suite *s = suite_create("fuzz_" FUZZ_TARGET);
	TCase *tc = tcase_create("corpus");
	SRunner *sr;
	int failed;

	list_corpus();
	LLVMFuzzerInitialize(&argc, &argv);
	tcase_add_test(tc, the_corpus_is_not_empty);
	tcase_add_loop_test(tc, replay_one, 0, (int)nfiles);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	for (size_t i = 0; i < nfiles; i++)
		free(files[i]);
	free(files);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
