/* Starting an instance: the spawn path (SV_DO_SPAWN). What every start
 * of it needs was built when it was made (instance.c); what each start
 * makes afresh is here: the control channel, its secrets, the seccomp
 * listener after exec. A failure before exec is a failed start that says
 * which step failed and why. */
#ifndef PROSPERO_DAEMON_START_H
#define PROSPERO_DAEMON_START_H

struct daemon;
struct instance;

/* Start IN; the tree hears READY (ready: exec) or EXIT (a failed start).
 * READY comes at the loop's next turn, after what it has to read: a run
 * of such starts (a boot) leaves room for requests between two of them,
 * as one that waits for READY=1 does. */
void start_instance(struct daemon *d, struct instance *in);
/* IN's ready_soon watcher, as instance_new sets it up. */
void start_ready_soon_init(struct instance *in);
/* A READY still due for IN's run is told now: before its end is. */
void start_ready_now(struct daemon *d, struct instance *in);

#endif
