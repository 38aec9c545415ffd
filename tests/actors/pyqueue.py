#!/usr/bin/env python3
"""A queue's producer and consumer in one Python actor, for check_queue:
sends to the queue on binding QUEUE, consumes it on its served edge
(deliveries come while it sends), retries "b" once, and prints what it
saw, sorted, then exits."""
import os
import sys

sys.path.insert(0, os.path.join(os.environ["EXAMPLES"], "python"))
from prospero_peer import Actor, CallError  # noqa: E402

actor = Actor.from_env()
seen, acked, twice = [], set(), []


def on_batch(messages):
    for m in messages:
        seen.append("%s@%d" % (m.body.decode(), m.attempt))
        if m.body == b"b" and m.attempt == 1:
            m.retry()
        else:
            m.ack()
            acked.add(m.body)
            if m.body == b"e":
                try:
                    m.ack()
                except ValueError as e:  # twice: refused here, never sent
                    twice.append(str(e))


actor.consume(on_batch)
actor.ready()
ids = [actor.queue_send("QUEUE", body) for body in (b"a", b"b", b"c")]
ids += actor.queue_send_batch("QUEUE", [b"d", b"e"])
print("ids consecutive", ids == list(range(ids[0], ids[0] + 5)), flush=True)
try:
    actor.queue_send("QUEUE", b"x" * 101)
except CallError as e:
    print("refused", e.code, e.message, flush=True)
while len(acked) < 5:
    actor.poll(1.0)
print("twice:", *twice, flush=True)
print("seen", " ".join(sorted(seen)), flush=True)
