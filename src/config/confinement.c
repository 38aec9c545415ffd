/* An actor's confinement keys: seccomp, limits, namespaces, user,
 * capabilities, secrets. Names are checked here so that `check` reports
 * them; the values are resolved again only when the actor starts. */
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sandbox/daemon/names.h"
#include "sandbox/daemon/namespaces.h"
#include "sandbox/daemon/privs.h"
#include "sandbox/secrets/name.h"
#include "src/config/didyoumean.h"
#include "src/config/loader.h"
#include "src/config/paths.h"
#include "src/proto/fds.h"

const char *const ld_sandbox_keys[] = { "profile", "allow", "deny", "on_violation", NULL };

static const struct keyset sandbox_keyset = { ld_sandbox_keys, NULL, NULL, "\"sandbox\": ", NULL };

/* Each "allow"/"deny" entry names a syscall or a @group we know. */
static bool check_syscalls(struct loader *ld, char **list, size_t obj, const char *key)
{
	size_t arr = ld_value_off(ld, obj, key);
	bool ok = true;

	for (size_t i = 0; list && list[i]; i++) {
		const char *s = list[i], *hint;
		struct cfg_pos p;

		/* "" is reported already (ld_get_strings) */
		if (!*s || (s[0] == '@' ? sb_group_members(s) != NULL : sb_syscall_known(s)))
			continue;
		p = ld_pos_of_index(ld, arr, i);
		ok = false;
		if (s[0] == '@') {
			const char *const *groups = sb_group_names();
			size_t ng = ld_count_words(groups);
			char known[512] = "";

			for (size_t g = 0; g < ng; g++)
				snprintf(known + strlen(known), sizeof known - strlen(known), "%s%s",
					 g ? ", " : "", groups[g]);
			if ((hint = dym_closest(s, groups, ng, &ld->oom)))
				ld_error(ld, &p, "\"%s\"[%zu]: unknown syscall group \"%s\" (did you mean \"%s\"?)",
					 key, i, s, hint);
			else
				ld_error(ld, &p, "\"%s\"[%zu]: unknown syscall group \"%s\": the groups are %s",
					 key, i, s, known);
		} else {
			size_t n;
			char **names = sb_syscall_names(&n);

			if (!names)
				ld->oom = true;	/* the error goes on, the load fails */
			if ((hint = dym_closest(s, (const char *const *)names, n, &ld->oom)))
				ld_error(ld, &p, "\"%s\"[%zu]: unknown syscall \"%s\" (did you mean \"%s\"?)",
					 key, i, s, hint);
			else
				ld_error(ld, &p, "\"%s\"[%zu]: unknown syscall \"%s\"", key, i, s);
			sb_names_free(names);
		}
	}
	return ok;
}

/* A "deny" entry the child needs after its filter is loaded, at its
 * place in the array (sb_policy_resolve would say it of the sandbox). */
static bool check_deniable(struct loader *ld, char **list, size_t obj)
{
	size_t arr = ld_value_off(ld, obj, "deny");
	bool ok = true;

	for (size_t i = 0; list && list[i]; i++) {
		struct cfg_pos p;

		if (list[i][0] == '@' || !sb_syscall_is_required(list[i]))
			continue;
		p = ld_pos_of_index(ld, arr, i);
		ld_error(ld, &p, "\"deny\"[%zu]: \"%s\" " SB_CANNOT_BE_DENIED, i, list[i]);
		ok = false;
	}
	return ok;
}

