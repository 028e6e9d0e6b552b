test_probe() {
	linux_router
	for i in 1 2 3 4 5 6; do
		ip netns exec $FPT-h2 nstat -n
		frag_sent h1 h2 2001:db8:1::2 2001:db8:2::2 7020 3000 512 02:00:00:00:01:01 reverse | wc -l
		cat $WORK/frag-whole | tr '\n' ' '; echo
		ip netns exec $FPT-h2 nstat | grep -v -E 'Octets|InPkts|OutPkts' | tr '\n' ';'; echo
	done
}
ROUTER_TESTS=${ROUTER_TESTS/test_stop/test_probe test_stop}
