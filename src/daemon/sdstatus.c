/* See sdstatus.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/daemon/context.h"
#include "src/daemon/sdstatus.h"
#include "src/daemon/timer.h"
#include "src/proto/control.h"
#include "src/proto/fds.h"
#include "src/proto/sdnotify.h"
#include "supervisor/status.h"

static void send_summary(struct daemon *d, int64_t now)
{
	struct sdstatus *s = &d->sdstatus;
	struct sv_summary sum;
	unsigned restarts = rw_count(&s->restarts, now);
	char text[sizeof s->last], msg[sizeof s->last + 16];
	double again = 0;

	sv_status_summary(d->tree, &sum);
	summary_text(text, sizeof text, sum.actors_up, sum.actors, restarts);
	if (strcmp(text, s->last) != 0) {
		if (now - s->last_sent < 1000) {	/* too soon: once the second is up */
			again = (double)(1000 - (now - s->last_sent)) / 1000.0;
		} else {
			snprintf(msg, sizeof msg, PP_KEY_STATUS "=%s", text);
			pp_sd_notify(msg);
			memcpy(s->last, text, sizeof text);
			s->last_sent = now;
		}
	}
	if (again == 0 && restarts)	/* they age out: look again in a second */
		again = 1.0;
	ev_timer_stop(d->loop, &s->timer);
	if (again > 0)
		timer_arm(d->loop, &s->timer, again);
}

static void on_timer(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct daemon *d = w->data;

	send_summary(d, daemon_now_ms());
}

void sdstatus_init(struct daemon *d)
{
	struct sdstatus *s = &d->sdstatus;
	const char *sock = getenv(PP_ENV_NOTIFY_SOCKET);

	s->enabled = sock && *sock;
	s->last_sent = -1000;
	s->last[0] = 0;
	rw_init(&s->restarts);
	ev_timer_init(&s->timer, on_timer, 0., 0.);
	s->timer.data = d;
}

void sdstatus_fini(struct daemon *d)
{
	if (d->loop)
		ev_timer_stop(d->loop, &d->sdstatus.timer);
}

void sdstatus_restart(struct daemon *d)
{
	rw_add(&d->sdstatus.restarts, daemon_now_ms());
}

void sdstatus_poke(struct daemon *d)
{
	struct sdstatus *s = &d->sdstatus;

	/* while the timer runs it will send the latest; before READY=1 the
	 * boot is the story */
	if (!s->enabled || !s->ready || ev_is_active(&s->timer) || d->tree->down)
		return;
	send_summary(d, daemon_now_ms());
}
