/* Finding the hierarchies; see cgroup_hier.h. */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sandbox/containment/cgroup_hier.h"
#include "sandbox/containment/cgroup_text.h"
#include "sandbox/daemon/readall.h"

static const char *const ctl_names[SB_CGROUP_NCTL] = {
	[SB_CGROUP_MEMORY] = "memory",
	[SB_CGROUP_PIDS] = "pids",
	[SB_CGROUP_CPU] = "cpu",
};

const char *sb_cgroup_ctl_name(enum sb_cgroup_ctl c)
{
	return c < SB_CGROUP_NCTL ? ctl_names[c] : "?";
}

/* The daemon's cgroup paths, per hierarchy, from /proc/self/cgroup. */
struct self_paths {
	const char *v2;
	const char *v1[SB_CGROUP_NCTL];
};

static int parse_self(char *text, struct self_paths *s)
{
	char *line, *save = NULL;
	struct sb_proc_cgroup_entry e;

	memset(s, 0, sizeof(*s));
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (sb_proc_cgroup_parse_line(line, &e) < 0)
			return -1;
		if (e.id == 0 && !*e.controllers) {
			s->v2 = e.path;
			continue;
		}
		for (int c = 0; c < SB_CGROUP_NCTL; c++)
			if (sb_cgroup_list_has(e.controllers, ',', ctl_names[c]))
				s->v1[c] = e.path;
	}
	return 0;
}

/* A path starting "/.." lies above the cgroup namespace's root. */
static bool above_root(const char *path)
{
	return strncmp(path, "/..", 3) == 0 && (path[3] == '/' || path[3] == '\0');
}

/* Fill p from a mount of root at mnt, for a cgroup at path (NULL: the
 * daemon was not listed in this hierarchy). */
static int place(struct sb_cgroup_place *p, const char *mnt, const char *root, const char *path)
{
	size_t rl = strcmp(root, "/") == 0 ? 0 : strlen(root);
	const char *rest;

	if (strlen(mnt) >= sizeof(p->mnt)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(p->mnt, mnt);
	p->own[0] = '\0';
	if (!path || above_root(path) || strncmp(path, root, rl) != 0 ||
	    (path[rl] != '/' && path[rl] != '\0'))
		return 0;
	rest = strcmp(path + rl, "/") == 0 ? "" : path + rl;
	if ((size_t)snprintf(p->own, sizeof(p->own), "%s%s", mnt, rest) >= sizeof(p->own)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

static int take_mount(struct sb_cgroup_hier *h, const struct sb_mountinfo_entry *m,
		      const struct self_paths *s)
{
	if (strcmp(m->fstype, "cgroup2") == 0)
		return h->v2.mnt[0] ? 0 : place(&h->v2, m->mnt, m->root, s->v2);
	if (strcmp(m->fstype, "cgroup") != 0)
		return 0;
	for (int c = 0; c < SB_CGROUP_NCTL; c++)
		if (!h->v1[c].mnt[0] && sb_cgroup_list_has(m->super, ',', ctl_names[c]) &&
		    place(&h->v1[c], m->mnt, m->root, s->v1[c]) < 0)
			return -1;
	return 0;
}

int sb_cgroup_hier_parse(struct sb_cgroup_hier *h, char *mountinfo, char *self_cgroup)
{
	struct self_paths s;
	struct sb_mountinfo_entry m;
	char *line, *save = NULL;

	memset(h, 0, sizeof(*h));
	if (parse_self(self_cgroup, &s) < 0)
		return -1;
	for (line = strtok_r(mountinfo, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (sb_mountinfo_parse_line(line, &m) < 0 || take_mount(h, &m, &s) < 0)
			return -1;
	return 0;
}

/* The whole of a /proc file, NUL-terminated, in a malloc'ed buffer. */
static char *read_all(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), saved;
	char *buf;

	if (fd < 0)
		return NULL;
	buf = sb_read_all(fd);
	saved = errno;
	close(fd);
	errno = saved;
	return buf;
}

int sb_cgroup_hier_read(struct sb_cgroup_hier *h)
{
	char *mi = read_all("/proc/self/mountinfo");
	char *cg = mi ? read_all("/proc/self/cgroup") : NULL;
	int r = -1, saved;

	if (cg)
		r = sb_cgroup_hier_parse(h, mi, cg);
	saved = errno;
	free(mi);
	free(cg);
	errno = saved;
	return r;
}