static bool get_sandbox(struct loader *ld, struct cfg_actor *a, json_t *o, size_t obj)
{
	size_t off = ld_value_off(ld, obj, "sandbox");
	json_t *v;
	int w;
	bool ok;

	if (!json_is_object(o)) {
		struct cfg_pos p = ld_pos_of_key(ld, obj, "sandbox", false);
		ld_error(ld, &p, "\"sandbox\": expected an object {\"profile\": ..., \"allow\": [...], \"deny\": [...], \"on_violation\": ...}, got %s",
			 ld_type_name(o));
		return false;
	}
	ok = ld_check_keys(ld, o, off, &sandbox_keyset);
	if ((v = json_object_get(o, "profile"))) {
		if (ld_get_word(ld, v, off, "profile", sb_profile_names(), &w)) {
			a->profile = (enum sb_profile)w;
			if (a->profile == SB_PROFILE_NONE) {
				struct cfg_pos p = ld_pos_of_key(ld, off, "profile", false);
				ld_warning(ld, &p, "actor \"%s\" runs without a seccomp filter (\"profile\": \"none\"): any system call is allowed",
					   a->name ? a->name : "?");
			}
		} else {
			ok = false;
		}
	}
	if ((v = json_object_get(o, "on_violation"))) {
		if (ld_get_word(ld, v, off, "on_violation", sb_on_violation_names(), &w))
			a->on_violation = (enum sb_on_violation)w;
		else
			ok = false;
	}
	/* each name is checked even when another element is no string */
	if ((v = json_object_get(o, "allow"))) {
		ok &= ld_get_strings(ld, v, off, "allow", "system calls or @groups", &a->allow, &a->nallow);
		ok &= check_syscalls(ld, a->allow, off, "allow");
	}
	if ((v = json_object_get(o, "deny"))) {
		ok &= ld_get_strings(ld, v, off, "deny", "system calls or @groups", &a->deny, &a->ndeny);
		ok &= check_syscalls(ld, a->deny, off, "deny");
		ok &= check_deniable(ld, a->deny, off);
	}
	/* the key, not its length: "allow": [] under "none" is as much a
	 * slip as a list, and the filter it asks to widen is not there */
	for (size_t k = 0; a->profile == SB_PROFILE_NONE && k < 2; k++) {
		const char *key = k ? "deny" : "allow";

		if (json_object_get(o, key)) {
			struct cfg_pos p = ld_pos_of_key(ld, off, key, true);
			ld_error(ld, &p, "\"sandbox\": %s", SB_NONE_TAKES_NO_LISTS);
			ok = false;
		}
	}
	for (size_t i = 0; ok && i < a->nallow; i++) {
		if (a->allow[i][0] != '@' && sb_syscall_is_privileged(a->allow[i])) {
			struct cfg_pos p = ld_pos_of_index(ld, ld_value_off(ld, off, "allow"), i);
			ld_warning(ld, &p, "\"allow\": \"%s\" reaches past the actor; no shipped profile allows it",
				   a->allow[i]);
		}
	}
	if (ok && !cfg_policy_memo_find(&ld->policies, a, 0)) {
		/* each mistake is reported above at its place; this one is
		 * kept for whatever sb_policy_resolve refuses that they miss */
		struct sb_policy pol;
		char msg[512];

		if (cfg_actor_policy(a, &pol, msg, sizeof msg) < 0) {
			struct cfg_pos p = ld_pos_of_key(ld, obj, "sandbox", false);
			if (errno == ENOMEM)
				ld->oom = true;
			else
				ld_error(ld, &p, "\"sandbox\": %s", msg);
			return false;
		}
		sb_policy_free(&pol);
		(void)cfg_policy_memo_add(&ld->policies, a, 0);	/* a miss only costs time */
	}
	return ok;
}

/* Indexed by enum sb_cgroup_ctl, as sb_cgroup_limit_name names them. */
const char *const ld_cgroup_limit_keys[] = { "memory", "tasks", "cpu_weight", NULL };

/* A cgroup limit (the instance's cgroup, not setrlimit): memory in bytes,
 * at least a page; tasks at least 1; cpu_weight as cpu.weight takes it. */
static bool get_cgroup_limit(struct loader *ld, struct cfg_actor *a, int c, json_t *v, size_t off)
{
	static const long lo[] = { 4096, 1, SB_CGROUP_WEIGHT_MIN };
	static const long hi[] = { LONG_MAX, SB_CGROUP_TASKS_MAX, SB_CGROUP_WEIGHT_MAX };
	long n;

	if (!ld_get_int(ld, v, off, ld_cgroup_limit_keys[c], lo[c], hi[c], &n))
		return false;
	a->cg_limit_pos[c] = ld_pos_of_key(ld, off, ld_cgroup_limit_keys[c], true);
	if (c == SB_CGROUP_MEMORY)
		a->cg_limits.memory = (uint64_t)n;
	else if (c == SB_CGROUP_PIDS)
		a->cg_limits.tasks = (uint64_t)n;
	else
		a->cg_limits.cpu_weight = (uint32_t)n;
	return true;
}

