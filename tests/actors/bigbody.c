/* A libprospero actor that sends and receives bodies larger than one
 * datagram, which travel as a sealed memfd: the large-body test runs it
 * under each confinement profile.
 *
 *   bigbody serve             answer each "echo" call with its own body
 *                             once it has checked the body's bytes
 *   bigbody call NAME SIZE    call NAME's "echo" with SIZE bytes; print
 *                             "intact SIZE" when the reply is the same
 *                             bytes, else what went wrong; then stay up
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "src/libprospero/prospero.h"

static unsigned char byte_at(size_t i)
{
	return (unsigned char)(i * 7 % 251);
}

static int intact(const unsigned char *body, size_t len, size_t want)
{
	if (len != want)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (body[i] != byte_at(i))
			return 0;
	return 1;
}

static void echo(struct prospero_request *req, const void *body, size_t len, void *arg)
{
	if (!req)
		return;
	if (!intact(body, len, len))
		prospero_fail(req, PROSPERO_E_BAD_REQUEST, "corrupt body");
	else
		prospero_reply(req, body, len);
}

static void answered(int err, const void *body, size_t len, void *arg)
{
	size_t want = *(size_t *)arg;

	if (err)
		printf("error %d: %.*s\n", err, (int)len, (const char *)body);
	else if (!intact(body, len, want))
		printf("corrupt reply of %zu bytes\n", len);
	else
		printf("intact %zu\n", len);
	fflush(stdout);
	ev_break(EV_DEFAULT, EVBREAK_ALL);
}

static int call(struct prospero *p, const char *name, size_t size)
{
	struct prospero_binding *b = prospero_binding(p, name);
	unsigned char *body = malloc(size);

	if (!b || !body) {
		perror("bigbody: call");
		return 1;
	}
	for (size_t i = 0; i < size; i++)
		body[i] = byte_at(i);
	if (prospero_call(b, "echo", body, size, 10.0, answered, &size) < 0) {
		perror("bigbody: prospero_call");
		return 1;
	}
	ev_run(EV_DEFAULT, 0);
	free(body);
	/* stay up: a permanent actor that exits would be started again */
	pause();
	return 0;
}

int main(int argc, char **argv)
{
	struct prospero *p = prospero_open(EV_DEFAULT);

	if (!p) {
		perror("bigbody: prospero_open");
		return 1;
	}
	if (argc == 4 && strcmp(argv[1], "call") == 0)
		return call(p, argv[2], strtoul(argv[3], NULL, 10));
	if (argc != 2 || strcmp(argv[1], "serve") != 0) {
		fprintf(stderr, "usage: bigbody serve | bigbody call NAME SIZE\n");
		return 2;
	}
	if (prospero_handle(p, "echo", echo, NULL) < 0 || prospero_serve(p) < 0 ||
	    prospero_ready(p) < 0) {
		perror("bigbody: serve");
		return 1;
	}
	ev_run(EV_DEFAULT, 0);
	return 0;
}
