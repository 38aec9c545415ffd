/* The readers' key tables, walked in one place. */
#include "sandbox/daemon/rlimits.h"
#include "src/config/faults_loader.h"
#include "src/config/keys.h"
#include "src/config/loader.h"
#include "src/queue/settings.h"

static void each(const char *object, const char *const *keys,
		 void (*fn)(const char *object, const char *key, void *arg), void *arg)
{
	for (; *keys; keys++)
		fn(object, *keys, arg);
}

void cfg_each_key(void (*fn)(const char *object, const char *key, void *arg), void *arg)
{
	each("supervisor", ld_supervisor_keys, fn, arg);
	each("actor", ld_actor_keys, fn, arg);
	each("queue", ld_queue_keys, fn, arg);
	for (int i = 0; i < PQ_NSETTINGS; i++)
		fn("queue", pq_settings[i].key, arg);
	each("sandbox", ld_sandbox_keys, fn, arg);
	each("limits", sb_rlimit_names(), fn, arg);
	each("limits", ld_cgroup_limit_keys, fn, arg);
	each("fault plan", fl_plan_keys, fn, arg);
	each("fault", fl_fault_keys, fn, arg);
	each("arg", fl_arg_keys, fn, arg);
}
