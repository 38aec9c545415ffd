/* The dynamic uid pool. Taken ids are a bitmap over the range; owners are
 * a small array searched by name, touched when an actor instance starts
 * for the first time, not on restarts (take finds the owner and returns). */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sandbox/daemon/uidpool.h"
#include "src/proto/fdpass.h"

struct sb_uidpool_owner {
	char *name;
	uid_t id;
};

static size_t range_size(const struct sb_uidpool *p)
{
	return (size_t)(p->last - p->first) + 1;
}

static bool is_taken(const struct sb_uidpool *p, size_t i)
{
	return p->taken[i / 8] & (1u << (i % 8));
}

static void set_taken(struct sb_uidpool *p, size_t i, bool on)
{
	if (on)
		p->taken[i / 8] |= (uint8_t)(1u << (i % 8));
	else
		p->taken[i / 8] &= (uint8_t)~(1u << (i % 8));
}

int sb_uidpool_init(struct sb_uidpool *p, uid_t first, uid_t last)
{
	memset(p, 0, sizeof(*p));
	/* uid 0 is root; a range must not reach it, nor be empty or huge */
	if (first == 0 || first > last || last - first >= SB_UIDPOOL_MAX_IDS) {
		errno = EINVAL;
		return -1;
	}
	p->first = first;
	p->last = last;
	p->probe = sb_uid_probe_system;
	p->taken = calloc((range_size(p) + 7) / 8, 1);
	if (!p->taken)
		return -1;
	return 0;
}

static void names_free(struct sb_uidpool_names *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->v[i].name);
	free(t->v);
	free(t->slots);
}

void sb_uidpool_fini(struct sb_uidpool *p)
{
	names_free(&p->owners);
	names_free(&p->claims);
	free(p->claimed);
	free(p->contested);
	free(p->taken);
	memset(p, 0, sizeof(*p));
}

void sb_uidpool_set_probe(struct sb_uidpool *p, sb_uid_probe_fn probe, void *ctx)
{
	p->probe = probe;
	p->probe_ctx = ctx;
}

static bool bit(const uint8_t *bits, size_t i)
{
	return bits && (bits[i / 8] & (1u << (i % 8)));
}

/* FNV-1a: fixed, so a name starts its search at the same id every run. */
static uint32_t hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++) {
		h ^= (uint8_t)*s;
		h *= 16777619u;
	}
	return h;
}

/* 65535 is -1 to the 16-bit id calls and (uid_t)-1 means "unchanged" to
 * setresuid: neither can be an actor's. */
static bool never_valid(uid_t id)
{
	return id == 65535 || id == (uid_t)-1;
}

static struct sb_uidpool_owner *find(const struct sb_uidpool_names *t, const char *name)
{
	if (!t->nslots)
		return NULL;
	for (size_t k = hash(name) & (t->nslots - 1);; k = (k + 1) & (t->nslots - 1)) {
		size_t at = t->slots[k];

		if (!at)
			return NULL;
		if (strcmp(t->v[at - 1].name, name) == 0)
			return &t->v[at - 1];
	}
}

static void put_slot(size_t *slots, size_t nslots, const char *name, size_t at)
{
	size_t k = hash(name) & (nslots - 1);

	while (slots[k])
		k = (k + 1) & (nslots - 1);
	slots[k] = at;
}

/* NAME (not in T yet) with ID; -1 with errno ENOMEM. */
static int add(struct sb_uidpool_names *t, const char *name, uid_t id)
{
	char *copy;

	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		struct sb_uidpool_owner *grown = reallocarray(t->v, cap, sizeof(*grown));
		if (!grown)
			return -1;
		t->v = grown;
		t->cap = cap;
	}
	if ((t->n + 1) * 2 > t->nslots) {
		size_t nslots = t->nslots ? t->nslots * 2 : 32;
		size_t *slots = calloc(nslots, sizeof(*slots));

		if (!slots)
			return -1;
		for (size_t i = 0; i < t->n; i++)
			put_slot(slots, nslots, t->v[i].name, i + 1);
		free(t->slots);
		t->slots = slots;
		t->nslots = nslots;
	}
	if (!(copy = strdup(name)))
		return -1;
	t->v[t->n++] = (struct sb_uidpool_owner){ .name = copy, .id = id };
	put_slot(t->slots, t->nslots, copy, t->n);
	return 0;
}

