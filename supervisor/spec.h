/* Child specifications: the vocabulary shared by config and the tree.
 * Values follow OTP's supervisor child spec. */
#ifndef PROSPERO_SPEC_H
#define PROSPERO_SPEC_H

enum sv_strategy {
	SV_ONE_FOR_ONE,
	SV_ONE_FOR_ALL,
	SV_REST_FOR_ONE,
};

enum sv_restart {
	SV_PERMANENT,		/* always restarted */
	SV_TRANSIENT,		/* restarted only after an abnormal exit */
	SV_TEMPORARY,		/* never restarted */
};

enum sv_ready {
	SV_READY_EXEC,		/* ready once execve succeeded */
	SV_READY_NOTIFY,	/* ready on READY=1 over $NOTIFY_SOCKET */
};

/* shutdown: ms >= 0 from SIGTERM to SIGKILL (0: SIGKILL right after the
 * SIGTERM, as OTP's 0), or one of these. brutal_kill sends no SIGTERM. */
#define SV_SHUTDOWN_INFINITY (-1L)	/* SIGTERM, then wait for ever */
#define SV_SHUTDOWN_BRUTAL_KILL (-2L)	/* SIGKILL at once */

/* Restart delay after a crash: initial_ms, doubling up to max_ms, back to
 * initial_ms once the node has run reset_after_ms. initial_ms 0: none,
 * restarts are immediate as in OTP. See backoff.h. */
struct sv_backoff {
	long initial_ms;
	long max_ms;
	long reset_after_ms;
};

/* The words of the config language (OTP's), indexed by enum value and
 * NULL-terminated: the parser and every message spell them from here. */
const char *const *sv_strategy_names(void);
const char *const *sv_restart_names(void);
const char *const *sv_ready_names(void);

const char *sv_strategy_name(enum sv_strategy s);
const char *sv_restart_name(enum sv_restart r);

#endif
