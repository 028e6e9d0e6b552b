# fastpath: the build is meson's; these targets add the machine set-up around it.
BUILD ?= build
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all deps hugepages build run check unit integration bench clean format

all: build

deps:
	$(SUDO) sh scripts/deps.sh

hugepages:
	$(SUDO) sh scripts/hugepages.sh

$(BUILD)/build.ninja:
	meson setup $(BUILD)

build: deps $(BUILD)/build.ninja
	ninja -C $(BUILD)

# The demo: two hosts in network namespaces routed through fastpathd (conf/demo.json).
run: build hugepages
	$(SUDO) sh scripts/demo.sh $(BUILD)

unit: build
	meson test -C $(BUILD) --print-errorlogs

integration: build hugepages
	$(SUDO) bash tests/integration/run.sh $(BUILD)

check: build hugepages
	@rc=0; meson test -C $(BUILD) --print-errorlogs || rc=1; \
	$(SUDO) bash tests/integration/run.sh $(BUILD) || rc=1; exit $$rc

bench: build hugepages
	@echo "make bench: not implemented yet (issue 4)"; exit 1

clean:
	rm -rf $(BUILD)

format:
	clang-format -i $$(git ls-files '*.c' '*.h')