int sb_uidpool_claim(struct sb_uidpool *p, uid_t id, const char *name)
{
	size_t i = (size_t)(id - p->first), bytes = (range_size(p) + 7) / 8;
	struct sb_uidpool_owner *mine;

	if (id < p->first || id > p->last)
		return 0;
	if (!p->claimed) {
		uint8_t *claimed = calloc(bytes, 1), *contested = calloc(bytes, 1);

		if (!claimed || !contested) {
			free(claimed);
			free(contested);
			return -1;
		}
		p->claimed = claimed;
		p->contested = contested;
	}
	mine = name ? find(&p->claims, name) : NULL;
	if (!name || (bit(p->claimed, i) && !(mine && mine->id == id)))
		p->contested[i / 8] |= (uint8_t)(1u << (i % 8));
	p->claimed[i / 8] |= (uint8_t)(1u << (i % 8));
	if (!name || mine)	/* a name keeps its first claim */
		return 0;
	return add(&p->claims, name, id);
}

/* Is ID, at index I, free to give? 1 yes, 0 no, -1 the probe's error. */
static int usable(struct sb_uidpool *p, size_t i, uid_t id)
{
	int used;

	if (is_taken(p, i) || never_valid(id))
		return 0;
	if ((used = p->probe(id, p->probe_ctx)) < 0)
		return -1;
	return !used;
}

static int give(struct sb_uidpool *p, size_t i, const char *owner, uid_t *out)
{
	uid_t id = p->first + (uid_t)i;

	if (add(&p->owners, owner, id) < 0)
		return -1;
	set_taken(p, i, true);
	*out = id;
	return 0;
}

bool sb_uidpool_has(const struct sb_uidpool *p, const char *owner)
{
	return find(&p->owners, owner) != NULL;
}

size_t sb_uidpool_left(const struct sb_uidpool *p)
{
	size_t n = range_size(p), left = 0;

	for (size_t i = 0; i < n; i++)
		left += !is_taken(p, i) && !bit(p->claimed, i) && !never_valid(p->first + (uid_t)i);
	return left;
}

bool sb_uidpool_kept_for(const struct sb_uidpool *p, const char *owner)
{
	const struct sb_uidpool_owner *c = find(&p->claims, owner);
	size_t i;

	if (!c || find(&p->owners, owner))
		return false;
	i = (size_t)(c->id - p->first);
	return !bit(p->contested, i) && !is_taken(p, i);
}

int sb_uidpool_take(struct sb_uidpool *p, const char *owner, uid_t *out)
{
	struct sb_uidpool_owner *o = find(&p->owners, owner);
	size_t n, start;
	int ok;

	if (o) {
		*out = o->id;
		return 0;
	}
	n = range_size(p);
	if ((o = find(&p->claims, owner))) {
		size_t i = (size_t)(o->id - p->first);

		if (!bit(p->contested, i) && (ok = usable(p, i, o->id)) != 0)
			return ok < 0 ? -1 : give(p, i, owner, out);
	}
	start = hash(owner) % n;
	for (size_t k = 0; k < n; k++) {
		size_t i = (start + k) % n;

		if (bit(p->claimed, i))
			continue;
		if ((ok = usable(p, i, p->first + (uid_t)i)) != 0)
			return ok < 0 ? -1 : give(p, i, owner, out);
	}
	errno = ENOSPC;
	return -1;
}

/* Buffer for the _r lookups: grown on ERANGE, up to a bound a sane
 * entry never needs. */
#define LOOKUP_BUF_MAX (1u << 20)

