/* A private directory for the targets whose code under test reads files
 * or binds a socket (the config loader, the .dev.vars reader, the notify
 * server): made on first use, on tmpfs when there is one, and removed
 * with all it holds when the process that made it exits.
 * Any failure here is the harness's, not a finding: it aborts with a
 * message. */
#ifndef PROSPERO_FUZZ_SCRATCH_H
#define PROSPERO_FUZZ_SCRATCH_H

#include <stddef.h>
#include <sys/types.h>

/* The directory's absolute path. */
const char *fz_scratch(void);
/* DIR/NAME (NAME relative, its directory made already), into BUF of CAP bytes. */
void fz_scratch_path(char *buf, size_t cap, const char *name);
/* Write LEN bytes of DATA to DIR/NAME, replacing what it held, with MODE
 * when it is new. */
void fz_scratch_put(const char *name, const void *data, size_t len, mode_t mode);
/* Make the directory DIR/NAME. */
void fz_scratch_mkdir(const char *name);

#endif
