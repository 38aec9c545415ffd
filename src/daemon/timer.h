/* Timers that count from the moment they are armed. libev counts a
 * timer from its clock as read at the start of the loop turn (ev_now),
 * and one turn can be long: the boot starts every exec-ready actor in
 * one. A start timeout, a watchdog or
 * a SIGKILL after SIGTERM armed late in such a turn would run out that
 * much early. These read the clock first: one clock read an arming. */
#ifndef PROSPERO_DAEMON_TIMER_H
#define PROSPERO_DAEMON_TIMER_H

#include <ev.h>

/* (Re)arm W to fire once, AFTER seconds from now. */
void timer_arm(struct ev_loop *loop, ev_timer *w, double after);
/* ev_timer_again from now: W's repeat from now, or stopped if it is 0. */
void timer_again(struct ev_loop *loop, ev_timer *w);

#endif
