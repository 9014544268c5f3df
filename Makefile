# Slipway: plain Makefile. `make help` lists the targets.
SHELL    := bash
# Every core builds unless -j was given: `make deps demo` and `make test` as the README writes
# them build in parallel too (with deps among the goals nothing builds before it: AFTER_DEPS).
ifeq ($(filter -j%,$(MAKEFLAGS)),)
MAKEFLAGS += -j$(shell nproc)
endif
CXX      ?= g++
PREFIX   ?= /usr/local
PKGS     := libgit2 libarchive yaml-cpp spdlog zlib nettle uuid cpp-httplib libpq
DEB_PKGS := build-essential pkg-config git bash coreutils procps zstd \
            libgit2-dev libarchive-dev zlib1g-dev nettle-dev uuid-dev libyaml-cpp-dev libspdlog-dev doctest-dev nlohmann-json3-dev \
            python3 python3-venv python3-django util-linux haproxy wrk pebble lego openssl nftables curl \
            openssh-server openssh-client sudo libcpp-httplib-dev chromium \
            libpq-dev postgresql redis-server python3-psycopg2
# Node.js for the built-in buildpack: Debian's packages, unless a node and npm are already
# installed (NodeSource's nodejs bundles npm and conflicts with Debian's npm package).
NODE_PKGS := nodejs npm

ifeq ($(SANITIZE),1)
BUILD    := build-san
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
# -O1, as AddressSanitizer's documentation suggests: faster to build than -O2, stacks still readable.
CXXFLAGS ?= -O1 -g
else
BUILD    := build
SANFLAGS :=
endif

# pkg-config runs when a recipe first needs its answer, never while the Makefile is parsed.
# An answer is kept for the run only when pkg-config succeeded; a failure stops the build
# with what to do, and is never cached.
pkg_config = $(if $(PKG_$(1)_OK),$(PKG_$(1)),$(eval PKG_$(1) := $$(shell pkg-config --$(1) $$(PKGS)))$\
  $(if $(filter 0,$(.SHELLSTATUS)),$(eval PKG_$(1)_OK := 1)$(PKG_$(1)),$\
  $(error pkg-config --$(1) $(PKGS) failed; install the packages first: make deps)))
PKG_CFLAGS = $(call pkg_config,cflags)
PKG_LIBS   = $(call pkg_config,libs)
# With `deps` among the goals (`make -j2 deps demo`, MAKEFLAGS=-jN), nothing that needs the
# packages starts before it has finished: every compile waits for it (order-only).
AFTER_DEPS := $(filter deps,$(MAKECMDGOALS))

CXXFLAGS ?= -O2 -g
CXXFLAGS += -std=c++20 -Wall -Wextra -Wno-missing-field-initializers $(SANFLAGS) -MMD -MP -Ilib -Ibuildpack
LDFLAGS  += $(SANFLAGS)
# Kept out of CXXFLAGS and LDLIBS: a CXXFLAGS from the environment is exported to every recipe,
# so make would expand it (and ask pkg-config) for the first recipe it runs, deps included.
ALL_CXXFLAGS = $(CXXFLAGS) $(PKG_CFLAGS)
ALL_LDLIBS   = $(PKG_LIBS) -lpthread

