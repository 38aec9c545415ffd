/* State directories, the daemon's side; see state.h. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sandbox/daemon/replaceable.h"
#include "sandbox/daemon/statedir.h"
#include "sandbox/daemon/uidpool.h"
#include "src/daemon/abspath.h"
#include "src/daemon/context.h"
#include "src/daemon/daemon.h"
#include "src/daemon/instance.h"
#include "src/daemon/log.h"
#include "src/daemon/state.h"
#include "src/proto/fds.h"

#define STATE_ROOT_SYSTEM "/var/lib/prospero"

int state_root_path(const char *dir, char *buf, size_t len)
{
	const char *env = getenv(PP_ENV_STATE_DIRECTORY), *xdg = getenv("XDG_STATE_HOME");
	const char *home = getenv("HOME");
	int n;

	/* relative to where the daemon started, not to each actor's cwd */
	if (dir)
		return abspath(dir, buf, len);
	/* systemd's list: our own is the first (an empty one is none, as for
	 * $RUNTIME_DIRECTORY: "" would put each instance's state in "/") */
	if (env && *env && *env != ':')
		return abspath_first(env, buf, len);
	if (geteuid() == 0)
		n = snprintf(buf, len, "%s", STATE_ROOT_SYSTEM);
	else if (xdg && xdg[0] == '/')	/* the XDG spec: a relative one is ignored */
		n = snprintf(buf, len, "%s/prospero", xdg);
	else if (home && home[0] == '/')
		n = snprintf(buf, len, "%s/.local/state/prospero", home);
	else {
		errno = ENOENT;
		return -1;
	}
	if (n < 0 || (size_t)n >= len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

/* Why state_root_path(DIR) found no root (errno ERR), as run and check
 * say it: ENOENT from a path no variable gave is none named. */
static void no_root(const char *dir, int err, char *why, size_t len)
{
	const char *env = getenv(PP_ENV_STATE_DIRECTORY);

	if (err == ENOENT && !dir && !(env && *env && *env != ':'))
		snprintf(why, len, "no state directory: neither $STATE_DIRECTORY, an absolute $XDG_STATE_HOME nor "
			 "an absolute $HOME names one (pass --state-dir DIR)");
	else
		snprintf(why, len, "no state directory: %s (pass --state-dir DIR)", strerror(err));
}

/* Why the state root ROOT is refused (ERRNUM), in run's words, reload's
 * and check's, into MSG. */
static void refusal(const char *root, int errnum, char *msg, size_t len)
{
	char real[PATH_MAX];

	if (errnum == ELOOP)
		snprintf(msg, len, "state directory %s: a symbolic link is in its path, and an actor opens its "
			 "state following none: pass --state-dir %s", root,
			 abspath_real(root, real) ? real : "with a path that holds none");
	else
		snprintf(msg, len, "state directory %s: %s%s", root, strerror(errnum),
			 errnum == EPERM	  ? " (it must be the daemon's own: another user could move names in it)"
			 : errnum == ENOTDIR ? ": pass --state-dir a directory, or a path that does not exist yet"
					     : "");
}

/* Whether another user could put their own directory where ROOT is,
 * which the actors open by name ($STATE_DIRECTORY), not by the daemon's
 * fd: in run's words, reload's and check's, into MSG. */
static bool replaceable(const char *root, char *msg, size_t len)
{
	char where[PATH_MAX];
	struct stat st;

	if (!sb_path_replaceable(root, where, sizeof where, &st))
		return false;
	snprintf(msg, len, "state directory %s is inside %s, owned by uid %u with mode %04o: another user could "
		 "move it away and put their own in its place, which the actors would open; each directory above "
		 "a state directory must be root's or the daemon's uid's, and writable by no one else unless "
		 "sticky (as /tmp)", root, where, (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777));
	return true;
}

int state_setup(struct daemon *d, const struct cfg *cfg, const struct daemon_opts *opts, char *msg, size_t len)
{
	struct state_dirs *s = &d->state;
	char why[PATH_MAX * 2 + 320];
	bool any = false;
	int saved;

	s->fd = -1;
	for (size_t i = 0; i < cfg->nactors; i++)
		any |= cfg->actors[i]->state;
	if (!any)
		return 0;
	if (state_root_path(opts->state_dir, s->root, sizeof s->root) < 0) {
		saved = errno;
		no_root(opts->state_dir, saved, why, sizeof why);
	} else if (replaceable(s->root, why, sizeof why)) {
		saved = EPERM;
	} else if ((s->fd = sb_statedir_root(s->root)) < 0) {
		saved = errno;
		refusal(s->root, saved, why, sizeof why);
	} else {
		return 0;
	}
	/* no root: a later reload that needs one tries again */
	s->root[0] = '\0';
	return log_or_answer(msg, len, saved, why);
}

int state_root_check(const struct cfg *cfg, const struct daemon_opts *opts)
{
	char root[PATH_MAX];
	bool any = false;

	for (size_t i = 0; i < cfg->nactors; i++)
		any |= cfg->actors[i]->state;
	char why[PATH_MAX * 2 + 320];

	if (!any)
		return 0;
	if (state_root_path(opts->state_dir, root, sizeof root) < 0) {
		no_root(opts->state_dir, errno, why, sizeof why);
		log_err("%s", why);
		return -1;
	}
	if (replaceable(root, why, sizeof why)) {
		log_err("%s", why);
		return -1;
	}
	if (sb_statedir_root_usable(root) < 0) {
		refusal(root, errno, why, sizeof why);
		log_err("%s", why);
		return -1;
	}
	return 0;
}

int state_root_dry_check(const struct daemon *d, const struct cfg *cfg, const struct daemon_opts *opts,
			 char *msg, size_t len)
{
	char root[PATH_MAX], why[PATH_MAX * 2 + 320];
	bool any = false;
	int saved;

	for (size_t i = 0; i < cfg->nactors; i++)
		any |= cfg->actors[i]->state;
	if (!any || d->state.root[0])
		return 0;	/* none needed, or made already */
	/* as state_setup words it, so the plan is refused as the reload is */
	if (state_root_path(opts->state_dir, root, sizeof root) < 0) {
		saved = errno;
		no_root(opts->state_dir, saved, why, sizeof why);
	} else if (replaceable(root, why, sizeof why)) {
		saved = EPERM;
	} else if (sb_statedir_root_usable(root) < 0) {
		saved = errno;
		refusal(root, saved, why, sizeof why);
	} else {
		return 0;
	}
	return log_or_answer(msg, len, saved, why);
}

static int claim(const char *name, uid_t uid, gid_t gid, void *arg)
{
	struct sb_uidpool *pool = arg;

	if (sb_uidpool_claim(pool, uid, name) < 0 || (gid != uid && sb_uidpool_claim(pool, gid, NULL) < 0))
		return -1;
	return 0;
}

int state_claim_uids(struct daemon *d, const struct daemon_opts *opts)
{
	char root[sizeof d->state.root];
	int fd = d->state.fd, rc;

	if (!d->conf.dynamic_uids)
		return 0;
	if (fd < 0) {
		if (state_root_path(opts->state_dir, root, sizeof root) < 0)
			return 0;	/* nowhere it could be */
		if ((fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 && errno == ENOENT)
			return 0;
	} else {
		snprintf(root, sizeof root, "%s", d->state.root);
	}
	rc = fd < 0 ? -1 : sb_statedir_owners(fd, claim, &d->conf.uids);
	if (rc < 0)
		log_err("state directory %s: cannot see whose its directories are: %s", root, strerror(errno));
	if (fd >= 0 && fd != d->state.fd)
		close(fd);
	return rc;
}

void state_teardown(struct state_dirs *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}

int state_path(const struct daemon *d, const struct instance *in, char **path)
{
	*path = NULL;
	if (!in->spec->state)
		return 0;
	if (asprintf(path, "%s/%s", d->state.root, in->name) < 0) {
		*path = NULL;
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

int state_prepare(struct daemon *d, const struct instance *in, char *msg, size_t len)
{
	bool own = in->privs.change_ids;
	int saved;

	if (!in->state_dir)
		return 0;
	if (sb_statedir_prepare(d->state.fd, in->name, own ? in->privs.uid : geteuid(),
				own ? in->privs.gid : getegid(), own) == 0)
		return 0;
	saved = errno;
	if (saved == EMLINK)	/* not a link: its own depth limit */
		snprintf(msg, len, "state directory %s: directories nested more than %d levels deep inside it "
			 "cannot all be given to its new uid", in->state_dir, SB_STATEDIR_DEPTH_MAX);
	else
		snprintf(msg, len, "state directory %s: %s%s", in->state_dir, strerror(saved),
			 saved == ELOOP || saved == ENOTDIR ? " (it must be a directory, never a symbolic link)"
			 : saved == ENOSPC || saved == EDQUOT
				 ? ": free space (or inodes) on its file system, or give another --state-dir"
				 : "");
	errno = saved;
	return -1;
}
