#!/usr/bin/env python3
"""Seed corpora for the fuzz targets, from the tests' own inputs.

    python3 tests/fuzz/seeds.py SRCDIR OUTDIR

writes OUTDIR/<target>/seed-*: the configs of tests/unit/check_config.c,
tests/integration/*.c and examples/, the frames of check_frame.c, the
control messages of check_control.c, the .dev.vars texts of
check_secrets.c and examples/. Run once to start a corpus; `make
fuzz-merge` then folds the seeds and what the fuzzers found into
tests/fuzz/corpus/. The test files are read as they are written: C
string literals, adjacent ones joined."""
import glob
import os
import re
import struct
import sys

SEP = b"//@@\n"     # fuzz_config.c: a line that starts the next file

LIT = re.compile(r'"((?:[^"\\\n]|\\.)*)"')
GAP = re.compile(r'(?:\s|//[^\n]*\n|/\*.*?\*/)*', re.S)
ESC = {'n': 10, 't': 9, 'r': 13, '0': 0, '\\': 92, '"': 34, "'": 39, 'a': 7, 'b': 8, 'f': 12, 'v': 11}


def unescape(s):
    out, i = bytearray(), 0
    while i < len(s):
        c = s[i]
        if c != '\\':
            out += c.encode()
            i += 1
            continue
        n = s[i + 1]
        if n == 'x':
            m = re.match(r'[0-9a-fA-F]+', s[i + 2:])
            out.append(int(m.group(0), 16) & 0xff)
            i += 2 + len(m.group(0))
        elif n in '01234567' and re.match(r'[0-7]{1,3}', s[i + 1:]).group(0) != '0':
            m = re.match(r'[0-7]{1,3}', s[i + 1:])
            out.append(int(m.group(0), 8) & 0xff)
            i += 1 + len(m.group(0))
        elif n in 'uU':
            digits = 4 if n == 'u' else 8
            out += chr(int(s[i + 2:i + 2 + digits], 16)).encode()
            i += 2 + digits
        else:
            out.append(ESC.get(n, ord(n)))
            i += 2
    return bytes(out)


def literals(text):
    """Each run of adjacent string literals: (start, end, bytes)."""
    pos = 0
    while True:
        m = LIT.search(text, pos)
        if not m:
            return
        start, parts, end = m.start(), [m.group(1)], m.end()
        while True:
            g = GAP.match(text, end)
            n = LIT.match(text, g.end())
            if not n:
                break
            parts.append(n.group(1))
            end = n.end()
        yield start, end, unescape(''.join(parts))
        pos = end


def configish(b):
    return b'"actor"' in b or b'"supervisor"' in b


def harness(b):
    """The integration harness's placeholders, as paths the fuzz scratch
    directory has."""
    for k, v in ((b'@TA@', b'./w'), (b'@EA@', b'./w'), (b'@DIR@', b'.'), (b'%s', b'w'),
                 (b'%d', b'1'), (b'%u', b'1'), (b'%zu', b'1'), (b'%%', b'%')):
        b = b.replace(k, v)
    return b


def expand_macros(text):
    """Each #define of string literals, written out where it is used."""
    for name, body in re.findall(r'^#define (\w+) ("(?:.|\\\n)*?")\s*$', text, re.M):
        text = re.sub(r'(?<!#define )\b%s\b' % name, lambda _: body, text)
    return text


def call_args(text, name, count):
    """The first COUNT arguments of each call NAME(...), when they are all
    string literals."""
    for m in re.finditer(r'\b%s\(' % name, text):
        args, pos = [], m.end()
        for _ in range(count):
            g = GAP.match(text, pos)
            lits = list(literals(text[g.end():]))
            if not lits or lits[0][0] != 0:
                break
            args.append(lits[0][2])
            pos = g.end() + lits[0][1]
            pos = GAP.match(text, pos).end() + 1     # the comma
        if len(args) == count:
            yield args


def templated(text):
    """check_config.c's bind_tree(): a tree whose three actors take the
    text its callers give, through an snprintf template."""
    m = re.search(r'static void bind_tree\(.*?snprintf\(text, sizeof text,(.*?),\s*w1, w2, w3\)', text, re.S)
    if not m:
        return []
    template = next(literals(m.group(1)))[2]
    out = []
    for name in ('bind_tree', 'expect_bind'):
        for args in call_args(text, name, 3):
            out.append(template.replace(b'%s', args[0], 1).replace(b'%s', args[1], 1).replace(b'%s', args[2], 1))
    return out


