/* See timer.h. */
#include "src/daemon/timer.h"

void timer_arm(struct ev_loop *loop, ev_timer *w, double after)
{
	ev_timer_stop(loop, w);
	ev_now_update(loop);
	ev_timer_set(w, after, 0.);
	ev_timer_start(loop, w);
}

void timer_again(struct ev_loop *loop, ev_timer *w)
{
	ev_now_update(loop);
	ev_timer_again(loop, w);
}
