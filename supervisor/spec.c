#include <stddef.h>

#include "supervisor/spec.h"

static const char *const strategy_names[] = {
	[SV_ONE_FOR_ONE] = "one_for_one",
	[SV_ONE_FOR_ALL] = "one_for_all",
	[SV_REST_FOR_ONE] = "rest_for_one",
	NULL,
};

static const char *const restart_names[] = {
	[SV_PERMANENT] = "permanent",
	[SV_TRANSIENT] = "transient",
	[SV_TEMPORARY] = "temporary",
	NULL,
};

static const char *const ready_names[] = {
	[SV_READY_EXEC] = "exec",
	[SV_READY_NOTIFY] = "notify",
	NULL,
};

const char *const *sv_strategy_names(void)
{
	return strategy_names;
}

const char *const *sv_restart_names(void)
{
	return restart_names;
}

const char *const *sv_ready_names(void)
{
	return ready_names;
}

const char *sv_strategy_name(enum sv_strategy s)
{
	return (size_t)s <= SV_REST_FOR_ONE ? strategy_names[s] : "?";
}

const char *sv_restart_name(enum sv_restart r)
{
	return (size_t)r <= SV_TEMPORARY ? restart_names[r] : "?";
}
