/* Identity and capabilities by name: libcap, passwd and /proc answer
 * here, in the daemon, so the child gets plain numbers. */

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "sandbox/daemon/privs.h"

int sb_caps_parse(const char *const *names, size_t n, uint64_t *bits,
		  char *errmsg, size_t errlen)
{
	cap_value_t max = cap_max_bits();
	uint64_t acc = 0;

	for (size_t i = 0; i < n; i++) {
		const char *s = names[i];
		char full[64];
		cap_value_t v;
		size_t len = strlen(s);
		bool ok = len > 0 && len < sizeof(full) - 4;

		/* cap_from_name also takes numbers and stops at ',' or
		 * whitespace ("cap_chown,cap_kill" reads as cap_chown): accept
		 * nothing but a bare name. */
		for (size_t j = 0; ok && j < len; j++)
			if (!isalpha((unsigned char)s[j]) && s[j] != '_')
				ok = false;
		if (ok) {
			if (strncasecmp(s, "cap_", 4) == 0)
				snprintf(full, sizeof(full), "%s", s);
			else
				snprintf(full, sizeof(full), "cap_%s", s);
			ok = cap_from_name(full, &v) == 0;
		}
		if (!ok) {
			snprintf(errmsg, errlen, "unknown capability \"%s\"", s);
			errno = EINVAL;
			return -1;
		}
		if (v < 0 || v >= max || v >= SB_CAPS_MAX) {
			snprintf(errmsg, errlen,
				 "capability \"%s\" is not supported by this kernel", s);
			errno = EINVAL;
			return -1;
		}
		acc |= UINT64_C(1) << v;
	}
	*bits = acc;
	return 0;
}

int sb_privs_last_cap(void)
{
	char buf[16];
	ssize_t r = -1;
	long v = -1;
	char *end;
	int fd, saved;

	fd = open("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		/* no /proc (early boot, odd chroot): ask libcap, which probes */
		v = (long)cap_max_bits() - 1;
	} else {
		r = read(fd, buf, sizeof(buf) - 1);
		saved = errno;
		close(fd);
		if (r <= 0) {
			errno = r < 0 ? saved : EINVAL;
			return -1;
		}
		buf[r] = '\0';
		errno = 0;
		v = strtol(buf, &end, 10);
		if (errno || end == buf || (*end != '\n' && *end != '\0')) {
			errno = EINVAL;
			return -1;
		}
	}
	if (v < 0 || v >= SB_CAPS_MAX) {
		errno = ERANGE;
		return -1;
	}
	return (int)v;
}

/* Buffer for getpwnam_r: grown on ERANGE up to a bound no sane entry needs. */
#define PW_BUF_MAX (1u << 20)

int sb_user_lookup(const char *name, uid_t *uid, gid_t *gid, gid_t **groups,
		   size_t *ngroups, char *errmsg, size_t errlen)
{
	struct passwd pw, *found = NULL;
	size_t len = 1024;
	char *buf = NULL, *grown_buf;
	gid_t *list = NULL, *grown_list;
	int n = 16, want = 0, rc = -1, e = 0;

	for (;;) {
		if (!(grown_buf = realloc(buf, len))) {
			e = errno;
			break;
		}
		buf = grown_buf;
		e = getpwnam_r(name, &pw, buf, len, &found);
		if (e != ERANGE || len >= PW_BUF_MAX)
			break;
		len *= 2;
	}
	if (!found) {
		/* "not found" may come back as any of these (getpwnam(3)) */
		if (!e || e == ENOENT || e == ESRCH || e == EBADF || e == EPERM) {
			e = ENOENT;
			snprintf(errmsg, errlen, "no such user \"%s\"", name);
		} else {
			snprintf(errmsg, errlen, "looking up user \"%s\": %s", name, strerror(e));
		}
		goto out;
	}
	/* getgrouplist says how many it needs when the array is too small */
	for (;;) {
		if (!(grown_list = reallocarray(list, (size_t)n, sizeof(*list)))) {
			e = errno;
			snprintf(errmsg, errlen, "looking up user \"%s\": %s", name, strerror(e));
			goto out;
		}
		list = grown_list;
		want = n;
		if (getgrouplist(name, pw.pw_gid, list, &want) >= 0)
			break;
		if (want <= n || want > NGROUPS_MAX) {
			e = EINVAL;
			snprintf(errmsg, errlen, "user \"%s\": more than %d groups",
				 name, NGROUPS_MAX);
			goto out;
		}
		n = want;
	}
	*uid = pw.pw_uid;
	*gid = pw.pw_gid;
	*groups = list;
	*ngroups = (size_t)want;
	list = NULL;
	rc = 0;
out:
	free(list);
	free(buf);
	if (rc < 0)
		errno = e;
	return rc;
}

uint64_t sb_privs_bounding(int last_cap)
{
	uint64_t set = 0;

	for (int cap = 0; cap <= last_cap && cap < SB_CAPS_MAX; cap++)
		if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) == 1)
			set |= (uint64_t)1 << cap;
	return set;
}

uint64_t sb_privs_held(cap_flag_t flag, int last_cap)
{
	uint64_t set = 0;
	cap_t caps = cap_get_proc();

	for (int cap = 0; caps && cap <= last_cap && cap < SB_CAPS_MAX; cap++) {
		cap_flag_value_t v = CAP_CLEAR;

		if (cap_get_flag(caps, cap, flag, &v) == 0 && v == CAP_SET)
			set |= (uint64_t)1 << cap;
	}
	cap_free(caps);
	return set;
}

uint64_t sb_privs_givable(int last_cap)
{
	return sb_privs_held(CAP_PERMITTED, last_cap) &
	       (sb_privs_bounding(last_cap) | sb_privs_held(CAP_INHERITABLE, last_cap));
}

int sb_privs_narrow_bounding(int last_cap, uint64_t keep, uint64_t *bounding)
{
	uint64_t give = sb_privs_held(CAP_PERMITTED, last_cap) & *bounding;
	cap_value_t values[SB_CAPS_MAX];
	cap_t caps = cap_get_proc();
	int n = 0, rc = 0, saved = 0;

	for (int cap = 0; cap <= last_cap && cap < SB_CAPS_MAX; cap++)
		if (give >> cap & 1)
			values[n++] = cap;
	if (!caps || (n && cap_set_flag(caps, CAP_INHERITABLE, n, values, CAP_SET) < 0) || cap_set_proc(caps) < 0) {
		saved = errno;
		cap_free(caps);
		errno = saved;
		return -1;
	}
	cap_free(caps);
	for (int cap = 0; cap <= last_cap && cap < SB_CAPS_MAX; cap++)
		if ((*bounding >> cap & 1) && !(keep >> cap & 1) && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 &&
		    !saved) {
			saved = errno;
			rc = -1;
		}
	*bounding = sb_privs_bounding(last_cap);
	errno = saved;
	return rc;
}
