/* payment: charges orders with an API key it never shows.
 *
 *   charge {"order": 17, "cents": 150}  ->  {"order": 17, "charged": 150}
 *
 * The key is the secret PAYMENT_API_KEY: the daemon puts it in a file in
 * $CREDENTIALS_DIRECTORY that only this actor's uid can read (for
 * development it comes from .dev.vars beside prospero.jsonc). It is read
 * once at start, used, and never printed, logged or sent. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "examples/serve.h"

static char api_key[256];
static size_t api_key_len;

/* Read $CREDENTIALS_DIRECTORY/PAYMENT_API_KEY; 0, or -1 with errno set. */
static int load_key(void)
{
	const char *dir = getenv("CREDENTIALS_DIRECTORY");
	char path[4096];
	ssize_t n;
	int fd, saved;

	if (!dir || (size_t)snprintf(path, sizeof path, "%s/PAYMENT_API_KEY", dir) >= sizeof path) {
		errno = ENOENT;
		return -1;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, api_key, sizeof api_key - 1);
	saved = errno;
	close(fd);
	if (n < 0) {
		errno = saved;
		return -1;
	}
	while (n > 0 && (api_key[n - 1] == '\n' || api_key[n - 1] == '\r'))
		n--;
	if (n == 0) {
		errno = ENODATA;
		return -1;
	}
	api_key[n] = '\0';
	api_key_len = (size_t)n;
	return 0;
}

/* Stands in for the payment provider's check of the key. */
static const char *key_state(void)
{
	return api_key_len >= 16 ? "key ok" : "key too short";
}

static void on_charge(struct prospero_request *req, const void *body, size_t len, void *arg)
{
	json_t *in = NULL;
	json_int_t order, cents;
	char reply[128];
	int n;

	if (!req)
		return;
	in = json_loadb(body, len, 0, NULL);
	if (!in || json_unpack(in, "{s:I, s:I}", "order", &order, "cents", &cents) < 0 || cents < 0) {
		prospero_fail(req, PROSPERO_E_BAD_REQUEST, "want {\"order\": integer, \"cents\": integer >= 0}");
		goto out;
	}
	printf("charged order %lld: $%lld.%02lld (%s)\n", (long long)order, (long long)(cents / 100),
	       (long long)(cents % 100), key_state());
	n = snprintf(reply, sizeof reply, "{\"order\":%lld,\"charged\":%lld}", (long long)order, (long long)cents);
	prospero_reply(req, reply, (size_t)n);
out:
	json_decref(in);
}

int main(void)
{
	char greeting[96];
	int rc;

	if (load_key() < 0) {
		fprintf(stderr, "no PAYMENT_API_KEY in $CREDENTIALS_DIRECTORY: %s\n", strerror(errno));
		return 1;
	}
	snprintf(greeting, sizeof greeting, "serving, API key loaded (%zu bytes)", api_key_len);
	rc = example_serve("charge", on_charge, NULL, greeting);
	explicit_bzero(api_key, sizeof api_key);
	return rc;
}
