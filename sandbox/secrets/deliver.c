/* Delivering secrets: a directory only the actor can read (the systemd
 * credentials convention), or environment strings for a program that
 * opted in. Every buffer that held a value is wiped before it is freed. */

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sandbox/daemon/rmtree.h"
#include "sandbox/secrets/deliver.h"

/* Names are checked before any source is opened: a bad name is a config
 * error whatever the sources hold. */
static int check_names(const char *const *names, size_t n, char *errmsg, size_t errlen)
{
	for (size_t i = 0; i < n; i++) {
		if (!sb_secret_name_valid(names[i])) {
			snprintf(errmsg, errlen, "invalid secret name \"%.*s\" (expected " SB_SECRET_NAME_RULE ")",
				 SB_SECRET_NAME_MAX, names[i]);
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

/* Both deliveries start here: the names, then the sources. */
static int begin(struct sb_secret_lookup *l, const struct sb_secret_sources *src,
		 const char *const *names, size_t n, char *errmsg, size_t errlen)
{
	if (check_names(names, n, errmsg, errlen) < 0)
		return -1;
	return sb_secret_lookup_open(l, src, errmsg, errlen);
}

/* Write one secret into dfd under name, atomically. */
static int write_secret(int dfd, const char *name, const struct sb_secret *v,
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

/* NAME below PARENT made afresh, empty, ours and closed to others while
 * it fills; what an earlier run left there is removed first. Its fd, or
 * -1 with errno and errmsg; *MADE says whether it is ours to remove on
 * failure. */
static int make_dir(int parent, const char *name, bool *made, char *errmsg, size_t errlen)
{
	struct stat st;
	int dfd, saved;

	*made = false;
	/* left by a run that died before cleaning up */
	if (sb_rmtree_at(parent, name) < 0) {
		saved = errno;
		snprintf(errmsg, errlen, "removing the stale %s: %s", name, strerror(saved));
		errno = saved;
		return -1;
	}
	if (mkdirat(parent, name, 0700) < 0) {
		saved = errno;
		snprintf(errmsg, errlen, "creating %s: %s", name, strerror(saved));
		errno = saved;
		return -1;
	}
	*made = true;
	dfd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0) {
		saved = errno;
		snprintf(errmsg, errlen, "opening %s: %s", name, strerror(saved));
		errno = saved;
		return -1;
	}
	/* still the directory made above, not one swapped in since */
	if (fstat(dfd, &st) < 0 || st.st_uid != geteuid() || (st.st_mode & 077)) {
		snprintf(errmsg, errlen, "%s changed while being created: refusing it", name);
		*made = false;	/* not ours to remove */
		close(dfd);
		errno = EPERM;
		return -1;
	}
	return dfd;
}

int sb_secrets_deliver(const struct sb_secret_sources *src, const char *const *names,
		       size_t n, int parent, const char *dir, uid_t uid, gid_t gid,
		       char *errmsg, size_t errlen)
{
	struct sb_secret_lookup l;
	struct sb_secret v = { 0 };
	bool made = false;
	int dfd = -1, rc = -1, saved;

	if (begin(&l, src, names, n, errmsg, errlen) < 0)
		return -1;
	if ((dfd = make_dir(parent, dir, &made, errmsg, errlen)) < 0)
		goto out;
	for (size_t i = 0; i < n; i++) {
		if (sb_secret_lookup_find(&l, names[i], &v) < 0)
			goto out;
		if (write_secret(dfd, names[i], &v, uid, gid) < 0) {
			saved = errno;
			snprintf(errmsg, errlen, "writing secret \"%s\" to %s: %s",
				 names[i], dir, strerror(saved));
			errno = saved;
			goto out;
		}
		sb_secret_wipe(&v);
	}
	/* handed over complete, in one step */
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
	sb_secret_wipe(&v);
	sb_secret_lookup_close(&l);
	if (dfd >= 0)
		close(dfd);
	if (rc < 0 && made)
		sb_rmtree_at(parent, dir);
	errno = saved;
	return rc;
}

int sb_secrets_remove(int parent, const char *dir)
{
	/* the actor owned this tree and may have put anything in it */
	return sb_rmtree_at(parent, dir);
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
	struct sb_secret_lookup l;
	struct sb_secret v = { 0 };
	char **env = NULL;
	int rc = -1, saved;

	if (begin(&l, src, names, n, errmsg, errlen) < 0)
		return -1;
	env = calloc(n + 1, sizeof(*env));
	if (!env) {
		snprintf(errmsg, errlen, "secrets: %s", strerror(errno));
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		size_t nlen = strlen(names[i]);

		if (sb_secret_lookup_find(&l, names[i], &v) < 0)
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
		sb_secret_wipe(&v);
	}
	*env_out = env;
	env = NULL;
	rc = 0;
out:
	saved = errno;
	sb_secret_wipe(&v);
	sb_secret_lookup_close(&l);
	sb_secrets_env_free(env);
	errno = saved;
	return rc;
}
