/* Containment, the daemon's side: the end of an actor is the end of
 * everything it started (README "Process hygiene"). One level holds for
 * the whole run, chosen at start and said in one line:
 *
 *   cgroup  each instance in a cgroup of its own under the daemon's
 *           subtree, joined before exec (clone3 CLONE_INTO_CGROUP);
 *   uid     root (with CAP_SETPCAP) without usable cgroups: every
 *           process of the instance's dynamic uid;
 *   pgroup  the instance's process group, all an unprivileged daemon
 *           without a delegated cgroup has.
 *
 * When an instance's main process is reaped, the rest is killed, and its
 * exit becomes final (event, secrets removed, the tree told) only once
 * nothing of it is left: at once when that is so already, else when a
 * later SIGCHLD or the cgroup.events watch says it is empty, or, when the
 * kill or the look failed (no fd, no helper process), when the retry
 * timer finds it done. */
#ifndef PROSPERO_DAEMON_CONTAINMENT_H
#define PROSPERO_DAEMON_CONTAINMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <ev.h>

#include "sandbox/containment/cgroup.h"
#include "sandbox/containment/cgroup_join.h"
#include "sandbox/containment/cgroup_usage.h"

struct daemon;
struct daemon_opts;
struct instance;

enum containment_level { CONTAIN_CGROUP, CONTAIN_UID, CONTAIN_PGROUP };

/* What --containment and $PROSPERO_CONTAINMENT take. */
#define CONTAIN_ENV "PROSPERO_CONTAINMENT"
enum containment_want { CONTAIN_WANT_AUTO, CONTAIN_WANT_CGROUP, CONTAIN_WANT_UID, CONTAIN_WANT_PGROUP };
/* "auto", "cgroup", "uid", "pgroup"; -1 for another word */
int containment_want_parse(const char *word);

/* Where the dynamic uids given out are noted, below the runtime
 * directory: a daemon that dies leaves the list to its successor, which
 * kills what still runs under them before it starts anything. */
#define CONTAIN_UID_LEDGER "uids"

struct containment {
	enum containment_level level;
	struct sb_cgroup_tree tree;	/* CONTAIN_CGROUP: the subtree */
	int notify_fd;			/* cgroup.events watches; -1 */
	ev_io notify_watcher;
	int ledger;			/* CONTAIN_UID_LEDGER, appended to; -1 */
	size_t ndying;			/* instances killed, not yet empty */
	ev_timer retry;			/* kills and looks that failed, tried again */
	char why[SB_CGROUP_WHY_MAX];	/* below cgroup: why */
};

/* Decide the level from what is wanted and what can be had (uids: the
 * actors get dynamic uids, root with CAP_SETPCAP). Pure. */
enum containment_level containment_choose(enum containment_want want, bool cgroups, bool uids);

/* The subtree a daemon run by hand as root makes at the unified root
 * ("prospero-HASH"): named for its runtime directory as rundir_choose
 * finds it from OPTS, which one live daemon alone holds. `run` and
 * `check --explain` both name it so. -1 with errno when there is no
 * runtime directory (run refuses to start then). */
int containment_subtree_name(const struct daemon_opts *opts, char out[SB_CGROUP_SUBTREE_NAME_LEN]);

/* What `check` says: the level and its line ("cgroup /sys/fs/...",
 * "uid (...)", "process group only (...)") and which cgroup limits this
 * host can apply, found as `run` would (in a subtree of its own, removed
 * again: a daemon running meanwhile is not touched), said with the path
 * `run` would use (containment_subtree_name). */
struct containment_probe {
	enum containment_level level;
	bool usable;			/* false: cgroup forced, and none to be had, or
					 * uid forced without root */
	char line[SB_CGROUP_PATH_MAX + SB_CGROUP_WHY_MAX + 64];
	bool limit_ok[SB_CGROUP_NCTL];
	char limit_why[SB_CGROUP_NCTL][SB_CGROUP_WHY_MAX + 32];
};
void containment_probe(const struct daemon_opts *opts, struct containment_probe *p);

/* At start, the runtime directory locked and not yet emptied: choose and
 * say the level, then kill what a dead predecessor left (its subtree, its
 * ledger's uids), with a log line and a "sweep" event when there was
 * any. -1 said on stderr. */
int containment_setup(struct daemon *d, const struct daemon_opts *opts);
/* Once the runtime directory is clean and the loop made. */
int containment_start(struct daemon *d);
void containment_teardown(struct daemon *d);
/* A dynamic uid given out, into the ledger. */
void containment_note_uid(struct daemon *d, uid_t uid);

/* Before a spawn: in's cgroup made and watched, *j what the child joins
 * itself. -1 with errno and msg (a limit this host cannot apply: the
 * start fails rather than running unlimited). */
int containment_prepare(struct daemon *d, struct instance *in, struct sb_cgroup_join *j,
			char *msg, size_t len);
/* IN will not run again (a reload retires it): the cgroup kept for its
 * next run goes now, before an instance of the same name makes its own;
 * one that cannot be removed is left to that namesake, not held. */
void containment_retire(struct daemon *d, struct instance *in);
/* After it: spawned or not. */
void containment_spawned(struct daemon *d, struct instance *in, struct sb_cgroup_join *j, bool ok);

/* in's main process was reaped with status: kill the rest; end it now or
 * once empty (instance_ended). */
void containment_reaped(struct daemon *d, struct instance *in, int status);
/* SIG to end in could not be sent (kill(2) failed with ERR, EPERM
 * say): it is killed through what holds it, its cgroup or its uid, and
 * a warning says why. -1 when nothing can (process group only, or the
 * kill failed: said too). */
int containment_force(struct daemon *d, struct instance *in, int sig, int err);
/* A SIGCHLD or a cgroup.events change: end the instances now empty. */
void containment_recheck(struct daemon *d);
/* in is going away (with the daemon, or retired by a reload): nothing of
 * it left, synchronously. The uid level kills by uid only what still ran
 * or was dying: an ended instance's uid may be a namesake's by now. */
void containment_release(struct daemon *d, struct instance *in);

/* The dynamic uid no process but in's holds, none past its end (its
 * cgroup or its uid is what holds it), or 0: a fixed "user", a daemon
 * without dynamic uids, or process groups alone (a process that left
 * the group may outlive the run). Once in's cgroup is made. */
uid_t containment_sole_uid(const struct daemon *d, const struct instance *in);

/* Whether this daemon can apply limit C to an actor; why not into WHY. */
bool containment_limit_applies(const struct daemon *d, enum sb_cgroup_ctl c, char *why, size_t len);

/* What in uses now, from its cgroup (for status). -1 with errno when it
 * has none (not running, or no cgroups). */
int containment_usage(const struct daemon *d, const struct instance *in, struct sb_cgroup_usage *u);

#endif