int sb_uid_probe_system(uid_t id, void *ctx)
{
	size_t len = 4096;
	char *buf = NULL, path[64];
	struct passwd pw, *pwr = NULL;
	struct group gr, *grr = NULL;
	int rc = -1, e;

	for (;;) {
		char *grown = realloc(buf, len);
		if (!grown)
			goto out;
		buf = grown;
		e = getpwuid_r(id, &pw, buf, len, &pwr);
		if (e == 0)
			e = pwr ? 0 : getgrgid_r((gid_t)id, &gr, buf, len, &grr);
		if (e != ERANGE)
			break;
		if (len >= LOOKUP_BUF_MAX) {
			/* an entry that large exists, whatever it is */
			rc = 1;
			goto out;
		}
		len *= 2;
	}
	/* "not found" may come back as any of these (getpwnam(3)) */
	if (e && e != ENOENT && e != ESRCH && e != EBADF && e != EPERM) {
		errno = e;
		goto out;
	}
	if (pwr || grr) {
		rc = 1;
		goto out;
	}
	/* systemd's own dynamic users, when nss-systemd is not configured */
	snprintf(path, sizeof(path), "/run/systemd/dynamic-uid/%u", (unsigned)id);
	rc = access(path, F_OK) == 0 ? 1 : 0;
out:
	free(buf);
	return rc;
}

static void mark_used(struct sb_uid_snapshot *s, unsigned long id)
{
	if (id >= s->first && id <= s->last)
		s->used[(id - s->first) / 8] |= (uint8_t)(1u << ((id - s->first) % 8));
}

static int push_id(uid_t **ids, size_t *n, size_t *cap, uid_t id)
{
	if (*n == *cap) {
		size_t grown_cap = *cap ? *cap * 2 : 64;
		uid_t *grown = realloc(*ids, grown_cap * sizeof *grown);

		if (!grown)
			return -1;
		*ids = grown;
		*cap = grown_cap;
	}
	(*ids)[(*n)++] = id;
	return 0;
}

static int by_id(const void *a, const void *b)
{
	uid_t x = *(const uid_t *)a, y = *(const uid_t *)b;

	return (x > y) - (x < y);
}

/* The ids of systemd's dynamic users, one lock file each, named by the
 * id, in /run/systemd/dynamic-uid (the pool skips them: sb_uid_probe_*).
 * A directory that cannot be read holds none, as for the pool's access(). */
static int push_systemd_ids(uid_t **ids, size_t *n, size_t *cap)
{
	DIR *d = opendir("/run/systemd/dynamic-uid");
	struct dirent *de;
	int rc = 0;

	if (!d)
		return 0;
	while (rc == 0 && (de = readdir(d))) {
		const char *p = de->d_name;
		unsigned long long id = 0;

		/* the lock files are plain decimal ids; "direct:NAME" and the
		 * like are links beside them */
		if (*p < '0' || *p > '9')
			continue;
		for (; *p >= '0' && *p <= '9' && id <= (uid_t)-1; p++)
			id = id * 10 + (unsigned)(*p - '0');
		if (*p || id >= (uid_t)-1)
			continue;
		rc = push_id(ids, n, cap, (uid_t)id);
	}
	closedir(d);
	return rc;
}

int sb_uid_host_ids(uid_t **ids, size_t *n)
{
	struct passwd *pw;
	struct group *gr;
	size_t cap = 0, k = 0;
	int rc = 0;

	*ids = NULL;
	*n = 0;
	setpwent();
	while (rc == 0 && (pw = getpwent()))
		rc = push_id(ids, n, &cap, pw->pw_uid);
	endpwent();
	setgrent();
	while (rc == 0 && (gr = getgrent()))
		rc = push_id(ids, n, &cap, (uid_t)gr->gr_gid);
	endgrent();
	if (rc == 0)
		rc = push_systemd_ids(ids, n, &cap);
	if (rc < 0) {
		free(*ids);
		*ids = NULL;
		*n = 0;
		errno = ENOMEM;
		return -1;
	}
	if (*n)
		qsort(*ids, *n, sizeof **ids, by_id);
	for (size_t i = 0; i < *n; i++)
		if (k == 0 || (*ids)[k - 1] != (*ids)[i])
			(*ids)[k++] = (*ids)[i];
	*n = k;
	return 0;
}