static int cgroup_limit_index(const char *k)
{
	for (int c = 0; ld_cgroup_limit_keys[c]; c++)
		if (strcmp(k, ld_cgroup_limit_keys[c]) == 0)
			return c;
	return -1;
}

/* The nearest of every limit's name, rlimit or cgroup. */
static const char *limit_hint(struct loader *ld, const char *k)
{
	const char *const *r = sb_rlimit_names();
	size_t nr = ld_count_words(r), nc = ld_count_words(ld_cgroup_limit_keys);
	const char *all[64];
	size_t n = 0;

	for (size_t i = 0; i < nr && n < 60; i++)
		all[n++] = r[i];
	for (size_t i = 0; i < nc; i++)
		all[n++] = ld_cgroup_limit_keys[i];
	return dym_closest(k, all, n, &ld->oom);
}

static bool get_limits(struct loader *ld, struct cfg_actor *a, json_t *o, size_t obj)
{
	size_t off = ld_value_off(ld, obj, "limits");
	const char *k;
	json_t *v;
	bool ok = true;

	if (!json_is_object(o)) {
		struct cfg_pos p = ld_pos_of_key(ld, obj, "limits", false);
		ld_error(ld, &p, "\"limits\": expected an object {\"nofile\": 1024, \"core\": 0, ...}, got %s",
			 ld_type_name(o));
		return false;
	}
	if (!(a->limits = calloc(json_object_size(o) + 1, sizeof *a->limits)) ||
	    !(a->limit_pos = calloc(json_object_size(o) + 1, sizeof *a->limit_pos))) {
		ld->oom = true;
		return false;
	}
	json_object_foreach(o, k, v) {
		struct sb_rlimit lim;
		char msg[256];
		const char *hint;
		int c = cgroup_limit_index(k);
		json_int_t num = 0;

		if (c >= 0) {
			ok &= get_cgroup_limit(ld, a, c, v, off);
			continue;
		}
		if (sb_rlimit_resource(k) < 0 && errno == ENOENT) {
			struct cfg_pos p = ld_pos_of_key(ld, off, k, true);

			if ((hint = limit_hint(ld, k)))
				ld_error(ld, &p, "\"limits\": unknown limit \"%s\" (did you mean \"%s\"?)", k, hint);
			else
				ld_error(ld, &p, "\"limits\": unknown limit \"%s\"", k);
			ok = false;
			continue;
		}
		if (!json_is_string(v) && !ld_int_value(v, &num)) {
			struct cfg_pos p = ld_pos_of_key(ld, off, k, false);
			char what[64];

			sb_rlimit_expected(k, what, sizeof what);
			ld_error(ld, &p, "\"limits\": \"%s\": expected %s, got %s", k, what,
				 ld_type_name(v));
			ok = false;
			continue;
		}
		if (json_is_string(v) && strcmp(json_string_value(v), "infinity") != 0 &&
		    (hint = dym_closest(json_string_value(v), (const char *const[]){ "infinity" }, 1, &ld->oom))) {
			struct cfg_pos p = ld_pos_of_key(ld, off, k, false);
			ld_error(ld, &p, "\"limits\": \"%s\": unknown value \"%s\" (did you mean \"%s\"?)", k,
				 json_string_value(v), hint);
			ok = false;
			continue;
		}
		if (sb_rlimit_parse(k, json_string_value(v), num, &lim, msg, sizeof msg) < 0) {
			struct cfg_pos p = ld_pos_of_key(ld, off, k, false);
			ld_error(ld, &p, "\"limits\": %s", msg);
			ok = false;
			continue;
		}
		a->limit_pos[a->nlimits] = ld_pos_of_key(ld, off, k, false);
		a->limits[a->nlimits++] = lim;
	}
	return ok;
}

