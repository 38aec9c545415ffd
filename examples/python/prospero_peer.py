"""A Prospero actor in Python with the standard library only.

Speaks the wire protocol of README.md ("Wire protocol and fd convention")
without libprospero: finds its channels from PROSPERO_FDS/PROSPERO_FDNAMES,
serves calls and casts, makes calls, reports readiness and status, and
pets the watchdog at half of $WATCHDOG_USEC while it polls; and produces
to and consumes from a prospero-queue (README.md, "Queues").

Anything a peer sends is untrusted: a malformed call is answered with
bad_request, other malformed input is dropped, and a handler's exception
becomes an `internal` error. Nothing a peer sends can end this process.
"""

import collections
import errno
import fcntl
import json
import mmap
import os
import re
import selectors
import socket
import stat
import struct
import sys
import time
import traceback

MAGIC = b"PR"
VERSION = 1
CALL, REPLY, ERROR, CAST = 1, 2, 3, 4
FLAG_MEMFD = 0x01
HEADER = struct.Struct("<2sBBBBHIQ")  # magic, version, kind, flags, reserved, method_len, body_len, id
assert HEADER.size == 20
MAX_DGRAM = 65536
MAX_METHOD = 255
MAX_BODY = 64 << 20
MAX_FDS = 8
SEALS = fcntl.F_SEAL_SHRINK | fcntl.F_SEAL_GROW | fcntl.F_SEAL_WRITE


class Malformed(Exception):
    def __init__(self, why, kind=0, ident=0):
        super().__init__(why)
        self.kind, self.ident = kind, ident


class CallError(Exception):
    """A call answered with an error frame (code is e.g. 'no_such_method')."""

    def __init__(self, code, message):
        super().__init__("%s: %s" % (code, message))
        self.code, self.message = code, message


# The codes of the protocol. "timeout" and "peer_restarted" are made by a
# caller's side; a service may pass one on, as its own call got it.
CODES = ("timeout", "peer_restarted", "no_such_method", "bad_request", "internal", "unavailable")


def known_code(code):
    """A code as it is sent and read: one the protocol does not know is internal."""
    return code if code in CODES else "internal"


def encode(kind, ident, method=b"", body=b"", flags=0, body_len=None):
    if body_len is None:
        body_len = len(body)
    return HEADER.pack(MAGIC, VERSION, kind, flags, 0, len(method), body_len, ident) + method + body


def known_header(buf, off=0):
    """Kind and id of the frame at buf[off:] when its header can be read:
    its 20 bytes are there and start with the magic, whose place and that
    of version, kind and id are the same in every version. Else (0, 0):
    nothing is known of it, so it is never answered."""
    if len(buf) - off < HEADER.size or buf[off:off + 2] != MAGIC:
        return 0, 0
    magic, version, kind, flags, reserved, mlen, blen, ident = HEADER.unpack_from(buf, off)
    return kind, ident


def decode(buf, off):
    """One frame at buf[off:]: (kind, flags, id, method, body, body_len, end)."""
    if len(buf) - off < HEADER.size:
        raise Malformed("truncated header")
    magic, version, kind, flags, reserved, mlen, blen, ident = HEADER.unpack_from(buf, off)
    if magic != MAGIC:
        raise Malformed("bad magic")
    if version != VERSION:
        raise Malformed("unsupported version", kind, ident)
    if reserved:
        raise Malformed("reserved byte not zero", kind, ident)
    if kind not in (CALL, REPLY, ERROR, CAST):
        raise Malformed("unknown kind", kind, ident)
    if flags & ~FLAG_MEMFD:
        raise Malformed("unknown flags", kind, ident)
    if mlen > MAX_METHOD:
        raise Malformed("method name too long", kind, ident)
    if kind in (CALL, CAST, ERROR) and mlen == 0:
        raise Malformed("missing method name", kind, ident)
    if kind == REPLY and mlen:
        raise Malformed("a reply carries no method name", kind, ident)
    if kind == CAST and ident:
        raise Malformed("a cast has id 0", kind, ident)
    if kind in (CALL, REPLY) and not ident:
        raise Malformed("id 0 is reserved for casts and notices", kind, ident)
    inline = 0 if flags & FLAG_MEMFD else blen
    if flags & FLAG_MEMFD and blen > MAX_BODY:
        raise Malformed("body too large", kind, ident)
    end = off + HEADER.size + mlen + inline
    if end > len(buf):
        raise Malformed("truncated frame", kind, ident)
    start = off + HEADER.size
    method = bytes(buf[start:start + mlen])
    body = None if flags & FLAG_MEMFD else bytes(buf[start + mlen:end])
    return kind, flags, ident, method, body, blen, end


