# craft_tk: `make demo` opens the example launcher, `make test` runs the whole suite on
# both engines, `make bench` runs the benchmarks. Each sets up what it needs first.
# `make check` is the headless tier alone (no display, no engine), on Python 3.7 and the default Python 3.
# `make soak` runs thirty minutes of mixed traffic on each engine mode (SOAK_SECONDS=...); not part of `make test`.

PYTHON3 ?= python3
VENV    := .venv
CEF_ENV := $(VENV)/cef
TK_ENV  := $(VENV)/tkhtml
DISPLAY_RUN := tools/with-display.sh

.PHONY: demo check test test-cef test-cef-host test-tkhtml test-package bench soak envs clean

envs: $(CEF_ENV)/.installed $(TK_ENV)/.installed $(VENV)/node/.installed

$(VENV)/node/.installed: Makefile
	tools/ensure-apt.sh node:nodejs npm:npm
	mkdir -p $(VENV)/node
	npm install --silent --no-audit --no-fund --prefix $(VENV)/node acorn@8 typescript@5
	touch $@

$(CEF_ENV)/.installed: setup.cfg pyproject.toml
	rm -rf $(CEF_ENV)
	"$$(tools/find-python37.sh)" -m venv $(CEF_ENV)
	$(CEF_ENV)/bin/python -m pip install -q -e '.[cef,test,freeze]'
	touch $@

$(TK_ENV)/.installed: setup.cfg pyproject.toml
	rm -rf $(TK_ENV)
	$(PYTHON3) -m venv $(TK_ENV)
	$(TK_ENV)/bin/python -m pip install -q -e '.[tkhtml,test,freeze]'
	touch $@

demo: $(TK_ENV)/.installed $(CEF_ENV)/.installed
	CRAFT_CEF_PYTHON=$(CURDIR)/$(CEF_ENV)/bin/python $(DISPLAY_RUN) $(TK_ENV)/bin/python -m examples

check: $(CEF_ENV)/.installed $(TK_ENV)/.installed
	$(CEF_ENV)/bin/python -m tests --unit -q
	$(TK_ENV)/bin/python -m tests --unit -q

test: envs
	@rm -rf .test-results
	-$(CEF_ENV)/bin/python -m tests --unit -q
	-$(TK_ENV)/bin/python -m tests --unit -q
	-$(DISPLAY_RUN) $(CEF_ENV)/bin/python -m tests --engine cef
	-CRAFT_CEF_PYTHON=$(CURDIR)/$(CEF_ENV)/bin/python $(DISPLAY_RUN) $(TK_ENV)/bin/python -m tests --engine cef
	-$(DISPLAY_RUN) $(TK_ENV)/bin/python -m tests --engine tkhtml
	-$(DISPLAY_RUN) $(TK_ENV)/bin/python -m tests --package
	@$(PYTHON3) -m tests.summary .test-results

test-cef: $(CEF_ENV)/.installed
	$(DISPLAY_RUN) $(CEF_ENV)/bin/python -m tests --engine cef

test-cef-host: envs
	CRAFT_CEF_PYTHON=$(CURDIR)/$(CEF_ENV)/bin/python $(DISPLAY_RUN) $(TK_ENV)/bin/python -m tests --engine cef

test-package: envs
	$(DISPLAY_RUN) $(TK_ENV)/bin/python -m tests --package

test-tkhtml: $(TK_ENV)/.installed
	$(DISPLAY_RUN) $(TK_ENV)/bin/python -m tests --engine tkhtml

bench: envs
	CRAFT_CEF_PYTHON=$(CURDIR)/$(CEF_ENV)/bin/python $(DISPLAY_RUN) bash -c '$(CEF_ENV)/bin/python -m bench --engine cef && $(TK_ENV)/bin/python -m bench --engine cef --append && $(TK_ENV)/bin/python -m bench --engine tkhtml --append'

SOAK_SECONDS ?= 1800
soak: envs
	@status=0; \
	$(DISPLAY_RUN) $(CEF_ENV)/bin/python -m bench.soak --engine cef --seconds $(SOAK_SECONDS) || status=1; \
	CRAFT_CEF_PYTHON=$(CURDIR)/$(CEF_ENV)/bin/python $(DISPLAY_RUN) $(TK_ENV)/bin/python -m bench.soak --engine cef --seconds $(SOAK_SECONDS) || status=1; \
	$(DISPLAY_RUN) $(TK_ENV)/bin/python -m bench.soak --engine tkhtml --seconds $(SOAK_SECONDS) || status=1; \
	exit $$status

clean:
	rm -rf $(VENV) .test-results *.egg-info
