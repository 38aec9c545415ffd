/* Cgroup names; see cgroup_name.h. */

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "sandbox/containment/cgroup_name.h"

static bool plain(char c, bool first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_' || c == '#' || (c == '.' && !first);
}

int sb_cgroup_inst_name(const char *instance, char *out, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t w = 0, suffix = strlen(SB_CGROUP_INST_SUFFIX);
	size_t room = len < SB_CGROUP_NAME_MAX ? len : SB_CGROUP_NAME_MAX;

	if (!*instance) {
		errno = EINVAL;
		return -1;
	}
	for (const char *p = instance; *p; p++) {
		unsigned char c = (unsigned char)*p;
		size_t need = plain(*p, p == instance) ? 1 : 3;
		if (w + need + suffix + 1 > room) {
			errno = ENAMETOOLONG;
			return -1;
		}
		if (need == 1) {
			out[w++] = *p;
		} else {
			out[w++] = '%';
			out[w++] = hex[c >> 4];
			out[w++] = hex[c & 15];
		}
	}
	memcpy(out + w, SB_CGROUP_INST_SUFFIX, suffix + 1);
	return 0;
}

bool sb_cgroup_is_inst_name(const char *name)
{
	size_t n = strlen(name), s = strlen(SB_CGROUP_INST_SUFFIX);

	return n > s && strcmp(name + n - s, SB_CGROUP_INST_SUFFIX) == 0;
}

void sb_cgroup_subtree_name(const char *key, char out[SB_CGROUP_SUBTREE_NAME_LEN])
{
	uint32_t h = 2166136261u;	/* FNV-1a */

	for (const char *p = key; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	snprintf(out, SB_CGROUP_SUBTREE_NAME_LEN, "prospero-%08x", (unsigned)h);
}
