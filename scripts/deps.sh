#!/bin/sh
# Installs the Debian 12 packages fastpath builds, runs and tests with, only if missing.
set -e
PKGS="meson ninja-build pkg-config gcc clang libclang-rt-dev dpdk dpdk-dev libdpdk-dev libnl-3-dev libnl-route-3-dev
libjansson-dev libbpf-dev libcmocka-dev libedit-dev libpcap-dev iproute2 iputils-ping iputils-tracepath ethtool
traceroute iperf3 socat jq tcpdump tshark python3-scapy python3-prometheus-client valgrind dpdk-doc
python3-matplotlib bird2 frr"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
# the API socket's group: its members may drive fastpathd
getent group fastpath >/dev/null || groupadd --system fastpath
[ -z "$missing" ] && exit 0
echo "installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends $missing
