/* Finding secrets by name. Messages name secrets, files and lines, never
 * values. */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sandbox/daemon/replaceable.h"
#include "sandbox/secrets/lookup.h"

static const char CRED_LABEL[] = "$CREDENTIALS_DIRECTORY";
static const char SECRETS_LABEL[] = "--secrets-dir";
static const char DEVVARS_LABEL[] = ".dev.vars";

__attribute__((format(printf, 2, 3)))
static void fail(struct sb_secret_lookup *l, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(l->errmsg, l->errlen, fmt, ap);
	va_end(ap);
}

void sb_secret_wipe(struct sb_secret *v)
{
	if (v->buf) {
		explicit_bzero(v->buf, v->len);
		free(v->buf);
	}
	v->buf = NULL;
	v->len = 0;
}

/* Read all of fd into v, at most SB_SECRET_MAX bytes. -1 with errno
 * (EFBIG when larger). The buffer is always one byte longer than the
 * value and NUL-terminated, for the callers that want a string. */
static int read_all(int fd, struct sb_secret *v)
{
	size_t cap = 4096;
	ssize_t r;
	int rc = -1, saved;

	v->len = 0;
	v->buf = malloc(cap);
	if (!v->buf)
		return -1;
	for (;;) {
		if (v->len + 1 == cap) {
			char *grown;
			if (cap > SB_SECRET_MAX) {
				errno = EFBIG;
				goto out;
			}
			/* not realloc: the old block would be freed unwiped */
			grown = malloc(cap * 2);
			if (!grown)
				goto out;
			memcpy(grown, v->buf, v->len);
			explicit_bzero(v->buf, cap);
			free(v->buf);
			v->buf = grown;
			cap *= 2;
		}
		r = read(fd, v->buf + v->len, cap - 1 - v->len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			goto out;
		if (r == 0)
			break;
		v->len += (size_t)r;
	}
	if (v->len > SB_SECRET_MAX) {
		errno = EFBIG;
		goto out;
	}
	v->buf[v->len] = '\0';
	rc = 0;
out:
	if (rc < 0) {
		saved = errno;
		explicit_bzero(v->buf, cap);
		free(v->buf);
		v->buf = NULL;
		v->len = 0;
		errno = saved;
	}
	return rc;
}

static bool trusted_owner(uid_t owner)
{
	return owner == 0 || owner == geteuid();
}

/* PATH opened into *FD (-1 and nothing held on failure, said in L). */
static int open_dir(struct sb_secret_lookup *l, const char *label, const char *path, int *fd)
{
	char where[PATH_MAX];
	struct stat st;
	int saved;

	*fd = -1;
	/* opened by its path at each start: whoever owns a directory above
	 * it could put another in its place, or a link to one of root's */
	if (label == SECRETS_LABEL && sb_path_replaceable(path, where, sizeof where, &st)) {
		fail(l, "%s (%s) is inside %s, owned by uid %u with mode %04o: another user could put another "
		     "directory in its place, or a link to one of root's: refusing it", label, path, where,
		     (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777));
		errno = EPERM;
		return -1;
	}
	*fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (*fd < 0) {
		saved = errno;
		fail(l, "%s (%s): %s", label, path, strerror(saved));
		errno = saved;
		return -1;
	}
	if (label != SECRETS_LABEL)
		return 0;
	/* whoever may write here may swap a secret */
	if (fstat(*fd, &st) < 0) {
		saved = errno;
		fail(l, "%s (%s): %s", label, path, strerror(saved));
	} else if (!trusted_owner(st.st_uid)) {
		fail(l, "%s (%s) is owned by uid %u, not root: refusing it",
		     label, path, (unsigned)st.st_uid);
		saved = EPERM;
	} else if (st.st_mode & 022) {
		fail(l, "%s (%s) is writable by group or others (mode %04o): refusing it",
		     label, path, (unsigned)(st.st_mode & 07777));
		saved = EPERM;
	} else {
		return 0;
	}
	close(*fd);
	*fd = -1;
	errno = saved;
	return -1;
}

int sb_secrets_dir_usable(const char *path, char *errmsg, size_t errlen)
{
	struct sb_secret_lookup l = { .errmsg = errmsg, .errlen = errlen };
	int fd;

	if (open_dir(&l, SECRETS_LABEL, path, &fd) < 0)
		return -1;
	close(fd);
	return 0;
}

bool sb_secret_reaches_secrets_dir(const struct sb_secret_sources *src, const char *name)
{
	struct stat st;
	int fd, r;

	if (!src->secrets_dir)
		return false;
	if (!src->credentials_dir)
		return true;
	/* unopenable, it fails every lookup: a problem of the secrets
	 * directory is worth saying all the same */
	if ((fd = open(src->credentials_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return true;
	/* as from_dir: any entry there but a missing one ends the search */
	r = fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW);
	r = r < 0 ? errno : 0;
	close(fd);
	return r == ENOENT;
}

void sb_secret_lookup_close(struct sb_secret_lookup *l)
{
	if (l->cred_fd >= 0)
		close(l->cred_fd);
	if (l->secrets_fd >= 0)
		close(l->secrets_fd);
	l->cred_fd = l->secrets_fd = -1;
	sb_devvars_free(&l->vars);
	sb_secret_wipe(&l->file);
}

int sb_secret_lookup_open(struct sb_secret_lookup *l, const struct sb_secret_sources *src,
			  char *errmsg, size_t errlen)
{
	int fd = -1, rc = -1, saved;

	*l = (struct sb_secret_lookup){ .src = src, .cred_fd = -1, .secrets_fd = -1,
					.errmsg = errmsg, .errlen = errlen };
	if (src->credentials_dir &&
	    open_dir(l, CRED_LABEL, src->credentials_dir, &l->cred_fd) < 0)
		goto out;
	if (src->dev_vars) {
		struct stat st;

		fd = open(src->dev_vars, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
		/* a FIFO reads as empty, every secret then "not found", and a
		 * device as whatever it gives: only a regular file is read */
		if (fd >= 0 && fstat(fd, &st) == 0 && !S_ISREG(st.st_mode)) {
			fail(l, "%s (%s): %s, not a regular file", DEVVARS_LABEL, src->dev_vars,
			     S_ISDIR(st.st_mode) ? "a directory" : S_ISFIFO(st.st_mode) ? "a FIFO" :
			     S_ISSOCK(st.st_mode) ? "a socket" : "a device");
			errno = EINVAL;
			goto out;
		}
		if (fd < 0 || read_all(fd, &l->file) < 0) {
			saved = errno;
			fail(l, "%s (%s): %s", DEVVARS_LABEL, src->dev_vars,
			     saved == EFBIG ? "larger than 1 MiB" : strerror(saved));
			errno = saved;
			goto out;
		}
		if (sb_devvars_parse(src->dev_vars, l->file.buf, l->file.len, &l->vars,
				     errmsg, errlen) < 0)
			goto out;
	}
	rc = 0;
out:
	saved = errno;
	if (fd >= 0)
		close(fd);
	if (rc < 0)
		sb_secret_lookup_close(l);
	errno = saved;
	return rc;
}

/* Look name up in one directory source. 1 found (*v filled), 0 absent,
 * -1 refused or failed (message set). */
static int from_dir(struct sb_secret_lookup *l, const char *label, const char *dir, int dfd,
		    const char *name, struct sb_secret *v)
{
	struct stat st;
	int fd, rc = -1, saved = 0;

	fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0) {
		saved = errno;
		if (saved == ELOOP)
			fail(l, "secret \"%s\" in %s (%s/%s) is a symlink: refusing it",
			     name, label, dir, name);
		else
			fail(l, "secret \"%s\" in %s (%s/%s): %s",
			     name, label, dir, name, strerror(saved));
		goto out;
	}
	if (fstat(fd, &st) < 0) {
		saved = errno;
		fail(l, "secret \"%s\" in %s (%s/%s): %s", name, label, dir, name, strerror(saved));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		saved = EINVAL;
		fail(l, "secret \"%s\" in %s (%s/%s) is not a regular file: refusing it",
		     name, label, dir, name);
		goto out;
	}
	if (label == SECRETS_LABEL && !trusted_owner(st.st_uid)) {
		saved = EPERM;
		fail(l, "secret \"%s\" in %s (%s/%s) is owned by uid %u, not root: refusing it",
		     name, label, dir, name, (unsigned)st.st_uid);
		goto out;
	}
	if (label == SECRETS_LABEL && (st.st_mode & 077)) {
		saved = EPERM;
		fail(l, "secret \"%s\" in %s (%s/%s) is open to group or others (mode %04o): "
		     "refusing it; its value may already be exposed: rotate it, then chmod 0400",
		     name, label, dir, name, (unsigned)(st.st_mode & 07777));
		goto out;
	}
	if (read_all(fd, v) < 0) {
		saved = errno;
		fail(l, "secret \"%s\" in %s (%s/%s): %s", name, label, dir, name,
		     saved == EFBIG ? "larger than 1 MiB" : strerror(saved));
		goto out;
	}
	rc = 1;
out:
	if (fd >= 0)
		close(fd);
	if (rc < 0)
		errno = saved;
	return rc;
}

static void not_found(struct sb_secret_lookup *l, const char *name)
{
	const char *label[3], *path[3];
	size_t n = 0, off;

	if (l->src->credentials_dir) {
		label[n] = CRED_LABEL;
		path[n++] = l->src->credentials_dir;
	}
	if (l->src->secrets_dir) {
		label[n] = SECRETS_LABEL;
		path[n++] = l->src->secrets_dir;
	}
	if (l->src->dev_vars) {
		label[n] = DEVVARS_LABEL;
		path[n++] = l->src->dev_vars;
	}
	errno = ENOENT;
	if (n == 0) {
		/* the fix too: the actor fails to start at each try until then */
		fail(l, "secret \"%s\" not found: no secret source is configured: give the daemon "
		     "%s (LoadCredential= under systemd), %s DIR or a %s beside the root config",
		     name, CRED_LABEL, SECRETS_LABEL, DEVVARS_LABEL);
		return;
	}
	off = (size_t)snprintf(l->errmsg, l->errlen, "secret \"%s\" not found in ", name);
	for (size_t i = 0; i < n && off < l->errlen; i++)
		off += (size_t)snprintf(l->errmsg + off, l->errlen - off, "%s%s (%s)",
					i == 0 ? "" : i == n - 1 ? " or " : ", ",
					label[i], path[i]);
}

/* First match wins: credentials, secrets dir, .dev.vars. */
int sb_secret_lookup_find(struct sb_secret_lookup *l, const char *name, struct sb_secret *v)
{
	const struct sb_devvar *dv;
	int r;

	if (l->cred_fd >= 0) {
		r = from_dir(l, CRED_LABEL, l->src->credentials_dir, l->cred_fd, name, v);
		if (r)
			return r > 0 ? 0 : -1;
	}
	if (l->src->secrets_dir) {
		/* opened at the first name the credentials lack: first match
		 * wins, so a name found there never needs it */
		if (l->secrets_fd < 0 && open_dir(l, SECRETS_LABEL, l->src->secrets_dir, &l->secrets_fd) < 0)
			return -1;
		r = from_dir(l, SECRETS_LABEL, l->src->secrets_dir, l->secrets_fd, name, v);
		if (r)
			return r > 0 ? 0 : -1;
	}
	dv = sb_devvars_find(&l->vars, name, strlen(name));
	if (dv) {
		v->buf = malloc(dv->val_len + 1);
		if (!v->buf) {
			fail(l, "secret \"%s\": %s", name, strerror(errno));
			return -1;
		}
		memcpy(v->buf, dv->val, dv->val_len);
		v->buf[dv->val_len] = '\0';
		v->len = dv->val_len;
		return 0;
	}
	not_found(l, name);
	return -1;
}