LIB_SRC  := $(sort $(wildcard lib/*/*.cpp lib/core/*/*.cpp buildpack/runner/*.cpp))
LIB_OBJ  := $(LIB_SRC:%.cpp=$(BUILD)/%.o)
UNIT_SRC := $(sort $(wildcard test/unit/*.cpp))
UNIT_OBJ := $(UNIT_SRC:%.cpp=$(BUILD)/%.o)
# bin/slipway answers read-only commands and hands the rest to bin/slipway-engine beside it.
BIN      := bin/slipway
ENGINE   := bin/slipway-engine
ifeq ($(SANITIZE),1)
BIN      := $(BUILD)/slipway
ENGINE   := $(BUILD)/slipway-engine
endif

# libFuzzer targets (clang), one per parser, and the API's route families over HTTP
# (test/fuzz/api_fuzz.py); `make fuzz` runs each for FUZZ_SECONDS.
FUZZ_SECONDS ?= 600
FUZZ_TARGETS := procfile slugignore release_record env_file hook_input
FUZZ_CXX     := clang++
FUZZ_FLAGS    = -std=c++20 -O1 -g -fsanitize=fuzzer-no-link,address,undefined -Ilib -Ibuildpack \
                $(PKG_CFLAGS)
FUZZ_LIB_OBJ := $(LIB_SRC:%.cpp=build-fuzz/%.o)

.SECONDARY:
.PHONY: all test test-slow test-mechanisms test-fresh unit integration install uninstall deps demo bench clean help fuzz compdb mutants
all: $(BIN) $(ENGINE)

help:
	@echo "make            build bin/slipway"
	@echo "make deps       install the Debian packages Slipway needs (apt-get)"
	@echo "make demo       throwaway root: push a sample app, release phase, failed release, rollback"
	@echo "make test       unit + integration tests; last line 'N passed, N failed'"
	@echo "make test SANITIZE=1   the same under AddressSanitizer + UBSan (build-san/)"
	@echo "make test-slow  the slow cases apart: a 1 GB file, 200,000 files in one push"
	@echo "make test-mechanisms   unit tests + each integration test a mutation names (CI: SANITIZE=1)"
	@echo "make test-fresh parallel 'make deps demo' in a fresh clone, as on a machine without packages"
	@echo "make bench      deploy benchmark against baselines (BENCH=large for 600 MB)"
	@echo "make mutants    break each mechanism on purpose (test/mutants/*.patch): every one must be caught"
	@echo "make compdb     compile_commands.json for clangd (installs bear if missing)"
	@echo "make fuzz       run each libFuzzer target, and each API route family, for FUZZ_SECONDS (default 600)"
	@echo "make install PREFIX=/usr/local [DESTDIR=...]   both binaries, buildpacks, hook templates"
	@echo "make uninstall PREFIX=/usr/local"

# Made afresh: `ar r` keeps members whose source is gone (a moved or deleted file).
$(BUILD)/libslipway.a: $(LIB_OBJ)
	@mkdir -p $(@D)
	rm -f $@ && $(AR) rcs $@ $^

# --as-needed: the front end links libgit2 and libarchive only if its code uses them (a test
# checks that it does not).
$(BIN): $(BUILD)/bin/slipway.o $(BUILD)/libslipway.a | $(ENGINE)
	@mkdir -p $(@D)
	$(CXX) $(LDFLAGS) -Wl,--as-needed -o $@ $^ $(ALL_LDLIBS)

$(ENGINE): $(BUILD)/bin/slipway-engine.o $(BUILD)/libslipway.a
	@mkdir -p $(@D)
	$(CXX) $(LDFLAGS) -o $@ $^ $(ALL_LDLIBS)

$(BUILD)/unit-tests: $(UNIT_OBJ) $(BUILD)/libslipway.a
	$(CXX) $(LDFLAGS) -o $@ $^ $(ALL_LDLIBS)

$(BUILD)/%.o: %.cpp | $(AFTER_DEPS)
	@mkdir -p $(@D)
	$(CXX) $(ALL_CXXFLAGS) -c -o $@ $<

build-fuzz/%.o: %.cpp | $(AFTER_DEPS)
	@mkdir -p $(@D)
	$(FUZZ_CXX) $(FUZZ_FLAGS) -c -o $@ $<

build-fuzz/fuzz_%: build-fuzz/test/fuzz/fuzz_%.o $(FUZZ_LIB_OBJ)
	$(FUZZ_CXX) -fsanitize=fuzzer,address,undefined -o $@ $^ $(ALL_LDLIBS)

# New inputs go to build-fuzz/corpus; the seeds in test/fuzz/corpus stay as committed.
fuzz: $(FUZZ_TARGETS:%=build-fuzz/fuzz_%) $(BIN) $(ENGINE)
	@for t in $(FUZZ_TARGETS); do \
	  mkdir -p build-fuzz/corpus/$$t; \
	  echo "=== fuzz_$$t for $(FUZZ_SECONDS)s"; \
	  build-fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
	    -artifact_prefix=build-fuzz/crash-$$t- build-fuzz/corpus/$$t test/fuzz/corpus/$$t 2>&1 | \
	    grep -E '^(#[0-9]+.*DONE|stat::number_of_executed_units|==[0-9]+==ERROR|SUMMARY)' ; \
	  status=$${PIPESTATUS[0]}; [ $$status -eq 0 ] || { echo "fuzz_$$t failed; see build-fuzz/crash-$$t-*"; exit 1; }; \
	done
	@echo "=== the Platform API over HTTP, every route family for $(FUZZ_SECONDS)s"
	SLIPWAY_BIN=$(abspath $(BIN)) bash test/fuzz/api-fuzz-run.sh $(FUZZ_SECONDS)

unit: $(BUILD)/unit-tests
integration: $(BIN) $(ENGINE)

# One command for everything; test/run prints the final 'N passed, N failed'. Under
# SANITIZE=1, sanitizer reports go to files (a git hook's exit status is ignored by git),
# and test/run counts any report as a failure.
ifeq ($(SANITIZE),1)
SAN_REPORTS := $(abspath $(BUILD)/sanitizer-reports)
TEST_ENV := SANITIZER_REPORTS=$(SAN_REPORTS) \
            ASAN_OPTIONS=log_path=$(SAN_REPORTS)/asan:detect_leaks=1 \
            LSAN_OPTIONS=suppressions=$(abspath test/lsan.supp):print_suppressions=0 \
            UBSAN_OPTIONS=log_path=$(SAN_REPORTS)/ubsan:print_stacktrace=1:halt_on_error=1
endif
# test/run with a fresh sanitizer-report directory (SANITIZE=1) and the binaries to test.
RUN_TESTS = rm -rf $(SAN_REPORTS) && $(if $(SAN_REPORTS),mkdir -p $(SAN_REPORTS) &&) \
	$(TEST_ENV) SLIPWAY_BIN=$(abspath $(BIN))
test: $(BIN) $(ENGINE) $(BUILD)/unit-tests
	$(RUN_TESTS) UNIT_TESTS=$(abspath $(BUILD)/unit-tests) bash test/run

# The unit tests and every integration test a mutation names (test/mutants: each mechanism is
# guarded by at least one of them). CI runs this under the sanitizers instead of the whole suite.
test-mechanisms: $(BIN) $(ENGINE) $(BUILD)/unit-tests
	sed -n 's/^Caught-by: \(t_[a-z_]*\.sh\) \(test_[a-z0-9_]*\)$$/\1 \2/p' test/mutants/*.patch | sort -u \
	  > $(BUILD)/mechanism-tests
	$(RUN_TESTS) UNIT_TESTS=$(abspath $(BUILD)/unit-tests) TEST_SELECTION=$(abspath $(BUILD)/mechanism-tests) \
	  bash test/run

# The slow cases, apart (CI runs them too): a 1 GB file and 200,000 files in one push.
test-slow: $(BIN) $(ENGINE)
	$(RUN_TESTS) TEST_PREFIX=s_ bash test/run

# `make -j2 deps demo` and MAKEFLAGS=-j2 in a fresh clone of HEAD, packages "missing" until a
# fake apt-get ran (a clean build, then a few objects and the links again); CI runs it.
test-fresh:
	bash test/fresh/deps-then-build.sh

# Each patch in test/mutants applied alone to a copy (build-mutants/), the tests it names run:
# every mutation must turn one red. MUTANTS="name ..." runs some. About 8 minutes for all.
mutants:
	+bash test/mutants/run $(MUTANTS)

# Measures and reports only (BENCH=large for 50,000 files / 600 MB); never run by make test.
bench: $(BIN) $(ENGINE)
	SLIPWAY_BIN=$(abspath $(BIN)) python3 test/bench/bench.py

demo: $(BIN) $(ENGINE)
	SLIPWAY_BIN=$(abspath $(BIN)) bash bin/demo

# The unmodified heroku CLI, pinned, for the Platform API's tests (test/integration/t_api.sh):
# test/heroku-cli holds its package.json and the lockfile of every dependency (npm ci installs
# exactly those: a range resolved afresh can name a version the registry does not have yet).
HEROKU_CLI_VERSION := 11.10.0
HEROKU_CLI := build/heroku-cli

# As a user with sudo rights, the packages are installed through sudo.
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
APT  := $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get
deps:
	$(APT) update -qq
	$(APT) install -y -qq --no-install-recommends $(DEB_PKGS)
	command -v node >/dev/null && command -v npm >/dev/null || \
	  $(APT) install -y -qq --no-install-recommends $(NODE_PKGS)
	grep -qs '"version": "$(HEROKU_CLI_VERSION)"' $(HEROKU_CLI)/node_modules/heroku/package.json || \
	  { mkdir -p $(HEROKU_CLI) && cp test/heroku-cli/package.json test/heroku-cli/package-lock.json $(HEROKU_CLI)/ && \
	    npm ci --silent --no-audit --no-fund --prefix $(HEROKU_CLI); }

# compile_commands.json for clangd and other tools, recorded by Debian's bear over a full build.
compdb:
	command -v bear >/dev/null || $(APT) install -y -qq --no-install-recommends bear
	bear --output compile_commands.json -- $(MAKE) -B $(BIN) $(ENGINE) $(BUILD)/unit-tests

# Everything a server needs: both binaries, the built-in buildpacks, the hook templates and the
# documents. Apps created by the installed binary get hooks that run the installed engine.
SHARE := $(DESTDIR)$(PREFIX)/share/slipway
DOC   := $(DESTDIR)$(PREFIX)/share/doc/slipway
# systemd reads units from /usr/local/lib/systemd/system too, so PREFIX applies.
UNITDIR := $(DESTDIR)$(PREFIX)/lib/systemd/system
install: $(BIN) $(ENGINE)
	install -d $(DESTDIR)$(PREFIX)/bin $(SHARE)/buildpacks $(SHARE)/hooks $(DOC)
	install -m 0755 $(ENGINE) $(DESTDIR)$(PREFIX)/bin/slipway-engine
	install -m 0755 $(BIN) $(DESTDIR)$(PREFIX)/bin/slipway
	rm -rf $(SHARE)/buildpacks/* && cp -rT buildpack/builtin $(SHARE)/buildpacks
	install -m 0644 hooks/pre-receive hooks/post-receive $(SHARE)/hooks
	install -m 0644 README.md ARCHITECTURE.md $(DOC)
	install -d $(UNITDIR)
	sed 's|@BINDIR@|$(PREFIX)/bin|' bin/slipway.service.in > $(UNITDIR)/slipway.service

# Removes what install put there; apps and their data under the Slipway root stay.
uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/slipway $(DESTDIR)$(PREFIX)/bin/slipway-engine
	rm -rf $(SHARE) $(DOC)
	rm -f $(UNITDIR)/slipway.service

clean:
	rm -rf build build-san build-fuzz build-mutants bin/slipway bin/slipway-engine testdir

-include $(LIB_OBJ:.o=.d) $(UNIT_OBJ:.o=.d) $(BUILD)/bin/slipway.d $(BUILD)/bin/slipway-engine.d
