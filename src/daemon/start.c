/* Starting an instance; see start.h. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sandbox/secrets/deliver.h"
#include "src/daemon/context.h"
#include "src/daemon/faults.h"
#include "src/daemon/instance.h"
#include "src/daemon/log.h"
#include "src/daemon/loop.h"
#include "src/daemon/report.h"
#include "src/daemon/setup.h"
#include "src/daemon/start.h"
#include "src/daemon/violation.h"

/* The start failed before exec: say which step and why, as a failed start.
 * Out of fds, whichever step found it, it says the daemon's limit (read
 * now: prlimit(1) may have lowered it) and the fix, here and only here:
 * the step's own message cannot know it is the daemon's limit. */
static void start_failed(struct daemon *d, struct instance *in, int errnum, const char *what)
{
	static const char prefix[] = "could not start: ";
	struct sv_exit e = { .kind = SV_EXIT_EXEC_FAILED, .value = errnum, .before_ready = true };
	char full[sizeof in->why + 1024 + 128];

	if (errnum == EMFILE) {
		snprintf(full, sizeof full, "%s (" DAEMON_NOFILE_FIX ")", what, daemon_nofile_cur(d));
		what = full;
	}
	report_reason(in->why, sizeof in->why, prefix, what);
	report_exit(d, in, 0, &e, NULL);
	dispatch_node(d, SV_EV_EXIT, in->node, &e);
}

/* "exec /bin/x: No such file or directory", "drop capabilities (capset):
 * Operation not permitted", "clone: Resource temporarily unavailable (...)" */
static void spawn_error(const struct instance *in, const struct sb_spawn_error *err,
			char *buf, size_t len)
{
	if (err->step == SB_CONFINE_CLONE)
		snprintf(buf, len, "clone: %s%s", strerror(err->errnum),
			 err->errnum == EAGAIN ? " (the daemon cannot make another process: its "
						 "RLIMIT_NPROC or its cgroup's pids.max is reached)" : "");
	else if (err->step == SB_CONFINE_EXEC || err->step == SB_CONFINE_CWD)
		snprintf(buf, len, "%s %s: %s", sb_confine_step_name(err->step),
			 err->step == SB_CONFINE_EXEC ? in->spec->path : in->spec->cwd,
			 strerror(err->errnum));
	else
		snprintf(buf, len, "%s%s%s%s: %s", sb_confine_step_name(err->step),
			 err->detail ? " (" : "", err->detail ? err->detail : "",
			 err->detail ? ")" : "", strerror(err->errnum));
}

/* What this start is given afresh: its control channel, its secrets
 * delivered, and with "secrets_env" an environment with them in
 * (*ENV, *SECRETS). -1 with errno and MSG saying why, nothing left held. */
static int prepare(struct daemon *d, struct instance *in, char ***env, char ***secrets,
		   char *msg, size_t len)
{
	if (bindings_prepare(in->bind) < 0) {
		snprintf(msg, len, "control channel: socketpair: %s", strerror(errno));
		return -1;
	}
	if (state_prepare(d, in, msg, len) < 0 || secrets_deliver(d, in, msg, len) < 0) {
		bindings_spawned(in->bind, false);
		return -1;
	}
	if (in->spec->secrets_env && in->spec->nsecrets &&
	    !(*env = secrets_env(d, in, secrets, msg, len))) {
		if (!errno)
			errno = ENOMEM;
		secrets_remove(in);
		bindings_spawned(in->bind, false);
		return -1;
	}
	return 0;
}

void start_instance(struct daemon *d, struct instance *in)
{
	struct sb_spawn_error err;
	struct sb_spawn_plan plan;
	struct sb_cgroup_join join;
	struct sb_ns_kept kept;
	char **secrets = NULL, **env = NULL;
	char msg[sizeof in->why + 1024];	/* longer than a why: report_reason marks the cut */
	unsigned long notify_mark;
	uid_t sole_uid;
	pid_t pid;
	int pidfd;

	/* status keeps saying why the last run ended while this one runs */
	free(in->last_why);
	in->last_why = in->why[0] ? strdup(in->why) : NULL;
	in->why[0] = '\0';
	if (in->status)	/* a new incarnation says its own */
		in->status[0] = '\0';
	/* its cgroup first: a limit this host cannot apply fails the start */
	if (containment_prepare(d, in, &join, msg, sizeof msg) < 0) {
		start_failed(d, in, errno, msg);
		return;
	}
	if (prepare(d, in, &env, &secrets, msg, sizeof msg) < 0) {
		int saved = errno;

		containment_spawned(d, in, &join, false);
		start_failed(d, in, saved, msg);
		return;
	}
	instance_nofile(d, in);
	plan = in->plan;
	if (env)
		plan.envp = env;
	ns_reuse_offer(d, in, &kept);
	/* before it can send: what its uid's last run left queued is not its */
	sole_uid = containment_sole_uid(d, in);
	notify_mark = sole_uid ? notify_server_mark(&d->notify) : 0;
	pid = sb_spawn_start(&d->spawner, &plan, &err, &pidfd);
	ns_reuse_spawned(d, in, pid);
	bindings_spawned(in->bind, pid > 0);
	containment_spawned(d, in, &join, pid > 0);
	free(env);
	sb_secrets_env_free(secrets);
	if (pid < 0) {
		violation_discard(d);	/* sent, then exec failed */
		secrets_remove(in);
		spawn_error(in, &err, msg, sizeof msg);
		start_failed(d, in, err.errnum, msg);
		return;
	}
	in->pid = pid;
	d->pidless |= pidfd < 0;
	loop_watch_exit(d, in, pidfd);
	pidmap_put(&d->pids, pid, in);
	in->notify_uid = sole_uid;
	in->notify_mark = notify_mark;
	if (sole_uid)
		pidmap_put(&d->uids, (pid_t)sole_uid, in);
	faults_spawned(in);
	report_start(d, in, pid);
	if (in->filter && violation_watch(d, in) < 0) {
		/* its exit, when SIGCHLD comes, reports it as a failed start */
		snprintf(in->why, sizeof in->why, "could not start: no seccomp listener from the child: %s",
			 strerror(errno));
		(void)instance_end(in, SIGKILL);
		return;
	}
	if (in->node->ready == SV_READY_EXEC)	/* the tree's: a reload may change it in place */
		dispatch_node(d, SV_EV_READY, in->node, NULL);
}
