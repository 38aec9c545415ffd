/* The status answer; see ctl_status.h. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "src/control/status.h"
#include "src/daemon/context.h"
#include "src/daemon/ctl_status.h"
#include "src/daemon/fault_summary.h"
#include "src/daemon/instance.h"
#include "src/daemon/report.h"
#include "supervisor/status.h"

struct walk {
	struct ctl_status out;
	size_t cap;
	int64_t now;
	int64_t wall_offset_ms;		/* wall clock minus the tree's, rounded */
	uid_t self;
	long page, tick;
	int proc;			/* /proc, or -1 */
};

/* A small file of /proc (PROC) into BUF; its length, or -1. */
static ssize_t read_proc(int proc, pid_t pid, const char *what, char *buf, size_t cap)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof path, "%d/%s", (int)pid, what);
	if ((fd = openat(proc, path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	n = read(fd, buf, cap - 1);
	close(fd);
	if (n >= 0)
		buf[n] = 0;
	return n;
}

/* Field K (1-based, as proc(5) counts them) of a /proc/PID/stat line, as
 * an unsigned number; false if the line is shorter. The command (field 2)
 * may hold spaces and parentheses: counting starts after its last ')'. */
static bool stat_field(const char *line, unsigned k, unsigned long long *v)
{
	const char *p = strrchr(line, ')');
	char *end;

	if (!p || k < 3)
		return false;
	for (unsigned f = 2; f < k; f++)
		if (!(p = strchr(p + 1, ' ')))
			return false;
	*v = strtoull(p + 1, &end, 10);
	return end != p + 1;
}

/* Its resident memory and CPU time, as the kernel counts them: one read
 * of /proc/PID/stat, the cheapest file that has both (a status of a
 * thousand actors reads a thousand). */
static void proc_usage(const struct walk *w, pid_t pid, struct ctl_node *n)
{
	char buf[1024];
	unsigned long long ut, st, rss;

	if (w->proc < 0 || read_proc(w->proc, pid, "stat", buf, sizeof buf) <= 0 ||
	    !stat_field(buf, 14, &ut) || !stat_field(buf, 15, &st) || !stat_field(buf, 24, &rss))
		return;
	n->cpu_ms = (int64_t)((ut + st) * 1000 / (unsigned long long)w->tick);
	n->memory_bytes = (int64_t)(rss * (unsigned long long)w->page);
}

static enum ctl_state state_of(const struct sv_status *st)
{
	/* held while it runs: an operator's stop its supervisor carries out
	 * once it has started its other children */
	switch (st->state) {
	case SV_STARTING: return st->held ? CTL_STATE_STOPPING : CTL_STATE_STARTING;
	case SV_UP: return st->held ? CTL_STATE_STOPPING : CTL_STATE_READY;
	case SV_STOPPING: return CTL_STATE_STOPPING;
	case SV_DOWN: break;
	}
	return st->backing_off ? CTL_STATE_BACKING_OFF : st->held ? CTL_STATE_STOPPED : CTL_STATE_DOWN;
}


static bool add_node(const struct sv_status *st, void *arg)
{
	struct walk *w = arg;
	struct ctl_node *n = &w->out.nodes[w->out.n++];
	const struct sv_node *sn = st->node;
	enum ctl_state state = state_of(st);

	*n = (struct ctl_node){
		.supervisor = sn->kind == SV_NODE_SUPERVISOR, .depth = st->depth, .state = state,
		.should_run = st->should_run, .restarts = st->restarts,
		.uptime_ms = st->up_since >= 0 && state == CTL_STATE_READY ? w->now - st->up_since : -1,
		.uid = -1, .memory_bytes = -1, .cpu_ms = -1, .period_ms = -1,
	};
	snprintf(n->name, sizeof n->name, "%s", sn->name);
	if (st->backing_off)	/* the tree's clock is monotonic: said as wall time */
		n->backoff_until = (double)(st->backoff_until + w->wall_offset_ms) / 1000.0;
	if (st->last_exit)
		sv_exit_describe(st->last_exit, n->last_exit, sizeof n->last_exit);
	if (n->supervisor) {
		snprintf(n->strategy, sizeof n->strategy, "%s", sv_strategy_name(st->strategy));
		n->window_restarts = st->window_restarts;
		n->intensity = st->intensity;
		n->period_ms = st->period_ms;
		return w->out.n < w->cap;
	}
	const struct instance *in = sn->user;
	/* a violation or the watchdog, by name: the run that ended, or while
	 * the next runs, the one before it */
	const char *why = in->pid > 0 ? in->last_why : in->why;
	if (why && why[0] && st->last_exit)
		report_reason(n->last_exit, sizeof n->last_exit, "", why);
	snprintf(n->profile, sizeof n->profile, "%s", sb_profile_name(in->spec->profile));
	n->queue = in->spec->queue != NULL;
	if (instance_status(in))
		snprintf(n->status, sizeof n->status, "%s", instance_status(in));
	if (in->dying) {	/* reaped, the rest of it still being killed: not up */
		n->state = CTL_STATE_STOPPING;
		n->uptime_ms = -1;
	}
	if (in->pid > 0) {
		n->pid = (int)in->pid;
		n->uid = in->privs.change_ids ? in->privs.uid : w->self;
		proc_usage(w, in->pid, n);
	}
	return w->out.n < w->cap;
}

/* A dying instance the tree still counts as up: counted as not up. */
static bool not_up(const struct sv_status *st, void *arg)
{
	struct ctl_status *out = arg;

	if (st->state == SV_UP) {
		out->running--;
		out->not_running += st->should_run;
	}
	return false;
}

int ctl_status_edges(const struct cfg *cfg, struct ctl_status *st)
{
	size_t n = 0;

	for (size_t i = 0; i < cfg->nactors; i++)
		n += cfg->actors[i]->nbindings;
	if (!(st->edges = calloc(n + 1, sizeof *st->edges)))
		return -1;
	for (size_t i = 0; i < cfg->nactors; i++) {
		const struct cfg_actor *a = cfg->actors[i];

		for (size_t k = 0; a->order != CFG_NOT_IN_TREE && k < a->nbindings; k++) {
			struct ctl_edge *e = &st->edges[st->nedges++];

			snprintf(e->from, sizeof e->from, "%s", a->name);
			snprintf(e->to, sizeof e->to, "%s", a->bindings[k].service->name);
			snprintf(e->label, sizeof e->label, "%s", a->bindings[k].name);
		}
	}
	return 0;
}

/* The fault summary so far, malloc'd; NULL on ENOMEM. */
static char *fault_summary(const struct daemon *d)
{
	size_t cap = 4096;

	for (;;) {
		char *text = malloc(cap);
		int want;

		if (!text)
			return NULL;
		want = fault_summary_text(d, text, cap);
		if (want < 0 || (size_t)want < cap)
			return text;
		free(text);
		cap = (size_t)want + 1;
	}
}

char *ctl_status_answer(struct daemon *d, struct sv_node *const *from, size_t nfrom)
{
	struct walk w = { .cap = d->tree->nnodes, .now = daemon_now_ms(), .self = geteuid(),
			  .page = sysconf(_SC_PAGESIZE), .tick = sysconf(_SC_CLK_TCK),
			  .proc = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC) };
	struct sv_summary sum;
	struct timespec ts, mono;
	char *line;

	clock_gettime(CLOCK_REALTIME, &ts);
	w.out.now = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
	/* to whole milliseconds, as the tree keeps a deadline: the same one
	 * reads the same from one call to the next */
	clock_gettime(CLOCK_MONOTONIC, &mono);
	w.wall_offset_ms = ((int64_t)(ts.tv_sec - mono.tv_sec) * 1000000000 + (ts.tv_nsec - mono.tv_nsec) + 500000) /
			   1000000;
	if (!(w.out.nodes = calloc(w.cap ? w.cap : 1, sizeof *w.out.nodes)) || ctl_status_edges(d->cfg, &w.out) < 0) {
		ctl_status_free(&w.out);
		if (w.proc >= 0)
			close(w.proc);
		return NULL;
	}
	if (!nfrom)
		sv_status_walk(d->tree, NULL, w.now, add_node, &w);
	for (size_t i = 0; i < nfrom; i++)
		sv_status_walk(d->tree, from[i], w.now, add_node, &w);
	if (w.proc >= 0)
		close(w.proc);
	sv_status_summary(d->tree, &sum);
	w.out.actors = sum.actors;
	w.out.running = sum.actors_up;
	w.out.not_running = sum.not_running;
	for (size_t i = 0; d->contain.ndying && i < d->ninst; i++)
		if (d->inst[i]->dying)
			sv_status_walk(d->tree, d->inst[i]->node, w.now, not_up, &w.out);
	if (d->faults && !(w.out.faults = fault_summary(d))) {
		ctl_status_free(&w.out);
		return NULL;
	}
	line = ctl_status_encode(&w.out);
	ctl_status_free(&w.out);
	return line;
}
