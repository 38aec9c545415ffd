/* Secrets, the daemon's side; see secrets.h. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sandbox/daemon/rmtree.h"
#include "sandbox/secrets/deliver.h"
#include "src/daemon/context.h"
#include "src/daemon/daemon.h"
#include "src/daemon/env.h"
#include "src/daemon/exposure.h"
#include "src/daemon/instance.h"
#include "src/daemon/log.h"
#include "src/daemon/secrets.h"
#include "src/proto/fds.h"

/* The daemon's own $CREDENTIALS_DIRECTORY, or NULL. */
static const char *credentials_dir(void)
{
	const char *dir = getenv(PP_ENV_CREDENTIALS_DIRECTORY);

	/* empty names no directory: systemd leaves it unset when it has none */
	return dir && dir[0] ? dir : NULL;
}

int secrets_check(const struct cfg *cfg, const struct daemon_opts *opts, char *msg, size_t len)
{
	struct sb_secret_sources src = { .credentials_dir = credentials_dir(), .secrets_dir = opts->secrets_dir };
	const struct cfg_actor *a = NULL;
	const char *name = NULL, *fix;
	char why[PATH_MAX + 160];

	for (size_t i = 0; i < cfg->nactors && !name; i++) {
		a = cfg->actors[i];
		for (size_t k = 0; k < a->nsecrets && !name; k++)
			if (sb_secret_reaches_secrets_dir(&src, a->secrets[k]))
				name = a->secrets[k];
	}
	if (!name || sb_secrets_dir_usable(src.secrets_dir, why, sizeof why) == 0)
		return 0;
	switch (errno) {
	case ENOENT:
		fix = "make the directory (owned by root or the daemon's user, not writable by group or others) "
		      "or pass --secrets-dir the one that holds the secrets";
		break;
	case EPERM:
		fix = "give it to root or the daemon's user, writable by its owner alone, in directories of "
		      "root's or the daemon's user's that no one else may write unless sticky (as /tmp)";
		break;
	default:
		fix = "pass --secrets-dir a directory the daemon can open";
		break;
	}
	/* once for the tree: it would fail every start of each actor that reaches it */
	if (msg)
		snprintf(msg, len, "%s: actor \"%s\" needs secret \"%s\" from it: %s", why, a->name, name, fix);
	else
		log_err("%s: actor \"%s\" needs secret \"%s\" from it: %s", why, a->name, name, fix);
	errno = EINVAL;
	return -1;
}

/* Entries removed from SECRETS_GONE each time the loop is idle: a few
 * hundred µs of work, so that no actor's leavings delay the others. */
#define REAP_BUDGET 256

static void reap(struct ev_loop *loop, ev_idle *w, int revents)
{
	struct secrets *s = w->data;
	unsigned budget = REAP_BUDGET;
	int r = sb_rmtree_contents_some(s->gone_fd, &budget);

	if (r == 1)
		return;		/* more, next time */
	ev_idle_stop(loop, w);
	if (r < 0)	/* tried again when the next instance's directory comes */
		log_err("cannot remove what ended actors left in %s/" SECRETS_GONE ": %s", s->root, strerror(errno));
}

