# IPv4 options through the router, as a user sees them: ping -R and ping -T record the router,
# source-routed packets are dropped and counted (or followed with accept_source_route 1), a
# malformed option gets a parameter problem whose pointer names the bad byte. Sourced by run.sh
# (router tests: both with the fast path and without). Linux's answers to the same frames are
# compared in oracle/cases_ipv4_options.py.

# ping_shows HOST ADDR OPTION REGEX: ping -c 1 OPTION from HOST to ADDR answers and its output
# matches REGEX (grep -E, across lines joined by spaces)
ping_shows() {
	local out
	out=$(ip netns exec "$FPT-$1" ping -c 1 -W 2 $3 "$2") || {
		printf '%s\n' "$out"
		return 1
	}
	printf '%s\n' "$out"
	printf '%s\n' "$out" | tr '\n\t' '  ' | grep -Eq "$4"
}

# options_probe CASE: tests/integration/ip_options.py CASE from h1, its verdict
options_probe() {
	in_ns h1 $PY "$TESTDIR/ip_options.py" "$1"
}

test_ip_options() {
	local before
	# Linux's record: h1 itself, the router leaving by p2, h2 twice (in, and its reply), the
	# router leaving by p1, h1
	check "ping -R: the route recorded shows the router's address on each way out" ping_shows h1 \
		10.0.2.2 -R "RR: +10\.0\.1\.2 +10\.0\.2\.1 +10\.0\.2\.2 +10\.0\.2\.2 +10\.0\.1\.1 +10\.0\.1\.2 "
	check "ping -R to the router: its address recorded on the way in and on its reply" ping_shows \
		h1 10.0.1.1 -R "RR: +10\.0\.1\.2 +10\.0\.1\.1 +10\.0\.1\.1 +10\.0\.1\.2 "
	# the router stamps with the address towards the source (Linux: fib_compute_spec_dst()), a
	# time a few ms from h1's (same clock)
	check "ping -T tsandaddr: the router's address and time" ping_shows h1 10.0.2.2 \
		"-T tsandaddr" "TS: +10\.0\.1\.2 +[0-9]+ absolute +10\.0\.1\.1 +-?[0-9]{1,3} +10\.0\.2\.2 "
	check "ping -T tsonly: six stamps, two of them the router's" ping_shows h1 10.0.2.2 \
		"-T tsonly" "TS: +[0-9]+ absolute( +-?[0-9]{1,3}){5} +---"

	before=$(drops ip4_source_route)
	check "LSRR and SSRR through the router: dropped (accept_source_route 0)" \
		options_probe source_route_dropped
	check "... and counted as ip4_source_route" poll sh -c \
		"$(declare -f api drops); SOCK=$SOCK; [ \$(drops ip4_source_route) -ge $((before + 4)) ]"
	# "all" alone, as in Linux: the interfaces' own values start at "default"'s 1
	api sysctl.set '{"name": "net.ipv4.conf.all.accept_source_route", "value": 1}' >/dev/null
	# h2 too, or its kernel drops what comes source-routed to it
	in_ns h2 sysctl -qw net.ipv4.conf.all.accept_source_route=1
	check "accept_source_route 1: an LSRR through the router reaches h2, its reply comes back" \
		options_probe source_route_followed
	api sysctl.set '{"name": "net.ipv4.conf.all.accept_source_route", "value": 0}' >/dev/null
	in_ns h2 sysctl -qw net.ipv4.conf.all.accept_source_route=0
	check "... and dropped again once set back to 0" options_probe source_route_dropped

	before=$(drops ip4_bad_option)
	check "malformed options: parameter problem from the router, pointer on the bad byte" \
		options_probe malformed
	check "... counted as ip4_bad_option" test "$(drops ip4_bad_option)" -ge $((before + 4))
	check "an error for a packet with options echoes them and quotes the packet as it came" \
		options_probe ttl_exceeded_quote
	check "forwarding goes on after options" ping_ok h1 10.0.2.2
}

ROUTER_TESTS=${ROUTER_TESTS/test_stop/test_ip_options test_stop}
