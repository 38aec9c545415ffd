/* Containment, the daemon's side; see containment.h. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sandbox/containment/cgroup_fs.h"
#include "sandbox/containment/cgroup_hier.h"
#include "sandbox/containment/cgroup_sweep.h"
#include "sandbox/containment/uidkill.h"
#include "sandbox/daemon/uidpool.h"
#include "src/daemon/confinement.h"
#include "src/daemon/containment.h"
#include "src/daemon/context.h"
#include "src/daemon/daemon.h"
#include "src/daemon/instance.h"
#include "src/daemon/log.h"
#include "src/daemon/loop.h"
#include "src/daemon/rundir.h"
#include "src/daemon/setup.h"
#include "src/proto/plural.h"

/* why a forced uid level is refused, by check and run alike */
#define UID_NEEDS_ROOT "needs a daemon run as root (dynamic uids)"
#define UID_NEEDS_SETPCAP "needs dynamic uids, which a root daemon without CAP_SETPCAP cannot give"

/* How long a process killed with SIGKILL may take to go: only one in
 * uninterruptible sleep takes long. */
#define CONTAIN_KILL_TIMEOUT_MS 10000
/* How often a kill of what an actor left, or the look that it is gone,
 * is tried again after it failed: its end waits for it. */
#define CONTAIN_RETRY_S 1
/* How the cgroup tree may begin its reason when the daemon is not root */
#define NOT_ROOT_AND "not root, and "

/* R = CALL, and CALL again with the reserve's fds free if it found none
 * (fd_reserve.h): the end of an actor must not wait on a free fd. */
#define WITH_RESERVE(d, r, call)                                           \
	do {                                                               \
		if (((r) = (call)) < 0 && fd_reserve_would_help(errno)) {  \
			fd_reserve_give_up(&(d)->fd_reserve);              \
			(r) = (call);                                      \
			int saved_ = errno;                                \
			fd_reserve_take(&(d)->fd_reserve);                 \
			errno = saved_;                                    \
		}                                                          \
	} while (0)

int containment_want_parse(const char *word)
{
	static const char *const words[] = { "auto", "cgroup", "uid", "pgroup" };

	for (int i = 0; i < 4; i++)
		if (strcmp(word, words[i]) == 0)
			return i;
	return -1;
}

enum containment_level containment_choose(enum containment_want want, bool cgroups, bool uids)
{
	switch (want) {
	case CONTAIN_WANT_CGROUP:
		return CONTAIN_CGROUP;
	case CONTAIN_WANT_UID:
		return CONTAIN_UID;
	case CONTAIN_WANT_PGROUP:
		return CONTAIN_PGROUP;
	default:
		return cgroups ? CONTAIN_CGROUP : uids ? CONTAIN_UID : CONTAIN_PGROUP;
	}
}

/* Why uid containment cannot be had here. */
static const char *uid_refusal(void)
{
	return geteuid() != 0 ? UID_NEEDS_ROOT : UID_NEEDS_SETPCAP;
}

/* How the operator asked for it: "--containment=uid" or
 * "PROSPERO_CONTAINMENT=uid", as it was given. */
static void asked(const struct daemon_opts *opts, const char *word, char *buf, size_t len)
{
	snprintf(buf, len, "%s=%s", opts->containment_from ? opts->containment_from : "--containment", word);
}

/* DIR's real path in REAL (PATH_MAX), or DIR itself. One not made yet
 * (for check) is its parent's real path and its name, as run makes it. */
static const char *real_dir(const char *dir, char *real)
{
	char parent[PATH_MAX];
	const char *leaf = strrchr(dir, '/');

	if (realpath(dir, real))
		return real;
	if (errno != ENOENT || !leaf || leaf == dir || (size_t)(leaf - dir) >= sizeof parent)
		return dir;
	memcpy(parent, dir, (size_t)(leaf - dir));
	parent[leaf - dir] = '\0';
	if (!realpath(parent, real))
		return dir;
	if (strcmp(real, "/") == 0)
		real[0] = '\0';
	if (strlen(real) + strlen(leaf) >= PATH_MAX)
		return dir;
	strcat(real, leaf);
	return real;
}

int containment_subtree_name(const struct daemon_opts *opts, char out[SB_CGROUP_SUBTREE_NAME_LEN])
{
	char dir[RUNDIR_PATH_MAX], real[PATH_MAX];

	if (rundir_choose(opts->runtime_dir, dir, sizeof dir) < 0)
		return -1;
	/* the directory's, however its path is spelled ("..", a symlinked
	 * parent): the next daemon on it must find its predecessor's */
	sb_cgroup_subtree_name(real_dir(dir, real), out);
	return 0;
}

/* The tree for what OPTS want, opened (or disabled with why); the level
 * it gives. name: the subtree's, when one is made by hand. */
