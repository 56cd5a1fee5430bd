# Two commands do everything on a fresh Debian 12 machine (as root):
#   make demo    installs dependencies, builds, runs the main job with plots
#   make check   installs dependencies, builds, runs every test
# Also: make results (every shipped experiment into results/), make
# check-sanitize (AddressSanitizer + UBSan build; its tests get three times
# the time limits, sanitized code being several times slower), make bench.
BUILD     ?= build
SAN_BUILD ?= build-sanitize
OUT       ?= results/demo

.PHONY: all deps build demo results charts check check-sanitize bench clean

all: build

deps:
	@scripts/install-deps.sh

$(BUILD)/build.ninja: | deps
	meson setup $(BUILD) -Dwerror=true -Db_lto=true

$(SAN_BUILD)/build.ninja: | deps
	meson setup $(SAN_BUILD) -Dwerror=true -Db_sanitize=address,undefined -Db_lundef=false

build: deps $(BUILD)/build.ninja
	ninja -C $(BUILD)

# The main job: a small edition of the recovery and tradeoff experiments
# (experiments/*.ini), then a table of what they found and the plots, and
# one line per method of the debate (scripts/debate-demo.sh).
IKESIM = ./$(BUILD)/sim/ikesim
demo: build
	@rm -rf $(OUT)/recovery $(OUT)/tradeoff; t0=$$(date +%s); \
	$(IKESIM) sweep experiments/recovery.ini --out $(OUT)/recovery --set experiment.seeds=1..3 && \
	$(IKESIM) sweep experiments/tradeoff.ini --out $(OUT)/tradeoff --set experiment.seeds=1..2 && \
	echo && $(IKESIM) report $(OUT)/recovery $(OUT)/tradeoff && \
	echo && scripts/debate-demo.sh $(IKESIM) && \
	echo && echo "demo: both sweeps and the debate in $$(( $$(date +%s) - t0 )) s (full editions: make results)"

# Reference results of every shipped experiment (default editions).
EXPERIMENTS ?= recovery tradeoff asymmetric cluster-qcd ha-failover storm storm-suites debate minimal reauth
results: build
	@for e in $(EXPERIMENTS); do rm -rf results/$$e; \
	  $(IKESIM) sweep experiments/$$e.ini --out results/$$e || exit 1; done; \
	  $(IKESIM) report $(addprefix results/,$(EXPERIMENTS))
	@$(MAKE) --no-print-directory charts

# Message sequence charts (mscgen) of three runs the README shows.
charts: build
	@mkdir -p results/charts
	$(IKESIM) run experiments/recovery.ini --set experiment.method=qcd --set scenario.reboot_after=60s \
	  --msc results/charts/qcd-after-reboot.png >/dev/null
	$(IKESIM) run experiments/recovery.ini --set experiment.method=liveness-strongswan \
	  --set scenario.reboot_after=60s --msc results/charts/liveness-strongswan.png >/dev/null
	$(IKESIM) run experiments/ha-failover.ini --set cluster.ha=rfc6311 --set cluster.rx_policy=lenient \
	  --set traffic.rate=10pps --set cluster.sync_interval=5s --msc results/charts/rfc6311-failover.png >/dev/null

check: build
	@rc=0; meson test -C $(BUILD) --print-errorlogs || rc=$$?; \
	  scripts/test-summary.py $(BUILD)/meson-logs/testlog.json || rc=1; exit $$rc

check-sanitize: deps $(SAN_BUILD)/build.ninja
	ninja -C $(SAN_BUILD)
	@rc=0; meson test -C $(SAN_BUILD) --print-errorlogs --timeout-multiplier 3 || rc=$$?; \
	  scripts/test-summary.py $(SAN_BUILD)/meson-logs/testlog.json || rc=1; exit $$rc

bench: build
	./$(BUILD)/bench/ikesim-bench-sweep
	./$(BUILD)/bench/ikesim-bench-wrapper
	./$(BUILD)/bench/ikesim-bench-ike
	./$(BUILD)/bench/ikesim-bench-resume
	./$(BUILD)/bench/ikesim-bench-crash
	./$(BUILD)/bench/ikesim-bench-storm

clean:
	rm -rf $(BUILD) $(SAN_BUILD)

# libFuzzer on the parser, on a whole endpoint, and on an established SA
# behind its integrity check (scripts of sealed messages), under ASan + UBSan.
FUZZ_BUILD   ?= build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_TARGETS  = fuzz_ike_parse fuzz_ike_receive fuzz_ike_session
.PHONY: fuzz
fuzz: deps
	[ -f $(FUZZ_BUILD)/build.ninja ] || CC=clang CXX=clang++ meson setup $(FUZZ_BUILD) \
	  -Dfuzz=true -Db_sanitize=address,undefined -Db_lundef=false
	ninja -C $(FUZZ_BUILD) tests/fuzz/make-seeds $(addprefix tests/fuzz/,$(FUZZ_TARGETS))
	./$(FUZZ_BUILD)/tests/fuzz/make-seeds $(FUZZ_BUILD)/corpus-seed $(FUZZ_BUILD)/corpus-seed-session
	for t in $(FUZZ_TARGETS); do \
	  seeds=$(FUZZ_BUILD)/corpus-seed; [ $$t = fuzz_ike_session ] && seeds=$$seeds-session; \
	  mkdir -p $(FUZZ_BUILD)/corpus-$$t && \
	  UBSAN_OPTIONS=halt_on_error=1 ./$(FUZZ_BUILD)/tests/fuzz/$$t -max_total_time=$(FUZZ_SECONDS) \
	    -print_final_stats=1 $(FUZZ_BUILD)/corpus-$$t $$seeds || exit 1; \
	done
