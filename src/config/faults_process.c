/* kill and stall faults: a target, a signal or a stall length, and when:
 * at a rate ("every" ms, with "jitter", inside a "window") or at set
 * times ("at"). */
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "src/config/didyoumean.h"
#include "src/config/faults_loader.h"
#include "src/faults/names.h"

static const char *const pick_names[] = { "one", "all", NULL };	/* by enum fault_pick */

#define EXPECTED_SIGNALS \
	"SIGKILL, SIGTERM, SIGINT, SIGQUIT, SIGHUP, SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGPIPE, SIGALRM, SIGUSR1 or SIGUSR2"

/* S names a signal of this system ("SIGWINCH", and signal(7)'s synonyms
 * and real-time names, as `prospero kill --signal` takes them), as
 * written. */
static bool is_signal_name(const char *s)
{
	if (strncmp(s, "SIG", 3) != 0)
		return false;
	if (strcmp(s, "SIGIO") == 0 || strcmp(s, "SIGCLD") == 0 || strncmp(s, "SIGRTMIN", 8) == 0 ||
	    strncmp(s, "SIGRTMAX", 8) == 0)
		return true;
	for (int sig = 1; sig < NSIG; sig++) {
		const char *abbrev = sigabbrev_np(sig);

		if (abbrev && strcmp(abbrev, s + 3) == 0)
			return true;
	}
	return false;
}

static void get_signal(struct floader *fl, json_t *v, size_t obj, int *out)
{
	const char *const *names = fault_signal_names();
	const char *s = json_string_value(v), *hint;
	struct cfg_pos p = ld_pos_of_key(&fl->ld, obj, "signal", false);
	size_t n = ld_count_words(names);

	if (!s) {
		ld_error(&fl->ld, &p, "\"signal\": expected a signal name such as \"SIGTERM\", got %s", ld_type_name(v));
	} else if ((*out = fault_signal_parse(s)) > 0) {
		return;
	} else if (strcmp(s, "SIGSTOP") == 0 || strcmp(s, "SIGCONT") == 0 || strcmp(s, "SIGTSTP") == 0) {
		ld_error(&fl->ld, &p, "\"signal\": %s: to stop an actor for a while, write a \"stall\" fault, which sends SIGCONT after \"for\" ms",
			 s);
	} else if (strcmp(s, "SIGIOT") == 0) {
		ld_error(&fl->ld, &p, "\"signal\": SIGIOT is SIGABRT's other name: write \"SIGABRT\"");
	} else if (is_signal_name(s)) {
		ld_error(&fl->ld, &p, "\"signal\": %s is not a signal a kill fault sends: expected %s", s, EXPECTED_SIGNALS);
	} else if ((hint = fl_respelt(s, "SIG", names, n)) || (hint = dym_closest(s, names, n, &fl->ld.oom))) {
		ld_error(&fl->ld, &p, "\"signal\": unknown signal \"%s\" (did you mean \"%s\"?)", s, hint);
	} else {
		ld_error(&fl->ld, &p, "\"signal\": unknown signal \"%s\": expected %s", s, EXPECTED_SIGNALS);
	}
}