int secrets_setup(struct daemon *d, const struct cfg *cfg, const struct daemon_opts *opts, char *msg, size_t len)
{
	struct secrets *s = &d->secrets;
	char why[sizeof s->root + 80];
	bool any = false;
	int saved;

	for (size_t i = 0; i < cfg->nactors; i++)
		any |= cfg->actors[i]->nsecrets > 0;
	if (!any)
		return 0;
	s->sources.credentials_dir = credentials_dir();
	s->sources.secrets_dir = opts->secrets_dir;
	/* development: .dev.vars beside the root config */
	snprintf(s->root, sizeof s->root, "%s/" SECRETS_DIR, d->rundir.path);
	if (exposure_dev_vars_path(cfg, s->dev_vars, sizeof s->dev_vars) < 0) {
		saved = errno;
		snprintf(why, sizeof why, "cannot prepare secrets delivery: %s", strerror(saved));
	} else if ((mkdirat(d->rundir.fd, SECRETS_DIR, 0711) < 0 && errno != EEXIST) ||
		   (s->root_fd = openat(d->rundir.fd, SECRETS_DIR,
					O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0 ||
		   fchmod(s->root_fd, 0711) < 0 ||	/* traversable, not listable: each actor its own only */
		   (mkdirat(s->root_fd, SECRETS_GONE, 0700) < 0 && errno != EEXIST) ||
		   (s->gone_fd = openat(s->root_fd, SECRETS_GONE,
					O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0 ||
		   fchmod(s->gone_fd, 0700) < 0) {
		saved = errno;
		snprintf(why, sizeof why, "cannot prepare secrets delivery: %s: %s", s->root, strerror(saved));
	} else {
		ev_idle_init(&s->reaper, reap);
		s->reaper.data = s;
		return 0;
	}
	/* no directory: a later reload that needs one tries again */
	if (s->gone_fd >= 0)
		close(s->gone_fd);
	if (s->root_fd >= 0)
		close(s->root_fd);
	s->root_fd = s->gone_fd = -1;
	s->root[0] = '\0';
	return log_or_answer(msg, len, saved, why);
}

void secrets_teardown(struct daemon *d)
{
	struct secrets *s = &d->secrets;

	if (s->gone_fd >= 0) {
		if (d->loop)
			ev_idle_stop(d->loop, &s->reaper);
		/* every actor has ended: what is left goes now */
		if (sb_rmtree_contents(s->gone_fd, NULL) < 0)
			log_err("cannot remove what ended actors left in %s/" SECRETS_GONE ": %s", s->root,
				strerror(errno));
		close(s->gone_fd);
		unlinkat(s->root_fd, SECRETS_GONE, AT_REMOVEDIR);
	}
	if (s->root_fd >= 0) {
		close(s->root_fd);
		unlinkat(d->rundir.fd, SECRETS_DIR, AT_REMOVEDIR);
	}
	s->root_fd = s->gone_fd = -1;
}

/* .dev.vars is looked for at each start, as the other sources are: made
 * or removed since the daemon started counts. A root daemon judges it
 * each time as it did at start (exposure.h): it may have been rewritten
 * readable since. */
static int dev_vars_now(struct secrets *s, char *msg, size_t len)
{
	s->sources.dev_vars = NULL;
	if (access(s->dev_vars, F_OK) < 0)
		return 0;
	if (geteuid() == 0 && exposure_dev_vars_file(s->dev_vars, false, msg, len) < 0)
		return -1;
	s->sources.dev_vars = s->dev_vars;
	return 0;
}

int secrets_deliver(struct daemon *d, struct instance *in, char *msg, size_t len)
{
	const struct cfg_actor *a = in->spec;
	uid_t uid = in->privs.change_ids ? in->privs.uid : geteuid();
	gid_t gid = in->privs.change_ids ? in->privs.gid : getegid();

	if (!a->nsecrets)
		return 0;
	if (dev_vars_now(&d->secrets, msg, len) < 0)
		return -1;
	/* a failed delivery removed what it made */
	if (sb_secrets_deliver(&d->secrets.sources, (const char *const *)a->secrets, a->nsecrets,
			       d->secrets.root_fd, in->name, uid, gid, msg, len) < 0) {
		int saved = errno;
		size_t used = strlen(msg);

		/* a tmpfs /run that filled: say which file system, and the fix */
		if ((saved == ENOSPC || saved == EDQUOT) && used < len)
			snprintf(msg + used, len - used, " (the runtime directory %s is full: make room there)",
				 d->rundir.path);
		errno = saved;
		return -1;
	}
	in->creds_held = true;
	return 0;
}

void secrets_remove(struct instance *in)
{
	struct secrets *s = &in->d->secrets;
	char slot[24];

	if (!in->creds_held)
		return;
	in->creds_held = false;
	snprintf(slot, sizeof slot, "%" PRIu64, ++s->gone_seq);
	if (renameat(s->root_fd, in->name, s->gone_fd, slot) == 0) {
		ev_idle_start(in->d->loop, &s->reaper);
		return;
	}
	if (errno != ENOENT && sb_secrets_remove(s->root_fd, in->name) < 0)
		log_err("%s: cannot remove %s: %s", in->name, in->creds_dir, strerror(errno));
}

char **secrets_env(struct daemon *d, const struct instance *in, char ***secrets,
		   char *msg, size_t len)
{
	char **env;

	/* from the sources secrets_deliver chose for this start */
	if (sb_secrets_env(&d->secrets.sources, (const char *const *)in->spec->secrets,
			   in->spec->nsecrets, secrets, msg, len) < 0)
		return NULL;
	if (!(env = env_overlay(in->spec, in->envp, *secrets))) {
		sb_secrets_env_free(*secrets);
		*secrets = NULL;
		snprintf(msg, len, "out of memory");
		errno = ENOMEM;
		return NULL;
	}
	return env;
}
