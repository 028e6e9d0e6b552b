# fastpath: the build is meson's; these targets add the machine set-up around it.
BUILD ?= build
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all deps hugepages build deb run check check-asan fuzz unit integration bench soak clean format

all: build

deps:
	$(SUDO) sh scripts/deps.sh

hugepages:
	$(SUDO) sh scripts/hugepages.sh

$(BUILD)/build.ninja:
	meson setup $(BUILD)

build: deps $(BUILD)/build.ninja
	ninja -C $(BUILD)

# The demo, in network namespaces only: two hosts routed through fastpathd in a router
# namespace (conf/demo.json, scripts/demo.sh).
run: build hugepages
	$(SUDO) sh scripts/demo.sh $(BUILD)

unit: build
	meson test -C $(BUILD) --print-errorlogs

integration: build hugepages
	$(SUDO) bash tests/integration/run.sh $(BUILD)

# The router's tests where its ports' driver matters, again on af_xdp ports over 2-queue veths
# (FPT_PORT_DRIVER=af_xdp): IPv4 fragments reach fastpath there as they come (af_packet's kernel
# reassembles them first), a socket and a worker per queue. The whole list on af_xdp ports
# (FPT_PORT_DRIVER=af_xdp make integration, 6 minutes) differs only where af_xdp is meant to:
# other ethertypes go to the kernel, the port has XDP counters.
AF_XDP_TESTS = test_ping test_ipv6_router test_ipv6_forward test_ecmp test_bad_packets test_mtu \
	test_twin_devices test_twin_tcp_udp test_twin_fragments test_fragments_forwarded \
	test_fragments_ttl test_fragments_local test_af_xdp_queues test_defrag_ipv4 test_defrag_ipv4_timeout \
	test_defrag_ipv4_workers test_defrag_local

# the layering first (no upward include, scripts/check-layers.sh: seconds), then the router's
# tests twice: through the fast path, then through the whole graph
check: build hugepages
	sh scripts/check-layers.sh
	@rc=0; meson test -C $(BUILD) --print-errorlogs || rc=1; \
	$(SUDO) bash tests/integration/run.sh $(BUILD) || rc=1; \
	$(SUDO) env FPT_FAST_PATH=false bash tests/integration/run.sh $(BUILD) || rc=1; \
	for fast in true false; do $(SUDO) env FPT_PORT_DRIVER=af_xdp FPT_FAST_PATH=$$fast \
		bash tests/integration/run.sh $(BUILD) $(AF_XDP_TESTS) || rc=1; done; exit $$rc

# Every test again with AddressSanitizer and LeakSanitizer in fastpathd and the unit tests:
# a leak or a memory error fails the daemon's exit-code checks.
# UndefinedBehaviorSanitizer too: its reports land in the daemon's log (tests/asan/lsan.supp: the
# third-party leaks ignored, each explained). Not fast_unwind_on_malloc=0: a DWARF unwind on
# every malloc made the daemon's control thread some ten times slower, BGP and BFD over the twins
# timed out under test_frr's 10k routes.
ASAN_ENV := LSAN_OPTIONS=suppressions=$(CURDIR)/tests/asan/lsan.supp \
	UBSAN_OPTIONS=print_stacktrace=1
check-asan: deps hugepages
	[ -f $(BUILD)-asan/build.ninja ] || meson setup $(BUILD)-asan -Db_sanitize=address,undefined -Dbuildtype=debug
	ninja -C $(BUILD)-asan
	@rc=0; meson test -C $(BUILD)-asan --print-errorlogs || rc=1; \
	$(SUDO) env $(ASAN_ENV) bash tests/integration/run.sh $(BUILD)-asan || rc=1; exit $$rc

# libFuzzer on the graph, the API server and the config loader (docs/fuzzing.md), FUZZ_SECONDS
# each (FUZZ_TARGETS, FUZZ_ARGS); what adds coverage is merged into tests/fuzz/corpus, which
# make check replays.
FUZZ_SECONDS ?= 120
FUZZ_TARGETS ?= graph api config
fuzz: deps
	[ -f $(BUILD)-fuzz/build.ninja ] || CC=clang meson setup $(BUILD)-fuzz -Dfuzz=true -Dtests=false \
		-Db_sanitize=address,undefined -Db_lundef=false
	ninja -C $(BUILD)-fuzz
	FUZZ_SECONDS=$(FUZZ_SECONDS) bash tests/fuzz/run.sh $(BUILD)-fuzz $(FUZZ_TARGETS)

# fastpathd next to testpmd io and DPDK's l3fwd: Mpps in five cases (one IPv6), new connections per
# second with tracking, instructions per packet
# (callgrind), memif, control-plane speed (tests/bench/run.sh, docs/benchmarking.md).
# BENCH="mpps conn callgrind memif control netlink" selects parts; RUNS, SECONDS_PER_RUN, APPS, CASES,
# NEW_FLOWS (conn: new connections per second) tune.
BENCH_VARS := BENCH RUNS SECONDS_PER_RUN APPS CASES CG_PACKETS CG_CASE API_ROUTES NEW_FLOWS RESULTS
bench: build hugepages
	$(SUDO) env $(foreach v,$(BENCH_VARS),$(if $($(v)),$(v)="$($(v))")) bash tests/bench/run.sh $(BUILD)

# SOAK_MINUTES (default 30) of traffic, floods, route and neighbour churn, reloads and link flaps
# on one fastpathd; mbufs and RSS sampled every minute, no growth, no crash (tests/soak/soak.sh)
SOAK_MINUTES ?= 30
soak: build hugepages
	$(SUDO) env SOAK_MINUTES=$(SOAK_MINUTES) bash tests/soak/soak.sh $(BUILD)

clean:
	rm -rf $(BUILD) $(BUILD)-asan $(BUILD)-fuzz

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

# The Debian package (debian/), built from a copy of the tree in $(BUILD)-deb/src so that dh's
# build directory stays there between runs (-nc: ninja redoes only what changed); the .deb
# lands in $(BUILD)-deb/.
DEB_DIR := $(BUILD)-deb
deb: deps
	mkdir -p $(DEB_DIR)/src
	rsync -a --delete --exclude='/build*' --exclude=.git --exclude='/obj-*' \
		--exclude=/debian/fastpath --exclude='/debian/.debhelper' ./ $(DEB_DIR)/src/
	cd $(DEB_DIR)/src && dpkg-buildpackage -b -us -uc -nc
	lintian --fail-on error,warning $(DEB_DIR)/fastpath_*.deb