static int by_value(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* "at": [ms, ...], sorted. */
static bool get_at(struct floader *fl, struct fault_process *pr, json_t *v, size_t obj)
{
	size_t arr = ld_value_off(&fl->ld, obj, "at"), i;
	bool ok = true;
	json_int_t ms;
	json_t *t;

	if (!json_is_array(v) || json_array_size(v) == 0) {
		struct cfg_pos p = ld_pos(&fl->ld, arr);
		ld_error(&fl->ld, &p, "\"at\": expected an array of times in ms on the fault clock, got %s",
			 json_is_array(v) ? "an empty array" : ld_type_name(v));
		return false;
	}
	if (!(pr->at_ms = calloc(json_array_size(v), sizeof *pr->at_ms))) {
		fl->ld.oom = true;
		return false;
	}
	json_array_foreach(v, i, t) {
		bool is_int = ld_int_value(t, &ms);

		if (!is_int || ms < 0 || ms > FAULT_MAX_MS) {
			struct cfg_pos p = ld_pos_of_index(&fl->ld, arr, i);
			ld_error(&fl->ld, &p, "\"at\"[%zu]: expected a time from 0 to %lld ms (one day), got %s", i,
				 FAULT_MAX_MS, is_int ? "one out of range" : ld_type_name(t));
			ok = false;
			continue;
		}
		pr->at_ms[pr->nat++] = ms;
	}
	qsort(pr->at_ms, pr->nat, sizeof *pr->at_ms, by_value);
	return ok;
}

/* "every" with "jitter" and "window". */
static bool get_rate(struct floader *fl, struct fault *f, json_t *o, size_t obj)
{
	struct fault_process *pr = &f->u.proc;
	json_t *jitter = json_object_get(o, "jitter"), *window = json_object_get(o, "window");
	long every = 0, j = 0;
	bool ok = ld_get_int(&fl->ld, json_object_get(o, "every"), obj, "every", 1, FAULT_MAX_MS, &every);

	/* each key is checked whatever the others hold; jitter against every
	 * only once both are read */
	if (jitter && !ld_get_int(&fl->ld, jitter, obj, "jitter", 0, FAULT_MAX_MS, &j)) {
		ok = false;
	} else if (ok && j > every / 2) {
		struct cfg_pos p = ld_pos_of_key(&fl->ld, obj, "jitter", false);
		ld_error(&fl->ld, &p, "\"jitter\" is %ld: at most half of \"every\" (%ld), so each firing stays in its own slot and they keep their order",
			 j, every / 2);
		ok = false;
	}
	if (window && !fl_get_window(fl, window, ld_value_off(&fl->ld, obj, "window"), "\"window\"", &f->window))
		ok = false;
	pr->every_ms = every;
	pr->jitter_ms = j;
	return ok;
}

/* Two stalls of one fault never overlap: the first one's SIGCONT would
 * end the second early. */
static void check_stalls_apart(struct floader *fl, const struct fault_process *pr, size_t obj)
{
	struct cfg_pos p = ld_pos_of_key(&fl->ld, obj, "for", false);

	if (pr->every_ms && pr->stall_ms >= pr->every_ms - 2 * pr->jitter_ms) {
		ld_error(&fl->ld, &p, "\"for\" is %lld: stalls must end before the next can start: shorter than \"every\" minus twice \"jitter\" (%lld)",
			 (long long)pr->stall_ms, (long long)(pr->every_ms - 2 * pr->jitter_ms));
		return;
	}
	for (size_t i = 1; i < pr->nat; i++)
		if (pr->at_ms[i] - pr->at_ms[i - 1] <= pr->stall_ms) {
			ld_error(&fl->ld, &p, "\"for\" is %lld: the stalls at %lld and %lld ms would overlap; set them more than \"for\" apart",
				 (long long)pr->stall_ms, (long long)pr->at_ms[i - 1], (long long)pr->at_ms[i]);
			return;
		}
}

static bool get_schedule(struct floader *fl, struct fault *f, json_t *o, size_t obj, const char *head)
{
	json_t *every = json_object_get(o, "every"), *at = json_object_get(o, "at");
	struct cfg_pos p;

	if (every && at) {
		p = ld_pos_of_key(&fl->ld, obj, "at", true);
		ld_error(&fl->ld, &p, "\"every\" and \"at\" together: a fault fires at a rate or at set times, not both");
		return false;
	}
	if (every)
		return get_rate(fl, f, o, obj);
	if (!at) {
		p = ld_pos_of_key(&fl->ld, obj, head, true);
		ld_error(&fl->ld, &p, "a \"%s\" fault needs \"every\": MS (a rate) or \"at\": [MS, ...] (set times)", head);
		return false;
	}
	for (const char *const *k = (const char *const[]){ "jitter", "window", NULL }; *k; k++)
		if (json_object_get(o, *k)) {
			p = ld_pos_of_key(&fl->ld, obj, *k, true);
			ld_error(&fl->ld, &p, "\"%s\" applies to \"every\": \"at\" times are exact", *k);
			return false;
		}
	return get_at(fl, &f->u.proc, at, obj);
}

void fl_get_process(struct floader *fl, struct fault *f, json_t *o, size_t off)
{
	struct fault_process *pr = &f->u.proc;
	const char *head = f->kind == FAULT_KILL ? "kill" : "stall";
	json_t *sig = json_object_get(o, "signal"), *dur = json_object_get(o, "for"), *pick = json_object_get(o, "pick");
	bool timed;
	long ms;
	int w;

	pr->signal = f->kind == FAULT_KILL ? SIGKILL : SIGSTOP;
	fl_get_targets(fl, f, json_object_get(o, head), off, head);
	if (sig && f->kind == FAULT_KILL)
		get_signal(fl, sig, off, &pr->signal);
	if (pick && ld_get_word(&fl->ld, pick, off, "pick", pick_names, &w))
		pr->pick = (enum fault_pick)w;
	timed = get_schedule(fl, f, o, off, head);
	if (f->kind != FAULT_STALL)
		return;
	if (!dur) {
		struct cfg_pos p = ld_pos_of_key(&fl->ld, off, head, true);
		ld_error(&fl->ld, &p, "a \"stall\" fault needs \"for\": MS, how long the target stays stopped");
	} else if (ld_get_int(&fl->ld, dur, off, "for", 1, FAULT_MAX_MS, &ms)) {
		pr->stall_ms = ms;
		if (timed)
			check_stalls_apart(fl, pr, off);
	}
}
