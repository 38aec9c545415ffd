/* Drives the real prospero binary for integration tests: writes configs
 * into a private directory, starts the daemon, and reads its --events file
 * as a stream of exact events. */
#ifndef PROSPERO_TESTS_COMMON_HARNESS_H
#define PROSPERO_TESTS_COMMON_HARNESS_H

#include <stdbool.h>
#include <sys/types.h>

#include "tests/common/proc.h"

struct h_event {
	char event[32];
	char name[96];
	char supervisor[96];
	int pid;
	int status;		/* -1 if absent */
	char signal[16];	/* "" if absent */
	char reason[512];
	char line[2048];	/* the raw JSON line */
};

struct h {
	char dir[256];
	char rundir[256];	/* the daemon's --runtime-dir, removed even after a SIGKILL */
	pid_t pid;		/* the daemon, or 0 */
	int exit_status;	/* once reaped, else -1 */
	void *events;		/* FILE * on the events file */
	char pathbuf[8][512];
	unsigned pathnext;
	unsigned nofile;	/* when set, every prospero started gets this hard and
				 * soft RLIMIT_NOFILE, as under LimitNOFILE= */
	unsigned long fsize;	/* when set, every prospero started gets this hard and
				 * soft RLIMIT_FSIZE, as under LimitFSIZE= */
	uid_t daemon_uid;	/* when set, h_start runs the daemon as this uid and
				 * gid, a daemon without root; h_run stays the test's */
	void (*before_exec)(void);	/* when set, h_start's child calls it last
					 * before exec (a signal left pending, an fd closed) */
};

void h_init(struct h *h);
void h_fini(struct h *h);
/* A path inside the test directory (valid for the next 7 calls). */
const char *h_path(struct h *h, const char *name);
/* A link NAME in the test directory to the program $ENV (fails the test
 * when ENV is not set), for configs to name as "@DIR@/NAME". */
void h_link(struct h *h, const char *env, const char *name);
/* Write a file; "@TA@" becomes the test actor's path, "@EA@" the echo
 * actor's, "@DIR@" the test directory. */
void h_write(struct h *h, const char *name, const char *text);
/* Start "prospero run --events DIR/events -c FILE..." (names in the test dir). */
void h_start(struct h *h, const char *const *configs);
/* The same with more options (NULL-terminated) before the config files. */
void h_start_with(struct h *h, const char *const *configs, const char *const *extra);
/* Run prospero with ARGV (after the program name) to completion; returns
 * its exit status; stdout and stderr land in DIR/run.out and DIR/run.err. */
int h_run(struct h *h, const char *const *args);
/* Wait for the daemon to exit; its status, or -1 after timeout_ms. */
int h_wait_exit(struct h *h, int timeout_ms);
void h_signal(struct h *h, int sig);

/* The next event, waiting up to timeout_ms; false on timeout. */
bool h_next(struct h *h, struct h_event *e, int timeout_ms);
/* Skip events until one matches EVENT and NAME (NULL: any); fails the test on timeout. */
void h_expect(struct h *h, const char *event, const char *name, struct h_event *out);
/* The next events must be exactly SPEC: "exit:b restart:b start:b ready:b". */
void h_expect_seq(struct h *h, const char *spec);
/* After settle_ms of quiet, no event may have arrived. */
void h_expect_quiet(struct h *h, int settle_ms);

/* Read a whole small file into buf; its length, or -1. */
int h_read(struct h *h, const char *name, char *buf, int cap);
/* Count lines in a file that start with PREFIX. */
int h_count_lines(struct h *h, const char *name, const char *prefix);
/* Lines of file NAME that start with PREFIX and hold WHAT (0: no NAME). */
int h_lines_with(struct h *h, const char *name, const char *prefix, const char *what);
/* $JOURNAL_STREAM set to file NAME's device and inode (made now if need
 * be), as systemd does for the stream it hands a service as stderr. */
void h_journal_is(struct h *h, const char *name);

#define H_TIMEOUT_MS 10000

/* Stop the daemon as an operator would (SIGTERM): it must exit 0 within
 * H_TIMEOUT_MS. */
void h_stop(struct h *h);

#endif