static bool get_read_only(struct loader *ld, struct cfg_actor *a, json_t *v, size_t obj)
{
	size_t arr = ld_value_off(ld, obj, "read_only");
	char msg[512];
	bool ok = ld_get_strings(ld, v, obj, "read_only", "absolute paths", &a->read_only, &a->nread_only);

	if (!a->read_only)
		return false;
	/* one path at a time, so that each mistake is reported at its place;
	 * "" is reported already */
	for (size_t i = 0; i < a->nread_only; i++) {
		struct sb_ns ns = { .private_tmp = a->private_tmp,
				    .read_only = (const char *const *)&a->read_only[i], .nread_only = 1 };
		size_t len = strlen(a->read_only[i]);
		int rc;

		if (!len)
			continue;
		/* as written first: "." is refused, and "/file/" is no file;
		 * then "/srv/" and "//srv" become "/srv", equal at a reload,
		 * and "//tmp" is seen to be in /tmp */
		if ((rc = sb_ns_check(&ns, msg, sizeof msg)) == 0) {
			path_clean(a->read_only[i]);
			if (strlen(a->read_only[i]) != len)
				rc = sb_ns_check(&ns, msg, sizeof msg);
		}
		/* as private_tmp's /tmp: its own /dev/shm would cover it */
		if (rc == 0 && a->private_ipc && sb_path_below(a->read_only[i], "/dev/shm")) {
			snprintf(msg, sizeof msg, "read_only \"%s\" is inside /dev/shm, which private_ipc replaces "
				 "(\"private_ipc\": false keeps the host's)", a->read_only[i]);
			rc = -1;
		}
		if (rc < 0) {
			struct cfg_pos p = ld_pos_of_index(ld, arr, i);
			ld_error(ld, &p, "%s", msg);
			ok = false;
		}
	}
	return ok;
}

static bool get_user(struct loader *ld, struct cfg_actor *a, json_t *v, size_t obj)
{
	struct cfg_pos p = ld_pos_of_key(ld, obj, "user", false);
	char msg[256];

	if (!json_is_string(v) || !*json_string_value(v)) {
		ld_error(ld, &p, "\"user\": expected a user name (a non-empty string), got %s",
			 json_is_string(v) ? "an empty string" : ld_type_name(v));
		return false;
	}
	if (!(a->user = strdup(json_string_value(v)))) {
		ld->oom = true;
		return false;
	}
	if (sb_user_lookup(a->user, &a->uid, &a->gid, &a->groups, &a->ngroups, msg, sizeof msg) < 0) {
		if (errno == ENOMEM)
			ld->oom = true;
		else
			ld_error(ld, &p, "\"user\": %s", msg);
		return false;
	}
	a->user_pos = p;
	if (a->uid == 0)
		ld_warning(ld, &p, "actor \"%s\" runs as root (\"user\": \"%s\"): it can signal, stop or "
			   "trace the daemon and every other actor, and read their secrets",
			   a->name ? a->name : "?", a->user);
	return true;
}

/* The capability nearest to a misspelt NAME, written as "CAP_NET_RAW". */
static bool cap_hint(struct loader *ld, const char *name, char *out, size_t len)
{
	char word[64];
	size_t n;
	char **names = sb_cap_names(&n);
	const char *hint;
	bool found;

	if (!names) {
		ld->oom = true;
		return false;
	}
	sb_cap_spelling(name, word, sizeof word);
	if ((found = (hint = dym_closest(word, (const char *const *)names, n, &ld->oom)) != NULL))
		snprintf(out, len, "%s", hint);
	sb_names_free(names);
	return found;
}

static bool get_capabilities(struct loader *ld, struct cfg_actor *a, json_t *v, size_t obj)
{
	size_t n = 0, arr = ld_value_off(ld, obj, "capabilities");
	char msg[256];
	bool ok = ld_get_strings(ld, v, obj, "capabilities", "capability names", &a->capabilities, &n);

	if (!a->capabilities)
		return false;
	a->caps_pos = ld_pos_of_key(ld, obj, "capabilities", false);
	for (size_t i = 0; i < n; i++) {
		uint64_t bit;

		if (!*a->capabilities[i])
			continue;	/* reported already */
		if (sb_caps_parse((const char *const *)&a->capabilities[i], 1, &bit, msg, sizeof msg) < 0) {
			struct cfg_pos p = ld_pos_of_index(ld, arr, i);
			char hint[64];

			if (cap_hint(ld, a->capabilities[i], hint, sizeof hint))
				ld_error(ld, &p, "\"capabilities\"[%zu]: %s (did you mean \"%s\"?)", i, msg, hint);
			else
				ld_error(ld, &p, "\"capabilities\"[%zu]: %s", i, msg);
			ok = false;
			continue;
		}
		a->keep_caps |= bit;
	}
	return ok;
}

struct listed {
	const char *name;
	size_t index;
	bool again;
};