static enum containment_level open_tree(struct sb_cgroup_tree *t, const struct daemon_opts *opts,
					const char *name)
{
	enum containment_want want = opts->containment;
	char how[64], why[96];

	if (want == CONTAIN_WANT_UID || want == CONTAIN_WANT_PGROUP) {
		asked(opts, want == CONTAIN_WANT_UID ? "uid" : "pgroup", how, sizeof how);
		snprintf(why, sizeof why, "cgroups not used: %s", how);
		sb_cgroup_tree_disable(t, why);
	} else {
		sb_cgroup_tree_open(t, name);
	}
	return containment_choose(want, t->mode != SB_CGROUP_OFF, confinement_dynamic_uids());
}

static void line(enum containment_level level, const struct sb_cgroup_tree *t, char *buf, size_t len)
{
	if (level == CONTAIN_CGROUP)
		snprintf(buf, len, "cgroup %s", t->path);
	else if (level == CONTAIN_UID)
		snprintf(buf, len, "uid (every process of an instance's dynamic uid; %s)", t->why);
	else {
		const char *why = t->why;

		/* README: "(not root; WHY NO CGROUP)", "not root" said once */
		if (geteuid() != 0 && strncmp(why, NOT_ROOT_AND, strlen(NOT_ROOT_AND)) == 0)
			why += strlen(NOT_ROOT_AND);
		snprintf(buf, len, "process group only (%s%s)",
			 geteuid() ? "not root; " : !confinement_dynamic_uids() ? "no dynamic uids without CAP_SETPCAP; " : "",
			 why);
	}
}

/* Whether T can apply limit C; why not into WHY when it cannot. */
static bool limit_applies(const struct sb_cgroup_tree *t, enum sb_cgroup_ctl c, char *why, size_t len)
{
	if (t->mode != SB_CGROUP_OFF && sb_cgroup_limit_where(t, c, why, len) > 0)
		return true;
	if (t->mode == SB_CGROUP_OFF)
		snprintf(why, len, "no cgroups in use (%.400s)", t->why);
	return false;
}

bool containment_limit_applies(const struct daemon *d, enum sb_cgroup_ctl c, char *why, size_t len)
{
	return limit_applies(&d->contain.tree, c, why, len);
}

/* "memory": the first limit in need that this host cannot apply, said. */
static void unavailable(const struct sb_cgroup_tree *t, const struct sb_cgroup_limits *lim,
			char *msg, size_t len)
{
	unsigned need = sb_cgroup_limits_need(lim);
	char why[SB_CGROUP_WHY_MAX];

	for (int c = 0; c < SB_CGROUP_NCTL; c++) {
		if (!(need & SB_CGROUP_CTL_BIT(c)) || limit_applies(t, (enum sb_cgroup_ctl)c, why, sizeof why))
			continue;
		snprintf(msg, len, "limit \"%s\" cannot be applied on this host: %s",
			 sb_cgroup_limit_name((enum sb_cgroup_ctl)c), why);
		return;
	}
	snprintf(msg, len, "limits cannot be applied on this host");
}

/* Every FROM in S made TO, a name of the same length. */
static void rename_in(char *s, const char *from, const char *to)
{
	size_t n = strlen(to);

	for (char *at = strstr(s, from); at; at = strstr(at + n, from))
		memcpy(at, to, n);
}

void containment_probe(const struct daemon_opts *opts, struct containment_probe *p)
{
	struct sb_cgroup_tree t;
	char key[48], how[64], scratch[SB_CGROUP_SUBTREE_NAME_LEN], name[SB_CGROUP_SUBTREE_NAME_LEN];

	/* run's subtree may be a live daemon's, which closing would remove:
	 * the probe makes one of its own, and says run's name */
	if (containment_subtree_name(opts, name) < 0)
		snprintf(name, sizeof name, "prospero-????????");	/* run refuses to start */
	for (int i = 0;; i++) {
		snprintf(key, sizeof key, "check %d %d", (int)getpid(), i);
		sb_cgroup_subtree_name(key, scratch);
		if (strcmp(scratch, name) != 0)
			break;
	}
	p->level = open_tree(&t, opts, scratch);
	/* as containment_setup refuses to start */
	p->usable = !(p->level == CONTAIN_CGROUP && t.mode == SB_CGROUP_OFF) &&
		    !(p->level == CONTAIN_UID && !confinement_dynamic_uids());
	if (p->usable) {
		line(p->level, &t, p->line, sizeof p->line);
	} else if (p->level == CONTAIN_UID) {
		asked(opts, "uid", how, sizeof how);
		snprintf(p->line, sizeof p->line, "none: %s %s", how, uid_refusal());
	} else {
		asked(opts, "cgroup", how, sizeof how);
		snprintf(p->line, sizeof p->line, "none: %s, but %s", how, t.why);
	}
	for (int c = 0; c < SB_CGROUP_NCTL; c++) {
		bool applies = limit_applies(&t, (enum sb_cgroup_ctl)c, p->limit_why[c], sizeof p->limit_why[c]);

		p->limit_ok[c] = applies && p->level == CONTAIN_CGROUP && p->usable;
		if (applies && !p->limit_ok[c])
			snprintf(p->limit_why[c], sizeof p->limit_why[c], "containment is not by cgroup: %.400s",
				 p->line);
	}
	sb_cgroup_tree_close(&t);
	rename_in(p->line, scratch, name);
	for (int c = 0; c < SB_CGROUP_NCTL; c++)
		rename_in(p->limit_why[c], scratch, name);
}

