/* Comparing two actor specs; see diff.h. */
#include <stdbool.h>
#include <string.h>

#include "src/config/diff.h"

static bool str_eq(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

/* NULL-terminated vectors; NULL is the empty one. */
static bool strv_eq(char *const *a, char *const *b)
{
	size_t i = 0;

	for (; a && b && a[i] && b[i]; i++)
		if (strcmp(a[i], b[i]) != 0)
			return false;
	return !(a && a[i]) && !(b && b[i]);
}

static bool has(char *const *v, const char *s)
{
	for (; v && *v; v++)
		if (strcmp(*v, s) == 0)
			return true;
	return false;
}

/* The same strings in any order, counted once, for lists that are sets:
 * "env", a JSON object whose keys are in no order that counts;
 * "secrets", names; "allow" and "deny", whose filter is the same whatever
 * the order or a repeat; "read_only", each path made read-only alike. */
static bool set_eq(char *const *a, char *const *b)
{
	for (char *const *p = a; p && *p; p++)
		if (!has(b, *p))
			return false;
	for (char *const *p = b; p && *p; p++)
		if (!has(a, *p))
			return false;
	return true;
}

/* rlimits and the cgroup's: both are set up as an instance starts */
static bool limits_eq(const struct cfg_actor *a, const struct cfg_actor *b)
{
	if (a->cg_limits.memory != b->cg_limits.memory || a->cg_limits.tasks != b->cg_limits.tasks ||
	    a->cg_limits.cpu_weight != b->cg_limits.cpu_weight || a->nlimits != b->nlimits)
		return false;
	/* an object: one entry per resource, in whatever order written */
	for (size_t i = 0; i < a->nlimits; i++) {
		size_t j = 0;

		while (j < b->nlimits && b->limits[j].resource != a->limits[i].resource)
			j++;
		if (j == b->nlimits || a->limits[i].lim.rlim_cur != b->limits[j].lim.rlim_cur ||
		    a->limits[i].lim.rlim_max != b->limits[j].lim.rlim_max)
			return false;
	}
	return true;
}

static bool user_eq(const struct cfg_actor *a, const struct cfg_actor *b)
{
	if (!str_eq(a->user, b->user))
		return false;
	if (!a->user)
		return true;	/* dynamic: ids are the daemon's to give */
	return a->uid == b->uid && a->gid == b->gid && a->ngroups == b->ngroups &&
	       (!a->ngroups || memcmp(a->groups, b->groups, a->ngroups * sizeof *a->groups) == 0);
}

static bool bindings_eq(const struct cfg_actor *a, const struct cfg_actor *b)
{
	if (a->nbindings != b->nbindings)
		return false;
	for (size_t i = 0; i < a->nbindings; i++)
		if (!str_eq(a->bindings[i].name, b->bindings[i].name) ||
		    !str_eq(a->bindings[i].service->name, b->bindings[i].service->name))
			return false;
	return true;
}

static bool queue_eq(const struct cfg_queue *a, const struct cfg_queue *b)
{
	if (!a || !b)
		return a == b;
	return memcmp(&a->opt, &b->opt, sizeof a->opt) == 0 &&
	       str_eq(a->consumer_name, b->consumer_name) &&
	       str_eq(a->dead_letter_name, b->dead_letter_name);
}

/* What was written as "exec". A queue's options are made from its
 * settings (queue.c), which queue_eq compares: there only the program
 * counts, so a setting changed is "queue" alone. */
static bool exec_eq(const struct cfg_actor *a, const struct cfg_actor *b)
{
	if (!str_eq(a->path, b->path))
		return false;
	if (a->queue && b->queue)
		return str_eq(a->argv ? a->argv[0] : NULL, b->argv ? b->argv[0] : NULL);
	return strv_eq(a->argv, b->argv);
}

static bool backoff_eq(const struct sv_backoff *a, const struct sv_backoff *b)
{
	return a->initial_ms == b->initial_ms && a->max_ms == b->max_ms &&
	       a->reset_after_ms == b->reset_after_ms;
}

static bool sandbox_eq(const struct cfg_actor *a, const struct cfg_actor *b)
{
	return a->profile == b->profile && a->on_violation == b->on_violation &&
	       set_eq(a->allow, b->allow) && set_eq(a->deny, b->deny);
}

static bool namespaces_eq(const struct cfg_actor *a, const struct cfg_actor *b)
{
	return a->private_tmp == b->private_tmp && a->private_network == b->private_network &&
	       a->private_ipc == b->private_ipc && set_eq(a->read_only, b->read_only);
}

/* Every field of struct cfg_actor is compared here or is no part of what
 * the actor runs as (name, id, order, where it is written, names beside
 * their value); tests/unit/check_config_diff.c lists each and fails on a
 * field it does not know. */
uint32_t cfg_actor_diff(const struct cfg_actor *a, const struct cfg_actor *b)
{
	uint32_t d = 0;

	d |= exec_eq(a, b) ? 0 : CFG_F_EXEC;
	d |= set_eq(a->env, b->env) ? 0 : CFG_F_ENV;
	d |= str_eq(a->cwd, b->cwd) ? 0 : CFG_F_CWD;
	d |= a->restart == b->restart ? 0 : CFG_F_RESTART;
	d |= a->shutdown_ms == b->shutdown_ms ? 0 : CFG_F_SHUTDOWN;
	d |= a->ready == b->ready ? 0 : CFG_F_READY;
	d |= a->start_timeout_ms == b->start_timeout_ms ? 0 : CFG_F_START_TIMEOUT;
	d |= a->instances == b->instances ? 0 : CFG_F_INSTANCES;
	d |= sandbox_eq(a, b) ? 0 : CFG_F_SANDBOX;
	d |= limits_eq(a, b) ? 0 : CFG_F_LIMITS;
	d |= namespaces_eq(a, b) ? 0 : CFG_F_NAMESPACES;
	d |= user_eq(a, b) ? 0 : CFG_F_USER;
	d |= a->keep_caps == b->keep_caps ? 0 : CFG_F_CAPABILITIES;
	d |= set_eq(a->secrets, b->secrets) && a->secrets_env == b->secrets_env ? 0 : CFG_F_SECRETS;
	d |= bindings_eq(a, b) ? 0 : CFG_F_BINDINGS;
	d |= a->watchdog_ms == b->watchdog_ms ? 0 : CFG_F_WATCHDOG;
	d |= a->state == b->state ? 0 : CFG_F_STATE;
	d |= queue_eq(a->queue, b->queue) ? 0 : CFG_F_QUEUE;
	d |= backoff_eq(&a->backoff, &b->backoff) ? 0 : CFG_F_BACKOFF;
	return d;
}

const char *cfg_field_name(uint32_t field)
{
	static const char *const names[] = {
		"exec", "env", "cwd", "restart", "shutdown", "ready", "start_timeout", "instances",
		"sandbox", "limits", "namespaces", "user", "capabilities", "secrets", "bindings",
		"watchdog", "state", "queue", "backoff",
	};

	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		if (field & (1u << i))
			return names[i];
	return NULL;
}
