/* A "queue" definition: an actor that runs prospero-queue. Its settings
 * are read with the table the queue reads its options with
 * (src/queue/settings.h); its consumer and dead-letter queue become its
 * bindings once every name is known. */
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "src/config/didyoumean.h"
#include "src/config/loader.h"
#include "src/config/paths.h"
#include "src/config/progname.h"

const char *const ld_queue_keys[] = {
	"queue", "consumer", "dead_letter_queue", "restart", "shutdown", NULL,
};

#define NQUEUE_KEYS (sizeof ld_queue_keys / sizeof *ld_queue_keys - 1)

/* The narrowest confinement prospero-queue works in: "minimal" and what
 * its loop needs; what SQLite needs to write its log comes with "state"
 * (CFG_STATE_GROUP). */
static const char *const queue_allow[] = {
	"@io-event",		/* libev waits in epoll */
	"eventfd2",		/* libev's wake-up fd */
	NULL,
};

/* NAME beside the running program, whose path is SELF and basename
 * BASE, when it is executable there; else NULL (*OOM when memory ran out). */
static char *beside(const char *self, const char *base, const char *name, bool *oom)
{
	char *path;

	if (asprintf(&path, "%.*s%s", (int)(base - self), self, name) < 0) {
		*oom = true;
		return NULL;
	}
	if (access(path, X_OK) < 0) {
		free(path);
		return NULL;
	}
	return path;
}

/* Where the queue's program is (config.h says in which order it looks);
 * NULL once memory ran out. The build-tree name is tried only beside a
 * daemon of the build-tree name: a renamed daemon installed beside
 * another installation's prospero-queue must not run that one. */
static char *queue_program(struct loader *ld)
{
	const char *env = getenv(CFG_ENV_QUEUE_PROGRAM), *base;
	char self[PATH_MAX], *path = NULL;
	bool oom = false;
	ssize_t n;

	if (env && *env) {
		/* a relative one from the current directory, as prospero(1)
		 * takes every path: the queue starts in its config's */
		if (env[0] == '/' || !getcwd(self, sizeof self))
			path = strdup(env);
		else if (asprintf(&path, "%s%s%s", self, strcmp(self, "/") ? "/" : "", env) < 0)
			path = NULL;
		if (path)
			path_clean(path);
	} else if ((n = readlink("/proc/self/exe", self, sizeof self - 1)) > 0) {
		self[n] = '\0';
		if ((base = strrchr(self, '/'))) {
			base++;
			path = beside(self, base, PROSPERO_QUEUE_PROGRAM, &oom);
			if (!path && !oom && strcmp(base, CFG_DAEMON_PROGRAM) == 0)
				path = beside(self, base, CFG_QUEUE_PROGRAM, &oom);
		}
	}
	if (!path && !oom && !(env && *env) &&
	    asprintf(&path, "%s/%s", PROSPERO_BINDIR, PROSPERO_QUEUE_PROGRAM) < 0)
		path = NULL;
	if (!path)
		ld->oom = true;
	return path;
}

/* Whether A's program came from $PROSPERO_QUEUE, said if it is not
 * there: a path the config never wrote is traced to where it came from. */
static bool queue_program_from_env(struct loader *ld, const struct cfg_actor *a)
{
	const char *env = getenv(CFG_ENV_QUEUE_PROGRAM);
	struct stat st;

	if (!env || !*env)
		return false;
	if (stat(a->path, &st) < 0)
		ld_error(ld, &a->pos, "$" CFG_ENV_QUEUE_PROGRAM ": %s: %s: point it at " CFG_QUEUE_PROGRAM ", or unset it",
			 a->path, strerror(errno));
	else
		ld_check_executable(ld, &a->pos, "$" CFG_ENV_QUEUE_PROGRAM, a->path);
	return true;
}

/* The command line: the program, then each setting as an option. */
static bool queue_argv(struct loader *ld, struct cfg_actor *a)
{
	const struct pq_options *o = &a->queue->opt;

	if (!(a->argv = calloc(PQ_NSETTINGS + 2, sizeof *a->argv)) || !(a->argv[0] = strdup(CFG_QUEUE_PROGRAM)))
		goto oom;
	for (int i = 0; i < PQ_NSETTINGS; i++)
		if (asprintf(&a->argv[i + 1], "--%s=%ld", pq_settings[i].option, o->v[i]) < 0) {
			a->argv[i + 1] = NULL;
			goto oom;
		}
	return true;
oom:
	ld->oom = true;
	return false;
}

