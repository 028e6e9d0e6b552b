#!/usr/bin/python3
"""Linux as the oracle: sends each case's crafted frames through a Linux router and through
fastpathd at the same time and compares what the hosts receive (docs/linux-differences.md).

usage: oracle.py --linux PREFIX --fastpath PREFIX --fastpathctl "PATH -s SOCK" [--cases PATTERNS]
                 [--log FILE] [--list]

PREFIX-r is a bed's router namespace, PREFIX-h1, -h2, -h3 its hosts (tests/integration/oracle.sh
makes them). The cases are the CASES lists of the cases_*.py modules next to this file; PATTERNS
(comma-separated shell patterns) picks some by name. One line a case on stdout: "ok NAME" or
"FAIL NAME", then on failure both outcomes side by side, indented. Exit status: 0 all passed,
1 some failed, 2 the harness itself failed.
"""
import argparse
import ctypes
import fnmatch
import glob
import hashlib
import importlib.util
import ipaddress
import os
import re
import select
import shlex
import socket
import struct
import subprocess
import sys
import time
import traceback

from scapy.all import Ether, Packet, conf

conf.verb = 0
HERE = os.path.dirname(os.path.abspath(__file__))
DOC = os.path.join(HERE, "..", "..", "..", "docs", "linux-differences.md")
# the first answer comes within milliseconds; the window is for the slowest (a forwarded packet
# answered by the far host, then forwarded back)
WINDOW_S = 0.6


class Case:
    """One case: frames sent from a host of both beds, the answers compared.

    name: unique over every cases_*.py; family: 4 or 6 (for the report);
    send: t -> list of frames (scapy packets or bytes), sent in order from send_from; an item may
      also be (HOST, frame) to send from another host, or a number: seconds to wait there.
      A frame without Ethernet header gets one from the host to the router; an Ethernet header
      without src or dst gets the host's and the router's MAC;
    sysctl: {NAME: VALUE} set on both routers before the case, put back after;
    differs: None, or the documented difference (its text is in docs/linux-differences.md): the
      case passes with both outcomes shown, as long as they differ;
    send_from: "h1", "h2" or "h3"; keep_nd: keep ARP, neighbour discovery and MLD in the outcome;
    exact_flow_label: compare whether the IPv6 packets the routers make have a flow label (they
      are hashes, never compared as values; by default not compared at all);
    expect: a string, or a list of them, that Linux's outcome must contain ("nothing": Linux
      sends nothing), so that a case cannot pass by both routers ignoring a broken frame;
    window: seconds to listen after the last frame.
    """

    def __init__(self, name, family, send, sysctl=None, differs=None, send_from="h1",
                 keep_nd=False, expect=None, window=WINDOW_S, exact_flow_label=False):
        self.name, self.family, self.send, self.sysctl = name, family, send, sysctl or {}
        self.differs, self.send_from, self.keep_nd, self.window = differs, send_from, keep_nd, window
        self.exact_flow_label = exact_flow_label
        self.expect = [expect] if isinstance(expect, str) else list(expect or [])
        self.module = None


class Topology:
    """The addresses and MACs, the same in both beds (oracle.sh makes them so)."""
    h1_if = h2_if = h3_if = "eth0"
    r1_mac, r2_mac, r3_mac = "02:00:00:00:01:01", "02:00:00:00:02:01", "02:00:00:00:03:01"
    h1_mac, h2_mac, h3_mac = "02:00:00:00:01:02", "02:00:00:00:02:02", "02:00:00:00:03:02"
    r1_ip4, r2_ip4, r3_ip4 = "10.0.1.1", "10.0.2.1", "10.0.3.1"
    h1_ip4, h2_ip4, h3_ip4 = "10.0.1.2", "10.0.2.2", "10.0.3.2"
    r1_ip6, r2_ip6, r3_ip6 = "2001:db8:1::1", "2001:db8:2::1", "2001:db8:3::1"
    h1_ip6, h2_ip6, h3_ip6 = "2001:db8:1::2", "2001:db8:2::2", "2001:db8:3::2"
    # EUI-64 of the MACs
    r1_ll6, r2_ll6, r3_ll6 = "fe80::ff:fe00:101", "fe80::ff:fe00:201", "fe80::ff:fe00:301"
    h1_ll6, h2_ll6, h3_ll6 = "fe80::ff:fe00:102", "fe80::ff:fe00:202", "fe80::ff:fe00:302"
    # a next hop on h1's link that is not h1: static neighbours on both routers, routes
    # 10.9.0.0/24 and 2001:db8:9::/64 through it
    gw1_ip4, gw1_ip6, gw1_mac = "10.0.1.3", "2001:db8:1::3", "02:00:00:00:01:03"
    # routes of each type: 10.66.0.0/16 blackhole, 10.77.0.0/16 unreachable, 10.88.0.0/16
    # prohibit, and 2001:db8:66::/48, :77::/48, :88::/48 alike; link 3 has an MTU of 1280
    mtu3 = 1280


