/* See view.h. */
#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "src/cli/view.h"

int view_status_exit(const struct ctl_status *st)
{
	for (size_t i = 0; i < st->n; i++)
		if (st->nodes[i].should_run && st->nodes[i].state != CTL_STATE_READY)
			return 3;
	return 0;
}

/* "3 h 2 min", "4 min 10 s", "12 s", "250 ms" */
static void duration(char *buf, size_t len, int64_t ms)
{
	int64_t s = ms / 1000;

	if (s >= 86400)
		snprintf(buf, len, "%" PRId64 " d %" PRId64 " h", s / 86400, s % 86400 / 3600);
	else if (s >= 3600)
		snprintf(buf, len, "%" PRId64 " h %" PRId64 " min", s / 3600, s % 3600 / 60);
	else if (s >= 60)
		snprintf(buf, len, "%" PRId64 " min %" PRId64 " s", s / 60, s % 60);
	else if (s >= 1)
		snprintf(buf, len, "%" PRId64 " s", s);
	else
		snprintf(buf, len, "%" PRId64 " ms", ms);
}

static void print_supervisor(FILE *out, const struct ctl_node *n)
{
	fprintf(out, " %s %u/%u in %" PRId64 " s", n->strategy, n->window_restarts, n->intensity,
		n->period_ms / 1000);
}

static void print_actor(FILE *out, const struct ctl_node *n)
{
	char buf[64];

	if (n->pid > 0)
		fprintf(out, " pid %d", n->pid);
	if (n->uptime_ms >= 0) {
		duration(buf, sizeof buf, n->uptime_ms);
		fprintf(out, " up %s", buf);
	}
	fprintf(out, " restarts %u", n->restarts);
	if (n->uid >= 0)
		fprintf(out, " uid %" PRId64, n->uid);
	if (n->profile[0])
		fprintf(out, " profile %s", n->profile);
	if (n->memory_bytes >= 0)
		fprintf(out, " mem %.1f MiB", (double)n->memory_bytes / (1 << 20));
	if (n->cpu_ms >= 0)
		fprintf(out, " cpu %.2f s", (double)n->cpu_ms / 1000);
	if (n->status[0])
		fprintf(out, " status \"%s\"", n->status);
}

void view_status(FILE *out, const struct ctl_status *st)
{
	for (size_t i = 0; i < st->n; i++) {
		const struct ctl_node *n = &st->nodes[i];

		fprintf(out, "%*s%s  %s", (int)n->depth * 2, "", n->name, ctl_state_name(n->state));
		if (n->state == CTL_STATE_BACKING_OFF) {
			/* whole milliseconds, as the daemon keeps it (a double
			 * holds .324 as .32399...) */
			long long ms = (long long)(n->backoff_until * 1000.0 + 0.5);
			time_t t = (time_t)(ms / 1000);
			char when[32];
			struct tm tm;

			strftime(when, sizeof when, "%H:%M:%S", localtime_r(&t, &tm));
			fprintf(out, " until %s.%03d", when, (int)(ms % 1000));
		}
		if (n->supervisor)
			print_supervisor(out, n);
		else
			print_actor(out, n);
		if (n->last_exit[0])
			fprintf(out, " last: %s", n->last_exit);
		fputc('\n', out);
	}
	if (st->faults)
		fputs(st->faults, out);
}
