/* Identity and capabilities. The daemon parses names with libcap; the child
 * applies the resulting bits with raw system calls: libcap allocates, and
 * glibc's set*id wrappers broadcast to every thread of what they believe is
 * their process, which on a CLONE_VM child is the daemon's. */

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
#include <sys/syscall.h>
#include <unistd.h>

#include "sandbox/child/child_side.h"
#include "sandbox/privs.h"

/* The v3 capability ABI carries two 32-bit words: 64 capabilities at most. */
#define CAPS_MAX 64

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
		if (v < 0 || v >= max || v >= CAPS_MAX) {
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
	if (v < 0 || v >= CAPS_MAX) {
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

CHILD_SIDE static bool kept(const struct sb_privs *p, int cap)
{
	return (p->keep_caps >> cap) & 1;
}

CHILD_SIDE static int raw_capset(uint64_t caps)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
		.pid = 0,
	};
	struct __user_cap_data_struct data[2];

	for (int i = 0; i < 2; i++) {
		uint32_t w = (uint32_t)(caps >> (32 * i));
		data[i].effective = w;
		data[i].permitted = w;
		data[i].inheritable = w;
	}
	return (int)syscall(SYS_capset, &hdr, data);
}

CHILD_SIDE int sb_privs_apply(const struct sb_privs *p, const char **step_name)
{
	int cap;

	/* (uid_t)-1 would mean "leave unchanged" to setresuid: still root */
	*step_name = "check privilege plan";
	if (p->last_cap < 0 || p->last_cap >= CAPS_MAX ||
	    (p->last_cap < CAPS_MAX - 1 && (p->keep_caps >> (p->last_cap + 1))) ||
	    (p->change_ids && (p->uid == (uid_t)-1 || p->gid == (gid_t)-1 ||
			       p->ngroups > NGROUPS_MAX || (p->ngroups && !p->groups)))) {
		errno = EINVAL;
		return -1;
	}

	/* First, while we still hold CAP_SETPCAP: it is gone from the
	 * effective set once the uid changes. The bounding set is what caps a
	 * root actor (or a setuid binary) at exec: nothing outside the plan
	 * may ever come back. */
	*step_name = "prctl(PR_CAPBSET_DROP)";
	for (cap = 0; cap <= p->last_cap; cap++) {
		if (kept(p, cap))
			continue;
		int in = prctl(PR_CAPBSET_READ, cap, 0, 0, 0);
		if (in < 0)
			return -1;
		if (in && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0)
			return -1;
	}

	/* Keep the permitted set across setresuid so the capset below can
	 * hand the kept caps to a non-root uid; exec clears the flag again. */
	*step_name = "prctl(PR_SET_KEEPCAPS)";
	if (p->keep_caps && prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return -1;

	if (p->change_ids) {
		/* the daemon's supplementary groups are not the actor's */
		*step_name = "setgroups";
		if (syscall(SYS_setgroups, p->ngroups, p->groups) < 0)
			return -1;
		/* gid first: changing it needs the CAP_SETGID the uid change ends */
		*step_name = "setresgid";
		if (syscall(SYS_setresgid, p->gid, p->gid, p->gid) < 0)
			return -1;
		/* all three ids, so the actor cannot switch back to root */
		*step_name = "setresuid";
		if (syscall(SYS_setresuid, p->uid, p->uid, p->uid) < 0)
			return -1;
	}

	/* ambient caps inherited from the daemon are not the actor's (capset
	 * would lower them with inheritable; do not lean on that rule) */
	*step_name = "prctl(PR_CAP_AMBIENT_CLEAR_ALL)";
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0)
		return -1;

	/* Exactly the plan: everything else leaves permitted and effective
	 * for good. Inheritable holds the kept ones because ambient requires
	 * them there. */
	*step_name = "capset";
	if (raw_capset(p->keep_caps) < 0)
		return -1;

	/* A non-root uid gets no caps from exec of an ordinary file except
	 * the ambient ones. */
	*step_name = "prctl(PR_CAP_AMBIENT_RAISE)";
	for (cap = 0; cap <= p->last_cap; cap++)
		if (kept(p, cap) &&
		    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0)
			return -1;

	/* Last, and for every actor: no setuid, setgid or file-capability
	 * binary raises what is left, and seccomp can load without
	 * CAP_SYS_ADMIN. Ambient caps still pass exec under it. */
	*step_name = "prctl(PR_SET_NO_NEW_PRIVS)";
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -1;

	*step_name = NULL;
	return 0;
}