static void confine(struct loader *ld, struct cfg_actor *a)
{
	size_t n = sizeof queue_allow / sizeof *queue_allow - 1;

	a->profile = SB_PROFILE_MINIMAL;
	if (!(a->allow = calloc(n + 1, sizeof *a->allow))) {
		ld->oom = true;
		return;
	}
	for (a->nallow = 0; a->nallow < n; a->nallow++)
		if (!(a->allow[a->nallow] = strdup(queue_allow[a->nallow]))) {
			ld->oom = true;
			return;
		}
}

static void get_settings(struct loader *ld, struct cfg_queue *q, json_t *o, size_t off)
{
	pq_options_default(&q->opt);
	for (int i = 0; i < PQ_NSETTINGS; i++) {
		const struct pq_setting *s = &pq_settings[i];
		json_t *v = json_object_get(o, s->key);

		if (v)
			ld_get_int(ld, v, off, s->key, s->min, s->max, &q->opt.v[i]);
	}
}

/* A name at KEY: *NAME and where it was written, in *POS. */
static void get_ref(struct loader *ld, json_t *o, size_t off, const char *key, char **name, struct cfg_pos *pos)
{
	json_t *v = json_object_get(o, key);

	if (!v)
		return;
	*pos = ld_pos_of_key(ld, off, key, false);
	ld_get_name(ld, v, off, key, name);
}

size_t ld_parse_queue(struct loader *ld, json_t *o, size_t off)
{
	const char *known[NQUEUE_KEYS + PQ_NSETTINGS + 1];
	struct keyset ks = { known, ld_actor_keys, "applies to actors, not to queues", "", " in a queue" };
	struct cfg_actor *a = ld_new_actor(ld);
	struct cfg_queue *q;
	json_t *v;
	int w;

	for (size_t i = 0; i < NQUEUE_KEYS; i++)
		known[i] = ld_queue_keys[i];
	for (int i = 0; i < PQ_NSETTINGS; i++)
		known[NQUEUE_KEYS + (size_t)i] = pq_settings[i].key;
	known[NQUEUE_KEYS + PQ_NSETTINGS] = NULL;
	if (!a || !(q = a->queue = calloc(1, sizeof *q))) {
		ld->oom = true;
		return SIZE_MAX;
	}
	a->pos = ld_get_head(ld, o, off, &ks, &a->name);
	/* its log lives in its state directory, and one process writes it */
	a->state = true;
	confine(ld, a);
	get_settings(ld, q, o, off);
	get_ref(ld, o, off, "consumer", &q->consumer_name, &q->consumer_pos);
	if (!json_object_get(o, "consumer"))
		ld_error(ld, &a->pos, "queue \"%s\" has no \"consumer\": name the actor it delivers to, e.g. \"consumer\": \"shipper\"",
			 a->name ? a->name : "?");
	get_ref(ld, o, off, "dead_letter_queue", &q->dead_letter_name, &q->dead_letter_pos);
	if ((v = json_object_get(o, "restart")) && ld_get_word(ld, v, off, "restart", sv_restart_names(), &w))
		a->restart = (enum sv_restart)w;
	if ((v = json_object_get(o, "shutdown")))
		ld_get_shutdown(ld, v, off, &a->shutdown_ms);
	if (!(a->cwd = strdup(ld->src.dir)) || !(a->path = queue_program(ld)) || !queue_argv(ld, a))
		ld->oom = true;
	else if (!queue_program_from_env(ld, a))
		ld_check_executable(ld, &a->pos, CFG_QUEUE_PROGRAM, a->path);
	return a->name ? ld_add_def(ld, a->name, false, a, a->pos) : SIZE_MAX;
}

/* --- once every name is known --- */

/* The actors that are (QUEUES) or are not queues, for a hint. */
static const char *closest(struct loader *ld, const char *name, bool queues)
{
	const char **names = malloc((ld->cfg->nactors ? ld->cfg->nactors : 1) * sizeof *names);
	const char *hint = NULL;
	size_t n = 0;

	if (!names) {
		ld->oom = true;
		return NULL;
	}
	for (size_t i = 0; i < ld->cfg->nactors; i++)
		if (ld->cfg->actors[i]->name && (ld->cfg->actors[i]->queue != NULL) == queues)
			names[n++] = ld->cfg->actors[i]->name;
	hint = dym_closest(name, names, n, &ld->oom);
	free(names);
	return hint;
}