/* The uids of the ledger at FD, a decimal per line, into *V (free it;
 * *N of them, even on failure): read in pieces to its end, or to as many
 * as a pool gives out (each is noted once), or to a line that is no uid.
 * -1 with errno ENOMEM. */
static int read_ledger(int fd, uid_t **v, size_t *n)
{
	char buf[65536];
	size_t have = 0, cap = 0;
	bool eof = false;

	while (!eof && *n < SB_UIDPOOL_MAX_IDS) {
		ssize_t got = read(fd, buf + have, sizeof buf - 1 - have);
		char *p = buf, *last;

		if (got < 0 && errno == EINTR)
			continue;
		eof = got <= 0;
		have += got > 0 ? (size_t)got : 0;
		buf[have] = '\0';
		/* whole lines, but for the last one at the end */
		if (!(last = eof ? buf + have : memrchr(buf, '\n', have))) {
			if (have == sizeof buf - 1)
				break;	/* no uid is that long */
			continue;
		}
		while (p < last && *n < SB_UIDPOOL_MAX_IDS) {
			unsigned long long uid = 0;
			char *q = p;

			if (*p == '\n') {	/* an empty line */
				p++;
				continue;
			}
			while (*q >= '0' && *q <= '9' && uid <= UINT32_MAX)
				uid = uid * 10 + (unsigned)(*q++ - '0');
			if (q == p || (*q != '\n' && *q != '\0'))
				return 0;
			p = q + (*q == '\n');
			if (uid == 0 || uid >= (uid_t)-1)
				continue;
			if (*n == cap) {
				size_t grown_cap = cap ? cap * 2 : 1024;
				uid_t *grown = reallocarray(*v, grown_cap, sizeof *grown);

				if (!grown)
					return -1;
				*v = grown;
				cap = grown_cap;
			}
			(*v)[(*n)++] = (uid_t)uid;
		}
		have -= (size_t)(p - buf);
		memmove(buf, p, have);
	}
	return 0;
}

/* What the predecessor's ledger names, killed; but not a uid another
 * daemon holds in the host registry: its claims went with it, and one
 * another daemon took since (a name hashes alike in every daemon) runs
 * that daemon's actor. Claimed for the kill, so that none takes it in
 * the meantime; let go after, for the pool to claim as it would. */
static unsigned sweep_uids(struct daemon *d)
{
	uid_t *uids = NULL, lo = (uid_t)-1, hi = 0;
	size_t n = 0;
	uint8_t *live = NULL;
	unsigned total = 0, found;
	int fd = openat(d->rundir.fd, CONTAIN_UID_LEDGER, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), registry;

	if (fd < 0)
		return 0;
	/* without it no uid is given out: setup_uids says why */
	if ((registry = sb_uid_registry_open(SB_UID_REGISTRY)) < 0) {
		close(fd);
		return 0;
	}
	if (read_ledger(fd, &uids, &n) < 0)
		log_warn("%s/" CONTAIN_UID_LEDGER ": %s (the uids past this point are not swept)",
			 d->rundir.path, strerror(errno));
	close(fd);
	for (size_t i = 0; i < n; i++) {
		lo = uids[i] < lo ? uids[i] : lo;
		hi = uids[i] > hi ? uids[i] : hi;
	}
	/* a kill costs a helper process: one pass over /proc first, and
	 * only the uids it finds alive (no process of a dead uid can start
	 * one) are killed; past a pool's span, or without it, each is */
	if (n && hi - lo < SB_UIDPOOL_MAX_IDS && (live = malloc(((size_t)(hi - lo) + 8) / 8)) &&
	    sb_uid_alive_set(lo, hi, live) < 0) {
		free(live);
		live = NULL;
	}
	for (size_t i = 0; i < n; i++) {
		size_t k = (size_t)(uids[i] - lo);

		if (live && !(live[k / 8] & (1u << (k % 8))))
			continue;
		if (sb_uid_registry_claim(registry, uids[i]) != 0)
			continue;	/* another daemon's, or not known to be ours */
		if (sb_uid_kill(uids[i], CONTAIN_KILL_TIMEOUT_MS, &found) == 0)
			total += found;
	}
	close(registry);	/* and with it each claim */
	free(live);
	free(uids);
	return total;
}

static void report_sweep(struct daemon *d, unsigned procs, unsigned cgroups)
{
	char reason[160];

	snprintf(reason, sizeof reason, "killed %u %s a previous daemon left (%u %s removed)",
		 procs, plural(procs, "process", "processes"), cgroups, plural(cgroups, "cgroup", "cgroups"));
	events_emit(&d->events, &(struct event){
		.event = "sweep", .name = d->cfg->root->name, .status = -1, .reason = reason });
}

/* Off cgroups, the subtree NAME a predecessor run by hand at the cgroup
 * level left is swept all the same: what an actor with "user" started is
 * under no uid of its ledger. Made by no one here, and left alone while
 * a daemon holds it. */