static int by_name_then_index(const void *a, const void *b)
{
	const struct listed *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : x->index < y->index ? -1 : x->index > y->index;
}

static int by_index(const void *a, const void *b)
{
	const struct listed *x = a, *y = b;

	return x->index < y->index ? -1 : x->index > y->index;
}

/* A secret listed again, at its later places; sorted, as a list of
 * thousands compared pair by pair would hold a reload for seconds, and
 * reported in the list's order, which the positions are found in.
 * Names empty or invalid are reported already. */
static bool check_secrets_once(struct loader *ld, char **names, size_t n, size_t arr)
{
	struct listed *sorted = malloc((n ? n : 1) * sizeof *sorted);
	size_t m = 0;
	bool ok = true;

	if (!sorted) {
		ld->oom = true;
		return false;
	}
	for (size_t i = 0; i < n; i++)
		if (*names[i] && sb_secret_name_valid(names[i]))
			sorted[m++] = (struct listed){ names[i], i, false };
	qsort(sorted, m, sizeof *sorted, by_name_then_index);
	for (size_t k = 1; k < m; k++)
		sorted[k].again = strcmp(sorted[k].name, sorted[k - 1].name) == 0;
	qsort(sorted, m, sizeof *sorted, by_index);
	for (size_t k = 0; k < m; k++)
		if (sorted[k].again) {
			struct cfg_pos p = ld_pos_of_index(ld, arr, sorted[k].index);

			ld_error(ld, &p, "\"secrets\"[%zu]: \"%s\" is already listed", sorted[k].index,
				 sorted[k].name);
			ok = false;
		}
	free(sorted);
	return ok;
}

static bool get_secrets(struct loader *ld, struct cfg_actor *a, json_t *v, size_t obj)
{
	size_t arr = ld_value_off(ld, obj, "secrets");
	bool ok = ld_get_strings(ld, v, obj, "secrets", "secret names", &a->secrets, &a->nsecrets);

	if (!a->secrets)
		return false;
	for (size_t i = 0; i < a->nsecrets; i++) {
		if (!*a->secrets[i])
			continue;	/* reported already */
		if (!sb_secret_name_valid(a->secrets[i])) {
			struct cfg_pos p = ld_pos_of_index(ld, arr, i);

			ld_error(ld, &p, "\"secrets\"[%zu]: invalid secret name \"%s\": use a letter or '_', then up to %d letters, digits, '_', '.' or '-'",
				 i, a->secrets[i], SB_SECRET_NAME_MAX - 1);
			ok = false;
		}
	}
	return check_secrets_once(ld, a->secrets, a->nsecrets, arr) && ok;
}

static bool name_is(const char *name, size_t len, const char *var)
{
	return len == strlen(var) && memcmp(name, var, len) == 0;
}

bool cfg_env_daemon_sets(const struct cfg_actor *a, const char *name, size_t len)
{
	static const char *const always[] = { PP_ENV_NOTIFY_SOCKET, PP_ENV_ACTOR, PP_ENV_INSTANCE,
					      PP_ENV_FDS, PP_ENV_FDNAMES };

	for (size_t i = 0; i < sizeof always / sizeof *always; i++)
		if (name_is(name, len, always[i]))
			return true;
	return (a->nsecrets && name_is(name, len, PP_ENV_CREDENTIALS_DIRECTORY)) ||
	       (a->state && name_is(name, len, PP_ENV_STATE_DIRECTORY));
}

/* "env" names the variable NAME (LEN bytes). */
static bool env_names(const struct cfg_actor *a, const char *name, size_t len)
{
	for (char **e = a->env; e && *e; e++)
		if (strncmp(*e, name, len) == 0 && (*e)[len] == '=')
			return true;
	return false;
}

/* A secret the daemon cannot put in the environment is an error; one
 * "env" sets too is most likely a slip, and the secret's value wins. */
