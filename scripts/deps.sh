#!/bin/sh
# Installs the Debian 12 packages fastpath builds, runs and tests with, only if missing.
set -e
PKGS="meson ninja-build pkg-config gcc clang libclang-rt-dev dpdk dpdk-dev libdpdk-dev libnl-3-dev libnl-route-3-dev
libjansson-dev libbpf-dev libcmocka-dev libedit-dev libpcap-dev iproute2 iputils-ping iputils-tracepath ethtool
traceroute iperf3 socat jq tcpdump tshark tcpreplay python3-scapy python3-prometheus-client valgrind dpdk-doc
python3-matplotlib bird2 frr conntrack nftables
debhelper devscripts lintian fakeroot dpkg-dev man-db rsync"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
# the API socket's group: its members may drive fastpathd
getent group fastpath >/dev/null || groupadd --system fastpath
[ -z "$missing" ] && exit 0
echo "installing:$missing"
export DEBIAN_FRONTEND=noninteractive
# bird2 and frr would start their daemons in the machine's own namespace: the tests run their
# own in namespaces they make. policy-rc.d keeps the packages' services stopped while installing.
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
	chmod 755 /usr/sbin/policy-rc.d
	trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
apt-get update -q
apt-get install -y -q --no-install-recommends $missing
