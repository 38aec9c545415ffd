/* System-call faults: which call, whose, which errno, and which of its
 * calls fail. The daemon routes only the named calls of the targets to
 * its seccomp listener, which sees the six arguments as integers: an
 * argument filter compares one of them, never memory they point to. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sandbox/daemon/names.h"
#include "sandbox/seccomp/profiles.h"
#include "src/config/didyoumean.h"
#include "src/config/faults_loader.h"
#include "src/faults/names.h"

const char *const fl_arg_keys[] = { "index", "equals", "mask", NULL };

static bool get_name(struct floader *fl, struct fault_syscall *s, json_t *v, size_t obj)
{
	const char *name = json_string_value(v), *hint = NULL;
	struct cfg_pos p = ld_pos_of_key(&fl->ld, obj, "syscall", false);
	size_t n;
	char **names;
	bool known = false;

	if (!name) {
		ld_error(&fl->ld, &p, "\"syscall\": expected a system call name such as \"write\", got %s",
			 ld_type_name(v));
		return false;
	}
	if (!(names = sb_syscall_names(&n))) {
		fl->ld.oom = true;
		return false;
	}
	for (size_t i = 0; i < n && !known; i++)
		known = strcmp(names[i], name) == 0;
	/* names are lower case: "WRITE" is "write" misspelt */
	for (size_t i = 0; i < n && !known && !hint; i++)
		if (strcasecmp(names[i], name) == 0)
			hint = names[i];
	if (!known && (hint || (hint = dym_closest(name, (const char *const *)names, n, &fl->ld.oom))))
		ld_error(&fl->ld, &p, "\"syscall\": unknown system call \"%s\" (did you mean \"%s\"?)", name, hint);
	else if (!known)
		ld_error(&fl->ld, &p, "\"syscall\": unknown system call \"%s\"", name);
	else if (sb_syscall_is_required(name))
		ld_error(&fl->ld, &p, "\"syscall\": \"%s\" cannot be made to fail: each actor's start makes it after the seccomp filter is loaded, before the daemon could answer",
			 name);
	else
		snprintf(s->name, sizeof s->name, "%s", name);
	sb_names_free(names);
	return known && s->name[0];
}

static void get_errno(struct floader *fl, struct fault_syscall *s, json_t *v, size_t obj)
{
	const char *names[FAULT_ERRNO_LIMIT], *e = json_string_value(v), *hint;
	struct cfg_pos p = ld_pos_of_key(&fl->ld, obj, "errno", false);
	size_t n;

	if (!e) {
		ld_error(&fl->ld, &p, "\"errno\": expected an errno name such as \"EIO\", got %s", ld_type_name(v));
		return;
	}
	if ((s->err = fault_errno_parse(e)) > 0)
		return;
	n = fault_errno_names(names);
	if ((hint = fl_respelt(e, "", names, n)) || (hint = dym_closest(e, names, n, &fl->ld.oom)))
		ld_error(&fl->ld, &p, "\"errno\": unknown errno \"%s\" (did you mean \"%s\"?)", e, hint);
	else
		ld_error(&fl->ld, &p, "\"errno\": unknown errno \"%s\": expected a name from errno(3), such as \"EIO\" or \"ENOSPC\"",
			 e);
}

/* "arg": {"index": I, "equals": V[, "mask": M]}: (args[I] & M) == V. A
 * negative V without a mask is an int argument (an fd, AT_FDCWD): only
 * the low 32 bits are compared, since the upper half of an int in a
 * 64-bit register is not the caller's. */
static void get_arg(struct floader *fl, struct fault_syscall *s, json_t *v, size_t obj)
{
	static const struct keyset ks = { fl_arg_keys, NULL, NULL, "\"arg\": ", NULL };
	size_t off = ld_value_off(&fl->ld, obj, "arg");
	json_t *mask = json_object_get(v, "mask");
	long index, equals, m = -1;
	struct cfg_pos p = ld_pos(&fl->ld, off);
	bool ok;

	if (!json_is_object(v)) {
		ld_error(&fl->ld, &p, "\"arg\": expected {\"index\": 0-5, \"equals\": N}, got %s", ld_type_name(v));
		return;
	}
	ld_check_keys(&fl->ld, v, off, &ks);
	if (!json_object_get(v, "index") || !json_object_get(v, "equals")) {
		ld_error(&fl->ld, &p, "\"arg\": needs \"index\" (0-5: which argument) and \"equals\" (its value)");
		return;
	}
	/* all three read, so that each mistake is reported */
	ok = ld_get_int(&fl->ld, json_object_get(v, "index"), off, "index", 0, 5, &index);
	ok &= ld_get_int(&fl->ld, json_object_get(v, "equals"), off, "equals", LONG_MIN, LONG_MAX, &equals);
	if (mask)
		ok &= ld_get_int(&fl->ld, mask, off, "mask", 0, LONG_MAX, &m);
	if (!ok)
		return;
	if (mask && (equals < 0 || ((uint64_t)equals & ~(uint64_t)m))) {
		p = ld_pos_of_key(&fl->ld, off, "equals", false);
		ld_error(&fl->ld, &p, "\"arg\": \"equals\" %ld has bits outside \"mask\" %ld: no call would match", equals, m);
		return;
	}
	s->has_arg = true;
	s->arg_index = (unsigned)index;
	s->arg_mask = mask ? (uint64_t)m : equals < 0 ? UINT32_MAX : UINT64_MAX;
	s->arg_value = (uint64_t)equals & s->arg_mask;
}

