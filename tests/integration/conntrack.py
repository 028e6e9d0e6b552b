#!/usr/bin/python3
"""Traffic for tests/integration/conntrack.sh: one flow at a time between two host namespaces,
stopped at each step of its life so that a router's connection table can be read there.

usage: conntrack.py states CLIENT_NS SERVER_NS FAMILY SNAPSHOT_CMD
  Runs the cases below (the client's sockets in CLIENT_NS, the server's in SERVER_NS; FAMILY 4
  or 6) and after each step prints "## CASE STEP" and the lines of SNAPSHOT_CMD (a shell
  command listing the router's table, conntrack -L's lines) that name the case's ports,
  with the timeout column as "T" and ICMP ids as "id=I": what a Linux router and fastpath
  must show alike.
       conntrack.py oow CLIENT_NS SERVER_NS FAMILY PORT
  An established connection, then a segment far out of its window from the client (scapy).
       conntrack.py flows PCAP N SRC_MAC DST_MAC
  A pcap of N UDP packets of N flows 10.64+(i>>16).(i>>8).(i&255) -> 10.0.2.2:9, i from 1.
"""
import ctypes
import os
import re
import socket
import struct
import subprocess
import sys
import threading
import time

CLONE_NEWNET = 0x40000000
libc = ctypes.CDLL("libc.so.6", use_errno=True)
ADDR = {
    4: {"h1": "10.0.1.2", "h2": "10.0.2.2"},
    6: {"h1": "2001:db8:1::2", "h2": "2001:db8:2::2"},
}


def in_ns(ns, fn, *args):
    """fn(*args) on a thread that moved into network namespace ns: its sockets live there."""
    out = {}

    def run():
        fd = os.open(f"/run/netns/{ns}", os.O_RDONLY)
        if libc.setns(fd, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), "setns")
        os.close(fd)
        try:
            out["v"] = fn(*args)
        except Exception as e:  # handed to the caller
            out["e"] = e

    t = threading.Thread(target=run)
    t.start()
    t.join()
    if "e" in out:
        raise out["e"]
    return out.get("v")


def sock(fam, kind):
    return socket.socket(socket.AF_INET if fam == 4 else socket.AF_INET6, kind)


def snapshot(cmd, case, step, ports, proto=None):
    time.sleep(0.4)
    out = subprocess.run(cmd, shell=True, capture_output=True, text=True).stdout
    print(f"## {case} {step}")
    for line in sorted(out.splitlines()):
        if not any(f"port={p} " in line for p in ports) and line.split()[:1] != [proto]:
            continue
        f = line.split()
        f[2] = "T" if f[2].isdigit() else f[2]
        print(re.sub(r"id=\d+", "id=I", " ".join(f)))
    sys.stdout.flush()


def nft(ns, rules):
    subprocess.run(["ip", "netns", "exec", ns, "nft", "-f", "-"], input=rules, text=True,
                   check=True)


def states(cns, sns, fam, cmd):
    c, s = ADDR[fam]["h1"], ADDR[fam]["h2"]
    ip = "ip" if fam == 4 else "ip6"
    # the server's kernel drops SYNs to 5102; the client's drops the SYN/ACKs from 5103
    nft(sns, "table inet ctt {\n chain c {\n type filter hook input priority 0;\n"
        " tcp dport 5102 drop\n }\n}\n")
    nft(cns, "table inet ctt {\n chain c {\n type filter hook input priority 0;\n"
        " tcp sport 5103 tcp flags & (syn|ack) == syn|ack drop\n }\n}\n")
    try:
        # a whole connection: handshake, the client's FIN, the server's FIN
        srv = in_ns(sns, sock, fam, socket.SOCK_STREAM)
        srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        srv.bind((s, 5101))
        srv.listen(1)
        cl = in_ns(cns, sock, fam, socket.SOCK_STREAM)
        cl.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        cl.bind((c, 41101))
        cl.connect((s, 5101))
        conn, _ = srv.accept()
        snapshot(cmd, "tcp", "established", [5101])
        cl.sendall(b"x" * 1000)
        got = 0
        while got < 1000:
            got += len(conn.recv(4096))
        snapshot(cmd, "tcp", "data", [5101])
        cl.shutdown(socket.SHUT_WR)
        while conn.recv(10):
            pass
        snapshot(cmd, "tcp", "client-fin", [5101])
        conn.close()
        time.sleep(0.2)
        cl.close()
        snapshot(cmd, "tcp", "server-fin", [5101])
        srv.close()
        # a SYN nobody answers
        cl = in_ns(cns, sock, fam, socket.SOCK_STREAM)
        cl.bind((c, 41102))
        cl.setblocking(False)
        try:
            cl.connect((s, 5102))
        except BlockingIOError:
            pass
        snapshot(cmd, "tcp", "syn-sent", [5102])
        cl.close()
        # a SYN/ACK the client never gets
        srv = in_ns(sns, sock, fam, socket.SOCK_STREAM)
        srv.bind((s, 5103))
        srv.listen(1)
        cl = in_ns(cns, sock, fam, socket.SOCK_STREAM)
        cl.bind((c, 41103))
        cl.setblocking(False)
        try:
            cl.connect((s, 5103))
        except BlockingIOError:
            pass
        snapshot(cmd, "tcp", "syn-recv", [5103])
        cl.close()
        srv.close()
        # UDP: unreplied, replied, then a stream (assured) once 2 s old
        us = in_ns(sns, sock, fam, socket.SOCK_DGRAM)
        us.bind((s, 5104))
        uc = in_ns(cns, sock, fam, socket.SOCK_DGRAM)
        uc.bind((c, 41104))
        uc.sendto(b"1", (s, 5104))
        _, peer = us.recvfrom(100)
        snapshot(cmd, "udp", "unreplied", [5104])
        us.sendto(b"2", peer)
        uc.recv(100)
        snapshot(cmd, "udp", "replied", [5104])
        time.sleep(2.2)
        uc.sendto(b"3", (s, 5104))
        us.recvfrom(100)
        snapshot(cmd, "udp", "stream", [5104])
        us.close()
        uc.close()
    finally:
        nft(sns, "delete table inet ctt")
        nft(cns, "delete table inet ctt")
    # ICMP echo: request and reply
    subprocess.run(["ip", "netns", "exec", cns, "ping", f"-{fam}", "-c", "1", "-W", "2", s],
                   capture_output=True)
    snapshot(cmd, "icmp", "echo", [], "icmp" if fam == 4 else "icmpv6")


