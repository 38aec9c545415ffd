#include <stddef.h>

#include "supervisor/spec.h"

/* The names are the config language's and OTP's: one table each, so the
 * config parser and every message spell them the same way. */
static const char *const strategy_names[] = {
	[SV_ONE_FOR_ONE] = "one_for_one",
	[SV_ONE_FOR_ALL] = "one_for_all",
	[SV_REST_FOR_ONE] = "rest_for_one",
};

static const char *const restart_names[] = {
	[SV_PERMANENT] = "permanent",
	[SV_TRANSIENT] = "transient",
	[SV_TEMPORARY] = "temporary",
};

const char *sv_strategy_name(enum sv_strategy s)
{
	return (size_t)s < sizeof strategy_names / sizeof *strategy_names ? strategy_names[s] : "?";
}

const char *sv_restart_name(enum sv_restart r)
{
	return (size_t)r < sizeof restart_names / sizeof *restart_names ? restart_names[r] : "?";
}