T = Topology()
ROUTER_ADDRS = {ipaddress.ip_address(a) for a in (T.r1_ip4, T.r2_ip4, T.r3_ip4, T.r1_ip6, T.r2_ip6,
                                                   T.r3_ip6, T.r1_ll6, T.r2_ll6, T.r3_ll6)}
HOSTS = ("h1", "h2", "h3")

# Packet sockets in the hosts' namespaces -------------------------------------------------------
libc = ctypes.CDLL(None, use_errno=True)
CLONE_NEWNET = 0x40000000
ETH_P_ALL = 3
PACKET_OUTGOING = 4


def setns(fd, what):
    if libc.setns(fd, CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"setns {what}: {os.strerror(err)}")


def packet_socket(ns, ifname):
    """A packet socket on ifname in namespace ns (the socket stays there; we come back)."""
    own = os.open("/proc/self/ns/net", os.O_RDONLY)
    target = os.open(f"/run/netns/{ns}", os.O_RDONLY)
    try:
        setns(target, ns)
        try:
            s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
            s.bind((ifname, ETH_P_ALL))
        finally:
            setns(own, "back")
    finally:
        os.close(own)
        os.close(target)
    s.setblocking(False)
    return s


def run(cmd):
    """cmd's stdout, stripped; raises with its stderr on failure."""
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=10)
    if p.returncode != 0:
        raise RuntimeError((p.stderr or p.stdout).strip() or f"exit {p.returncode}")
    return p.stdout.strip()


class Bed:
    def __init__(self, label, prefix):
        self.label, self.router = label, f"{prefix}-r"
        self.socks = {h: packet_socket(f"{prefix}-{h}", "eth0") for h in HOSTS}

    def drain(self):
        for s in self.socks.values():
            while True:
                try:
                    s.recv(65536)
                except BlockingIOError:
                    break


class LinuxBed(Bed):
    def sysctl_get(self, name):
        return run(["ip", "netns", "exec", self.router, "sysctl", "-n", name])

    def sysctl_set(self, name, value):
        run(["ip", "netns", "exec", self.router, "sysctl", "-qw", f"{name}={value}"])


class FastpathBed(Bed):
    def __init__(self, label, prefix, ctl):
        super().__init__(label, prefix)
        self.ctl = shlex.split(ctl)

    def sysctl_get(self, name):
        # "NAME = VALUE" as sysctl(8) prints it, or the value alone
        return run(self.ctl + ["sysctl", name]).split("=")[-1].strip()

    def sysctl_set(self, name, value):
        run(self.ctl + ["sysctl", "-w", f"{name}={value}"])


# Normalizing what a host received --------------------------------------------------------------
def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return s


def ck(ok):
    return "ok" if ok else "BAD"


def short(b):
    """Bytes, compared whole but shown short."""
    if len(b) <= 24:
        return b.hex() or "-"
    return f"{b[:16].hex()}..({len(b)} bytes, sha1 {hashlib.sha1(b).hexdigest()[:10]})"


def l4(proto, data, pseudo, outer, ctx):
    """The upper layer: its fields, and whether its checksum holds (when the whole of it is here:
    in an ICMP quote it is cut short, the bytes are compared as they are)."""
    if proto in (1, 58) and len(data) >= 8:
        t, c = data[0], data[1]
        s = f"ICMP{'v6' if proto == 58 else ''} {t}/{c}"
        rest = data[4:8]
        error = (proto == 1 and t in (3, 4, 5, 11, 12)) or (proto == 58 and t < 128)
        if proto == 1 and t == 3 and c == 4:
            s += f" mtu={struct.unpack('!H', rest[2:])[0]}"
        elif proto == 1 and t == 12:
            s += f" ptr={rest[0]}"
        elif proto == 1 and t == 5:
            s += f" gw={socket.inet_ntoa(rest)}"
        elif proto == 58 and t == 2:
            s += f" mtu={struct.unpack('!I', rest)[0]}"
        elif proto == 58 and t == 4:
            s += f" ptr={struct.unpack('!I', rest)[0]}"
        s += f" rest={rest.hex()}"
        if outer:
            s += f" ck={ck(csum((pseudo if proto == 58 else b'') + data) == 0xFFFF)}"
        if error and outer:
            quoted = data[8:]
            inner = ip(quoted, False, ctx) if quoted else "-"
            return f"{s} quote[{len(quoted)}]: {inner}"
        return f"{s} data={short(data[8:])}"
    if proto in (6, 17) and len(data) >= 8:
        sport, dport = struct.unpack("!HH", data[:4])
        s = f"{'TCP' if proto == 6 else 'UDP'} {sport}>{dport}"
        if proto == 6 and len(data) >= 20:
            seq, ack, off, flags = struct.unpack("!IIBB", data[4:14])
            s += f" seq={seq} ack={ack} flags=0x{flags:02x} win={struct.unpack('!H', data[14:16])[0]}"
            s += f" rest={short(data[16:])}"
        else:
            s += f" len={struct.unpack('!H', data[4:6])[0]} data={short(data[8:])}"
        if outer:
            s += f" ck={ck(csum(pseudo + data) == 0xFFFF)}"
        return s
    return f"proto {proto} data={short(data)}"