/* The actor queue A names at KEY (NAME, written at POS), if it is what
 * KEY wants: an actor that is not a queue (a consumer), or another queue
 * (WANT_QUEUE). NULL, reported, otherwise. */
static struct cfg_actor *resolve(struct loader *ld, const size_t *sorted, const struct cfg_actor *a,
				 const char *key, const char *name, const struct cfg_pos *pos, bool want_queue)
{
	const char *what = want_queue ? "queue" : "actor";
	size_t d = ld_find(ld, sorted, name);
	struct cfg_actor *t;
	const char *hint;

	if (d == SIZE_MAX) {
		if ((hint = closest(ld, name, want_queue)))
			ld_error(ld, pos, "\"%s\": %s \"%s\" is not defined (did you mean \"%s\"?)", key, what, name, hint);
		else if (ld->unloaded)
			ld_error(ld, pos, "\"%s\": %s \"%s\" is not defined: no file that loaded defines it (%s did not)",
				 key, what, name, ld->unloaded);
		else
			ld_error(ld, pos, "\"%s\": %s \"%s\" is not defined: no file given defines it; pass the file that defines it with -c",
				 key, what, name);
		return NULL;
	}
	t = ld->defs[d].is_sup ? NULL : ld->defs[d].u.a;
	if (!t || (t->queue != NULL) != want_queue) {
		ld_error(ld, pos, want_queue ? "\"%s\": \"%s\" is %s, not a queue: dead letters go to another \"queue\""
				  : "\"%s\": \"%s\" is %s: a queue delivers to an actor, which answers its batches",
			 key, name, !t ? "a supervisor" : t->queue ? "a queue" : "an actor");
		return NULL;
	}
	if (t == a) {
		ld_error(ld, pos, "\"%s\": queue \"%s\" cannot be its own dead-letter queue", key, name);
		return NULL;
	}
	if (a->order != CFG_NOT_IN_TREE && t->order == CFG_NOT_IN_TREE) {
		ld_error(ld, pos, "\"%s\": %s \"%s\" is not in the tree (no supervisor names it)", key, what, name);
		return NULL;
	}
	return t;
}

static void add_binding(struct loader *ld, struct cfg_actor *a, const char *name, const char *service,
			const struct cfg_pos *pos)
{
	struct cfg_binding *b;

	if (!a->bindings && !(a->bindings = calloc(2, sizeof *a->bindings))) {
		ld->oom = true;
		return;
	}
	b = &a->bindings[a->nbindings];
	*b = (struct cfg_binding){ .name = strdup(name), .service_name = strdup(service), .pos = *pos };
	if (!b->name || !b->service_name) {
		free(b->name);
		free(b->service_name);
		ld->oom = true;
		return;
	}
	a->nbindings++;
}

static void check_queue(struct loader *ld, const size_t *sorted, struct cfg_actor *a)
{
	struct cfg_queue *q = a->queue;
	long size = q->opt.v[PQ_MAX_MESSAGE_SIZE];

	if (q->consumer_name &&
	    (q->consumer = resolve(ld, sorted, a, "consumer", q->consumer_name, &q->consumer_pos, false)))
		add_binding(ld, a, PQ_BINDING_CONSUMER, q->consumer_name, &q->consumer_pos);
	if (!q->dead_letter_name)
		return;
	q->dead_letter = resolve(ld, sorted, a, "dead_letter_queue", q->dead_letter_name, &q->dead_letter_pos, true);
	if (!q->dead_letter)
		return;
	if (q->dead_letter->queue->opt.v[PQ_MAX_MESSAGE_SIZE] < size) {
		ld_error(ld, &q->dead_letter_pos, "\"dead_letter_queue\": \"%s\" takes messages of up to %ld bytes, fewer than \"%s\" holds (%ld): its dead letters would not fit; raise its \"max_message_size\"",
			 q->dead_letter_name, q->dead_letter->queue->opt.v[PQ_MAX_MESSAGE_SIZE], a->name, size);
		return;
	}
	add_binding(ld, a, PQ_BINDING_DEAD_LETTER, q->dead_letter_name, &q->dead_letter_pos);
}

void ld_check_queues(struct loader *ld, const size_t *sorted)
{
	for (size_t i = 0; i < ld->cfg->nactors && !ld->oom; i++)
		if (ld->cfg->actors[i]->queue)
			check_queue(ld, sorted, ld->cfg->actors[i]);
}
