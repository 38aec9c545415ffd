#!/usr/bin/env python3
"""pricing: a Prospero service actor in Python, no C library.

Serves "quote" ({"sku": str, "qty": int} -> {"sku", "qty", "price_cents"})
and "echo" (the body back). With a binding named INVENTORY it asks the
inventory actor whether the SKU is in stock before quoting.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from prospero_peer import Actor, CallError, json_handler  # noqa: E402

PRICES = {"apple": 50, "pear": 70, "plum": 30}


def main():
    actor = Actor.from_env()

    def quote(req):
        qty, sku = (req.get("qty"), req.get("sku")) if isinstance(req, dict) else (None, None)
        # a bool is an int to Python, and a list cannot be looked up: both bad requests
        if not isinstance(qty, int) or isinstance(qty, bool) or not isinstance(sku, str) or sku not in PRICES:
            raise CallError("bad_request", "want {\"sku\": one of %s, \"qty\": int}" % sorted(PRICES))
        if "INVENTORY" in actor.channels:
            actor.call("INVENTORY", "check", ('{"sku": "%s"}' % req["sku"]).encode(), timeout=2.0)
        return {"sku": req["sku"], "qty": req["qty"], "price_cents": PRICES[req["sku"]] * req["qty"]}

    actor.handle("quote", json_handler(quote))
    actor.handle("echo", lambda body: body)
    actor.ready()
    print("ready", flush=True)  # the daemon prefixes our name
    actor.run()
    print("stopped", flush=True)


if __name__ == "__main__":
    main()