def router_sent(src):
    return ipaddress.ip_address(src) in ROUTER_ADDRS


def ip4(b, outer, ctx):
    if len(b) < 20:
        return f"IPv4 cut short: {short(b)}"
    vihl, tos, tot, ident, frag, ttl, proto, _, src, dst = struct.unpack("!BBHHHBBH4s4s", b[:20])
    hl = (vihl & 0xF) * 4
    src, dst = socket.inet_ntoa(src), socket.inet_ntoa(dst)
    # The ID of a packet a router or a host's kernel makes is its own (Linux: a counter keyed by
    # a secret hash of the addresses; fastpath: its own counter, or the request's in an echo
    # reply), no value to compare; the frames the case sent keep theirs, forwarded or quoted:
    # compared
    idtext = str(ident) if not outer or (ident in ctx.sent_ids and not router_sent(src)) else "*"
    hdr = b[:hl]
    s = (f"IPv4 {src}>{dst} v={vihl >> 4} hl={hl} tos=0x{tos:02x} len={tot} id={idtext}"
         f" frag=0x{frag:04x} ttl={ttl} p={proto} ck={ck(len(hdr) == hl and csum(hdr) == 0xFFFF)}")
    if hl > 20:
        s += f" opts={b[20:hl].hex()}"
    # beyond the total length: the Ethernet padding of a short frame, nobody's data
    end = tot if outer else len(b)
    pseudo = struct.pack("!4s4sBBH", socket.inet_aton(src), socket.inet_aton(dst), 0, proto, end - hl)
    if frag & 0x1FFF:
        return f"{s} | data={short(b[hl:end])}"
    return f"{s} | {l4(proto, b[hl:end], pseudo, outer, ctx)}"


EXT_HEADERS = {0: "hbh", 43: "rt", 60: "dst"}


def ip6(b, outer, ctx):
    if len(b) < 40:
        return f"IPv6 cut short: {short(b)}"
    vtcfl, plen, nh, hlim = struct.unpack("!IHBB", b[:8])
    src, dst = socket.inet_ntop(socket.AF_INET6, b[8:24]), socket.inet_ntop(socket.AF_INET6, b[24:40])
    fl = vtcfl & 0xFFFFF
    # Linux labels what it sends itself with a hash of the flow (auto_flowlabels), no value to
    # compare: whether there is one is compared where the case asks (exact_flow_label), else
    # not at all, so that this one difference shows in one case. Forwarded packets and quotes
    # keep theirs.
    fltext = f"0x{fl:05x}"
    if outer and router_sent(src):
        fltext = ("hash" if fl else "0") if ctx.case.exact_flow_label else "-"
    s = f"IPv6 {src}>{dst} v={vtcfl >> 28} tc=0x{(vtcfl >> 20) & 0xFF:02x} fl={fltext} plen={plen} nh={nh} hlim={hlim}"
    end = 40 + plen if outer else len(b)
    off, chain = 40, []
    while nh in EXT_HEADERS or nh == 44:
        if off + 8 > end:
            break
        hlen = 8 if nh == 44 else (b[off + 1] + 1) * 8
        chain.append(f"{EXT_HEADERS.get(nh, 'frag')}:{b[off:off + hlen].hex()}")
        if nh == 44 and struct.unpack("!H", b[off + 2:off + 4])[0] & 0xFFF8:
            nh, off = None, off + hlen
            break
        nh, off = b[off], off + hlen
    if chain:
        s += " " + " ".join(chain)
    if nh is None:
        return f"{s} | data={short(b[off:end])}"
    pseudo = b[8:40] + struct.pack("!I3xB", end - off, nh)
    return f"{s} | {l4(nh, b[off:end], pseudo, outer, ctx)}"