int sb_uid_snapshot_init(struct sb_uid_snapshot *s, uid_t first, uid_t last)
{
	struct passwd *pw;
	struct group *gr;

	memset(s, 0, sizeof(*s));
	s->registry = -1;
	if (first == 0 || first > last || last - first >= SB_UIDPOOL_MAX_IDS) {
		errno = EINVAL;
		return -1;
	}
	s->first = first;
	s->last = last;
	if (!(s->used = calloc(((size_t)(last - first) + 1 + 7) / 8, 1)))
		return -1;
	/* the enumerating calls keep their state in libc: the daemon is
	 * single-threaded, and this runs once before any actor starts */
	setpwent();
	while ((pw = getpwent()))
		mark_used(s, pw->pw_uid);
	endpwent();
	setgrent();
	while ((gr = getgrent()))
		mark_used(s, gr->gr_gid);
	endgrent();
	return 0;
}

void sb_uid_snapshot_fini(struct sb_uid_snapshot *s)
{
	free(s->used);
	memset(s, 0, sizeof(*s));
	s->registry = -1;
}

/* A new fd (close-on-exec) on the registry parked in HOLDER, which stays
 * parked; -1 with errno. */
static int registry_peek(int holder)
{
	char byte, control[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control,
			      .msg_controllen = sizeof control };
	int fd;

	if (recvmsg(holder, &msg, MSG_PEEK | MSG_DONTWAIT | MSG_CMSG_CLOEXEC) < 0)
		return -1;
	if (pp_fdpass_take(&msg, &fd, 1) != 1) {
		/* the copy could not be made: out of fds */
		errno = (msg.msg_flags & MSG_CTRUNC) ? EMFILE : EBADF;
		return -1;
	}
	return fd;
}

int sb_uid_registry_claim(int holder, uid_t id)
{
	struct flock fl = {
		.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = (off_t)id, .l_len = 1,
	};
	int fd = registry_peek(holder), rc, saved;

	if (fd < 0)
		return -1;
	if (fcntl(fd, F_OFD_SETLK, &fl) == 0)
		rc = 0;
	else
		rc = (errno == EAGAIN || errno == EACCES) ? 1 : -1;
	saved = errno;
	close(fd);
	errno = saved;
	return rc;
}

int sb_uid_probe_snapshot(uid_t id, void *ctx)
{
	const struct sb_uid_snapshot *s = ctx;
	char path[64];

	if (id < s->first || id > s->last)
		return sb_uid_probe_system(id, NULL);
	if (s->used[(id - s->first) / 8] & (1u << ((id - s->first) % 8)))
		return 1;
	snprintf(path, sizeof(path), "/run/systemd/dynamic-uid/%u", (unsigned)id);
	if (access(path, F_OK) == 0)
		return 1;
	return s->registry >= 0 ? sb_uid_registry_claim(s->registry, id) : 0;
}

int sb_uid_registry_open(const char *path)
{
	int file, pair[2], saved;
	ssize_t sent;

	if ((file = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600)) < 0)
		return -1;
	if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, pair) < 0) {
		saved = errno;
		close(file);
		errno = saved;
		return -1;
	}
	/* in flight, the file stays open with no fd on it, for as long as
	 * the receiving end does */
	sent = pp_fdpass_send(pair[0], "R", 1, file, MSG_DONTWAIT);
	saved = errno;
	close(pair[0]);
	close(file);
	if (sent != 1) {
		close(pair[1]);
		errno = sent < 0 ? saved : EIO;
		return -1;
	}
	return pair[1];
}
