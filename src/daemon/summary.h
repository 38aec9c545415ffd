/* The tree's one-line summary for systemd's STATUS= ("6 actors running,
 * 2 restarts in the last minute") and the restart count behind it: pure,
 * the clock passed in. */
#ifndef PROSPERO_DAEMON_SUMMARY_H
#define PROSPERO_DAEMON_SUMMARY_H

#include <stddef.h>
#include <stdint.h>

#define SUMMARY_WINDOW_S 60

/* Restarts per second over the last minute: fixed size, whatever the rate. */
struct restart_window {
	int64_t sec[SUMMARY_WINDOW_S];	/* which second each slot counts; -1: none */
	unsigned count[SUMMARY_WINDOW_S];
};

void rw_init(struct restart_window *w);
void rw_add(struct restart_window *w, int64_t now_ms);
/* Restarts within the minute before NOW_MS. */
unsigned rw_count(const struct restart_window *w, int64_t now_ms);

/* "6 actors running", "5 of 6 actors running", then ", 2 restarts in the
 * last minute" when there were any. */
void summary_text(char *buf, size_t len, unsigned running, unsigned actors, unsigned restarts);

#endif