/* A call the target's profile denies never reaches the listener as a
 * call that could fail: the actor is killed (or gets EPERM) first. */
static void check_profiles(struct floader *fl, const struct fault *f, size_t obj)
{
	struct cfg_pos p = ld_pos_of_key(&fl->ld, obj, "syscall", false);
	const struct cfg_actor *first = NULL;
	char msg[256];
	size_t denied = 0;

	for (size_t i = 0; i < f->ntargets && !fl->ld.oom; i++) {
		const struct cfg_actor *a = fl->cfg->actors[f->targets[i].actor];
		const struct sb_rule *r;
		struct sb_policy pol;

		if (i > 0 && f->targets[i - 1].actor == a->id)
			continue;	/* sorted: its instances are neighbours */
		if (cfg_actor_policy(a, &pol, msg, sizeof msg) < 0) {
			fl->ld.oom = true;
			return;
		}
		r = sb_policy_find(&pol, f->u.sys.name);
		if (pol.profile != SB_PROFILE_NONE && (!r || r->cond == SB_COND_ENOSYS) && denied++ == 0)
			first = a;
		sb_policy_free(&pol);
	}
	if (denied == 1)
		ld_error(&fl->ld, &p, "\"syscall\": \"%s\" is denied to actor \"%s\" by its sandbox (profile \"%s\"): a call it cannot make cannot be made to fail; allow it in the actor's \"sandbox\", or choose another call",
			 f->u.sys.name, first->name, sb_profile_name(first->profile));
	else if (denied > 1)
		ld_error(&fl->ld, &p, "\"syscall\": \"%s\" is denied by the sandbox of %zu target actors, \"%s\" first: a call an actor cannot make cannot be made to fail; allow it in their \"sandbox\", or narrow \"target\"",
			 f->u.sys.name, denied, first->name);
}

void fl_get_syscall(struct floader *fl, struct fault *f, json_t *o, size_t off)
{
	struct fault_syscall *s = &f->u.sys;
	bool named = get_name(fl, s, json_object_get(o, "syscall"), off);
	struct cfg_pos p = ld_pos_of_key(&fl->ld, off, "syscall", true);
	json_t *v;
	long n;

	s->probability = 1;
	if ((v = json_object_get(o, "target")))
		fl_get_targets(fl, f, v, off, "target");
	else
		ld_error(&fl->ld, &p, "a \"syscall\" fault needs \"target\": whose calls fail (an actor, \"actor#N\", a supervisor, \"*\" or an array of those)");
	if ((v = json_object_get(o, "errno")))
		get_errno(fl, s, v, off);
	else
		ld_error(&fl->ld, &p, "a \"syscall\" fault needs \"errno\": what the call fails with, such as \"EIO\"");
	if ((v = json_object_get(o, "probability")))
		fl_get_probability(fl, v, off, "probability", &s->probability);
	if ((v = json_object_get(o, "after")) && ld_get_int(&fl->ld, v, off, "after", 0, LONG_MAX, &n))
		s->after = (uint64_t)n;
	if ((v = json_object_get(o, "every")) && ld_get_int(&fl->ld, v, off, "every", 1, LONG_MAX, &n))
		s->every = (uint64_t)n;
	if ((v = json_object_get(o, "arg")))
		get_arg(fl, s, v, off);
	if ((v = json_object_get(o, "window")))
		fl_get_window(fl, v, ld_value_off(&fl->ld, off, "window"), "\"window\"", &f->window);
	if (named && f->ntargets)
		check_profiles(fl, f, off);
}
