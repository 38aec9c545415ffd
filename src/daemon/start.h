/* Starting an instance: the spawn path (SV_DO_SPAWN). What every start
 * of it needs was built when it was made (instance.c); what each start
 * makes afresh is here: the control channel, its secrets, the seccomp
 * listener after exec. A failure before exec is a failed start that says
 * which step failed and why. */
#ifndef PROSPERO_DAEMON_START_H
#define PROSPERO_DAEMON_START_H

struct daemon;
struct instance;

/* Start IN; the tree hears READY (ready: exec) or EXIT (a failed start). */
void start_instance(struct daemon *d, struct instance *in);

#endif
