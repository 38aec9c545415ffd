/* Finding and delivering secrets. Every buffer that held a value is wiped
 * before it is freed; messages name secrets, files and lines, never
 * values. */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sandbox/secrets.h"

struct value {
	char *buf;
	size_t len;
};

struct devvar {
	const char *name;	/* into the file buffer, not terminated */
	size_t name_len;
	const char *val;
	size_t val_len;
	unsigned line;
};

/* One search over the configured sources, opened once for all names. */
struct finder {
	const struct sb_secret_sources *src;
	int cred_fd, secrets_fd;	/* -1 when not configured */
	struct value file;		/* the whole .dev.vars */
	struct devvar *vars;
	size_t nvars;
	char *errmsg;
	size_t errlen;
};

static const char CRED_LABEL[] = "$CREDENTIALS_DIRECTORY";
static const char SECRETS_LABEL[] = "--secrets-dir";
static const char DEVVARS_LABEL[] = ".dev.vars";

__attribute__((format(printf, 2, 3)))
static void fail(struct finder *f, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(f->errmsg, f->errlen, fmt, ap);
	va_end(ap);
}

static void value_wipe(struct value *v)
{
	if (v->buf) {
		explicit_bzero(v->buf, v->len);
		free(v->buf);
	}
	v->buf = NULL;
	v->len = 0;
}

static bool name_char(char c, bool first)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' ||
	       (!first && ((c >= '0' && c <= '9') || c == '.' || c == '-'));
}

static bool name_valid_n(const char *s, size_t len)
{
	if (len == 0 || len > SB_SECRET_NAME_MAX)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!name_char(s[i], i == 0))
			return false;
	return true;
}

bool sb_secret_name_valid(const char *name)
{
	return name_valid_n(name, strnlen(name, SB_SECRET_NAME_MAX + 1));
}

/* Read all of fd into v, at most SB_SECRET_MAX bytes. -1 with errno
 * (EFBIG when larger). The buffer is always one byte longer than the
 * value and NUL-terminated, for the callers that want a string. */
static int read_all(int fd, struct value *v)
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

static void trim(const char **s, size_t *len)
{
	while (*len && (**s == ' ' || **s == '\t')) {
		(*s)++;
		(*len)--;
	}
	while (*len && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t'))
		(*len)--;
}

static struct devvar *devvar_find(struct finder *f, const char *name, size_t len)
{
	for (size_t i = 0; i < f->nvars; i++)
		if (f->vars[i].name_len == len && memcmp(f->vars[i].name, name, len) == 0)
			return &f->vars[i];
	return NULL;
}

/* Parse the whole .dev.vars into f->vars (pointers into f->file). */
static int devvars_parse(struct finder *f)
{
	const char *path = f->src->dev_vars;
	const char *p = f->file.buf, *end = f->file.buf + f->file.len;
	size_t cap = 0;
	unsigned line = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *stop = nl ? nl : end;
		const char *key, *eq, *val;
		size_t klen, vlen, len = (size_t)(stop - p);
		struct devvar *dup;

		line++;
		if (len && p[len - 1] == '\r')	/* written on Windows */
			len--;
		key = p;
		p = nl ? nl + 1 : end;
		trim(&key, &len);
		if (len == 0 || key[0] == '#')
			continue;
		eq = memchr(key, '=', len);
		if (!eq) {
			fail(f, "%s:%u: expected NAME=value", path, line);
			errno = EINVAL;
			return -1;
		}
		klen = (size_t)(eq - key);
		val = eq + 1;
		vlen = len - klen - 1;
		trim(&key, &klen);
		trim(&val, &vlen);
		/* the line is not echoed: it may hold a value */
		if (!name_valid_n(key, klen)) {
			fail(f, "%s:%u: invalid secret name (expected [A-Za-z_][A-Za-z0-9_.-]*)",
			     path, line);
			errno = EINVAL;
			return -1;
		}
		if (vlen >= 2 && val[0] == '"' && val[vlen - 1] == '"') {
			val++;
			vlen -= 2;
		}
		dup = devvar_find(f, key, klen);
		if (dup) {
			fail(f, "%s:%u: \"%.*s\" is already set on line %u",
			     path, line, (int)klen, key, dup->line);
			errno = EINVAL;
			return -1;
		}
		if (f->nvars == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			struct devvar *grown = reallocarray(f->vars, ncap, sizeof(*grown));
			if (!grown) {
				fail(f, "%s: %s", path, strerror(errno));
				return -1;
			}
			f->vars = grown;
			cap = ncap;
		}
		f->vars[f->nvars++] = (struct devvar){ key, klen, val, vlen, line };
	}
	return 0;
}

