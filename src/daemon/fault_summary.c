/* The fault summary; see fault_summary.h. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/daemon/context.h"
#include "src/daemon/fault_summary.h"
#include "src/daemon/faults.h"
#include "src/daemon/instance.h"
#include "src/daemon/log.h"
#include "src/daemon/relay.h"
#include "src/proto/plural.h"

/* snprintf that appends, counting past the end as snprintf does. */
struct text {
	char *buf;
	size_t len, at;
};

__attribute__((format(printf, 2, 3)))
static void add(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int w;

	va_start(ap, fmt);
	w = vsnprintf(t->at < t->len ? t->buf + t->at : NULL, t->at < t->len ? t->len - t->at : 0, fmt, ap);
	va_end(ap);
	t->at += w > 0 ? (size_t)w : 0;
}

static void add_instance(struct text *t, const struct fault_inst *fi)
{
	if (!fi->kills && !fi->stalls && !fi->syscalls && !fi->skipped && !fi->unsent)
		return;
	add(t, "  %s: %" PRIu64 " killed, %" PRIu64 " stalled, %" PRIu64 " %s failed", fi->in->name,
	    fi->kills, fi->stalls, fi->syscalls, plural(fi->syscalls, "call", "calls"));
	if (fi->skipped)
		add(t, ", %" PRIu64 " skipped (not running)", fi->skipped);
	if (fi->unsent)
		add(t, ", %" PRIu64 " not sent (kill(2) failed)", fi->unsent);
	add(t, "; %" PRIu64 " %s after a fault\n", fi->restarts, plural(fi->restarts, "restart", "restarts"));
}

int fault_summary_text(const struct daemon *d, char *buf, size_t len)
{
	const struct fault_run *r = d->faults;
	struct text t = { buf, len, 0 };
	uint64_t restarts = 0, injected;

	if (len)
		buf[0] = '\0';
	if (!r)
		return 0;
	for (size_t i = 0; i < d->ninst; i++)
		restarts += r->insts[i].restarts;
	/* the events after the plan's, but for firings that did nothing */
	injected = r->seq ? r->seq - 1 - r->skipped + r->suppressed : 0;
	add(&t, "fault summary: seed %" PRIu64 ", %" PRIu64 " %s injected, %" PRIu64 " %s and %" PRIu64
	    " %s after them\n", r->seed, injected, plural(injected, "fault", "faults"), restarts,
	    plural(restarts, "restart", "restarts"), r->give_ups, plural(r->give_ups, "give-up", "give-ups"));
	for (size_t i = 0; i < d->ninst; i++)
		add_instance(&t, &r->insts[i]);
	for (size_t i = 0; i < r->nrelays; i++) {
		struct relay_counts c;
		char name[256];

		relay_describe(r->relays[i], name, sizeof name, &c);
		add(&t, "  edge %s: %" PRIu64 " %s, %" PRIu64 " delayed, %" PRIu64 " dropped, %" PRIu64
		    " duplicated\n", name, c.messages, plural(c.messages, "message", "messages"), c.delayed,
		    c.dropped, c.duplicated);
	}
	return (int)t.at;
}

void fault_summary_print(const struct daemon *d)
{
	char *text, *line, *save = NULL;
	int n;

	if (!d->faults || (n = fault_summary_text(d, NULL, 0)) <= 0 || !(text = malloc((size_t)n + 1)))
		return;
	fault_summary_text(d, text, (size_t)n + 1);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		log_info("%s", line);
	free(text);
}
