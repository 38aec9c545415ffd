/* What every fuzz target defines: libFuzzer's entry points. A target is
 * linked either with libFuzzer (-fsanitize=fuzzer, `make fuzz`) or with
 * replay.c, which feeds it each file of its corpus under `make check`. */
#ifndef PROSPERO_FUZZ_H
#define PROSPERO_FUZZ_H

#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* Once, before any input. */
int LLVMFuzzerInitialize(int *argc, char ***argv);
/* One input; always 0. A finding is a crash, a sanitizer report or a
 * failed fz_assert. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A property of the code under test that must hold for every input;
 * abort() so libFuzzer and replay.c both report it with the input. */
#define fz_assert(cond) ((cond) ? (void)0 : fz_fail(#cond, __FILE__, __LINE__))

__attribute__((noreturn)) static inline void fz_fail(const char *what, const char *file, int line)
{
	fprintf(stderr, "%s:%d: property broken: %s\n", file, line, what);
	abort();
}

/* The lowest fd number not in use: unchanged across an input when the
 * code under test closed every fd it was passed. */
static inline int fz_lowest_free_fd(void)
{
	int fd = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 0);

	if (fd < 0)
		abort();
	close(fd);
	return fd;
}

#endif