static void sweep_left_subtree(const char *name, struct sb_cgroup_sweep *s)
{
	struct sb_cgroup_hier h;
	struct sb_cgroup_tree t;
	char path[SB_CGROUP_PATH_MAX + 64];

	if (geteuid() != 0 || sb_cgroup_hier_read(&h) < 0 || !h.v2.mnt[0])
		return;
	snprintf(path, sizeof path, "%s/%s", h.v2.mnt, name);
	if (access(path, F_OK) < 0)
		return;
	h.v2.own[0] = '\0';	/* the subtree by hand, not a delegated cgroup of ours */
	if (sb_cgroup_tree_open_hier(&t, &h, name) < 0)
		return;
	if (sb_cgroup_tree_lock(&t, 0) == 0 && sb_cgroup_tree_sweep(&t, CONTAIN_KILL_TIMEOUT_MS, s) < 0)
		log_warn("cannot sweep what a previous daemon left in %s: %s", t.path, strerror(errno));
	sb_cgroup_tree_close(&t);
}

static int sweep(struct daemon *d, const char *name)
{
	struct containment *c = &d->contain;
	struct sb_cgroup_sweep s = { 0 };
	unsigned by_uid = 0;

	if (c->level == CONTAIN_CGROUP &&
	    sb_cgroup_tree_sweep(&c->tree, CONTAIN_KILL_TIMEOUT_MS, &s) < 0) {
		log_err("cannot sweep what a previous daemon left in %s: %s", c->tree.path, strerror(errno));
		return -1;
	}
	if (c->level != CONTAIN_CGROUP)
		sweep_left_subtree(name, &s);
	/* a ledger is a predecessor's only beside its lock: in a directory
	 * no daemon held, "uids" is anyone's file, and the directory is
	 * refused (rundir_clean) */
	if (geteuid() == 0 && d->rundir.had_lock)
		by_uid = sweep_uids(d);
	if (s.procs || s.cgroups || by_uid)
		report_sweep(d, s.procs + by_uid, s.cgroups);
	return 0;
}

/* Long enough for a SIGKILLed predecessor's child to exec or die (it
 * holds the subtree's lock until then); a running daemon holds it for good. */
#define TREE_LOCK_WAIT_MS 2000

int containment_setup(struct daemon *d, const struct daemon_opts *opts)
{
	struct containment *c = &d->contain;
	char msg[SB_CGROUP_PATH_MAX + SB_CGROUP_WHY_MAX + 64], how[64], name[SB_CGROUP_SUBTREE_NAME_LEN];

	c->notify_fd = c->ledger = -1;
	/* the runtime directory is chosen already: this finds the same one */
	if (containment_subtree_name(opts, name) < 0) {
		log_err("no runtime directory to name the cgroup subtree by: %s", strerror(errno));
		return -1;
	}
	c->level = open_tree(&c->tree, opts, name);
	if (c->level == CONTAIN_CGROUP && c->tree.mode == SB_CGROUP_OFF) {
		asked(opts, "cgroup", how, sizeof how);
		log_err("%s: %s", how, c->tree.why);
		return -1;
	}
	if (c->level == CONTAIN_UID && !confinement_dynamic_uids()) {
		asked(opts, "uid", how, sizeof how);
		log_err("%s %s", how, uid_refusal());
		return -1;
	}
	if (c->level == CONTAIN_CGROUP && sb_cgroup_tree_lock(&c->tree, TREE_LOCK_WAIT_MS) < 0) {
		if (errno == EBUSY)
			log_err("cgroup %s is held by another daemon, whose runtime directory was removed "
				"while it ran: stop that daemon first", c->tree.path);
		else
			log_err("cannot lock cgroup %s: %s", c->tree.path, strerror(errno));
		return -1;
	}
	snprintf(c->why, sizeof c->why, "%s", c->tree.why);
	line(c->level, &c->tree, msg, sizeof msg);
	log_info("containment: %s", msg);
	return sweep(d, name);
}

static void on_cgroup_event(struct ev_loop *loop, ev_io *w, int revents)
{
	struct daemon *d = w->data;
	int wds[SB_CGROUP_NOTIFY_BATCH];

	/* which one fired matters little: every dying instance is looked at */
	while (sb_cgroup_notify_read(d->contain.notify_fd, wds, SB_CGROUP_NOTIFY_BATCH) > 0)
		;
	containment_recheck(d);
}

static void on_retry(struct ev_loop *loop, ev_timer *w, int revents);

int containment_start(struct daemon *d)
{
	struct containment *c = &d->contain;

	ev_timer_init(&c->retry, on_retry, CONTAIN_RETRY_S, CONTAIN_RETRY_S);
	c->retry.data = d;
	if (geteuid() == 0 &&
	    (c->ledger = openat(d->rundir.fd, CONTAIN_UID_LEDGER,
				O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0600)) < 0) {
		log_err("%s/" CONTAIN_UID_LEDGER ": %s", d->rundir.path, strerror(errno));
		return -1;
	}
	if (c->level != CONTAIN_CGROUP)
		return 0;
	if ((c->notify_fd = sb_cgroup_notify_open()) < 0) {
		log_err("cannot watch cgroups (inotify): %s", strerror(errno));
		return -1;
	}
	ev_io_init(&c->notify_watcher, on_cgroup_event, c->notify_fd, EV_READ);
	c->notify_watcher.data = d;
	ev_io_start(d->loop, &c->notify_watcher);
	return 0;
}

