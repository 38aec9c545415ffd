/* Messages of the control channel (README "Control channel"): one
 * datagram each, lines KEY=VALUE in the sd_notify style. What an actor
 * sends there are sd_notify's assignments, which the daemon also reads
 * from $NOTIFY_SOCKET and itself sends to systemd. Pure: no fd. */
#ifndef PROSPERO_PROTO_CONTROL_H
#define PROSPERO_PROTO_CONTROL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* actor → daemon, and daemon → systemd */
#define PP_READY "READY=1"
#define PP_WATCHDOG "WATCHDOG=1"
#define PP_STOPPING "STOPPING=1"
#define PP_KEY_STATUS "STATUS"		/* STATUS=<one line> */

/* daemon → actor */
#define PP_STOP "STOP=1"		/* SIGTERM follows */
#define PP_KEY_PEER_RESTARTED "PEER_RESTARTED"	/* =<binding NAME> */
#define PP_KEY_INCARNATION "INCARNATION"	/* =<the service's next start> */

/* The longest actor → daemon datagram read, on either channel; a longer
 * one is ignored whole, as systemd ignores one on its notify socket. */
#define PP_NOTIFY_MAX 4096

/* The assignments of one actor → daemon datagram. */
struct pp_notify {
	pid_t pid;		/* the sender, when the kernel told (SO_PASSCRED); else 0 */
	uid_t uid;		/* and its uid, when pid is set */
	bool ready;		/* READY=1 */
	bool stopping;		/* STOPPING=1 */
	bool watchdog;		/* WATCHDOG=1 */
	const char *status;	/* STATUS=..., NUL-terminated inside TEXT, or NULL */
	size_t status_len;	/* its bytes: a NUL the actor sent is text too */
};

/* Parse TEXT (LEN bytes, newline-separated lines, and room for one byte
 * more) into *M, ending each line with a NUL in place; M->pid and
 * M->uid are left alone. Unknown lines are ignored, as sd_notify's
 * receivers do. */
void pp_notify_parse(char *text, size_t len, struct pp_notify *m);
/* The most STATUS= text the daemon keeps, in bytes; a reader cuts what
 * is longer where a UTF-8 character ends (utf8.h). */
#define PP_STATUS_MAX 255
/* The longest message pp_status_format writes, without its NUL. */
#define PP_STATUS_MSG_MAX (sizeof PP_KEY_STATUS "=" - 1 + PP_STATUS_MAX)
/* "STATUS=<STATUS>" at BUF, STATUS cut as the daemon would cut it (at
 * PP_STATUS_MAX, never inside a UTF-8 character): its length, or -1 with
 * errno EINVAL when STATUS is NULL or holds a newline (the whole of it,
 * cut or not), or the message does not fit CAP. */
int pp_status_format(char *buf, size_t cap, const char *status);

/* "PEER_RESTARTED=<NAME>\nINCARNATION=<N>\n" at BUF: its length, or -1
 * with errno EMSGSIZE when it does not fit CAP. */
int pp_peer_restarted_format(char *buf, size_t cap, const char *name, unsigned long incarnation);
/* From MSG (LEN bytes): 1 with the binding's name in NAME (CAP bytes with
 * its NUL) and the incarnation in *INC (0 when absent or not a decimal
 * number that fits); 0, *INC 0, for another message or a name that does
 * not fit or holds a NUL. */
int pp_peer_restarted_parse(const char *msg, size_t len, char *name, size_t cap, unsigned long *inc);

#endif
