# almanac — build, test, demo and benchmarks.
#
#   make demo    install what is missing, build, run the daemon on the shipped example profiles
#   make test    install what is missing, start a throwaway PostgreSQL and MariaDB on loopback, run every test
#   make bench   run the benchmarks in contrib/bench/*/run (not part of make test)
#   make soak    the model-based sync test over many seeds (SOAK_SEEDS, SOAK_ROUNDS)
#   make lint    swift format lint, strict (any warning fails; make test runs it first)
#   make install the release binary (stripped), man pages, completions, the systemd unit (PREFIX, DESTDIR)
#   make deb     a Debian package (.build/deb); make deb-check installs and removes it in a throwaway root
SHELL := /bin/bash
.DEFAULT_GOAL := build

SWIFT       ?= swift
# The build that tests use refuses an import of a package target that is not a declared dependency
# (the module rules themselves: Tests/AlmanacCoreTests/ModuleImportTests.swift, docs/ARCHITECTURE.md).
BUILD_FLAGS := --explicit-target-dependency-import-check error
BUILD_DIR   := .build
PG_DIR      := $(BUILD_DIR)/pg
PY_DIR      := $(BUILD_DIR)/pyenv
MARIADB_DIR := $(BUILD_DIR)/mariadb
ALMANAC_BIN := $(CURDIR)/$(BUILD_DIR)/debug/almanac
APT_PACKAGES := pkg-config unixodbc unixodbc-dev libsqliteodbc odbc-postgresql libcurl4-openssl-dev \
                libxml2-dev postgresql postgresql-client sqlite3 python3 python3-venv \
                nghttp2-server openssl mariadb-server mariadb-client odbc-mariadb \
                binutils man-db systemd init-system-helpers \
                chromium chromium-driver
# The executable stays position-independent (address-randomised): -Xlinker -no-pie would save
# ~1 ms of relocations per start of `almanac status`, not worth giving up ASLR for a daemon that
# holds credentials; `almanac status` meets its 20 ms p99 without it.
RELEASE_FLAGS := -c release --static-swift-stdlib
LAZY_LIBS    := libcurl.so.4 libxml2.so.2 libodbc.so.2 libsqlite3.so.0
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# make install: PREFIX/bin, PREFIX/share/{man,doc,…}, PREFIX/lib/systemd/system; configuration in
# SYSCONFDIR/almanac. contrib/package/install lists every file.
PREFIX     ?= /usr/local
SYSCONFDIR ?= /etc
DESTDIR    ?=
DEB_DIR    := $(BUILD_DIR)/deb

.PHONY: deps build release test soak demo bench lint clean pg-start pg-stop mariadb-start mariadb-stop \
        install man deb deb-check

## deps: install the Debian packages that are missing (quiet when all are present)
deps:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "deps: installing$$missing"; \
	  $(SUDO) apt-get -o DPkg::Lock::Timeout=600 update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi
	@command -v $(SWIFT) >/dev/null || { echo "deps: swift is not on PATH (Swift 6.x toolchain needed)"; exit 1; }

build: deps
	$(SWIFT) build $(BUILD_FLAGS)

## release: one static binary (Swift runtime and Foundation linked in) that loads libcurl, libxml2,
## libodbc and libsqlite3 on first use (Sources/CLazyLibraries; contrib/build/drop-needed)
release: deps
	$(SWIFT) build $(RELEASE_FLAGS)
	@contrib/build/drop-needed $(BUILD_DIR)/release/almanac $(LAZY_LIBS)

## install: the release binary stripped (symbols in PREFIX/lib/debug, found through its debuglink), the
## man pages and bash/zsh/fish completions generated from it, almanac.service, sysusers.d, examples,
## and SYSCONFDIR/almanac/{profiles.d,secrets} (kept when present)
install: release
	DESTDIR="$(DESTDIR)" PREFIX="$(PREFIX)" SYSCONFDIR="$(SYSCONFDIR)" contrib/package/install $(BUILD_DIR)/release/almanac