def ip(b, outer, ctx):
    return ip6(b, outer, ctx) if b and b[0] >> 4 == 6 else ip4(b, outer, ctx)


ND_TYPES = {130, 131, 132, 133, 134, 135, 136, 137, 143}


def noise(frame):
    """ARP, neighbour discovery, MLD: the routers' own business, on their own timers."""
    etype = struct.unpack("!H", frame[12:14])[0]
    if etype == 0x0806:
        return True
    if etype != 0x86DD or len(frame) < 54:
        return False
    nh, off = frame[20], 54
    if nh == 0 and len(frame) >= off + 2:  # MLD comes after a hop-by-hop header
        nh, off = frame[off], off + (frame[off + 1] + 1) * 8
    return nh == 58 and len(frame) > off and frame[off] in ND_TYPES


def describe(frame, ctx):
    etype = struct.unpack("!H", frame[12:14])[0]
    mac = lambda b: ":".join(f"{x:02x}" for x in b)
    s = f"{mac(frame[6:12])}>{mac(frame[0:6])} "
    if etype in (0x0800, 0x86DD):
        return s + ip(frame[14:], True, ctx)
    return s + f"type 0x{etype:04x} {short(frame[14:])}"


# Running a case ---------------------------------------------------------------------------------
def frames_of(case):
    """The case's frames as (host, bytes) and pauses as numbers; the bytes are made once, the
    same for both beds."""
    out = []
    for item in case.send(T):
        if isinstance(item, (int, float)):
            out.append(item)
            continue
        host, pkt = item if isinstance(item, tuple) else (case.send_from, item)
        n = host[1]
        if isinstance(pkt, Packet):
            if not isinstance(pkt, Ether):
                pkt = Ether() / pkt
            for field, value in (("src", getattr(T, f"{host}_mac")), ("dst", getattr(T, f"r{n}_mac"))):
                if pkt.fields.get(field) is None:
                    pkt.setfieldval(field, value)
            pkt = bytes(pkt)
        out.append((host, bytes(pkt)))
    return out


class Context:
    """What normalizing needs to know of the case: the IPv4 IDs of the frames it sent."""

    def __init__(self, case, frames):
        self.case = case
        self.sent_ids = {struct.unpack("!H", f[18:20])[0] for _, f in
                         (x for x in frames if isinstance(x, tuple)) if f[12:14] == b"\x08\x00"}


def outcome(beds, frames, case):
    ctx = Context(case, frames)
    for bed in beds:
        bed.drain()
    for item in frames:
        if isinstance(item, (int, float)):
            time.sleep(item)
            continue
        for bed in beds:
            bed.socks[item[0]].send(item[1])
    got = {bed.label: [] for bed in beds}
    socks = {s: (bed, h) for bed in beds for h, s in bed.socks.items()}
    deadline = time.monotonic() + case.window
    while (left := deadline - time.monotonic()) > 0:
        ready, _, _ = select.select(list(socks), [], [], left)
        for s in ready:
            bed, host = socks[s]
            while True:
                try:
                    frame, addr = s.recvfrom(65536)
                except BlockingIOError:
                    break
                # what the host sent itself is not the router's answer
                if addr[2] == PACKET_OUTGOING or (noise(frame) and not case.keep_nd):
                    continue
                got[bed.label].append(f"{host} {describe(frame, ctx)}")
    # the order between hosts means nothing; within a host it is the order of arrival, which
    # differs only for frames sent at once
    return {label: sorted(lines) for label, lines in got.items()}


def set_sysctls(beds, settings):
    """Sets them on both routers; returns (undo list, error or None)."""
    undo = []
    for name, value in settings.items():
        for bed in beds:
            try:
                old = bed.sysctl_get(name)
                bed.sysctl_set(name, value)
            except (RuntimeError, OSError, subprocess.TimeoutExpired) as e:
                return undo, f"{bed.label}: sysctl {name}={value}: {e}"
            undo.append((bed, name, old))
    return undo, None


def undo_sysctls(undo):
    for bed, name, old in reversed(undo):
        try:
            bed.sysctl_set(name, old)
        except (RuntimeError, OSError, subprocess.TimeoutExpired) as e:
            print(f"warning: {bed.label}: putting back {name}={old}: {e}")


def documented(text):
    try:
        with open(DOC) as f:
            doc = " ".join(f.read().split())
    except OSError:
        return False
    return " ".join(text.split()) in doc