void containment_teardown(struct daemon *d)
{
	struct containment *c = &d->contain;

	if (d->loop)
		ev_timer_stop(d->loop, &c->retry);
	if (c->notify_fd >= 0) {
		ev_io_stop(d->loop, &c->notify_watcher);
		close(c->notify_fd);
	}
	if (c->ledger >= 0) {
		close(c->ledger);
		/* nothing of ours is left to kill: the next daemon need not look */
		unlinkat(d->rundir.fd, CONTAIN_UID_LEDGER, 0);
	}
	c->notify_fd = c->ledger = -1;
	sb_cgroup_tree_close(&c->tree);
}

void containment_note_uid(struct daemon *d, uid_t uid)
{
	char buf[16];
	int n = snprintf(buf, sizeof buf, "%u\n", (unsigned)uid);

	if (d->contain.ledger >= 0 && write(d->contain.ledger, buf, (size_t)n) != n)
		log_warn("%s/" CONTAIN_UID_LEDGER ": %s", d->rundir.path, strerror(errno));
}

/* What to do when a kill failed with ERR: " (...)", or "". */
static const char *fix_for(const struct daemon *d, int err, char *buf, size_t len)
{
	buf[0] = '\0';
	if (err == EMFILE)
		snprintf(buf, len, " (" DAEMON_NOFILE_FIX ")", daemon_nofile_cur(d));
	else if (err == EAGAIN)
		snprintf(buf, len, " (the daemon cannot make the helper process that kills them: its "
			 "RLIMIT_NPROC or its cgroup's pids.max is reached: raise it)");
	return buf;
}

/* 1 something is in in's cgroup, 0 nothing, -1 with errno: cannot tell
 * now. One removed from outside was empty, and is let go: the next run
 * makes its own. */
static int cg_populated(struct daemon *d, struct instance *in)
{
	int r;

	WITH_RESERVE(d, r, sb_cgroup_inst_populated(&in->cg));
	if (r < 0 && errno == ENOENT) {
		sb_cgroup_inst_forget(&in->cg);
		return 0;
	}
	return r;
}

static int cg_kill(struct daemon *d, struct instance *in)
{
	int r;

	WITH_RESERVE(d, r, sb_cgroup_inst_kill(&d->contain.tree, &in->cg));
	return r;
}

static int cg_remove(struct daemon *d, struct instance *in)
{
	int r;

	WITH_RESERVE(d, r, sb_cgroup_inst_remove(&d->contain.tree, &in->cg));
	return r;
}

/* Kill what in's cgroup holds, wait until nothing is left (synchronous:
 * for a stop, or a start that finds it in use) and remove it. -1 with
 * errno, and what failed in *what. */
static int cg_clear(struct daemon *d, struct instance *in, const char **what)
{
	int r;

	*what = "cannot kill it";
	if (cg_kill(d, in) < 0)
		return -1;
	*what = "cannot see it empty";
	WITH_RESERVE(d, r, sb_cgfs_wait_empty(in->cg.fd, CONTAIN_KILL_TIMEOUT_MS));
	if (r < 0 && errno != ENOENT)
		return -1;
	*what = "cannot remove it";
	return cg_remove(d, in);
}

/* A start found processes in its own cgroup (kept for it, or made by an
 * earlier run of the same name whose end went unseen): what is in an
 * instance's cgroup is the instance's, so it is killed, not waited for
 * in vain at every start. */
static int cg_clear_leftover(struct daemon *d, struct instance *in, char *msg, size_t len)
{
	char name[SB_CGROUP_NAME_MAX];
	const char *what;
	int saved;

	/* removed, the cgroup takes its name with it */
	snprintf(name, sizeof name, "%s", in->cg.name);
	if (cg_clear(d, in, &what) == 0) {
		log_warn("%s: killed what an earlier run left in its cgroup %s/%s", in->name,
			 d->contain.tree.path, name);
		return 0;
	}
	saved = errno;
	snprintf(msg, len, "cgroup %s/%s: a leftover still has processes, and the daemon %s: %s",
		 d->contain.tree.path, name, what, strerror(saved));
	errno = saved;
	return -1;
}

