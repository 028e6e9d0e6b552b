# The kernel mirror's rate (docs/kernel-netlink.md): NL_ROUTES IPv4 routes added with ip -batch
# in the namespace of a fastpathd with one twin. The initial dump: the routes are in the kernel
# first, with the mirror off; a SIGHUP turns it on; timed until fastpath's count has them all.
# The events: the routes deleted and added again with ip -batch while the mirror runs.
# Sourced by run.sh (BENCH=netlink); standalone: bash tests/bench/netlink.sh BUILD.
NL_ROUTES=${NL_ROUTES:-1000000}

nl_count() {
	printf '{"id":1,"cmd":"netlink.show","args":{}}\n' |
		socat -t 60 - "UNIX-CONNECT:$1" | jq '.result.fib_routes.ipv4'
}

nl_since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN {printf "%.2f", b - a}'; }
nl_rate() { awk -v n="$1" -v s="$2" 'BEGIN {printf "%.0f", n / s}'; }

netlink() {
	local ns=fpbench-nl dir sock base t pid dump_s add_s add_lag del_s del_lag
	dir=$(mktemp -d /tmp/fpbench-nl.XXXXXX)
	sock=$dir/api.sock
	ip netns add $ns
	ip -n $ns link set lo up
	ip -n $ns link add r0 type veth peer name h0
	ip -n $ns link set r0 up
	ip -n $ns link set h0 up
	cat >"$dir/fp.json" <<-CONF
		{"eal": {"file_prefix": "$BP-nl"}, "workers": {"count": 1}, "api": {"socket": "$sock"},
		 "fib": {"ipv4_max_routes": 1048576},
		 "ports": [{"name": "p0", "driver": "af_packet", "iface": "r0", "mac": "02:00:00:00:00:01"}],
		 "addresses": [{"iface": "p0", "address": "10.0.0.1/24"}],
		 "netlink": {"enabled": false}}
	CONF
	ip netns exec $ns "$BUILD/app/fastpathd" -c "$dir/fp.json" >"$dir/fp.log" 2>&1 &
	pid=$!
	until ip -n $ns link show p0 >/dev/null 2>&1 && [ -n "$(nl_count "$sock" 2>/dev/null)" ]; do
		if ! kill -0 $pid 2>/dev/null; then
			echo "bench: netlink: fastpathd failed to start:" >&2
			tail -5 "$dir/fp.log" >&2
			ip netns del $ns
			return 1
		fi
		sleep 0.1
	done
	# the mirror is off: the twin's address is the kernel's own for now
	ip -n $ns addr add 10.0.0.1/24 dev p0 2>/dev/null
	base=$(nl_count "$sock")
	awk -v n="$NL_ROUTES" 'BEGIN { for (i = 0; i < n; i++)
		printf "route add 12.%d.%d.%d/32 via 10.0.0.2\n", int(i / 65536), int(i / 256) % 256, i % 256 }' >"$dir/add.batch"
	sed 's/^route add/route del/' "$dir/add.batch" >"$dir/del.batch"
	ip -n $ns -batch "$dir/add.batch"
	sed -i 's/"enabled": false/"enabled": true/' "$dir/fp.json"
	t=$(date +%s.%N)
	kill -HUP $pid
	until [ "$(nl_count "$sock")" = "$((base + NL_ROUTES))" ]; do sleep 0.05; done
	dump_s=$(nl_since "$t")
	t=$(date +%s.%N)
	ip -n $ns -batch "$dir/del.batch"
	del_s=$(nl_since "$t")
	until [ "$(nl_count "$sock")" = "$base" ]; do sleep 0.05; done
	del_lag=$(awk -v a="$(nl_since "$t")" -v b="$del_s" 'BEGIN {printf "%.2f", a - b}')
	t=$(date +%s.%N)
	ip -n $ns -batch "$dir/add.batch"
	add_s=$(nl_since "$t")
	until [ "$(nl_count "$sock")" = "$((base + NL_ROUTES))" ]; do sleep 0.05; done
	add_lag=$(awk -v a="$(nl_since "$t")" -v b="$add_s" 'BEGIN {printf "%.2f", a - b}')
	{
		echo
		echo "## Kernel mirror: $NL_ROUTES IPv4 routes (ip -batch, one twin)"
		echo "initial dump: $dump_s s from the SIGHUP that starts the mirror: $(nl_rate "$NL_ROUTES" "$dump_s") routes/s"
		echo "events, add: ip -batch took $add_s s ($(nl_rate "$NL_ROUTES" "$add_s") routes/s, the kernel's pace); the last route mirrored $add_lag s after it returned"
		echo "events, del: ip -batch took $del_s s; the last route gone from fastpath $del_lag s after it returned"
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
