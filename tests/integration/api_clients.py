#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Clients of fastpathd's control API (docs/api.md), Python standard library only.

  api_clients.py load SOCKET [--clients 100] [--rounds 5]
      that many concurrent connections, each sending ROUNDS x (api.version,
      iface.list): every reply must match its request's id and be ok.
  api_clients.py bad SOCKET
      malformed, truncated, oversized and unknown requests, each on its own
      connection: each must get an error reply naming its errno; then the
      daemon must still answer api.version.
  api_clients.py monitor SOCKET
      subscribes to route events, adds and deletes a blackhole route on another
      connection: both events must arrive (needs the route publishers).
  api_clients.py call SOCKET CMD [ARGS-JSON] [--file PATH --open r|w]
      runs one command and prints its result, chunked replies reassembled;
      with --file, PATH opened by this client (r: to read; w: created or
      truncated, to write) is passed with the request (SCM_RIGHTS).
  api_clients.py files SOCKET DIR
      a crafted client passing what a file-taking command must refuse at
      once, unread (a FIFO, /dev/zero, a socket, an O_PATH descriptor of
      /etc/shadow, a file open the wrong way, too many descriptors), each
      refused in less than a second, the daemon answering at once after it;
      DIR is a directory the client may write.

Prints a summary; exits 0 when every check passed, 1 otherwise.
"""

import argparse
import json
import os
import socket
import sys
import threading
import time

REQUEST_MAX = 1 << 20
TIMEOUT = 10


class ProtocolError(Exception):
    pass


class Conn:
    """One connection: newline-delimited JSON, events put aside."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(TIMEOUT)
        self.sock.connect(path)
        self.buf = b""
        self.events = []
        self.next_id = 0

    def close(self):
        self.sock.close()

    def send_raw(self, data, fds=()):
        """data, with the descriptors fds on its first byte (one sendmsg)."""
        if fds:
            sent = socket.send_fds(self.sock, [data], list(fds))
            data = data[sent:]
        self.sock.sendall(data)

    def send(self, cmd, args=None, req_id=None, fds=()):
        if req_id is None:
            self.next_id += 1
            req_id = self.next_id
        req = {"id": req_id, "cmd": cmd}
        if args is not None:
            req["args"] = args
        self.send_raw(json.dumps(req).encode() + b"\n", fds)
        return req_id

    def line(self):
        """The next line as bytes, or None at the end of the stream."""
        while b"\n" not in self.buf:
            try:
                data = self.sock.recv(1 << 16)
            except ConnectionResetError:
                # the server closed without reading all we sent: the end too
                data = b""
            if not data:
                return None
            self.buf += data
        line, self.buf = self.buf.split(b"\n", 1)
        return line

    def message(self):
        line = self.line()
        if line is None:
            raise ProtocolError("connection closed by fastpathd")
        msg = json.loads(line)
        if not isinstance(msg, dict):
            raise ProtocolError("message is not an object: %r" % line[:200])
        return msg

    def reply(self, req_id):
        """The reply to req_id, chunks ("more") merged: (ok, result or error)."""
        result = None
        while True:
            msg = self.message()
            if "id" not in msg and "event" in msg:
                self.events.append(msg)
                continue
            if msg.get("id") != req_id:
                raise ProtocolError("reply id %r, expected %r" % (msg.get("id"), req_id))
            if msg.get("ok") is not True:
                return False, check_error(msg)
            chunk = msg.get("result")
            if not isinstance(chunk, dict):
                raise ProtocolError("result is not an object: %r" % msg)
            if result is None:
                result = chunk
            else:
                for key, value in chunk.items():
                    if isinstance(value, list) and isinstance(result.get(key), list):
                        result[key].extend(value)
                    else:
                        result[key] = value
            if not msg.get("more"):
                return True, result

    def call(self, cmd, args=None, fds=()):
        return self.reply(self.send(cmd, args, fds=fds))

    def event(self, timeout):
        if self.events:
            return self.events.pop(0)
        self.sock.settimeout(timeout)
        try:
            msg = self.message()
        finally:
            self.sock.settimeout(TIMEOUT)
        if "id" in msg or "event" not in msg:
            raise ProtocolError("expected an event, got %r" % msg)
        return msg


def check_error(msg):
    """An error reply's error object, checked for its shape."""
    err = msg.get("error")
    if (
        msg.get("ok") is not False
        or not isinstance(err, dict)
        or not isinstance(err.get("errno"), str)
        or not err["errno"].startswith("E")
        or not isinstance(err.get("code"), int)
        or err["code"] <= 0
        or not isinstance(err.get("message"), str)
        or not err["message"]
    ):
        raise ProtocolError("malformed error reply: %r" % msg)
    return err