def config_seeds(src):
    seeds = []
    for path in [os.path.join(src, 'tests/unit/check_config.c')] + \
            sorted(glob.glob(os.path.join(src, 'tests/integration/*.c'))):
        text = expand_macros(open(path, encoding='utf-8').read())
        seeds += templated(text)
        for test in re.split(r'\nSTART_TEST', text):
            files = [harness(b) for _, _, b in literals(test) if configish(b)]
            seeds += files
            if len(files) > 1:
                seeds.append(SEP.join(files[:4]))
    for path in sorted(glob.glob(os.path.join(src, 'examples/*/prospero.jsonc'))):
        seeds.append(open(path, 'rb').read())
    # what no test writes: a key the locator must unescape (a surrogate
    # pair), and values of the types no key takes
    seeds.append(b'{ "supervisor": "top", "\\ud83d\\ude00": 1, "children": [\n'
                 b'  { "actor": "w", "exec": ["./w"], "instances": 1.5, "restart": null } ] }\n')
    return seeds


def frame(kind, flags, method, body, ident, body_len=None):
    n = len(body) if body_len is None else body_len
    return struct.pack('<2sBBBBHIQ', b'PR', 1, kind, flags, 0, len(method), n, ident) + method + \
        (b'' if flags & 1 else body)


def frame_seeds():
    good = [frame(1, 0, b'get', b'{"sku":1}', 0x0102030405060708),
            frame(2, 0, b'', b'{"ok":true}', 7),
            frame(3, 0, b'no_such_method', b'nope', 9),
            frame(4, 0, b'log', b'', 0),
            frame(3, 0, b'peer_restarted', b'{"incarnation":2,"at":123456789012345}', 0),
            frame(1, 1, b'big', b'', 2, body_len=100),
            frame(1, 1, b'big', b'', 3, body_len=64 << 20),
            frame(4, 1, b'bulk', b'', 0, body_len=0),
            frame(1, 1, b'big', b'', 6, body_len=100)]     # id bit 1: sent without its memfd
    seeds = list(good)
    seeds.append(b''.join(good[:5]))
    seeds.append(frame(4, 0, b'tick', b'0123', 0) * 16)
    seeds.append(b''.join([good[5], good[0], good[5]]))
    call = frame(1, 0, b'm', b'b', 5)
    # check_frame.c's bad_headers_say_why: one broken field each
    for at, v in ((0, 0x58), (2, 2), (3, 0), (3, 5), (4, 0x80), (5, 1), (6, 0), (7, 1), (8, 200),
                  (11, 0xff), (12, 0)):
        seeds.append(call[:at] + bytes([v]) + call[at + 1:])
    long_call = frame(1, 0, b'method', b'some body', 42)
    seeds += [long_call[:n] for n in (0, 1, 19, 20, 25, len(long_call) - 1)]
    seeds.append(good[0] + long_call[:25])
    return seeds


def control_seeds(src):
    """Both directions of the control channel: the literals of
    check_control.c, split by the message kind they hold."""
    text = open(os.path.join(src, 'tests/unit/check_control.c'), encoding='utf-8').read()
    notify, control = [], []
    for _, _, b in literals(text):
        if b.startswith(b'PEER_RESTARTED') or b.startswith(b'INCARNATION') or b == b'STOP=1\n':
            control.append(b)
        elif re.match(rb'^(READY|STATUS|STOPPING|WATCHDOG|XREADY|ready|\n|$)', b):
            notify.append(b)
    notify += [b'READY=1', b'WATCHDOG=1', b'STOPPING=1\nSTATUS=bye\n', b'STATUS=' + b'x' * 5000,
               b'STATUS=' + 'é'.encode() * 200]
    control += [b'PEER_RESTARTED=INVENTORY\nINCARNATION=3\n', b'STOP=1\n',
                b'PEER_RESTARTED=A\nINCARNATION=18446744073709551615\n']
    return notify, control


def devvars_seeds(src):
    text = open(os.path.join(src, 'tests/unit/check_secrets.c'), encoding='utf-8').read()
    text = text.replace('" VALUE "', 's3cr3t-VALUE')
    seeds = [b for _, _, b in literals(text) if b'=' in b and b'\n' in b]
    seeds.append(open(os.path.join(src, 'examples/orders/.dev.vars'), 'rb').read())
    seeds.append(b'OK=1\nPLAIN=  "  quoted  "  \r\nPAYMENT_API_KEY=\n')
    return seeds


def write(out, target, seeds):
    d = os.path.join(out, target)
    os.makedirs(d, exist_ok=True)
    seen = set()
    for s in seeds:
        if s in seen:
            continue
        seen.add(s)
        with open(os.path.join(d, 'seed-%03d' % len(seen)), 'wb') as f:
            f.write(s)


def main():
    src, out = sys.argv[1], sys.argv[2]
    notify, control = control_seeds(src)
    write(out, 'config', config_seeds(src))
    write(out, 'frame', frame_seeds())
    write(out, 'notify', notify)
    write(out, 'control', control)
    write(out, 'devvars', devvars_seeds(src))


main()
