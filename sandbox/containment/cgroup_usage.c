/* Accounting from cgroup files; see cgroup_usage.h. */

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "sandbox/containment/cgroup_fs.h"
#include "sandbox/containment/cgroup_usage.h"

static void take(unsigned *have, unsigned bit, int r)
{
	if (r == 0)
		*have |= bit;
}

/* memory and tasks from a v2 cgroup or a v1 mirror: the files differ */
struct files {
	const char *memory, *peak, *oom_file, *oom_key, *tasks;
};

static const struct files v2_files = {
	"memory.current", "memory.peak", "memory.events", "oom_kill", "pids.current",
};
static const struct files v1_files = {
	"memory.usage_in_bytes", "memory.max_usage_in_bytes", "memory.oom_control", "oom_kill", "pids.current",
};

static void read_memory(int dir, const struct files *f, struct sb_cgroup_usage *u)
{
	take(&u->have, SB_CGROUP_HAVE_MEMORY, sb_cgfs_read_u64(dir, f->memory, &u->memory));
	take(&u->have, SB_CGROUP_HAVE_MEMORY_PEAK, sb_cgfs_read_u64(dir, f->peak, &u->memory_peak));
	take(&u->have, SB_CGROUP_HAVE_OOM, sb_cgfs_read_key(dir, f->oom_file, f->oom_key, &u->oom_kills));
}

/* the instance's v1 mirror of c, or -1 */
static int mirror(const struct sb_cgroup_tree *t, const struct sb_cgroup_inst *ci,
		  enum sb_cgroup_ctl c)
{
	if (!(ci->v1 & SB_CGROUP_CTL_BIT(c)))
		return -1;
	return sb_cgroup_v1_open_inst(&t->v1, c, ci->name);
}

int sb_cgroup_usage_read(const struct sb_cgroup_tree *t, const struct sb_cgroup_inst *ci,
			 struct sb_cgroup_usage *u)
{
	int fd;

	memset(u, 0, sizeof(*u));
	if (ci->fd < 0) {
		errno = EBADF;
		return -1;
	}
	take(&u->have, SB_CGROUP_HAVE_CPU,
	     sb_cgfs_read_key(ci->fd, "cpu.stat", "usage_usec", &u->cpu_usec));
	/* this run's: a kept cgroup counts its earlier runs too */
	u->cpu_usec = u->cpu_usec > ci->cpu_base ? u->cpu_usec - ci->cpu_base : 0;
	if (t->v2_ctl & SB_CGROUP_CTL_BIT(SB_CGROUP_MEMORY)) {
		read_memory(ci->fd, &v2_files, u);
	} else if ((fd = mirror(t, ci, SB_CGROUP_MEMORY)) >= 0) {
		read_memory(fd, &v1_files, u);
		close(fd);
	}
	if (t->v2_ctl & SB_CGROUP_CTL_BIT(SB_CGROUP_PIDS)) {
		take(&u->have, SB_CGROUP_HAVE_TASKS, sb_cgfs_read_u64(ci->fd, v2_files.tasks, &u->tasks));
	} else if ((fd = mirror(t, ci, SB_CGROUP_PIDS)) >= 0) {
		take(&u->have, SB_CGROUP_HAVE_TASKS, sb_cgfs_read_u64(fd, v1_files.tasks, &u->tasks));
		close(fd);
	}
	return 0;
}
