/* Operator actions on a running tree, fed as SV_EV_OPERATOR events.
 *
 * They follow OTP's supervisor:terminate_child/2 and restart_child/2: a
 * stopped child keeps its place and stays down (its supervisor does not
 * restart it) until it is started; a one_for_all or rest_for_one restart
 * caused by a sibling starts it again with the others, as OTP's
 * restart_multiple_children/3 starts every child it terminated, including
 * one whose pid terminate_child had set to undefined; a temporary child
 * stopped by the operator is forgotten until started, as OTP deletes it.
 * A restart is a stop then a start of that node alone. Starting is
 * OTP's restart_child: if the start fails (the node dies before it is
 * ready) the node stays down, and nothing is counted.
 *
 * None of them counts toward intensity. Each emits one SV_REPORT_OPERATOR
 * before what it causes; stops it causes read SV_WHY_OPERATOR. A kill only
 * sends the signal: the exit it causes is an ordinary exit and is handled
 * (and counted) like any other, as an exit(Pid, kill) from an Erlang
 * shell is. */
#ifndef PROSPERO_OPERATOR_H
#define PROSPERO_OPERATOR_H

#include "supervisor/tree.h"

/* 0 if op on n can be carried out now, else a negative errno:
 *   -EINVAL    no node, the root (stop the daemon or reload instead), a
 *              kill of a supervisor, a signal out of range, or
 *              SV_OP_RELOAD (see reload.h)
 *   -ESRCH     its supervisor, or one above it, is not running; a reload
 *              is removing it; or, for a kill, the actor has no process
 *   -EALREADY  stop of a node already stopped by the operator; start of a
 *              node that is running or about to start
 *   -EBUSY     start of a node that is still stopping
 * sv_handle() ignores an SV_EV_OPERATOR this refuses. */
int sv_operator_check(const struct sv_tree *t, enum sv_op op, const struct sv_node *n, int sig);

const char *sv_op_name(enum sv_op op);

#endif