int containment_prepare(struct daemon *d, struct instance *in, struct sb_cgroup_join *j,
			char *msg, size_t len)
{
	struct containment *c = &d->contain;
	const struct sb_cgroup_limits *lim = &in->spec->cg_limits;
	int saved, populated = 0;

	j->n = 0;
	if (c->level != CONTAIN_CGROUP) {
		if (!sb_cgroup_limits_need(lim))
			return 0;
		unavailable(&c->tree, lim, msg, len);
		errno = EOPNOTSUPP;
		return -1;
	}
	/* the last run's, emptied without a kill: no mkdir, no watch; one
	 * removed under us is forgotten, one something entered is emptied */
	if (in->cg.fd >= 0 && in->cg_empty_seen != ev_iteration(d->loop)) {
		WITH_RESERVE(d, populated, sb_cgroup_inst_populated(&in->cg));
		if (populated < 0 && errno == ENOENT) {
			sb_cgroup_inst_forget(&in->cg);
			populated = 0;
		} else if (populated < 0) {
			saved = errno;
			snprintf(msg, len, "cgroup %s/%s: %s", c->tree.path, in->cg.name, strerror(saved));
			errno = saved;
			return -1;
		}
	}
	if (in->cg.fd >= 0 && populated && cg_clear_leftover(d, in, msg, len) < 0)
		return -1;
	if (in->cg.fd >= 0 && !sb_cgroup_inst_reusable(&c->tree, &in->cg, lim) && cg_remove(d, in) < 0) {
		saved = errno;
		snprintf(msg, len, "cgroup %s/%s: cannot remove the last run's: %s", c->tree.path, in->cg.name,
			 strerror(saved));
		errno = saved;
		return -1;
	}
	if (in->cg.fd < 0 && sb_cgroup_inst_create(&c->tree, &in->cg, in->name, lim) < 0) {
		saved = errno;
		if (saved == EBUSY && sb_cgroup_inst_open_leftover(&c->tree, &in->cg, in->name) == 0) {
			if (cg_clear_leftover(d, in, msg, len) < 0)
				return -1;
			if (sb_cgroup_inst_create(&c->tree, &in->cg, in->name, lim) == 0)
				goto made;
			saved = errno;
		}
		if (saved == EOPNOTSUPP)
			unavailable(&c->tree, lim, msg, len);
		else
			snprintf(msg, len, "cgroup %s/%s: %s%s", c->tree.path, in->name, strerror(saved),
				 saved == EBUSY ? " (a leftover still has processes)" : "");
		errno = saved;
		return -1;
	}
made:
	if ((in->cg.wd < 0 && sb_cgroup_inst_watch(&in->cg, c->notify_fd) < 0) ||
	    (in->cg.v1 && sb_cgroup_join_open(&c->tree, &in->cg, false, j) < 0)) {
		saved = errno;
		snprintf(msg, len, "cgroup %s/%s: %s", c->tree.path, in->cg.name, strerror(saved));
		sb_cgroup_inst_remove(&c->tree, &in->cg);
		errno = saved;
		return -1;
	}
	in->plan.cgroup = &in->cg;
	in->confine.join = j->n ? j : NULL;
	return 0;
}

void containment_spawned(struct daemon *d, struct instance *in, struct sb_cgroup_join *j, bool ok)
{
	sb_cgroup_join_close(j);
	in->confine.join = NULL;
	in->plan.cgroup = NULL;
	if (!ok && in->cg.fd >= 0 && cg_remove(d, in) < 0)
		log_warn("%s: cannot remove its cgroup: %s", in->name, strerror(errno));
}

static bool counts_tasks(const struct sb_cgroup_usage *u)
{
	return (u->have & SB_CGROUP_HAVE_TASKS) && u->tasks > 0;
}

static void mark_dying(struct daemon *d, struct instance *in)
{
	if (!in->dying) {
		in->dying = true;
		d->contain.ndying++;
	}
}

static void unmark_dying(struct daemon *d, struct instance *in)
{
	if (in->dying) {
		in->dying = false;
		d->contain.ndying--;
	}
	in->kill_stuck = in->kill_stuck_said = false;
}

/* The figures of in's exit: a figure that cannot be read is not in the
 * event, but not for want of an fd. */
static void read_usage(struct daemon *d, struct instance *in, struct sb_cgroup_usage *u)
{
	errno = 0;
	sb_cgroup_usage_read(&d->contain.tree, &in->cg, u);
	if (!(u->have & SB_CGROUP_HAVE_CPU) && fd_reserve_would_help(errno)) {
		fd_reserve_give_up(&d->fd_reserve);
		sb_cgroup_usage_read(&d->contain.tree, &in->cg, u);
		fd_reserve_take(&d->fd_reserve);
	}
}

/* Nothing of it is left: its usage, its cgroup kept or gone, then its end.
 * KILLED: something besides its main process was killed. What it left
 * are our zombies (as subreaper), reaped first so that not even they
 * outlast the exit event; the pids controller counts them until then, and
 * a kept cgroup would charge them to the next run. One that cannot be
 * reaped yet (behind an instance's own) is left to the SIGCHLD scan,
 * which looks again; a count no zombie of ours explains (one a tracer
 * holds) is not waited for. */
