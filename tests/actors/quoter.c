/* A C actor on libprospero that asks its PRICING binding for quotes and
 * prints each answer: the C half of the Python interop test. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/libprospero/prospero.h"

static struct prospero_binding *pricing;
static int left = 5;

static void ask(void);

static void answered(int err, const void *body, size_t len, void *arg)
{
	if (err)
		printf("quote error %d %.*s\n", err, (int)len, (const char *)body);
	else
		printf("quote ok %.*s\n", (int)len, (const char *)body);
	fflush(stdout);
	if (--left > 0)
		ask();
	else
		ev_break(EV_DEFAULT, EVBREAK_ALL);
}

static void ask(void)
{
	static const char q[] = "{\"sku\": \"apple\", \"qty\": 2}";

	if (prospero_call(pricing, "quote", q, sizeof q - 1, 5.0, answered, NULL) < 0) {
		perror("prospero_call");
		exit(1);
	}
}

int main(void)
{
	struct prospero *p = prospero_open(EV_DEFAULT);

	if (!p || !(pricing = prospero_binding(p, "PRICING"))) {
		perror("quoter: no PRICING binding");
		if (p)
			prospero_close(p);
		return 1;
	}
	prospero_ready(p);
	ask();
	ev_run(EV_DEFAULT, 0);
	prospero_close(p);
	/* stay up so the supervisor sees a healthy actor */
	pause();
	return 0;
}
