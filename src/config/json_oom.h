/* Whether jansson ran short of memory during a call. jansson (2.14)
 * short of memory may carry on instead of failing: json_dumps leaves a
 * key or a value out and returns the rest, json_loadb drops a byte of a
 * string and parses on ("web2" read as "web"), and errno does not tell
 * (its lexer sets errno to 0 before each number). So a call whose result
 * must be whole goes between json_oom_watch and json_oom_unwatch, which
 * put an allocator that notes a failure around whichever one jansson has
 * (a test's own, in check_enomem). jansson's allocator is global: the
 * daemon and the command line call jansson from one thread. */
#ifndef PROSPERO_CONFIG_JSON_OOM_H
#define PROSPERO_CONFIG_JSON_OOM_H

#include <jansson.h>
#include <stdbool.h>

struct json_oom_watch {
	json_malloc_t malloc_fn;
	json_free_t free_fn;
};

void json_oom_watch(struct json_oom_watch *w);
/* Back to W's allocator: true if an allocation failed since the watch. */
bool json_oom_unwatch(const struct json_oom_watch *w);

#endif