static int open_dir(struct finder *f, const char *label, const char *path, int *fd)
{
	struct stat st;
	int saved;

	*fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (*fd < 0) {
		saved = errno;
		fail(f, "%s (%s): %s", label, path, strerror(saved));
		errno = saved;
		return -1;
	}
	if (label != SECRETS_LABEL)
		return 0;
	/* whoever may write here may swap a secret */
	if (fstat(*fd, &st) < 0) {
		saved = errno;
		fail(f, "%s (%s): %s", label, path, strerror(saved));
		errno = saved;
		return -1;
	}
	if (!trusted_owner(st.st_uid)) {
		fail(f, "%s (%s) is owned by uid %u, not root: refusing it",
		     label, path, (unsigned)st.st_uid);
		errno = EPERM;
		return -1;
	}
	if (st.st_mode & 022) {
		fail(f, "%s (%s) is writable by group or others (mode %04o): refusing it",
		     label, path, (unsigned)(st.st_mode & 07777));
		errno = EPERM;
		return -1;
	}
	return 0;
}

static void finder_fini(struct finder *f)
{
	if (f->cred_fd >= 0)
		close(f->cred_fd);
	if (f->secrets_fd >= 0)
		close(f->secrets_fd);
	f->cred_fd = f->secrets_fd = -1;
	value_wipe(&f->file);
	free(f->vars);
	f->vars = NULL;
	f->nvars = 0;
}

