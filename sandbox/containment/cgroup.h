/* One actor instance's cgroup: made in the daemon's subtree before the
 * instance is spawned into it (clone_into.h), killed whole when the
 * instance ends, seen to be empty on the daemon's loop, then removed.
 *
 * The daemon's sequence, per instance run:
 *   sb_cgroup_inst_create -> sb_cgroup_inst_watch -> spawn with sb_clone_into(
 *   ci.fd) (and sb_cgroup_join for v1 mirrors) -> ... main process exits ->
 *   sb_cgroup_inst_kill -> sb_cgroup_inst_populated == 0, now or later ->
 *   sb_cgroup_usage_read -> the exit is final -> sb_cgroup_inst_remove.
 * A cgroup the main process left empty, never killed, is kept for the
 * next run instead when sb_cgroup_inst_reusable says so
 * (sb_cgroup_inst_next_run).
 *
 * "Later" comes two ways. The last process of a cgroup to exit has the
 * daemon for its parent (orphans go to the subreaper), and it has left
 * the cgroup by the time its SIGCHLD arrives: re-read populated of each
 * dying instance after reaping. The notify watch is the backstop, but
 * the kernel holds back a notification until 10 ms after the file's
 * previous one, so a cgroup populated a moment ago says so late. */
#ifndef PROSPERO_CGROUP_H
#define PROSPERO_CGROUP_H

#include <stdbool.h>
#include <stdint.h>

#include "sandbox/containment/cgroup_limits.h"
#include "sandbox/containment/cgroup_name.h"
#include "sandbox/containment/cgroup_tree.h"

struct sb_cgroup_usage;

struct sb_cgroup_inst {
	int fd;				/* its v2 cgroup (the CLONE_INTO_CGROUP fd); -1: none */
	int wd;				/* its cgroup.events watch; -1: none */
	int notify_fd;			/* the inotify fd wd is on; -1: none */
	unsigned v1;			/* SB_CGROUP_CTL_BITs with a v1 mirror */
	char name[SB_CGROUP_NAME_MAX];	/* "research#2.actor" */
	struct sb_cgroup_limits lim;	/* what it was made with */
	bool killed;			/* sb_cgroup_inst_kill was used on it */
	uint64_t cpu_base;		/* CPU time of the runs before this one */
};

/* An instance with no cgroup yet: fd, wd and notify_fd -1. */
void sb_cgroup_inst_init(struct sb_cgroup_inst *ci);

/* Make the cgroup of instance (its name, as "research#2") with lim
 * applied, and v1 mirrors where lim or t->v1 accounting needs them. An
 * empty leftover of the same name is taken over. -1 with errno:
 * EOPNOTSUPP a limit this host cannot apply (sb_cgroup_limit_where says
 * why), EBUSY a leftover still has processes, or what mkdir or a write
 * said. Nothing is left made on failure. */
int sb_cgroup_inst_create(const struct sb_cgroup_tree *t, struct sb_cgroup_inst *ci,
			  const char *instance, const struct sb_cgroup_limits *lim);

/* The cgroup of instance that sb_cgroup_inst_create found populated
 * (EBUSY), opened into CI as a killed one, never reused: what is in an
 * instance's cgroup is that instance's, for the caller to kill, wait
 * for and remove. -1 with errno. */
int sb_cgroup_inst_open_leftover(const struct sb_cgroup_tree *t, struct sb_cgroup_inst *ci,
				 const char *instance);

/* 1 while any process is in it, 0 when empty, -1 with errno. */
int sb_cgroup_inst_populated(const struct sb_cgroup_inst *ci);

/* SIGKILL everything in it, whatever it did with sessions, process groups
 * or PDEATHSIG. Returns at once: the processes die asynchronously, and it
 * is empty when sb_cgroup_inst_populated says 0. */
int sb_cgroup_inst_kill(const struct sb_cgroup_tree *t, struct sb_cgroup_inst *ci);
/* Can the next run of the instance, with limits LIM, go into this
 * cgroup, emptied without a kill? Making and removing one is most of what
 * a restart costs the daemon. Not after sb_cgroup_inst_kill (a kernel
 * may kill what is later cloned into a cgroup killed once), not with
 * other limits, and not where its memory peak is counted (a v1 mirror or
 * the v2 memory controller): the peak of one run cannot be told from the
 * last one's. */
bool sb_cgroup_inst_reusable(const struct sb_cgroup_tree *t, const struct sb_cgroup_inst *ci,
			     const struct sb_cgroup_limits *lim);
/* Let go of a cgroup that is gone (removed by someone else): its fd
 * closed, its watch removed, CI back to sb_cgroup_inst_init's state. */
void sb_cgroup_inst_forget(struct sb_cgroup_inst *ci);
/* The run that ended used U (sb_cgroup_usage_read): the next run's
 * figures start from there. */
void sb_cgroup_inst_next_run(struct sb_cgroup_inst *ci, const struct sb_cgroup_usage *u);

/* Remove it (and its mirrors) once empty; -1 EBUSY while populated. One
 * removed from outside already counts as removed (so does one killed).
 * The watch goes with it: removed by hand, since the kernel keeps a
 * watch on a removed cgroup's file, which would pile up (one a removal)
 * for the daemon's life. ci is back to sb_cgroup_inst_init's state. */
int sb_cgroup_inst_remove(const struct sb_cgroup_tree *t, struct sb_cgroup_inst *ci);

/* Emptiness on the daemon's loop. The kernel flags every change of a
 * cgroup's cgroup.events as a file modification: one inotify fd serves
 * all instances (an fd per instance would meet the per-user inotify
 * instance limit, 128 by default), each instance a watch on it. The fd is
 * read-ready when some watch fired; poll(2)'s POLLPRI on cgroup.events
 * itself would need a poll backend that asks for POLLPRI, which libev's
 * ev_io does not. */
int sb_cgroup_notify_open(void);		/* the inotify fd: nonblocking, cloexec */
int sb_cgroup_inst_watch(struct sb_cgroup_inst *ci, int notify_fd);

#define SB_CGROUP_NOTIFY_BATCH 64
/* The watches that fired, up to max (<= SB_CGROUP_NOTIFY_BATCH) per call;
 * call until it returns 0. A wd of -1 means events were lost (queue
 * overflow): check every instance waiting to empty. -1 with errno. */
int sb_cgroup_notify_read(int notify_fd, int *wds, int max);

#endif