def read_memfd(fd, length):
    """The body in a sealed memfd; Malformed if it could change under us."""
    try:
        seals = fcntl.fcntl(fd, fcntl.F_GET_SEALS)     # fails on what is not a memfd
    except OSError:
        seals = 0
    if seals & SEALS != SEALS:
        raise Malformed("memfd body not sealed")
    if os.fstat(fd).st_size < length:
        raise Malformed("memfd body too short")
    if length == 0:
        return b""
    try:
        with mmap.mmap(fd, length, prot=mmap.PROT_READ) as m:
            return bytes(m[:length])
    except OSError:
        raise Malformed("memfd body not mapped")


def make_memfd(body):
    fd = os.memfd_create("prospero-body", os.MFD_CLOEXEC | os.MFD_ALLOW_SEALING)
    try:
        view = memoryview(body)
        while view:
            view = view[os.write(fd, view):]
        fcntl.fcntl(fd, fcntl.F_ADD_SEALS, SEALS | fcntl.F_SEAL_SEAL)
        return fd
    except BaseException:
        os.close(fd)
        raise


# prospero-queue's bodies (README "Queues"), little-endian
COUNT = struct.Struct("<I")            # a batch's or an answer's count; a message's length
SENT = struct.Struct("<QI")            # the reply to send: first id, how many
DELIVERED = struct.Struct("<QQII")     # id, enqueued_ms, attempt, length; then the bytes
VERDICT = struct.Struct("<QII")        # id, verdict, delay_ms
ACK, RETRY = 0, 1
BATCH_MAX = 1000


def encode_batch(bodies):
    """A send_batch body: the count, then each message after its length."""
    parts = [COUNT.pack(len(bodies))]
    for body in bodies:
        parts += [COUNT.pack(len(body)), body]
    return b"".join(parts)


class QueueMessage:
    """A message a queue delivered: answer it with ack() or retry()."""

    def __init__(self, ident, enqueued_ms, attempt, body):
        self.id, self.enqueued_ms, self.attempt, self.body = ident, enqueued_ms, attempt, body
        self.verdict = None

    def ack(self):
        self._answer(ACK, 0)

    def retry(self, delay_ms=0):
        """Deliver it again, after delay_ms at least (and the queue's retry_delay)."""
        # the wire's u32, checked here: a value it cannot carry would fail
        # the whole batch's answer, what was answered before with it
        if isinstance(delay_ms, bool) or not isinstance(delay_ms, int) or not 0 <= delay_ms < 2**32:
            raise ValueError("delay_ms is a whole number of milliseconds from 0 to %d, not %r" % (2**32 - 1, delay_ms))
        self._answer(RETRY, delay_ms)

    def _answer(self, verdict, delay_ms):
        if self.verdict is not None:
            raise ValueError("message %d is answered already" % self.id)
        self.verdict = (verdict, delay_ms)


def decode_delivery(body):
    """The messages of a deliver body, checked whole: Malformed if not one."""
    if len(body) < COUNT.size:
        raise Malformed("shorter than its count")
    (n,), off, out = COUNT.unpack_from(body, 0), COUNT.size, []
    for _ in range(n):  # each turn takes bytes or raises: n cannot run away
        if len(body) - off < DELIVERED.size:
            raise Malformed("truncated: fewer messages than its count")
        ident, enqueued_ms, attempt, length = DELIVERED.unpack_from(body, off)
        off += DELIVERED.size
        if len(body) - off < length:
            raise Malformed("truncated: a message longer than what is left")
        out.append(QueueMessage(ident, enqueued_ms, attempt, body[off:off + length]))
        off += length
    if off != len(body):
        raise Malformed("bytes after the last message")
    return out


def encode_answer(messages):
    """The consumer's answer: a verdict for each message answered."""
    answered = [m for m in messages if m.verdict is not None]
    return COUNT.pack(len(answered)) + b"".join(VERDICT.pack(m.id, *m.verdict) for m in answered)


class Channel:
    def __init__(self, name, sock, serve):
        self.name, self.sock, self.serve = name, sock, serve
        # an empty datagram ended it for us: read no more, but keep the fd,
        # so a call there goes into the socket and times out
        self.ended = False
        # a served edge's answers the socket had no room for, in order:
        # (datagram, memfd or None); while any wait, the edge is not read
        self.out = collections.deque()