def side_by_side(out, labels):
    a, b = out[labels[0]], out[labels[1]]
    lines = []
    for label, mine, theirs in ((labels[0], a, b), (labels[1], b, a)):
        only = [x for x in mine if x not in theirs]
        lines += [f"{label:8} {x}" for x in only] or [f"{label:8} (nothing else)" if mine else f"{label:8} (nothing)"]
    same = len([x for x in a if x in b])
    if same:
        lines.append(f"both     {same} frame(s) alike")
    return lines


def verdict(case, out, labels):
    """(passed, reason or '')."""
    linux_text = "\n".join(out[labels[0]])
    for want in case.expect:
        if want == "nothing" and out[labels[0]]:
            return False, "the case expects Linux to send nothing"
        if want != "nothing" and want not in linux_text:
            return False, f"Linux's outcome lacks '{want}': the case does not test what it says"
    same = out[labels[0]] == out[labels[1]]
    if case.differs is None:
        return same, "" if same else "outcomes differ"
    if not documented(case.differs):
        return False, "its difference is not in docs/linux-differences.md"
    if same:
        return False, "documented as a difference, but the outcomes are the same now"
    return True, ""


def load_cases(patterns):
    sys.modules.setdefault("oracle", sys.modules[__name__])
    cases, seen = [], {}
    for path in sorted(glob.glob(os.path.join(HERE, "cases_*.py"))):
        name = os.path.splitext(os.path.basename(path))[0]
        spec = importlib.util.spec_from_file_location(name, path)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        for case in mod.CASES:
            if case.name in seen:
                raise ValueError(f"case {case.name} in {name} and {seen[case.name]}")
            seen[case.name] = name
            case.module = name
            if not patterns or any(fnmatch.fnmatchcase(case.name, p) for p in patterns):
                cases.append(case)
    return cases


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--linux", help="the Linux bed's namespace prefix")
    ap.add_argument("--fastpath", help="fastpath's bed's namespace prefix")
    ap.add_argument("--fastpathctl", help='"PATH -s SOCKET"')
    ap.add_argument("--cases", help="comma-separated shell patterns of case names")
    ap.add_argument("--log", help="every case's outcomes in full")
    ap.add_argument("--list", action="store_true", help="list the cases and exit")
    args = ap.parse_args()
    cases = load_cases([p for p in (args.cases or "").split(",") if p])
    if args.list:
        for c in cases:
            print(f"{c.name:40} IPv{c.family} {c.module}{' (differs)' if c.differs else ''}")
        return 0
    beds = [LinuxBed("linux", args.linux), FastpathBed("fastpath", args.fastpath, args.fastpathctl)]
    labels = [b.label for b in beds]
    log = open(args.log, "w") if args.log else open(os.devnull, "w")
    # ICMP rate limits off on both routers, or, while fastpath cannot change them, Linux's
    # defaults on both with a pause between cases: a second gives back the token of the error
    # a case costs its peer (6 in a burst, then one a second)
    undo, err = set_sysctls(beds, {"net.ipv4.icmp_ratelimit": 0, "net.ipv6.icmp.ratelimit": 0})
    spacing = 0.0
    if err:
        undo_sysctls(undo)
        undo, spacing = [], 1.0
        print(f"note: ICMP rate limits at Linux's defaults on both routers, cases {spacing} s apart ({err})")
    failed = 0
    last = 0.0
    for case in cases:
        time.sleep(max(0.0, last + spacing - time.monotonic()))
        last = time.monotonic()
        title = f"{case.name} (IPv{case.family}{', differs: documented' if case.differs else ''})"
        case_undo, err = set_sysctls(beds, case.sysctl)
        try:
            if err:
                print(f"FAIL {title}\n       | {err}")
                failed += 1
                continue
            out = outcome(beds, frames_of(case), case)
        finally:
            undo_sysctls(case_undo)
        ok, why = verdict(case, out, labels)
        print(f"{'ok' if ok else 'FAIL'} {title}")
        if not ok:
            failed += 1
            print(f"       | {why}")
            for line in side_by_side(out, labels):
                print(f"       | {line}")
        log.write(f"== {case.name} ({case.module}): {'ok' if ok else 'FAIL ' + why}\n")
        for label in labels:
            log.write(f"-- {label}\n" + "".join(f"   {x}\n" for x in out[label] or ["(nothing)"]))
        sys.stdout.flush()
    undo_sysctls(undo)
    return 1 if failed else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Exception:  # the harness failed, not a case
        traceback.print_exc(file=sys.stdout)
        sys.exit(2)
