/* A fresh directory a test works in, by relative names, so that the
 * messages it compares are the same on every run. */
#ifndef PROSPERO_TESTS_COMMON_SCRATCH_H
#define PROSPERO_TESTS_COMMON_SCRATCH_H

/* Make /tmp/prospero-WHAT.XXXXXX and go into it (a Check fixture's
 * setup); its path, until scratch_leave. */
const char *scratch_enter(const char *what);
/* Leave it for / and remove it with what is in it (the teardown). */
void scratch_leave(void);
/* NAME holding TEXT; put_exec: a shell script that does nothing. */
void scratch_put(const char *name, const char *text);
void scratch_put_exec(const char *name);

#endif