static void finish(struct daemon *d, struct instance *in, bool killed)
{
	struct sb_cgroup_usage u = { 0 };
	int status = in->end_status;
	siginfo_t si = { 0 };

	if (in->cg.fd >= 0)
		read_usage(d, in, &u);
	if (killed || counts_tasks(&u)) {
		loop_reap_orphans(d);
		if (counts_tasks(&u)) {
			u = (struct sb_cgroup_usage){ 0 };
			read_usage(d, in, &u);
		}
	}
	if (counts_tasks(&u) && waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid != 0) {
		mark_dying(d, in);
		return;
	}
	/* a restart in this same pass need not look again */
	in->cg_empty_seen = ev_iteration(d->loop);

	if (in->kill_stuck_said)
		log_info("%s: nothing of it is left now: its exit is final", in->name);
	unmark_dying(d, in);
	if (in->cg.fd >= 0) {
		/* kept for its next run, or until its release */
		if (sb_cgroup_inst_reusable(&d->contain.tree, &in->cg, &in->spec->cg_limits))
			sb_cgroup_inst_next_run(&in->cg, &u);
		else if (cg_remove(d, in) < 0)
			log_warn("%s: cannot remove its cgroup: %s", in->name, strerror(errno));
	}
	instance_ended(in, status, &u);
}

/* The dynamic uid that is in's alone, or 0. */
static uid_t own_uid(const struct daemon *d, const struct instance *in)
{
	return d->conf.dynamic_uids && !in->spec->user && in->privs.change_ids ? in->privs.uid : 0;
}

uid_t containment_sole_uid(const struct daemon *d, const struct instance *in)
{
	const struct containment *c = &d->contain;

	if (c->level == CONTAIN_UID || (c->level == CONTAIN_CGROUP && in->cg.fd >= 0))
		return own_uid(d, in);
	return 0;
}

/* Synchronous: kill(-1) as that uid, each process waited for. Looked at
 * again after: a process caught exiting as the helper scanned can still
 * be listed, and its end must not be told before it is gone. How many
 * were killed, or -1 with errno (0: they outlive three kills). */
static int uid_kill(struct daemon *d, uid_t uid)
{
	unsigned found, all = 0;
	int r;

	for (int tries = 0; tries < 3; tries++) {
		WITH_RESERVE(d, r, sb_uid_kill(uid, CONTAIN_KILL_TIMEOUT_MS, &found));
		if (r < 0)
			return -1;
		all += found;
		/* a look that fails (no helper process) is no proof of an end */
		WITH_RESERVE(d, r, sb_uid_alive(uid));
		if (r < 0)
			return -1;
		if (r == 0)
			return all > INT_MAX ? INT_MAX : (int)all;
	}
	errno = 0;
	return -1;
}

/* uid_kill's failure said: "b: cannot kill the processes of uid 375077:
 * Resource temporarily unavailable (...)"; TAIL after it. */
static void say_uid_kill_failed(const struct instance *in, uid_t uid, const char *tail)
{
	char fix[192];
	int err = errno;

	if (err)
		log_warn("%s: cannot kill the processes of uid %u: %s%s%s", in->name, (unsigned)uid, strerror(err),
			 fix_for(in->d, err, fix, sizeof fix), tail);
	else
		log_warn("%s: processes of uid %u outlive three kills%s", in->name, (unsigned)uid, tail);
}

int containment_force(struct daemon *d, struct instance *in, int sig, int err)
{
	struct containment *c = &d->contain;
	char signame[SV_SIGNAME_MAX], fix[192];
	const char *what = sv_signal_name(sig, signame);
	uid_t uid;

	if (c->level == CONTAIN_CGROUP && in->cg.fd >= 0) {
		log_warn("%s: cannot send %s to pid %d: %s; killing its cgroup", in->name, what, (int)in->pid,
			 strerror(err));
		if (cg_kill(d, in) == 0)
			return 0;	/* its SIGCHLD and populated 0 end it as ever */
		log_warn("%s: cannot kill its cgroup: %s%s", in->name, strerror(errno),
			 fix_for(d, errno, fix, sizeof fix));
		return -1;
	}
	if (c->level == CONTAIN_UID && (uid = own_uid(d, in))) {
		log_warn("%s: cannot send %s to pid %d: %s; killing every process of uid %u", in->name, what,
			 (int)in->pid, strerror(err), (unsigned)uid);
		/* synchronous */
		if (uid_kill(d, uid) >= 0)
			return 0;
		say_uid_kill_failed(in, uid, "");
		return -1;
	}
	log_warn("%s: cannot send %s to pid %d: %s; nothing else reaches it (containment: process group only)",
		 in->name, what, (int)in->pid, strerror(err));
	return -1;
}

/* What is left of in's process group, sent SIGKILL as its leader was
 * reaped, that is ours to reap (what it left has us for a parent, as
 * subreaper): what has ended is reaped; 1 some still runs, 0 nothing. A
 * member whose parent left the group is that parent's to reap. */
static int group_left(const struct instance *in)
{
	pid_t pg = in->end_pid;

	if (pg <= 0 || (kill(-pg, 0) < 0 && errno == ESRCH))
		return 0;	/* the usual end: the leader was all of it */
	for (;;) {
		siginfo_t si = { 0 };

		if (waitid(P_PGID, (id_t)pg, &si, WEXITED | WNOHANG) < 0)
			return 0;	/* ECHILD: none of it is ours */
		if (si.si_pid == 0)
			return 1;	/* its SIGCHLD comes, and the recheck */
	}
}

/* Killing what in left, or seeing it gone, failed (errno): its end waits,
 * and the retry timer tries again. Said once an end, naming the fix. */
