/* See summary.h. */
#include <stdio.h>

#include "src/daemon/summary.h"
#include "src/proto/plural.h"

void rw_init(struct restart_window *w)
{
	for (int i = 0; i < SUMMARY_WINDOW_S; i++) {
		w->sec[i] = -1;
		w->count[i] = 0;
	}
}

void rw_add(struct restart_window *w, int64_t now_ms)
{
	int64_t s = now_ms / 1000;
	int slot = (int)(s % SUMMARY_WINDOW_S);

	if (w->sec[slot] != s) {	/* a minute old: reused */
		w->sec[slot] = s;
		w->count[slot] = 0;
	}
	w->count[slot]++;
}

unsigned rw_count(const struct restart_window *w, int64_t now_ms)
{
	int64_t s = now_ms / 1000;
	unsigned n = 0;

	for (int i = 0; i < SUMMARY_WINDOW_S; i++)
		if (w->sec[i] >= 0 && w->sec[i] > s - SUMMARY_WINDOW_S && w->sec[i] <= s)
			n += w->count[i];
	return n;
}

void summary_text(char *buf, size_t len, unsigned running, unsigned actors, unsigned restarts)
{
	int n;

	if (running == actors)
		n = snprintf(buf, len, "%u %s running", actors, plural(actors, "actor", "actors"));
	else
		n = snprintf(buf, len, "%u of %u %s running", running, actors, plural(actors, "actor", "actors"));
	if (restarts && n > 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, ", %u %s in the last minute", restarts,
			 plural(restarts, "restart", "restarts"));
}
