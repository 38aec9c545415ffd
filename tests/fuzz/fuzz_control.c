/* The control channel, daemon → actor: the input is one datagram as
 * libprospero's control.c receives it (at most 1024 bytes; recv on a
 * SOCK_SEQPACKET drops the rest) and parses it with
 * pp_peer_restarted_parse into a name buffer of 256 bytes.
 *
 * Properties: a name is returned only when a line "PEER_RESTARTED=NAME"
 * holds it whole, NUL-terminated within the buffer, and an incarnation
 * other than 0 only when the first line "INCARNATION=N" says that number
 * in decimal digits; a message formatted from what was parsed parses back
 * to the same. */
#include <limits.h>
#include <string.h>

#include "src/proto/control.h"
#include "tests/fuzz/fuzz.h"

#define MSG_MAX 1024	/* control.c's receive buffer */
#define NAME_CAP 256	/* control.c's name buffer */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	return 0;
}

/* Whether TEXT (LEN bytes) has a line that is exactly KEY=VALUE. */
static bool has_line(const char *text, size_t len, const char *key, const char *value)
{
	char want[NAME_CAP + 32];
	size_t n = (size_t)snprintf(want, sizeof want, "%s=%s", key, value);

	for (const char *line = text; line && line + n <= text + len;) {
		if (memcmp(line, want, n) == 0 && (line + n == text + len || line[n] == '\n'))
			return true;
		line = memchr(line, '\n', (size_t)(text + len - line));
		line = line ? line + 1 : NULL;
	}
	return false;
}

/* The number the first line "INCARNATION=..." of TEXT (LEN bytes) holds
 * in decimal digits, or 0 when it holds anything else or one too large. */
static unsigned long incarnation(const char *text, size_t len)
{
	static const char key[] = PP_KEY_INCARNATION "=";
	unsigned long n = 0;

	for (const char *line = text; line && line < text + len;) {
		const char *end = memchr(line, '\n', (size_t)(text + len - line));

		if (!end)
			end = text + len;
		if ((size_t)(end - line) >= sizeof key - 1 && memcmp(line, key, sizeof key - 1) == 0) {
			if (end == line + sizeof key - 1)
				return 0;
			for (const char *d = line + sizeof key - 1; d < end; d++) {
				if (*d < '0' || *d > '9' || n > (ULONG_MAX - (unsigned long)(*d - '0')) / 10)
					return 0;
				n = n * 10 + (unsigned long)(*d - '0');
			}
			return n;
		}
		line = end < text + len ? end + 1 : NULL;
	}
	return 0;
}

static void parse(const char *msg, size_t len, size_t cap)
{
	char name[NAME_CAP], again[NAME_CAP], buf[NAME_CAP + 64];
	unsigned long inc, inc2;
	int n;

	memset(name, 0x55, sizeof name);
	if (!pp_peer_restarted_parse(msg, len, name, cap, &inc)) {
		fz_assert(inc == 0);
		return;
	}
	fz_assert(memchr(name, '\0', cap) && name[0]);
	fz_assert(has_line(msg, len, PP_KEY_PEER_RESTARTED, name));
	fz_assert(inc == 0 || inc == incarnation(msg, len));
	n = pp_peer_restarted_format(buf, sizeof buf, name, inc);
	fz_assert(n > 0);
	fz_assert(pp_peer_restarted_parse(buf, (size_t)n, again, sizeof again, &inc2) == 1);
	fz_assert(strcmp(again, name) == 0 && inc2 == inc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *msg;

	if (size > MSG_MAX)
		size = MSG_MAX;
	msg = malloc(size ? size : 1);	/* exactly: ASan sees a read past it */
	if (!msg)
		abort();
	memcpy(msg, data, size);
	parse(msg, size, NAME_CAP);
	parse(msg, size, 8);	/* a small buffer: names that do not fit */
	free(msg);
	return 0;
}