def oow(cns, sns, fam, port):
    """An established connection, then a segment 2^30 past the client's next sequence number
    (beyond any window: invalid in every Linux since window tracking); the connection lives."""
    from scapy.all import IP, IPv6, TCP, AsyncSniffer, send  # noqa: only this case needs scapy

    c, s = ADDR[fam]["h1"], ADDR[fam]["h2"]
    srv = in_ns(sns, sock, fam, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((s, port))
    srv.listen(1)
    cl = in_ns(cns, sock, fam, socket.SOCK_STREAM)
    cl.bind((c, 0))
    cl.connect((s, port))
    conn, _ = srv.accept()
    sport = cl.getsockname()[1]
    sniff = AsyncSniffer(iface="eth0", filter=f"tcp and src port {sport}")
    in_ns(cns, sniff.start)
    time.sleep(0.5)
    cl.sendall(b"hello")
    conn.recv(10)
    time.sleep(0.3)
    seen = [p for p in sniff.stop() if TCP in p and len(p[TCP].payload) > 0]
    seg = seen[-1][TCP]
    nxt = (seg.seq + len(seg.payload)) & 0xffffffff
    l3 = IP(src=c, dst=s) if fam == 4 else IPv6(src=c, dst=s)

    def forge():
        send(l3 / TCP(sport=sport, dport=port, flags="A", seq=(nxt + (1 << 30)) & 0xffffffff,
                      ack=seg.ack) / b"zz", verbose=False)

    in_ns(cns, forge)
    time.sleep(0.3)
    cl.sendall(b"again")
    print("alive" if conn.recv(10) == b"again" else "dead")
    cl.close()
    conn.close()
    srv.close()


def flows(path, n, src_mac, dst_mac):
    """A pcap of n one-packet UDP flows, each its own source address."""
    eth = bytes.fromhex(dst_mac.replace(":", "")) + bytes.fromhex(src_mac.replace(":", "")) + \
        b"\x08\x00"
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for i in range(1, n + 1):  # not 10.64.0.0, the network's address
            src = bytes([10, 64 + (i >> 16), (i >> 8) & 255, i & 255])
            udp = struct.pack("!HHHH", 1024 + (i & 1023), 9, 8 + 18, 0) + b"\0" * 18
            hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0x4000, 64, 17, 0,
                              src, bytes([10, 0, 2, 2]))
            csum = sum(struct.unpack("!10H", hdr))
            csum = (csum & 0xffff) + (csum >> 16)
            csum = (csum & 0xffff) + (csum >> 16)
            hdr = hdr[:10] + struct.pack("!H", ~csum & 0xffff) + hdr[12:]
            frame = eth + hdr + udp
            f.write(struct.pack("<IIII", 0, 0, len(frame), len(frame)) + frame)


if __name__ == "__main__":
    op = sys.argv[1]
    if op == "states":
        states(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5])
    elif op == "oow":
        oow(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
    elif op == "flows":
        flows(sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5])
    else:
        sys.exit(__doc__)
