/* See json_oom.h. */
#include "src/config/json_oom.h"

static json_malloc_t outer_malloc;	/* the watch's, while it lasts */
static bool ran_out;

static void *noting_malloc(size_t n)
{
	void *p = outer_malloc(n);

	if (!p)
		ran_out = true;
	return p;
}

void json_oom_watch(struct json_oom_watch *w)
{
	json_get_alloc_funcs(&w->malloc_fn, &w->free_fn);
	outer_malloc = w->malloc_fn;
	ran_out = false;
	json_set_alloc_funcs(noting_malloc, w->free_fn);
}

bool json_oom_unwatch(const struct json_oom_watch *w)
{
	json_set_alloc_funcs(w->malloc_fn, w->free_fn);
	return ran_out;
}
