/* Dynamic users: one uid (and the gid of the same number) per actor
 * instance, taken from a range no passwd or group entry uses, as systemd's
 * DynamicUser= does. Pure bookkeeping; whether an id is in use elsewhere
 * is asked through a probe callback, so tests can fake the system. */
#ifndef PROSPERO_SANDBOX_DAEMON_UIDPOOL_H
#define PROSPERO_SANDBOX_DAEMON_UIDPOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* systemd's DynamicUser= range */
#define SB_UIDPOOL_FIRST 61184
#define SB_UIDPOOL_LAST 65519
/* the most ids one pool tracks (one bit each) */
#define SB_UIDPOOL_MAX_IDS (1u << 24)

/* Is id used outside the pool (as a uid or as a gid)? 1 yes, 0 no, -1 with
 * errno when it cannot tell. */
typedef int (*sb_uid_probe_fn)(uid_t id, void *ctx);

struct sb_uidpool_owner;

/* Names and their ids, found by hash: a tree of 16,000 instances asks
 * for each at start. Private to uidpool.c. */
struct sb_uidpool_names {
	struct sb_uidpool_owner *v;	/* in the order added */
	size_t n, cap;
	size_t *slots;			/* open addressing: an index into v + 1; 0 empty */
	size_t nslots;			/* 0, or a power of two above 2n */
};

struct sb_uidpool {
	uid_t first, last;
	sb_uid_probe_fn probe;
	void *probe_ctx;
	uint8_t *taken;			/* one bit per id in [first, last] */
	struct sb_uidpool_names owners;
	/* ids that own files from an earlier run, and for whom */
	uint8_t *claimed;		/* one bit per id; NULL until the first claim */
	uint8_t *contested;		/* claimed for two names, or for none */
	struct sb_uidpool_names claims;
};

/* [first, last] with 0 < first <= last and at most SB_UIDPOOL_MAX_IDS ids;
 * the probe starts as sb_uid_probe_system. -1 with errno EINVAL or ENOMEM. */
int sb_uidpool_init(struct sb_uidpool *p, uid_t first, uid_t last);
void sb_uidpool_fini(struct sb_uidpool *p);

void sb_uidpool_set_probe(struct sb_uidpool *p, sb_uid_probe_fn probe, void *ctx);

/* The id of owner (e.g. "worker#2"): the same for the same owner for the
 * life of the pool, distinct for distinct owners. A new owner gets the id
 * it claimed, if free; else its search starts at a hash of its name, so it usually gets the same id in the next
 * daemon run too (its state directory keeps its owner). Ids the probe says
 * are in use, and 65535 and (uid_t)-1, are skipped. -1 with errno ENOSPC
 * when the range is used up, or the probe's errno, or ENOMEM. */
int sb_uidpool_take(struct sb_uidpool *p, const char *owner, uid_t *out);

/* Has OWNER been given an id by this pool? */
bool sb_uidpool_has(const struct sb_uidpool *p, const char *owner);

/* How many more owners without a claim take could still give an id to:
 * the ids neither taken, claimed nor never valid. Asks no probe, so a
 * dry run can count without side effects; the probe may find fewer. */
size_t sb_uidpool_left(const struct sb_uidpool *p);

/* Would OWNER, given no id yet, get back an id it claimed (one neither
 * contested nor taken), leaving the unclaimed ids to others? */
bool sb_uidpool_kept_for(const struct sb_uidpool *p, const char *owner);

/* ID owns a directory of NAME's (its state directory) from an earlier
 * run: NAME gets ID back when it is free, and no other owner gets it
 * (it could enter that directory). NAME NULL, or a second name for one
 * id: no owner gets it. Ids outside the range are ignored. Call before
 * the first take. -1 with errno ENOMEM. */
int sb_uidpool_claim(struct sb_uidpool *p, uid_t id, const char *name);

/* The system probe: a passwd entry for the uid, a group entry for the gid,
 * or a systemd dynamic user lock in /run/systemd/dynamic-uid. */
int sb_uid_probe_system(uid_t id, void *ctx);

/* The same question answered from one enumeration of passwd and group
 * made up front: a per-id lookup costs ~50 system calls through NSS
 * (userdb, then files), and a daemon starting 1000 actors asks 1000
 * times. Ids added to passwd later are not seen; the systemd lock
 * directory is still checked per id. */
struct sb_uid_snapshot {
	uid_t first, last;
	uint8_t *used;			/* one bit per id in [first, last] */
	int registry;			/* sb_uid_registry_open's socket, or -1 */
};

/* Every id passwd or group names or systemd holds for a dynamic user
 * (/run/systemd/dynamic-uid/N), sorted and unique, into *IDS (free it)
 * and *N: what `check` and `run` count out of a range. -1 with errno
 * ENOMEM. */
int sb_uid_host_ids(uid_t **ids, size_t *n);

/* -1 with errno EINVAL (the same bounds as a pool) or ENOMEM. */
int sb_uid_snapshot_init(struct sb_uid_snapshot *s, uid_t first, uid_t last);
void sb_uid_snapshot_fini(struct sb_uid_snapshot *s);
/* A probe for sb_uidpool_set_probe; ctx is the snapshot. With a registry
 * set, an id free by passwd, group and systemd is also claimed there, and
 * reported in use when another process holds its claim. */
int sb_uid_probe_snapshot(uid_t id, void *ctx);

/* Prospero daemons on one host share one registry of the dynamic ids they
 * use: a file in which a daemon holds a write lock on byte ID (an open
 * file description lock) for each id it gave out. Two daemons naming an
 * actor alike would otherwise hash it to the same uid, and each actor could
 * signal or read /proc of the other's. The kernel drops a daemon's locks
 * when it exits, however it exits. The file sits beside /run/prospero,
 * not in it: systemd removes a RuntimeDirectory= when its service stops,
 * and a registry replaced under a running daemon would keep no one apart. */
#define SB_UID_REGISTRY "/run/prospero-dynamic-uids"
/* Open (creating it, 0600) the registry at PATH and park it in a socket:
 * an fd (close-on-exec) of that socket, whose close drops every claim, or
 * -1 with errno. No fd on the file itself stays in the caller's table:
 * the kernel walks every lock on a file at each close of an fd on it, and
 * each child the daemon spawns closes its copy of the daemon's table, so
 * with N claims every start would pay O(N). A claim takes a copy of the
 * file's fd out for the lock and closes it. */
int sb_uid_registry_open(const char *path);
/* Claim ID in the registry parked in HOLDER: 0 claimed (or already ours),
 * 1 another process holds it, -1 with errno. Held until HOLDER's close. */
int sb_uid_registry_claim(int holder, uid_t id);

#endif
