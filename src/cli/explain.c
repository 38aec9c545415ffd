/* `check --explain ACTOR`: what confines it, where it runs and keeps its
 * state, and every system call it may make. */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "sandbox/daemon/rlimits.h"
#include "sandbox/daemon/uidpool.h"
#include "sandbox/seccomp/profiles.h"
#include "src/cli/explain.h"
#include "src/config/didyoumean.h"
#include "src/daemon/confinement.h"
#include "src/daemon/containment.h"
#include "src/daemon/rundir.h"
#include "src/daemon/state.h"
#include "src/proto/fds.h"

/* What run says at start (the containment, the dynamic uids, the runtime
 * directory), and what A's cgroup limits. */
static void explain_containment(const struct cfg_actor *a, const struct daemon_opts *opts)
{
	struct containment_probe p;
	char dir[RUNDIR_PATH_MAX];

	containment_probe(opts, &p);
	/* the uid level kills by a uid of the instance's own, which an
	 * account is not: for such an actor it is the process group's */
	if (p.usable && p.level == CONTAIN_UID && a->user)
		printf("  containment: process group only (\"user\" %s is not a uid of its own; the daemon's: %s)\n",
		       a->user, p.line);
	else
		printf("  containment: %s\n", p.line);
	if (confinement_dynamic_uids())	/* as confinement_setup */
		printf("  dynamic uids: %u-%u (daemons that do not share /run need disjoint --uid-range)\n",
		       (unsigned)(opts->uid_first ? opts->uid_first : SB_UIDPOOL_FIRST),
		       (unsigned)(opts->uid_last ? opts->uid_last : SB_UIDPOOL_LAST));
	if (rundir_choose(opts->runtime_dir, dir, sizeof dir) == 0)
		printf("  runtime directory: %s%s\n", dir, rundir_on_tmpfs(dir) == 0 ?
		       " (not on tmpfs or ramfs: credentials delivered there may reach a disk)" : "");
	else	/* run would refuse to start: say so, as for the state directory */
		printf("  runtime directory: none can be had (%s): pass --runtime-dir DIR, or set $XDG_RUNTIME_DIR\n",
		       rundir_choose_refusal(opts->runtime_dir, errno));
	for (int c = 0; c < SB_CGROUP_NCTL; c++) {
		uint64_t v = c == SB_CGROUP_MEMORY ? a->cg_limits.memory
			   : c == SB_CGROUP_PIDS ? a->cg_limits.tasks : a->cg_limits.cpu_weight;

		if (v)
			printf("  limit %s: %" PRIu64 "%s%s\n", sb_cgroup_limit_name((enum sb_cgroup_ctl)c), v,
			       p.limit_ok[c] ? "" : " — cannot be applied here: ",
			       p.limit_ok[c] ? "" : p.limit_why[c]);
	}
	if (confinement_may_private_ipc())
		printf("  %s\n", a->private_ipc ? "private IPC namespace and /dev/shm"
					       : "the host's IPC namespace and /dev/shm (\"private_ipc\": false)");
	else if (a->private_ipc)
		printf("  the host's IPC namespace and /dev/shm (making its own needs %s)\n",
		       geteuid() != 0		  ? "root"
		       : confinement_privileged() ? "CAP_SYS_ADMIN"
						  : "CAP_SETPCAP and CAP_SYS_ADMIN");
}

/* What of @state POL allows: "deny" takes calls from it too. */
static void explain_state_calls(const struct sb_policy *pol)
{
	const struct sb_group_member *m = sb_group_members(CFG_STATE_GROUP);
	size_t n = 0, gone = 0;

	for (size_t i = 0; m && m[i].name; i++, n++)
		gone += pol->profile != SB_PROFILE_NONE && !sb_policy_find(pol, m[i].name);
	if (!gone) {
		printf("; %s allowed\n", CFG_STATE_GROUP);
		return;
	}
	if (gone == n) {
		printf("; %s taken by \"deny\": it cannot write there\n", CFG_STATE_GROUP);
		return;
	}
	printf("; %s allowed, but not", CFG_STATE_GROUP);
	for (size_t i = 0, k = 0; m[i].name; i++)
		if (!sb_policy_find(pol, m[i].name))
			printf("%s %s", k++ ? "," : "", m[i].name);
	printf(" (taken by \"deny\")\n");
}

/* Where A's instances keep their state, if it has any. */
static void explain_state(const struct cfg_actor *a, const struct daemon_opts *opts, const struct sb_policy *pol)
{
	char root[4096];

	if (!a->state)
		return;
	if (state_root_path(opts->state_dir, root, sizeof root) < 0) {
		printf("  state directory: none can be had (%s): pass --state-dir DIR\n", strerror(errno));
		return;
	}
	if (a->instances > 1)
		printf("  state directory: %s/%s#1 to #%u, one an instance", root, a->name, a->instances);
	else
		printf("  state directory: %s/%s", root, a->name);
	printf(" ($STATE_DIRECTORY): mode 0700, ");
	/* as confinement_plan gives uids: a dynamic one is the instance's
	 * alone; without root every actor runs as the daemon */
	if (!confinement_privileged())
		printf("the daemon's uid's (every actor runs as it)");
	else if (a->user)
		printf("user %s's (and any actor's that runs as it)", a->user);
	else
		printf("its uid's alone");
	printf(", writable%s", a->nread_only ? " under read_only" : "");
	explain_state_calls(pol);
}

