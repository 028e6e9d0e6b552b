# The kernel mirror's rate (docs/kernel-netlink.md): 1M IPv4 routes added with ip -batch in
# the namespace of a fastpathd with one twin, timed until fastpath's count has them all;
# through the events, then through a full dump (a SIGHUP with another rcvbuf restarts the
# mirror). Sourced by run.sh (BENCH=netlink); standalone: bash tests/bench/netlink.sh BUILD.
NL_ROUTES=${NL_ROUTES:-1000000}

nl_count() {
	printf '{"id":1,"cmd":"netlink.show","args":{}}\n' |
		socat -t 30 - "UNIX-CONNECT:$1" | jq '.result.fib_routes.ipv4'
}

# nl_wait SOCK N: seconds until fastpath has N IPv4 routes
nl_wait() {
	local t0 n
	t0=$(date +%s.%N)
	until [ "$(nl_count "$1")" = "$2" ]; do sleep 0.05; done
	awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN {printf "%.2f\n", b - a}'
}

netlink() {
	local ns=fpbench-nl dir sock base t rate
	dir=$(mktemp -d /tmp/fpbench-nl.XXXXXX)
	sock=$dir/api.sock
	ip netns add $ns
	ip -n $ns link set lo up
	ip -n $ns link add r0 type veth peer name h0
	ip -n $ns link set r0 up
	ip -n $ns link set h0 up
	cat >"$dir/fp.json" <<-CONF
		{"eal": {"file_prefix": "fpbench-nl"}, "workers": {"count": 1}, "api": {"socket": "$sock"},
		 "ports": [{"name": "p0", "driver": "af_packet", "iface": "r0", "mac": "02:00:00:00:00:01"}],
		 "addresses": [{"iface": "p0", "address": "10.0.0.1/24"}],
		 "netlink": {"rcvbuf": 67108864}}
	CONF
	ip netns exec $ns "$BUILD/app/fastpathd" -c "$dir/fp.json" >"$dir/fp.log" 2>&1 &
	local pid=$!
	until ip -n $ns route show 10.0.0.0/24 | grep -q p0 && [ -n "$(nl_count "$sock" 2>/dev/null)" ]; do
		if ! kill -0 $pid 2>/dev/null; then
			echo "bench: netlink: fastpathd failed to start:" >&2
			tail -5 "$dir/fp.log" >&2
			ip netns del $ns
			return 1
		fi
		sleep 0.1
	done
	base=$(nl_count "$sock")
	awk -v n="$NL_ROUTES" 'BEGIN { for (i = 0; i < n; i++)
		printf "route add 12.%d.%d.%d/32 via 10.0.0.2\n", int(i / 65536), int(i / 256) % 256, i % 256 }' >"$dir/add.batch"
	t=$(date +%s.%N)
	ip -n $ns -batch "$dir/add.batch"
	local kernel_s
	kernel_s=$(awk -v a="$t" -v b="$(date +%s.%N)" 'BEGIN {printf "%.2f", b - a}')
	local rest
	rest=$(nl_wait "$sock" $((base + NL_ROUTES)))
	local events_s
	events_s=$(awk -v a="$kernel_s" -v b="$rest" 'BEGIN {printf "%.2f", a + b}')
	# a full dump: the mirror restarts with another receive buffer, sweeps, dumps again
	sed -i 's/67108864/67108865/' "$dir/fp.json"
	t=$(date +%s.%N)
	kill -HUP $pid
	until [ "$(nl_count "$sock")" -lt "$((base + NL_ROUTES / 2))" ]; do sleep 0.01; done
	until [ "$(nl_count "$sock")" = "$base" ] || [ "$(nl_count "$sock")" -gt "$((base + NL_ROUTES / 2))" ]; do sleep 0.01; done
	local sweep_s dump_s
	sweep_s=$(awk -v a="$t" -v b="$(date +%s.%N)" 'BEGIN {printf "%.2f", b - a}')
	t=$(date +%s.%N)
	until [ "$(nl_count "$sock")" = "$((base + NL_ROUTES))" ]; do sleep 0.05; done
	dump_s=$(awk -v a="$t" -v b="$(date +%s.%N)" 'BEGIN {printf "%.2f", b - a}')
	{
		echo
		echo "## Kernel mirror: $NL_ROUTES IPv4 routes (ip -batch into the twin's namespace)"
		echo "events: $events_s s from the first ip route add to the last mirrored ($kernel_s s of them in ip -batch): $(awk -v n=$NL_ROUTES -v s=$events_s 'BEGIN {printf "%.0f", n / s}') routes/s"
		echo "mirror keeps up: the last route mirrored $(awk -v a="$events_s" -v b="$kernel_s" 'BEGIN {printf "%.2f", a - b}') s after ip -batch returned"
		echo "initial dump (the mirror restarted by a SIGHUP that changes rcvbuf): $dump_s s: $(awk -v n=$NL_ROUTES -v s=$dump_s 'BEGIN {printf "%.0f", n / s}') routes/s"
		echo "  (before it, the restart swept the $NL_ROUTES mirrored routes in $sweep_s s)"
	} | report
	kill -TERM $pid
	wait $pid
	ip netns del $ns
	rm -rf "$dir"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	BUILD=$(realpath "${1:-build}")
	report() { cat; }
	netlink
fi