def check_result(cmd, result):
    if cmd == "api.version":
        if not isinstance(result.get("protocol"), int) or not isinstance(result.get("version"), str):
            raise ProtocolError("api.version: unexpected result %r" % result)
    elif cmd == "iface.list":
        if not isinstance(result.get("interfaces"), list):
            raise ProtocolError("iface.list: unexpected result %r" % result)


def load(args):
    cmds = ["api.version", "iface.list"] * args.rounds
    barrier = threading.Barrier(args.clients)
    failures = []
    replies = [0]
    lock = threading.Lock()

    def client(n):
        conn = None
        try:
            conn = Conn(args.socket)
            barrier.wait(TIMEOUT)
            if n % 2 == 0:
                # pipelined: every request, then every reply
                ids = [conn.send(cmd, req_id=n * 1000 + i) for i, cmd in enumerate(cmds)]
            else:
                ids = []
            for i, cmd in enumerate(cmds):
                req_id = ids[i] if ids else conn.send(cmd, req_id="c%d-%d" % (n, i))
                ok, result = conn.reply(req_id)
                if not ok:
                    raise ProtocolError("%s: %s %s" % (cmd, result["errno"], result["message"]))
                check_result(cmd, result)
                with lock:
                    replies[0] += 1
        except (OSError, ValueError, ProtocolError, threading.BrokenBarrierError) as e:
            with lock:
                failures.append("client %d: %s: %s" % (n, type(e).__name__, e))
        finally:
            if conn is not None:
                conn.close()

    start = time.monotonic()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(args.clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for f in failures[:20]:
        print("FAIL " + f)
    print(
        "load: %d clients x %d requests: %d/%d replies ok, %d clients failed, %.2f s"
        % (
            args.clients,
            len(cmds),
            replies[0],
            args.clients * len(cmds),
            len(failures),
            time.monotonic() - start,
        )
    )
    return 0 if not failures and replies[0] == args.clients * len(cmds) else 1


# name, bytes to send, whether to shut down our side after them, expected errno
# names (any of), whether the server hangs up after the reply
BAD_REQUESTS = [
    ("not JSON", b"{bad json\n", False, ["EBADMSG"], False),
    ("truncated line", b'{"id": 1, "cmd": "api.vers\n', False, ["EBADMSG"], False),
    ("truncated at EOF", b'{"id": 1, "cmd": "api.vers', True, ["EBADMSG"], True),
    ("invalid UTF-8", b'{"id": 1, "cmd": "\xff\xfe"}\n', False, ["EBADMSG"], False),
    ("NUL byte", b'{"id": 1, "cmd": "api.version"}\x00\n', False, ["EBADMSG"], False),
    ("nested too deep", b"[" * 100000 + b"\n", False, ["EBADMSG"], False),
    ("integer overflow", b'{"id": 123456789012345678901234567890, "cmd": "x"}\n', False,
     ["EBADMSG"], False),
    ("duplicate key", b'{"id": 1, "cmd": "api.version", "id": 2}\n', False, ["EBADMSG"], False),
    ("not an object", b"[1, 2]\n", False, ["EINVAL"], False),
    # jansson reads only an object or an array at the top: a bare value is not JSON to it
    ("a string", b'"api.version"\n', False, ["EBADMSG"], False),
    ("empty object", b"{}\n", False, ["EINVAL"], False),
    ("no cmd", b'{"id": 3}\n', False, ["EINVAL"], False),
    ("cmd not a string", b'{"id": 4, "cmd": 4}\n', False, ["EINVAL"], False),
    ("args not an object", b'{"id": 5, "cmd": "api.version", "args": [1]}\n', False,
     ["EINVAL"], False),
    ("unknown member", b'{"id": 6, "cmd": "api.version", "arg": {}}\n', False, ["EINVAL"], False),
    ("unknown command", b'{"id": 7, "cmd": "route.frobnicate"}\n', False,
     ["ENOTSUP", "EOPNOTSUPP"], False),
    ("unknown argument", b'{"id": 8, "cmd": "api.version", "args": {"x": 1}}\n', False,
     ["EINVAL"], False),
    ("bad monitor class", b'{"id": 9, "cmd": "monitor", "args": {"events": ["bogus"]}}\n', False,
     ["EINVAL"], False),
    # one byte too many, all of which the server reads before it answers
    ("oversized", (b'{"id": 10, "cmd": "api.version", "args": {"x": "' + b"a" * REQUEST_MAX)[
        : REQUEST_MAX + 1], False, ["EMSGSIZE"], True),
]


def bad(args):
    failures = 0
    for name, data, shut, errnos, hangup in BAD_REQUESTS:
        conn = None
        try:
            conn = Conn(args.socket)
            conn.send_raw(data)
            if shut:
                conn.sock.shutdown(socket.SHUT_WR)
            msg = conn.message()
            err = check_error(msg)
            if err["errno"] not in errnos:
                raise ProtocolError("errno %s, expected %s" % (err["errno"], " or ".join(errnos)))
            if hangup:
                if conn.line() is not None:
                    raise ProtocolError("the server did not hang up")
            else:
                # the connection still works
                ok, result = conn.call("api.version")
                if not ok:
                    raise ProtocolError("api.version after it: %s" % result["message"])
            print("ok   %-20s %s: %s" % (name, err["errno"], err["message"][:80]))
        except (OSError, ValueError, ProtocolError) as e:
            failures += 1
            print("FAIL %-20s %s: %s" % (name, type(e).__name__, e))
        finally:
            if conn is not None:
                conn.close()
    try:
        conn = Conn(args.socket)
        ok, result = conn.call("api.version")
        conn.close()
        if not ok:
            raise ProtocolError(result["message"])
        check_result("api.version", result)
        print("ok   fastpathd still answers: version %s, protocol %d"
              % (result["version"], result["protocol"]))
    except (OSError, ValueError, ProtocolError) as e:
        failures += 1
        print("FAIL fastpathd no longer answers: %s: %s" % (type(e).__name__, e))
    print("bad: %d requests, %d failures" % (len(BAD_REQUESTS) + 1, failures))
    return 0 if failures == 0 else 1


def monitor(args):
    prefix = "10.251.0.0/16"
    try:
        mon = Conn(args.socket)
        ok, result = mon.call("monitor", {"events": ["route"]})
        if not ok or result.get("events") != ["route"]:
            raise ProtocolError("monitor: %r" % result)
        conn = Conn(args.socket)
        for cmd, cmd_args in (
            ("route.add", {"prefix": prefix, "type": "blackhole"}),
            ("route.del", {"prefix": prefix}),
        ):
            ok, result = conn.call(cmd, cmd_args)
            if not ok:
                raise ProtocolError("%s: %s" % (cmd, result["message"]))
        seen = []
        deadline = time.monotonic() + 5
        while len(seen) < 2 and time.monotonic() < deadline:
            ev = mon.event(max(0.1, deadline - time.monotonic()))
            if not ev["event"].startswith("route."):
                raise ProtocolError("an event not subscribed to: %r" % ev)
            if isinstance(ev.get("object"), dict) and ev["object"].get("prefix") == prefix:
                seen.append(ev["event"])
        if seen != ["route.add", "route.del"]:
            raise ProtocolError("events for %s: %r, expected route.add, route.del" % (prefix, seen))
        ok, result = mon.call("monitor.stop")
        if not ok:
            raise ProtocolError("monitor.stop: %s" % result["message"])
        mon.close()
        conn.close()
    except (OSError, ValueError, ProtocolError) as e:
        print("FAIL monitor: %s: %s" % (type(e).__name__, e))
        return 1
    print("monitor: route.add and route.del events received")
    return 0


OPEN_FLAGS = {"r": os.O_RDONLY, "w": os.O_WRONLY | os.O_CREAT | os.O_TRUNC}


def call(args):
    try:
        fds = []
        if args.file is not None:
            fds.append(os.open(args.file, OPEN_FLAGS[args.open] | os.O_CLOEXEC, 0o644))
        conn = Conn(args.socket)
        ok, result = conn.call(args.cmd, json.loads(args.args) if args.args else None, fds)
        conn.close()
        for fd in fds:
            os.close(fd)
    except (OSError, ValueError, ProtocolError) as e:
        print("api_clients.py: %s: %s" % (type(e).__name__, e), file=sys.stderr)
        return 1
    if not ok:
        print("api_clients.py: %s: %s" % (result["errno"], result["message"]), file=sys.stderr)
        return 1
    try:
        json.dump(result, sys.stdout, indent=2)
        print()
    except BrokenPipeError:
        pass
    return 0


def files(args):
    """Descriptors a file-taking command must refuse, at once and unread."""
    fifo = os.path.join(args.dir, "api_clients.fifo")
    plain = os.path.join(args.dir, "api_clients.txt")
    with open(plain, "w") as f:
        f.write("{}")
    if not os.path.exists(fifo):
        os.mkfifo(fifo, 0o600)
    pair = socket.socketpair()
    cases = [
        # (what, cmd, args, how to open it, errno, words of the message)
        ("a FIFO to config.load", "config.load", None,
         lambda: os.open(fifo, os.O_RDWR | os.O_NONBLOCK), "EINVAL", "a FIFO, not a regular file"),
        ("a FIFO to capture.start", "capture.start", None,
         lambda: os.open(fifo, os.O_RDWR | os.O_NONBLOCK), "EINVAL", "a FIFO, not a regular file"),
        ("/dev/zero to config.load", "config.load", None,
         lambda: os.open("/dev/zero", os.O_RDONLY), "EINVAL", "a character device"),
        ("/dev/full to capture.start", "capture.start", None,
         lambda: os.open("/dev/full", os.O_WRONLY), "EINVAL", "a character device"),
        ("a socket to config.load", "config.load", None,
         lambda: os.dup(pair[0].fileno()), "EINVAL", "a socket, not a regular file"),
        ("the directory to config.load", "config.load", None,
         lambda: os.open(args.dir, os.O_RDONLY | os.O_DIRECTORY), "EINVAL", "a directory"),
        ("O_PATH of /etc/shadow to config.load", "config.load", None,
         lambda: os.open("/etc/shadow", os.O_PATH), "EBADF", "O_PATH"),
        ("O_PATH of /etc/shadow to capture.start", "capture.start", None,
         lambda: os.open("/etc/shadow", os.O_PATH), "EBADF", "O_PATH"),
        ("a file open to read, to capture.start", "capture.start", None,
         lambda: os.open(plain, os.O_RDONLY), "EBADF", "not open for writing"),
        ("a file open to write, to config.load", "config.load", None,
         lambda: os.open(plain, os.O_WRONLY), "EBADF", "not open for reading"),
        ("no file with config.load", "config.load", None, None, "EBADF",
         "no file descriptor passed"),
        ("a path argument to config.load", "config.load", {"path": "/etc/shadow"}, None,
         "EINVAL", "unknown argument 'path' for config.load: it takes none"),
        ("a file argument to capture.start", "capture.start", {"file": "/root/x.pcapng"}, None,
         "EINVAL", "unknown argument 'file' for capture.start"),
    ]
    failures = 0
    conn = Conn(args.socket)
    for what, cmd, cmd_args, opener, errno_name, words in cases:
        fds = [opener()] if opener else []
        try:
            start = time.monotonic()
            ok, result = conn.call(cmd, cmd_args, fds)
            took = time.monotonic() - start
            if ok:
                raise ProtocolError("accepted: %r" % result)
            if result["errno"] != errno_name or words not in result["message"]:
                raise ProtocolError("%s: %s, expected %s with '%s'"
                                    % (result["errno"], result["message"], errno_name, words))
            if took > 1:
                raise ProtocolError("refused after %.1f s" % took)
            start = time.monotonic()
            ok, result = conn.call("api.version")
            if not ok or time.monotonic() - start > 1:
                raise ProtocolError("the daemon does not answer at once after it")
            print("ok   %s: %s: %s" % (what, errno_name, words))
        except (OSError, ValueError, ProtocolError) as e:
            failures += 1
            print("FAIL %s: %s: %s" % (what, type(e).__name__, e))
        finally:
            for fd in fds:
                os.close(fd)
    # more descriptors than a connection holds: the extra are closed and counted
    try:
        ok, before = conn.call("api.stats")
        fds = [os.open(plain, os.O_RDONLY) for _ in range(6)]
        ok, result = conn.call("api.version", None, fds)
        for fd in fds:
            os.close(fd)
        ok, after = conn.call("api.stats")
        if after["fds_dropped"] != before["fds_dropped"] + 2:
            raise ProtocolError("fds_dropped %d, then %d" % (before["fds_dropped"], after["fds_dropped"]))
        print("ok   6 descriptors at once: 2 closed and counted")
    except (OSError, ValueError, ProtocolError) as e:
        failures += 1
        print("FAIL 6 descriptors at once: %s: %s" % (type(e).__name__, e))
    conn.close()
    pair[0].close()
    pair[1].close()
    os.unlink(fifo)
    os.unlink(plain)
    print("files: %d checks, %d failures" % (len(cases) + 1, failures))
    return 0 if failures == 0 else 1


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="mode", required=True)
    p = sub.add_parser("load", help="many concurrent clients")
    p.add_argument("socket")
    p.add_argument("--clients", type=int, default=100)
    p.add_argument("--rounds", type=int, default=5, help="api.version + iface.list pairs per client")
    p.set_defaults(fn=load)
    p = sub.add_parser("bad", help="bad requests get error replies")
    p.add_argument("socket")
    p.set_defaults(fn=bad)
    p = sub.add_parser("monitor", help="route events")
    p.add_argument("socket")
    p.set_defaults(fn=monitor)
    p = sub.add_parser("call", help="one command, its result printed")
    p.add_argument("socket")
    p.add_argument("cmd")
    p.add_argument("args", nargs="?")
    p.add_argument("--file", help="a file to pass with the request")
    p.add_argument("--open", choices=sorted(OPEN_FLAGS), default="r")
    p.set_defaults(fn=call)
    p = sub.add_parser("files", help="descriptors that must be refused")
    p.add_argument("socket")
    p.add_argument("dir")
    p.set_defaults(fn=files)
    args = parser.parse_args()
    return args.fn(args)


if __name__ == "__main__":
    sys.exit(main())
