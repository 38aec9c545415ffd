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

#define SV_SHUTDOWN_BRUTAL_KILL 0L	/* SIGKILL at once */
#define SV_SHUTDOWN_INFINITY (-1L)	/* SIGTERM, then wait for ever */

/* The words of the config language (OTP's), indexed by enum value and
 * NULL-terminated: the parser and every message spell them from here. */
const char *const *sv_strategy_names(void);
const char *const *sv_restart_names(void);
const char *const *sv_ready_names(void);

const char *sv_strategy_name(enum sv_strategy s);
const char *sv_restart_name(enum sv_restart r);

#endif