/* Who A runs as and what it holds, as confinement_plan decides: without
 * CAP_SETPCAP (not root) no id changes, and what the actor holds is
 * emptied but its bounding set stays the daemon's. */
static void explain_privileges(const struct cfg_actor *a)
{
	bool privileged = confinement_privileged();

	if (a->user)
		printf("  user: %s\n", a->user);
	else if (geteuid() == 0 && privileged)
		printf("  user: a dynamic uid of its own, from the range below\n");
	else
		printf("  user: the daemon's (dynamic uids need a daemon that may change ids and capabilities: "
		       "root, with CAP_SETPCAP)\n");
	printf("  capabilities:");
	for (size_t i = 0; a->capabilities && a->capabilities[i]; i++)
		printf(" %s", a->capabilities[i]);
	if (privileged)
		printf("%s\n", a->keep_caps ? "" : " none (bounding and ambient sets empty)");
	else if (a->keep_caps)
		printf(" (not to be had: keeping any needs root, CAP_SETPCAP)\n");
	else
		printf(" none in effect (ambient set empty; the bounding set is left as the daemon's: "
		       "emptying it needs root, CAP_SETPCAP)\n");
}

int cli_explain(const struct cfg *cfg, const struct daemon_opts *opts, const char *name)
{
	const struct cfg_actor *a = NULL;
	struct sb_policy pol;
	char msg[512];

	for (size_t i = 0; i < cfg->nactors && !a; i++)
		if (strcmp(cfg->actors[i]->name, name) == 0)
			a = cfg->actors[i];
	for (size_t i = 0; i < cfg->nsups && !a; i++)
		if (strcmp(cfg->sups[i]->name, name) == 0) {
			fprintf(stderr, "prospero: --explain: \"%s\" is a supervisor: give an actor's name\n", name);
			return 1;
		}
	if (!a) {
		const char *near = NULL, **names = calloc(cfg->nactors ? cfg->nactors : 1, sizeof *names);
		bool oom = !names;

		for (size_t i = 0; names && i < cfg->nactors; i++)
			names[i] = cfg->actors[i]->name;
		if (names)
			near = dym_closest(name, names, cfg->nactors, &oom);
		/* the actor is missing all the same: said without the hint */
		if (oom)
			fprintf(stderr, "prospero: --explain: no actor \"%s\" (no hint: %s)\n", name, strerror(ENOMEM));
		else if (near)
			fprintf(stderr, "prospero: --explain: no actor \"%s\" (did you mean \"%s\"?)\n", name, near);
		else
			fprintf(stderr, "prospero: --explain: no actor \"%s\" in the configuration\n", name);
		free(names);
		return 1;
	}
	if (cfg_actor_policy(a, &pol, msg, sizeof msg) < 0) {
		fprintf(stderr, "prospero: %s: %s\n", name, msg);
		return 1;
	}
	/* as the daemon guards it (its served edges are not counted here:
	 * only the label is printed) */
	sb_policy_guard_fds(&pol, PP_FD_CONTROL + 1 + (unsigned)a->nbindings);
	printf("actor \"%s\"\n", a->name);
	explain_privileges(a);
	printf("  no_new_privs: yes\n");
	for (size_t i = 0; i < a->nlimits; i++) {
		char v[32];

		if (a->limits[i].lim.rlim_cur == RLIM_INFINITY)
			snprintf(v, sizeof v, "infinity");
		else
			snprintf(v, sizeof v, "%llu", (unsigned long long)a->limits[i].lim.rlim_cur);
		printf("  limit %s: %s\n", sb_rlimit_name(a->limits[i].resource), v);
	}
	explain_containment(a, opts);
	if (a->private_tmp)
		printf("  private /tmp and /var/tmp\n");
	if (a->private_network)
		printf("  private network (no interfaces but a down loopback)\n");
	for (size_t i = 0; i < a->nread_only; i++)
		printf("  read-only: %s\n", a->read_only[i]);
	for (size_t i = 0; i < a->nsecrets; i++)
		printf("  secret: %s%s\n", a->secrets[i], a->secrets_env ? " (also in the environment)" : "");
	explain_state(a, opts, &pol);
	printf("  seccomp profile: %s, on_violation: %s\n", sb_profile_name(pol.profile),
	       sb_on_violation_name(pol.on_violation));
	if (pol.profile == SB_PROFILE_NONE) {
		printf("  no seccomp filter: every system call is allowed\n");
	} else {
		printf("  allowed system calls (%zu; anything else is reported, then %s;\n"
		       "  non-native ABIs are always denied):\n", pol.n,
		       pol.on_violation == SB_ON_VIOLATION_KILL ? "the actor is killed" : "the call fails EPERM");
		for (size_t i = 0; i < pol.n; i++)
			printf("    %s%s\n", pol.rules[i].name, sb_cond_text(pol.rules[i].cond));
	}
	sb_policy_free(&pol);
	return 0;
}