static int finder_init(struct finder *f, const struct sb_secret_sources *src,
		       char *errmsg, size_t errlen)
{
	int fd = -1, rc = -1, saved;

	*f = (struct finder){ .src = src, .cred_fd = -1, .secrets_fd = -1,
			      .errmsg = errmsg, .errlen = errlen };
	if (src->credentials_dir &&
	    open_dir(f, CRED_LABEL, src->credentials_dir, &f->cred_fd) < 0)
		goto out;
	if (src->secrets_dir &&
	    open_dir(f, SECRETS_LABEL, src->secrets_dir, &f->secrets_fd) < 0)
		goto out;
	if (src->dev_vars) {
		fd = open(src->dev_vars, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
		if (fd < 0 || read_all(fd, &f->file) < 0) {
			saved = errno;
			fail(f, "%s (%s): %s", DEVVARS_LABEL, src->dev_vars,
			     saved == EFBIG ? "larger than 1 MiB" : strerror(saved));
			errno = saved;
			goto out;
		}
		if (devvars_parse(f) < 0)
			goto out;
	}
	rc = 0;
out:
	saved = errno;
	if (fd >= 0)
		close(fd);
	if (rc < 0)
		finder_fini(f);
	errno = saved;
	return rc;
}

/* Look name up in one directory source. 1 found (*v filled), 0 absent,
 * -1 refused or failed (message set). */
static int from_dir(struct finder *f, const char *label, const char *dir, int dfd,
		    const char *name, struct value *v)
{
	struct stat st;
	int fd, rc = -1, saved = 0;

	fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0) {
		saved = errno;
		if (saved == ELOOP)
			fail(f, "secret \"%s\" in %s (%s/%s) is a symlink: refusing it",
			     name, label, dir, name);
		else
			fail(f, "secret \"%s\" in %s (%s/%s): %s",
			     name, label, dir, name, strerror(saved));
		goto out;
	}
	if (fstat(fd, &st) < 0) {
		saved = errno;
		fail(f, "secret \"%s\" in %s (%s/%s): %s", name, label, dir, name, strerror(saved));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		saved = EINVAL;
		fail(f, "secret \"%s\" in %s (%s/%s) is not a regular file: refusing it",
		     name, label, dir, name);
		goto out;
	}
	if (label == SECRETS_LABEL && !trusted_owner(st.st_uid)) {
		saved = EPERM;
		fail(f, "secret \"%s\" in %s (%s/%s) is owned by uid %u, not root: refusing it",
		     name, label, dir, name, (unsigned)st.st_uid);
		goto out;
	}
	if (label == SECRETS_LABEL && (st.st_mode & 077)) {
		saved = EPERM;
		fail(f, "secret \"%s\" in %s (%s/%s) is open to group or others (mode %04o): "
		     "refusing it; its value may already be exposed: rotate it, then chmod 0400",
		     name, label, dir, name, (unsigned)(st.st_mode & 07777));
		goto out;
	}
	if (read_all(fd, v) < 0) {
		saved = errno;
		fail(f, "secret \"%s\" in %s (%s/%s): %s", name, label, dir, name,
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

static void not_found(struct finder *f, const char *name)
{
	const char *label[3], *path[3];
	size_t n = 0, off;

	if (f->src->credentials_dir) {
		label[n] = CRED_LABEL;
		path[n++] = f->src->credentials_dir;
	}
	if (f->src->secrets_dir) {
		label[n] = SECRETS_LABEL;
		path[n++] = f->src->secrets_dir;
	}
	if (f->src->dev_vars) {
		label[n] = DEVVARS_LABEL;
		path[n++] = f->src->dev_vars;
	}
	errno = ENOENT;
	if (n == 0) {
		fail(f, "secret \"%s\" not found: no secret source is configured", name);
		return;
	}
	off = (size_t)snprintf(f->errmsg, f->errlen, "secret \"%s\" not found in ", name);
	for (size_t i = 0; i < n && off < f->errlen; i++)
		off += (size_t)snprintf(f->errmsg + off, f->errlen - off, "%s%s (%s)",
					i == 0 ? "" : i == n - 1 ? " or " : ", ",
					label[i], path[i]);
}

/* First match wins: credentials, secrets dir, .dev.vars. */
static int find(struct finder *f, const char *name, struct value *v)
{
	struct devvar *dv;
	int r;

	if (f->cred_fd >= 0) {
		r = from_dir(f, CRED_LABEL, f->src->credentials_dir, f->cred_fd, name, v);
		if (r)
			return r > 0 ? 0 : -1;
	}
	if (f->secrets_fd >= 0) {
		r = from_dir(f, SECRETS_LABEL, f->src->secrets_dir, f->secrets_fd, name, v);
		if (r)
			return r > 0 ? 0 : -1;
	}
	dv = devvar_find(f, name, strlen(name));
	if (dv) {
		v->buf = malloc(dv->val_len + 1);
		if (!v->buf) {
			fail(f, "secret \"%s\": %s", name, strerror(errno));
			return -1;
		}
		memcpy(v->buf, dv->val, dv->val_len);
		v->buf[dv->val_len] = '\0';
		v->len = dv->val_len;
		return 0;
	}
	not_found(f, name);
	return -1;
}

/* Names are checked before any source is opened: a bad name is a config
 * error whatever the sources hold. */
static int check_names(const char *const *names, size_t n, char *errmsg, size_t errlen)
{
	for (size_t i = 0; i < n; i++) {
		if (!sb_secret_name_valid(names[i])) {
			snprintf(errmsg, errlen, "invalid secret name \"%.*s\" (expected "
				 "[A-Za-z_][A-Za-z0-9_.-]*, at most %d characters)",
				 SB_SECRET_NAME_MAX, names[i], SB_SECRET_NAME_MAX);
			errno = EINVAL;
			return -1;
		}
		for (size_t j = 0; j < i; j++) {
			if (strcmp(names[i], names[j]) == 0) {
				snprintf(errmsg, errlen, "secret \"%s\" is listed twice", names[i]);
				errno = EINVAL;
				return -1;
			}
		}
	}
	return 0;
}

/* Write one secret into dfd under name, atomically. */
static int write_secret(int dfd, const char *name, const struct value *v,
			uid_t uid, gid_t gid)
{
	char tmp[SB_SECRET_NAME_MAX + 8];
	size_t off = 0;
	ssize_t w;
	int fd, closed, rc = -1, saved;

	/* a valid name never starts with '.', so this cannot be one */
	snprintf(tmp, sizeof(tmp), ".%s.tmp", name);
	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0400);
	if (fd < 0)
		return -1;
	while (off < v->len) {
		w = write(fd, v->buf + off, v->len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			goto out;
		off += (size_t)w;
	}
	/* fchmod too: the umask may have taken bits from the open mode */
	if (fchown(fd, uid, gid) < 0 || fchmod(fd, 0400) < 0 || fsync(fd) < 0)
		goto out;
	closed = close(fd);
	fd = -1;
	if (closed < 0 || renameat(dfd, tmp, dfd, name) < 0)
		goto out;
	rc = 0;
out:
	saved = errno;
	if (fd >= 0)
		close(fd);
	if (rc < 0)
		unlinkat(dfd, tmp, 0);
	errno = saved;
	return rc;
}

int sb_secrets_deliver(const struct sb_secret_sources *src, const char *const *names,
		       size_t n, const char *dir, uid_t uid, gid_t gid,
		       char *errmsg, size_t errlen)
{
	struct finder f = { .cred_fd = -1, .secrets_fd = -1 };
	struct value v = { 0 };
	struct stat st;
	bool made = false;
	int dfd = -1, rc = -1, saved;

	if (check_names(names, n, errmsg, errlen) < 0)
		return -1;
	if (finder_init(&f, src, errmsg, errlen) < 0)
		return -1;
	/* left by a run that died before cleaning up */
	if (sb_secrets_remove(dir) < 0) {
		saved = errno;
		snprintf(errmsg, errlen, "removing the stale %s: %s", dir, strerror(saved));
		errno = saved;
		goto out;
	}
	/* root's and closed while it fills; the actor gets it complete */
	if (mkdir(dir, 0700) < 0) {
		saved = errno;
		snprintf(errmsg, errlen, "creating %s: %s", dir, strerror(saved));
		errno = saved;
		goto out;
	}
	made = true;
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0) {
		saved = errno;
		snprintf(errmsg, errlen, "opening %s: %s", dir, strerror(saved));
		errno = saved;
		goto out;
	}
	/* still the directory made above, not one swapped in since */
	if (fstat(dfd, &st) < 0 || st.st_uid != geteuid() || (st.st_mode & 077)) {
		snprintf(errmsg, errlen, "%s changed while being created: refusing it", dir);
		made = false;	/* not ours to remove */
		errno = EPERM;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		if (find(&f, names[i], &v) < 0)
			goto out;
		if (write_secret(dfd, names[i], &v, uid, gid) < 0) {
			saved = errno;
			snprintf(errmsg, errlen, "writing secret \"%s\" to %s: %s",
				 names[i], dir, strerror(saved));
			errno = saved;
			goto out;
		}
		value_wipe(&v);
	}
	if (fchown(dfd, uid, gid) < 0 || fchmod(dfd, 0500) < 0 || fsync(dfd) < 0) {
		saved = errno;
		snprintf(errmsg, errlen, "handing %s to uid %u: %s", dir, (unsigned)uid,
			 strerror(saved));
		errno = saved;
		goto out;
	}
	rc = 0;
out:
	saved = errno;
	value_wipe(&v);
	finder_fini(&f);
	if (dfd >= 0)
		close(dfd);
	if (rc < 0 && made)
		sb_secrets_remove(dir);
	errno = saved;
	return rc;
}

/* The actor owned this tree and may have put anything in it: never follow
 * a symlink, and stop at a depth no delivery makes. */
#define REMOVE_DEPTH_MAX 16

static int remove_contents(int dfd, int depth)
{
	DIR *d;
	struct dirent *e;
	int fd, rc = 0, saved = 0;

	if (depth > REMOVE_DEPTH_MAX) {
		errno = ELOOP;
		return -1;
	}
	fd = dup(dfd);
	if (fd < 0)
		return -1;
	d = fdopendir(fd);
	if (!d) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	while ((errno = 0, e = readdir(d)) != NULL) {
		int sub;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (unlinkat(dfd, e->d_name, 0) == 0)
			continue;
		if (errno != EISDIR) {
			saved = errno;
			rc = -1;
			continue;
		}
		sub = openat(dfd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0 || fchmod(sub, 0700) < 0 || remove_contents(sub, depth + 1) < 0 ||
		    unlinkat(dfd, e->d_name, AT_REMOVEDIR) < 0) {
			saved = errno;
			rc = -1;
		}
		if (sub >= 0)
			close(sub);
	}
	if (errno && !saved) {
		saved = errno;
		rc = -1;
	}
	closedir(d);
	errno = saved;
	return rc;
}

int sb_secrets_remove(const char *dir)
{
	int dfd, rc = -1, saved;

	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0)
		return errno == ENOENT ? 0 : -1;
	/* 0500 keeps out a daemon that is not root, too */
	if (fchmod(dfd, 0700) < 0 || remove_contents(dfd, 0) < 0)
		goto out;
	if (rmdir(dir) < 0)
		goto out;
	rc = 0;
out:
	saved = errno;
	close(dfd);
	errno = saved;
	return rc;
}

void sb_secrets_env_free(char **env)
{
	if (!env)
		return;
	for (char **e = env; *e; e++) {
		explicit_bzero(*e, strlen(*e));
		free(*e);
	}
	free(env);
}

int sb_secrets_env(const struct sb_secret_sources *src, const char *const *names,
		   size_t n, char ***env_out, char *errmsg, size_t errlen)
{
	struct finder f = { .cred_fd = -1, .secrets_fd = -1 };
	struct value v = { 0 };
	char **env = NULL;
	int rc = -1, saved;

	if (check_names(names, n, errmsg, errlen) < 0)
		return -1;
	if (finder_init(&f, src, errmsg, errlen) < 0)
		return -1;
	env = calloc(n + 1, sizeof(*env));
	if (!env) {
		snprintf(errmsg, errlen, "secrets: %s", strerror(errno));
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		size_t nlen = strlen(names[i]);

		if (find(&f, names[i], &v) < 0)
			goto out;
		if (memchr(v.buf, '\0', v.len)) {
			snprintf(errmsg, errlen, "secret \"%s\" holds a NUL byte and cannot "
				 "be passed in the environment", names[i]);
			errno = EINVAL;
			goto out;
		}
		env[i] = malloc(nlen + 1 + v.len + 1);
		if (!env[i]) {
			snprintf(errmsg, errlen, "secret \"%s\": %s", names[i], strerror(errno));
			goto out;
		}
		memcpy(env[i], names[i], nlen);
		env[i][nlen] = '=';
		memcpy(env[i] + nlen + 1, v.buf, v.len);
		env[i][nlen + 1 + v.len] = '\0';
		value_wipe(&v);
	}
	*env_out = env;
	env = NULL;
	rc = 0;
out:
	saved = errno;
	value_wipe(&v);
	finder_fini(&f);
	sb_secrets_env_free(env);
	errno = saved;
	return rc;
}