void ld_check_secrets_env(struct loader *ld, const struct cfg_actor *a, size_t off)
{
	size_t arr;

	if (!a->secrets_env || !a->nsecrets)
		return;
	arr = ld_value_off(ld, off, "secrets");
	for (size_t i = 0; i < a->nsecrets; i++) {
		const char *name = a->secrets[i];
		size_t len = strlen(name);
		/* "env" may set WATCHDOG_USEC, as systemd's Environment= may; a
		 * secret is no setting the operator reads in the config */
		bool daemons = cfg_env_daemon_sets(a, name, len) ||
			       (a->watchdog_ms && name_is(name, len, PP_ENV_WATCHDOG_USEC));
		struct cfg_pos p;

		if (!daemons && !env_names(a, name, len))
			continue;
		p = ld_pos_of_index(ld, arr, i);
		if (daemons)
			ld_error(ld, &p, "\"secrets\"[%zu]: \"%s\" cannot go in the environment (\"secrets_env\": true): "
				 "the daemon sets %s itself; rename the secret", i, name, name);
		else
			ld_warning(ld, &p, "\"secrets\"[%zu]: \"%s\" is set by \"env\" too: with \"secrets_env\" the "
				   "secret's value replaces it", i, name);
	}
}

/* The confinement keys of an actor, after its other keys. */
void ld_get_confinement(struct loader *ld, struct cfg_actor *a, json_t *o, size_t off)
{
	json_t *v;

	if ((v = json_object_get(o, "sandbox")))
		get_sandbox(ld, a, v, off);
	if ((v = json_object_get(o, "limits")))
		get_limits(ld, a, v, off);
	if ((v = json_object_get(o, "private_tmp")) && ld_get_bool(ld, v, off, "private_tmp", &a->private_tmp))
		a->private_tmp_pos = ld_pos_of_key(ld, off, "private_tmp", false);
	/* chdir comes before the mounts: it would work in the host's /tmp */
	if (a->private_tmp && sb_ns_in_tmp(a->cwd)) {
		const char *tmp = sb_ns_tmp_of(a->cwd);

		ld_warning(ld, &a->private_tmp_pos, "actor \"%s\": \"private_tmp\" gives it a %s of its own, but "
			   "its cwd %s stays in the host's: give it a \"cwd\" outside %s", a->name, tmp, a->cwd, tmp);
	}
	if ((v = json_object_get(o, "private_network")) &&
	    ld_get_bool(ld, v, off, "private_network", &a->private_network))
		a->private_network_pos = ld_pos_of_key(ld, off, "private_network", false);
	if ((v = json_object_get(o, "private_ipc")))
		ld_get_bool(ld, v, off, "private_ipc", &a->private_ipc);
	if ((v = json_object_get(o, "read_only"))) {
		a->read_only_pos = ld_pos_of_key(ld, off, "read_only", false);
		get_read_only(ld, a, v, off);
	}
	if ((v = json_object_get(o, "user")))
		get_user(ld, a, v, off);
	if ((v = json_object_get(o, "capabilities")))
		get_capabilities(ld, a, v, off);
	if ((v = json_object_get(o, "secrets")))
		get_secrets(ld, a, v, off);
	if ((v = json_object_get(o, "secrets_env")) && ld_get_bool(ld, v, off, "secrets_env", &a->secrets_env) &&
	    a->secrets_env) {
		struct cfg_pos p = ld_pos_of_key(ld, off, "secrets_env", false);
		ld_warning(ld, &p, "actor \"%s\" gets its secrets in the environment too (\"secrets_env\": true): every process it starts inherits them",
			   a->name ? a->name : "?");
	}
}

int cfg_actor_policy(const struct cfg_actor *a, struct sb_policy *out, char *errmsg, size_t errlen)
{
	struct sb_spec spec = {
		.profile = a->profile, .on_violation = a->on_violation,
		.allow = (const char *const *)a->allow, .nallow = a->nallow,
		.deny = (const char *const *)a->deny, .ndeny = a->ndeny,
	};
	const char **allow = NULL;
	int rc;

	/* its state directory works under every profile, without widening
	 * "minimal" for the actors that keep no state */
	if (a->state && a->profile != SB_PROFILE_NONE) {
		if (!(allow = calloc(a->nallow + 1, sizeof *allow))) {
			snprintf(errmsg, errlen, "out of memory");
			return -1;
		}
		for (size_t i = 0; i < a->nallow; i++)
			allow[i] = a->allow[i];
		allow[a->nallow] = CFG_STATE_GROUP;
		spec.allow = allow;
		spec.nallow = a->nallow + 1;
	}
	rc = sb_policy_resolve(&spec, out, errmsg, errlen);
	free(allow);
	return rc;
}