class Actor:
    def __init__(self):
        self.control = None
        self.control_ended = False
        self.channels = {}      # binding NAME -> Channel
        # served edges, in fd order: a list, since a client bound twice to
        # this actor has two edges of one name ("serve:client")
        self.served = []
        self.handlers = {}      # method (bytes) -> fn(body: bytes) -> reply bytes (or None for casts)
        self.next_id = int.from_bytes(os.urandom(4), "little") << 32 | 1
        self.replies = {}       # id -> (kind, method, body) read while waiting
        # ids of the calls still waiting: a reply to any other (one that
        # timed out, or failed peer_restarted) matches no call and is dropped
        self.waiting = set()
        self.ended_at = {}      # binding NAME -> when its peer last ended (monotonic ns)
        self.heard = {}         # binding NAME -> latest incarnation heard of
        self.stopping = False
        # with $WATCHDOG_USEC (and no $WATCHDOG_PID for another process),
        # pet at half of it from poll(), as libprospero does
        usec, pid = os.environ.get("WATCHDOG_USEC", ""), os.environ.get("WATCHDOG_PID")
        every = int(usec) / 2e6 if usec.isdigit() and (not pid or pid == str(os.getpid())) else 0
        self.pet_every = every if every > 0 else None
        self.next_pet = time.monotonic()

    @classmethod
    def from_env(cls):
        actor = cls()
        text = os.environ.get("PROSPERO_FDS", "0")
        # digits only, as the C library reads it: int() would take "+1" and " 1"
        if not re.fullmatch(r"[0-9]+", text) or int(text) > 4096:
            raise ValueError("PROSPERO_FDS=%r: expected a count from 0 to 4096" % text)
        count = int(text)
        names = os.environ.get("PROSPERO_FDNAMES", "")
        parts, out = names.split(":") if names else [], []
        while parts:
            name = parts.pop(0)
            if name == "serve" and parts:
                name += ":" + parts.pop(0)
            # split at every ":", as the C library does: an empty part
            # (never written by the daemon) is refused, not skipped
            if not name or name in ("serve", "serve:"):
                raise ValueError("PROSPERO_FDNAMES=%r: an empty name" % names)
            out.append(name)
        if len(out) != count:
            raise ValueError("PROSPERO_FDS=%d but %d names" % (count, len(out)))
        if out.count("control") > 1:
            raise ValueError("PROSPERO_FDNAMES names control twice")
        # a binding is called by its name; a client bound twice is
        # served on two edges of one name
        called = [n for n in out if n != "control" and not n.startswith("serve:")]
        if len(set(called)) != len(called):
            raise ValueError("PROSPERO_FDNAMES names a binding twice")
        for i in range(count):
            # each named fd open (EBADF) and a socket, before any is taken
            if not stat.S_ISSOCK(os.fstat(3 + i).st_mode):
                raise OSError(errno.ENOTSOCK, "fd %d (%s) is not a socket" % (3 + i, out[i]))
        for i, name in enumerate(out):
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET, fileno=3 + i)
            sock.set_inheritable(False)
            if name == "control":
                actor.control = sock
            elif name.startswith("serve:"):
                actor.served.append(Channel(name, sock, True))
            else:
                actor.channels[name] = Channel(name, sock, False)
        for var in ("PROSPERO_FDS", "PROSPERO_FDNAMES"):
            os.environ.pop(var, None)
        return actor

    # --- readiness -------------------------------------------------------
    def notify(self, text):
        if self.control is not None:
            self.control.send(text.encode())
            return
        path = os.environ.get("NOTIFY_SOCKET")
        if not path:
            return
        if path.startswith("@"):
            path = "\0" + path[1:]
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
            s.sendto(text.encode(), path)

    def ready(self):
        self.notify("READY=1")

    def watchdog(self):
        self.notify("WATCHDOG=1")

    def status(self, text):
        """STATUS=text: one line, cut as the daemon would cut it (255 bytes,
        where a character ends)."""
        if "\n" in text:
            raise ValueError("a status is one line")
        self.notify("STATUS=" + text.encode()[:255].decode(errors="ignore"))

    def _pet(self):
        """WATCHDOG=1 when due; the seconds until the next one (or None)."""
        if self.pet_every is None:
            return None
        now = time.monotonic()
        if now >= self.next_pet:
            self.watchdog()
            self.next_pet = now + self.pet_every
        return self.next_pet - now

    def handle(self, method, fn):
        self.handlers[method.encode() if isinstance(method, str) else method] = fn

    # --- sending ---------------------------------------------------------
    @staticmethod
    def _datagram(kind, ident, method, body):
        """One frame as (datagram, memfd or None): a body larger than a
        datagram goes in a sealed memfd, which the caller closes."""
        if len(body) > MAX_BODY:
            raise ValueError("a body holds at most 64 MiB, not %d bytes" % len(body))
        if HEADER.size + len(method) + len(body) <= MAX_DGRAM:
            return encode(kind, ident, method, body), None
        return encode(kind, ident, method, b"", FLAG_MEMFD, len(body)), make_memfd(body)

    @staticmethod
    def _sendmsg(sock, datagram, fd, flags):
        rights = [(socket.SOL_SOCKET, socket.SCM_RIGHTS, struct.pack("i", fd))] if fd is not None else []
        sock.sendmsg([datagram], rights, flags)

    def _send(self, sock, kind, ident, method, body, flags=0):
        datagram, fd = self._datagram(kind, ident, method, body)
        try:
            self._sendmsg(sock, datagram, fd, flags)
        finally:
            if fd is not None:
                os.close(fd)

    def _answer(self, ch, kind, ident, method, body):
        """A reply or error on a served edge: sent when the socket has room
        and nothing waits before it, else queued (README "Batching"), so
        that a client that reads nothing stops no other client."""
        ch.out.append(self._datagram(kind, ident, method, body))
        self._flush(ch)

    def _flush(self, ch):
        while ch.out:
            datagram, fd = ch.out[0]
            try:
                self._sendmsg(ch.sock, datagram, fd, socket.MSG_DONTWAIT)
            except BlockingIOError:
                return
            except OSError:
                self._forget(ch)    # the client is gone: its answers with it
                return
            ch.out.popleft()
            if fd is not None:
                os.close(fd)

    @staticmethod
    def _forget(ch):
        while ch.out:
            _, fd = ch.out.popleft()
            if fd is not None:
                os.close(fd)

    def _send_when_room(self, ch, kind, ident, method, body, deadline):
        """Send on a binding's socket, serving and petting while it has no
        room: when the send that went began (monotonic ns), or None if
        DEADLINE came first. A service that reads nothing holds up this
        send alone, never the actor."""
        datagram, fd = self._datagram(kind, ident, method, body)
        try:
            while True:
                began = time.monotonic_ns()
                try:
                    self._sendmsg(ch.sock, datagram, fd, socket.MSG_DONTWAIT)
                    return began
                except BlockingIOError:
                    pass
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self.poll(left, writable=ch)
        finally:
            if fd is not None:
                os.close(fd)

    def cast(self, binding, method, body=b"", timeout=5.0):
        """Send a cast; OSError EAGAIN if the socket has had no room for it
        for TIMEOUT seconds (the service reads nothing)."""
        if self._send_when_room(self.channels[binding], CAST, 0, method.encode(), body,
                                time.monotonic() + timeout) is None:
            raise OSError(errno.EAGAIN, "binding %s: no room for a cast within %g s" % (binding, timeout))

    def call(self, binding, method, body=b"", timeout=5.0):
        """Send a call and wait for its answer, serving requests meanwhile."""
        ch = self.channels[binding]
        ident = self.next_id
        self.next_id += 1
        deadline = time.monotonic() + timeout
        # an end the daemon saw before the send began is not this call's
        sent_at = self._send_when_room(ch, CALL, ident, method.encode(), body, deadline)
        if sent_at is None:
            raise CallError("timeout", "no room to send the call within the timeout")
        self.waiting.add(ident)
        try:
            while ident not in self.replies:
                # an end before the call was sent is not this call's: it went
                # to the socket the next incarnation reads
                if self.ended_at.get(binding, 0) >= sent_at:
                    raise CallError("peer_restarted", "peer restarted")
                left = deadline - time.monotonic()
                if left <= 0:
                    raise CallError("timeout", "no answer within the timeout")
                self.poll(left)
        finally:
            self.waiting.discard(ident)
        kind, code, answer = self.replies.pop(ident)
        if kind == ERROR:
            raise CallError(known_code(code.decode(errors="replace")), answer.decode(errors="replace"))
        return answer

    # --- queues ----------------------------------------------------------
    def queue_send(self, binding, body, timeout=5.0):
        """Send one message to the queue behind BINDING: its id, once the
        queue has it on disk. CallError if not (bad_request: too large;
        timeout or peer_restarted: send it again)."""
        return self.queue_send_batch(binding, [body], timeout, method="send")[0]

    def queue_send_batch(self, binding, bodies, timeout=5.0, method="send_batch"):
        """Send 1 to 1000 messages, all committed or none: their ids."""
        if not 1 <= len(bodies) <= BATCH_MAX:
            raise ValueError("a batch holds 1 to %d messages" % BATCH_MAX)
        body = bodies[0] if method == "send" else encode_batch(bodies)
        reply = self.call(binding, method, body, timeout)
        if len(reply) != SENT.size:
            raise CallError("internal", "not a queue's reply")
        first, n = SENT.unpack(reply)
        return list(range(first, first + n))

    def queue_cast(self, binding, body, timeout=5.0):
        """One message, unanswered: not durable (lost if the queue stops
        before its next commit)."""
        self.cast(binding, "send", body, timeout)

    def consume(self, fn):
        """Take the deliveries of the queue whose CONSUMER this actor is:
        fn(messages) answers each QueueMessage with ack() or retry().
        Those it leaves unanswered are retried, and so are those left when
        it raises (what it answered before stands)."""
        def deliver(body):
            try:
                messages = decode_delivery(body)
            except Malformed as m:
                raise CallError("bad_request", str(m))
            try:
                fn(messages)
            except Exception:  # a consumer's bug: the queue retries the rest
                traceback.print_exc(file=sys.stderr)
            return encode_answer(messages)
        self.handle("deliver", deliver)

    # --- receiving -------------------------------------------------------
    def _recv(self, sock):
        fdsize = struct.calcsize("i")
        data, anc, flags, _ = sock.recvmsg(MAX_DGRAM, socket.CMSG_SPACE(MAX_FDS * fdsize),
                                           socket.MSG_DONTWAIT | socket.MSG_CMSG_CLOEXEC)
        fds = []
        for level, typ, cdata in anc:
            if level == socket.SOL_SOCKET and typ == socket.SCM_RIGHTS:
                usable = len(cdata) - len(cdata) % fdsize
                fds.extend(struct.unpack("%di" % (usable // fdsize), cdata[:usable]))
        return data, fds, flags

    def _dispatch(self, ch, data, fds, flags):
        off, next_fd = 0, 0
        if flags & (socket.MSG_TRUNC | socket.MSG_CTRUNC):
            # the first frame's header may still be readable: a call is answered
            why = "datagram too large" if flags & socket.MSG_TRUNC else "too many file descriptors"
            raise Malformed(why, *known_header(data))
        while off < len(data):
            kind, fflags, ident, method, body, blen, off = decode(data, off)
            if fflags & FLAG_MEMFD:
                if next_fd >= len(fds):
                    raise Malformed("memfd body without a file descriptor", kind, ident)
                try:
                    body = read_memfd(fds[next_fd], blen)
                except Malformed as m:
                    raise Malformed(str(m), kind, ident)
                next_fd += 1
            if ch.serve:
                self._serve(ch, kind, ident, method, body)
            elif kind == ERROR and not ident:
                # the daemon's notice in band, behind the dead one's replies
                # exactly as the daemon writes it; any other body says
                # nothing to trust and is ignored, as the C library does
                notice = re.fullmatch(rb'\{"incarnation":([1-9][0-9]*),"at":([1-9][0-9]*)\}', body)
                if method == b"peer_restarted" and notice:
                    self._peer_restarted(ch.name, int(notice.group(1)), int(notice.group(2)))
            elif kind in (REPLY, ERROR):
                if ident in self.waiting:
                    self.replies[ident] = (kind, method, body)
            elif kind == CALL:
                self._error(ch, ident, "bad_request", "this end of the binding serves no calls")

    def _error(self, ch, ident, code, message):
        method, body = known_code(code).encode(), message.encode()[:4096]
        if ch.serve:
            self._answer(ch, ERROR, ident, method, body)
            return
        # a client's end owes these answers nobody (calls sent to it): only
        # if the socket has room, or a peer that floods it with calls and
        # reads nothing would block it for good, its own replies unread
        try:
            self._send(ch.sock, ERROR, ident, method, body, socket.MSG_DONTWAIT)
        except OSError:
            pass

    def _serve(self, ch, kind, ident, method, body):
        if kind not in (CALL, CAST):
            return
        fn = self.handlers.get(method)
        if fn is None:
            if kind == CALL:
                self._error(ch, ident, "no_such_method", "no such method")
            return
        try:
            answer = fn(body)
        except CallError as e:
            if kind == CALL:
                self._error(ch, ident, e.code, e.message)
            return
        except Exception as e:  # a handler's bug is the caller's "internal", not our death
            if kind == CALL:
                self._error(ch, ident, "internal", "%s: %s" % (type(e).__name__, e))
            return
        if kind == CALL and not isinstance(answer, (bytes, bytearray, memoryview, type(None))):
            self._error(ch, ident, "internal", "the handler returned %s, not bytes" % type(answer).__name__)
        elif kind == CALL:
            try:
                self._answer(ch, REPLY, ident, b"", answer if answer is not None else b"")
            except ValueError as e:     # as the C library answers a reply it cannot send
                self._error(ch, ident, "internal", str(e))
            except OSError:
                pass                    # no memfd to be had: as a client gone

    def _on_readable(self, ch):
        try:
            data, fds, flags = self._recv(ch.sock)
        except BlockingIOError:
            return True
        except OSError:
            return False        # the channel is broken: drop it, keep serving the others
        if not data:
            ch.ended = True     # end of stream, or an empty datagram: read no more
            return True
        try:
            self._dispatch(ch, data, fds, flags)
        except Malformed as m:
            if m.kind == CALL and m.ident:
                self._error(ch, m.ident, "bad_request", str(m))
        finally:
            for fd in fds:
                os.close(fd)
        return True

    def _on_control(self):
        try:
            msg = self.control.recv(4096, socket.MSG_DONTWAIT)
        except BlockingIOError:
            return
        except OSError:
            msg = b""
        if not msg:             # the daemon is gone: watch it no more
            self.control_ended = True
            return
        fields = dict(line.split("=", 1) for line in msg.decode(errors="replace").splitlines() if "=" in line)
        name = fields.get("PEER_RESTARTED")
        if name:
            inc = fields.get("INCARNATION", "0")
            self._peer_restarted(name, int(inc) if inc.isdigit() else 0, None)

    def _peer_restarted(self, name, incarnation, at):
        # the notice comes in band and on the control channel: act once.
        # AT is when the daemon saw the end; unknown, it counts as now.
        if incarnation and incarnation <= self.heard.get(name, 0):
            return
        if incarnation:
            self.heard[name] = incarnation
        # one later than now (a clock that went wrong) counts as now, as
        # libprospero takes it: not every call until then
        now = time.monotonic_ns()
        self.ended_at[name] = at if at is not None and at < now else now

    def poll(self, timeout=None, writable=None):
        """Serve what is ready within TIMEOUT seconds (and pet); also
        return once channel WRITABLE has room."""
        due = self._pet()
        if due is not None and (timeout is None or due < timeout):
            timeout = due
        sel = selectors.DefaultSelector()
        try:
            if self.control is not None and not self.control_ended:
                sel.register(self.control, selectors.EVENT_READ, None)
            for ch in [*self.channels.values(), *self.served]:
                if ch.sock.fileno() < 0:
                    continue
                if ch.out:              # its answers first: no new request meanwhile
                    events = selectors.EVENT_WRITE
                else:
                    events = selectors.EVENT_READ if not ch.ended and (not ch.serve or not self.stopping) else 0
                    events |= selectors.EVENT_WRITE if ch is writable else 0
                if events:
                    sel.register(ch.sock, events, ch)
            for key, events in sel.select(timeout):
                if key.data is None:
                    self._on_control()
                    continue
                if events & selectors.EVENT_WRITE and key.data.out:
                    self._flush(key.data)
                if events & selectors.EVENT_READ and not self._on_readable(key.data):
                    sel.unregister(key.data.sock)
                    self._forget(key.data)
                    key.data.sock.close()
        finally:
            sel.close()

    def run(self):
        """Serve until SIGTERM (then finish: every request here is answered
        in its handler; answers a client has not made room for are offered
        to its socket once more, as prospero_close does)."""
        import signal

        def stop(signum, frame):
            self.stopping = True

        signal.signal(signal.SIGTERM, stop)
        while not self.stopping:
            try:
                self.poll(1.0)
            except InterruptedError:
                pass
        for ch in self.served:
            if ch.sock.fileno() >= 0:
                self._flush(ch)
                self._forget(ch)


def json_handler(fn):
    """Wrap fn(dict) -> dict as a handler of JSON bodies."""
    def handler(body):
        try:
            request = json.loads(body or b"null")
        except ValueError as e:
            raise CallError("bad_request", "body is not JSON: %s" % e)
        return json.dumps(fn(request)).encode()
    return handler
