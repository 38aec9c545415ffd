/* Dynamic uids: how many the tree needs against how many a --uid-range
 * holds. Pure arithmetic on the loaded tree, for `check` and `run` alike. */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>

#include "sandbox/daemon/uidpool.h"
#include "src/config/config.h"
#include "src/config/diag.h"
#include "src/proto/plural.h"

static size_t needed(const struct cfg_supervisor *s)
{
	size_t n = 0;

	for (size_t i = 0; i < s->nchildren; i++) {
		const struct cfg_child *c = &s->children[i];

		if (c->kind == CFG_CHILD_SUPERVISOR)
			n += needed(c->u.sup);
		else if (!c->u.actor->user)
			n += c->u.actor->instances;
	}
	return n;
}

size_t cfg_dynamic_uids(const struct cfg *cfg)
{
	return cfg->root ? needed(cfg->root) : 0;
}

/* The ids passwd or group use, which the pool skips too (sorted). */
struct taken {
	const uid_t *ids;
	size_t n;
};

/* The ids in [FIRST, LAST] the pool never gives out: 65535 (the old
 * 16-bit -1), (uid_t)-1 (sb_uidpool_take), and those TAKEN names. */
static uint64_t skipped(const struct taken *t, uint64_t first, uint64_t last)
{
	uint64_t n = 0;

	if (first <= 65535 && 65535 <= last)
		n++;
	if (last >= (uid_t)-1)
		n++;
	for (size_t i = 0; i < t->n; i++)
		if (t->ids[i] >= first && t->ids[i] <= last && t->ids[i] != 65535 && t->ids[i] != (uid_t)-1)
			n++;
	return n;
}

/* The ids the pool may give out in [FIRST, LAST]. */
static uint64_t holds(const struct taken *t, uint64_t first, uint64_t last)
{
	return last < first ? 0 : last - first + 1 - skipped(t, first, last);
}

/* The least LAST from FIRST that holds NEED, or 0 if none does: each id
 * skipped moves it one further, which may take in more to skip. */
static uint64_t last_for(const struct taken *t, uint64_t first, uint64_t need)
{
	uint64_t last = first + need - 1;

	if (need > SB_UIDPOOL_MAX_IDS)
		return 0;
	while (last < (uid_t)-1 && holds(t, first, last) < need)
		last = first + need - 1 + skipped(t, first, last);
	return last < (uid_t)-1 ? last : 0;
}

/* The one wording of this finding, for `check` and `run` */
#define NEEDS "the tree needs %zu dynamic %s, one per actor instance without \"user\", " \
	      "but --uid-range %u-%u holds %" PRIu64

int cfg_check_uid_range(const struct cfg *cfg, uid_t first, uid_t last, const uid_t *taken, size_t ntaken,
			struct cfg_diag *diag)
{
	struct taken t = { taken, ntaken };
	size_t need = cfg_dynamic_uids(cfg);
	uint64_t have, from, to;
	int rc;

	if (first == 0) {
		first = SB_UIDPOOL_FIRST;
		last = SB_UIDPOOL_LAST;
	}
	have = holds(&t, first, last);
	if (need <= have)
		return 0;
	/* from the same start if a range can hold them there, else systemd's */
	from = first;
	if (!(to = last_for(&t, from, need)))
		to = last_for(&t, from = SB_UIDPOOL_FIRST, need);
	if (to)
		rc = cfg_diag_add(diag, true, &cfg->root->pos,
				  NEEDS ": widen it, e.g. --uid-range %" PRIu64 "-%" PRIu64
				  " (ids that passwd or group use are skipped too)",
				  need, plural(need, "uid", "uids"), (unsigned)first, (unsigned)last, have, from, to);
	else
		rc = cfg_diag_add(diag, true, &cfg->root->pos,
				  NEEDS ", and no range holds more than %u: give some actors a \"user\"",
				  need, plural(need, "uid", "uids"), (unsigned)first, (unsigned)last, have,
				  SB_UIDPOOL_MAX_IDS);
	if (rc == 0)
		errno = ENOSPC;
	return -1;
}