static void stuck(struct daemon *d, struct instance *in, const char *what)
{
	static const char tail[] = "; its exit waits until nothing of it is left, tried again every second";
	char fix[192];
	uid_t uid;

	if (!in->kill_stuck_said) {
		if (d->contain.level == CONTAIN_UID && (uid = own_uid(d, in)))
			say_uid_kill_failed(in, uid, tail);
		else
			log_warn("%s: %s %s/%s: %s%s%s", in->name, what, d->contain.tree.path, in->cg.name,
				 strerror(errno), fix_for(d, errno, fix, sizeof fix), tail);
	}
	in->kill_stuck = in->kill_stuck_said = true;
	mark_dying(d, in);
	if (!ev_is_active(&d->contain.retry))
		ev_timer_again(d->loop, &d->contain.retry);
}

/* Kill what is left of in, which is dying, and end it once nothing is:
 * now, on a later SIGCHLD or cgroup.events change, or, when the kill or
 * the look failed, on the retry timer. */
static void kill_rest(struct daemon *d, struct instance *in)
{
	uid_t uid;
	int left;

	mark_dying(d, in);
	if (d->contain.level == CONTAIN_UID && (uid = own_uid(d, in))) {
		if ((left = uid_kill(d, uid)) < 0)
			stuck(d, in, NULL);
		else
			finish(d, in, left != 0);
	} else if (in->cg.fd < 0) {
		finish(d, in, true);	/* removed from outside, with all it held */
	} else if (cg_kill(d, in) < 0) {
		stuck(d, in, "cannot kill its cgroup");
	} else if ((left = cg_populated(d, in)) < 0) {
		stuck(d, in, "cannot tell whether it left anything in its cgroup");
	} else if (left == 0) {
		finish(d, in, true);
	}
}

static void on_retry(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct daemon *d = w->data;
	bool again = false;

	log_hold();
	for (size_t i = 0; i < d->ninst; i++) {
		struct instance *in = d->inst[i];

		if (!in->dying || !in->kill_stuck)
			continue;
		in->kill_stuck = false;
		kill_rest(d, in);
		again |= in->kill_stuck;
	}
	if (!again)
		ev_timer_stop(loop, w);
	log_release();
}

/* Nothing of a dying instance is left. One whose kill or look failed is
 * the retry timer's to see to. */
static bool dead_now(struct daemon *d, struct instance *in)
{
	int left;

	if (in->kill_stuck)
		return false;
	if (in->cg.fd < 0)
		return group_left(in) == 0;
	if ((left = cg_populated(d, in)) < 0)
		stuck(d, in, "cannot tell whether it left anything in its cgroup");
	return left == 0;
}

void containment_reaped(struct daemon *d, struct instance *in, int status)
{
	struct containment *c = &d->contain;

	in->end_status = status;
	/* killed only when something is left: an emptied cgroup can be kept */
	if (c->level == CONTAIN_CGROUP && in->cg.fd >= 0) {
		if (cg_populated(d, in) != 0)
			kill_rest(d, in);
		else
			finish(d, in, false);
	} else if (c->level == CONTAIN_UID && own_uid(d, in)) {
		kill_rest(d, in);
	} else if (in->cg.fd < 0 && group_left(in) > 0) {
		mark_dying(d, in);	/* its process group is all there is to wait for */
	} else {
		finish(d, in, false);
	}
}

void containment_retire(struct daemon *d, struct instance *in)
{
	if (in->pid > 0 || in->dying || in->cg.fd < 0)
		return;	/* running or ending: containment_release sees to it */
	if (cg_remove(d, in) < 0) {
		log_warn("%s: cannot remove its cgroup: %s", in->name, strerror(errno));
		/* let go all the same: a namesake the reload starts takes the
		 * leftover (empty) under this name, and this one's release
		 * would kill it there */
		sb_cgroup_inst_forget(&in->cg);
	}
}

void containment_recheck(struct daemon *d)
{
	for (size_t i = 0; d->contain.ndying && i < d->ninst; i++) {
		struct instance *in = d->inst[i];

		if (in->dying && dead_now(d, in))
			finish(d, in, true);
	}
}

void containment_release(struct daemon *d, struct instance *in)
{
	struct containment *c = &d->contain;
	/* an ended one left nothing: its uid is its name's, and a namesake
	 * a reload started may be running under it */
	bool left = in->pid > 0 || in->dying;
	const char *what;
	char fix[192];
	uid_t uid;

	unmark_dying(d, in);
	if (left && c->level == CONTAIN_UID && (uid = own_uid(d, in)) && uid_kill(d, uid) < 0)
		say_uid_kill_failed(in, uid, "");
	if (in->cg.fd >= 0 && cg_clear(d, in, &what) < 0)
		log_warn("%s: its cgroup %s/%s: %s: %s%s", in->name, c->tree.path, in->cg.name, what,
			 strerror(errno), fix_for(d, errno, fix, sizeof fix));
}

int containment_usage(const struct daemon *d, const struct instance *in, struct sb_cgroup_usage *u)
{
	return sb_cgroup_usage_read(&d->contain.tree, &in->cg, u);
}