## man: the man pages of the debug build in .build/man (MANPATH=.build/man man almanac; install makes its own)
man: build
	@contrib/package/manpages $(ALMANAC_BIN) $(BUILD_DIR)/man/man1

## deb: almanac_VERSION_ARCH.deb and almanac-dbg_VERSION_ARCH.deb in .build/deb (dpkg-deb)
deb: release
	@contrib/package/deb $(BUILD_DIR)/release/almanac $(DEB_DIR)

## deb-check: that package installed into an overlay of this machine's root, checked, removed, purged (root)
deb-check: deb
	@contrib/package/deb-check $(DEB_DIR)/almanac_$$($(BUILD_DIR)/release/almanac --version)_$$(dpkg --print-architecture).deb

## test: every test, with PostgreSQL and MariaDB started on loopback and services required; the official
## Google and Cronofy client libraries (pinned, contrib/conformance) go into a venv for the fakes' checks,
## kubernetes-validate too, for the manifests of contrib/kubernetes (contrib/kubernetes/check)
# Suites that drive processes for minutes (kills, crash points) and hold the test runner's threads
# while they wait: run on their own after the rest, so the others do not starve past their time limits.
# Swift Testing runs at most 2 x cores test cases at once (4 on CI's 2 cores) and a test's time limit
# runs while it waits for a slot: a full run on 2 cores held unrelated suites for 290-310 s, so the
# suites' limits are 10 minutes (time to wait, still a bound on a hang).
LONG_TESTS = CrashTests|ClientsEndToEndTests

test: lint build
	@contrib/dev/pyenv $(PY_DIR)
	@contrib/kubernetes/check $(PY_DIR)
	@contrib/dev/pg start $(PG_DIR)
	@trap 'contrib/dev/pg stop $(PG_DIR); contrib/dev/mariadb stop $(MARIADB_DIR)' EXIT; \
	contrib/dev/mariadb start $(MARIADB_DIR); \
	set -a; . $(PG_DIR)/env; . $(MARIADB_DIR)/env; set +a; \
	export ALMANAC_REQUIRE_SERVICES=1 ALMANAC_BIN=$(ALMANAC_BIN); \
	$(SWIFT) test $(BUILD_FLAGS) --skip '$(LONG_TESTS)'; first=$$?; \
	$(SWIFT) test $(BUILD_FLAGS) --skip-build --filter '$(LONG_TESTS)'; second=$$?; \
	test $$first -eq 0 && test $$second -eq 0

## soak: the model-based random sync test (Tests/ModelSyncTests) over more seeds and rounds than
## make test plays: SOAK_SEEDS (a range 1-100 or a list 1,7,9), SOAK_ROUNDS rounds per seed
SOAK_SEEDS  ?= 1-100
SOAK_ROUNDS ?= 120
soak: build
	ALMANAC_MODEL_SEED=$(SOAK_SEEDS) ALMANAC_MODEL_ROUNDS=$(SOAK_ROUNDS) $(SWIFT) test --filter ModelSyncTests

pg-start:
	@contrib/dev/pg start $(PG_DIR)

pg-stop:
	@contrib/dev/pg stop $(PG_DIR)

mariadb-start:
	@contrib/dev/mariadb start $(MARIADB_DIR)

mariadb-stop:
	@contrib/dev/mariadb stop $(MARIADB_DIR)

## demo: the shipped example profiles on an SQLite database and the local fake calendars
demo: build
	@contrib/demo/run $(ALMANAC_BIN)

## bench: every contrib/bench/*/run, release build
bench: release
	@set -e; for b in contrib/bench/*/run; do \
	  [ -x "$$b" ] || continue; echo "== $$b"; "$$b"; \
	done

lint:
	$(SWIFT) format lint --strict --recursive --configuration .swift-format Package.swift Sources Plugins Tests contrib

clean:
	@contrib/dev/pg stop $(PG_DIR) || true
	@contrib/dev/mariadb stop $(MARIADB_DIR) || true
	$(SWIFT) package clean
