/* What an actor starts with (README "Fds and environment"): the control
 * channel at fd 3 and its bindings after it, named by PROSPERO_FDS and
 * PROSPERO_FDNAMES in the spirit of systemd's LISTEN_FDS/LISTEN_FDNAMES,
 * and the rest of the environment the daemon sets. The daemon writes
 * these, libprospero reads them. */
#ifndef PROSPERO_PROTO_FDS_H
#define PROSPERO_PROTO_FDS_H

/* The control channel; one fd per binding follows it. */
#define PP_FD_CONTROL 3

/* How many fds from PP_FD_CONTROL on, and their names, ':'-separated */
#define PP_ENV_FDS "PROSPERO_FDS"
#define PP_ENV_FDNAMES "PROSPERO_FDNAMES"
#define PP_FDNAMES_SEP ":"
/* The names: the control channel; an outgoing binding's NAME (upper
 * case, so it can be neither of these); "serve:CLIENT" for an incoming
 * edge, where the separator comes back, so a reader joins the part
 * "serve" with the part after it. */
#define PP_FDNAME_CONTROL "control"
#define PP_FDNAME_SERVE "serve"
#define PP_FDNAME_SERVE_PREFIX PP_FDNAME_SERVE PP_FDNAMES_SEP

/* The actor's name and instance number (1-based) */
#define PP_ENV_ACTOR "PROSPERO_ACTOR"
#define PP_ENV_INSTANCE "PROSPERO_INSTANCE"
/* systemd's, with systemd's meaning; no WATCHDOG_PID is set (the pid is
 * not known before exec), but one set by systemd is honoured */
#define PP_ENV_NOTIFY_SOCKET "NOTIFY_SOCKET"
#define PP_ENV_WATCHDOG_USEC "WATCHDOG_USEC"
#define PP_ENV_WATCHDOG_PID "WATCHDOG_PID"
#define PP_ENV_CREDENTIALS_DIRECTORY "CREDENTIALS_DIRECTORY"
#define PP_ENV_STATE_DIRECTORY "STATE_DIRECTORY"

/* The most fds PROSPERO_FDS may name. */
#define PP_FDS_MAX 4096

/* The fd names of PROSPERO_FDS and PROSPERO_FDNAMES: *N of them in
 * *NAMES, for fds PP_FD_CONTROL onwards (one allocation: free(*NAMES)).
 * An unset PROSPERO_FDS counts as 0 and an unset PROSPERO_FDNAMES as no
 * names, so either alone must say none; the split is at every separator,
 * and an empty name is refused. 0 with *N 0 and *NAMES NULL
 * when neither is set; -1 with errno EINVAL when the two do not agree
 * or PROSPERO_FDS is not a number up to PP_FDS_MAX, ENOMEM. The
 * environment is left as it was. */
int pp_fds_getenv(char ***names, unsigned long *n);
/* Take both out of the environment, as sd_listen_fds(1) does, so a
 * program the actor execs does not take the fds for its own. */
void pp_fds_unsetenv(void);
/* The client of an incoming edge's fd name ("serve:CLIENT"), or NULL
 * for any other name. */
const char *pp_fdname_client(const char *fdname);

#endif
