# netlab.pktgen: set-up, the virtual lab, the demo and the tests.
# Every target installs what it needs (apt packages, the venv; the lab kernels only in the cache).
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c

PYTHON ?= /usr/bin/python3
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
COLLECTION_LINK := .build/collections/ansible_collections/netlab/pktgen
# ansible-test needs the collection under ansible_collections/NS/NAME and outside
# any git checkout that ignores it, so sanity runs on a copy in the cache.
NETLAB_PKTGEN_CACHE ?= $(HOME)/.cache/netlab-pktgen
SANITY_TOP := $(NETLAB_PKTGEN_CACHE)/sanity
# What the controller needs (README: Controllers): Python for the venv, and the lab's qemu, debootstrap
# (with Debian's archive keyring) and mkfs.ext4. Kernels, headers and compilers live in the lab's cache.
APT_PACKAGES := python3 python3-venv python3-pip git qemu-system-x86 qemu-utils debootstrap \
  debian-archive-keyring e2fsprogs openssh-client iproute2
export ANSIBLE_CONFIG := $(CURDIR)/ansible.cfg
export PATH := $(BIN):$(PATH)

.PHONY: help venv lab-up lab-down lab-purge lab-status demo test lint kmod-check sanity unit core-range core-one integration integration-full integration-lines record-pktgen bench-receiver bench-modules clean

help:
	@echo "make demo        boot the virtual lab and run throughput.yml on it (results in results/)"
	@echo "make test        lint, ansible-test sanity, unit and integration tests (boots the lab)"
	@echo "make lab-up      boot the virtual lab (LAB_KERNEL=stable|backports|<abi>, an <abi> from LAB_KERNEL_LINE)"
	@echo "make lab-down    stop the virtual lab and remove what it created (the cache stays)"
	@echo "make lab-purge   lab-down, then remove the lab's cache: build roots, images, keys"
	@echo "make lab-status  report the virtual lab"
	@echo "make lint | sanity | unit | integration   one part of the tests"
	@echo "make core-range  unit tests and sanity on the lowest and newest ansible-core (CORE_LOWEST, CORE_NEWEST)"
	@echo "make integration-full   every integration test on every kernel line (FULL_LINES)"
	@echo "make integration-lines  the smoke tests on each further kernel line (SMOKE_LINES)"
	@echo "make record-pktgen      record pktgen's outputs on the running lab's kernel as unit-test fixtures"
	@echo "make bench-receiver   receive capacity per receiver hook, in the lab (ICOUNT=shift=0: in guest instructions)"
	@echo "make bench-modules    round trips per module call; a rate sweep, modules vs a shell loop"

venv: $(VENV)/.ready

$(VENV)/.ready: requirements.txt requirements-unit.txt requirements-test.txt
	@missing=$$(for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "apt: installing $$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -r requirements-test.txt
	mkdir -p $(dir $(COLLECTION_LINK))
	ln -sfn ../../../.. $(COLLECTION_LINK)
	touch $@

LAB_KERNEL ?= stable
LAB_KERNEL_LINE ?= stable
lab-up: venv
	ansible-playbook playbooks/lab.yml -e lab_kernel=$(LAB_KERNEL) -e lab_kernel_line=$(LAB_KERNEL_LINE)

lab-down: venv
	ansible-playbook playbooks/lab.yml -e lab_state=absent

# The lab's part of the cache (NETLAB_PKTGEN_CACHE): build roots (kernels, headers, compilers),
# disk images, keys, run state; and what older versions of the lab kept there.
LAB_CACHE_DIRS := buildroots images keys run rootfs kmod
lab-purge: lab-down
	if [ -d $(NETLAB_PKTGEN_CACHE) ]; then cd $(NETLAB_PKTGEN_CACHE) && rm -rf $(LAB_CACHE_DIRS); fi

lab-status: venv
	ansible-playbook playbooks/lab.yml -e lab_state=status

demo: lab-up
	ansible-playbook playbooks/throughput.yml

test: lint sanity unit core-range integration

# checkpatch.pl is not in Debian's headers packages: take it from linux-source once.
CHECKPATCH := $(NETLAB_PKTGEN_CACHE)/checkpatch/scripts/checkpatch.pl
$(CHECKPATCH):
	rm -rf $(NETLAB_PKTGEN_CACHE)/checkpatch.tmp && mkdir -p $(NETLAB_PKTGEN_CACHE)/checkpatch.tmp
	cd $(NETLAB_PKTGEN_CACHE)/checkpatch.tmp && { apt-get download linux-source-6.1 || \
	  { apt-get update -qq && apt-get download linux-source-6.1; }; } && \
	  dpkg-deb --fsys-tarfile linux-source-6.1_*.deb | tar -xO ./usr/src/linux-source-6.1.tar.xz \
	  | tar -xJ --strip-components=1 linux-source-6.1/scripts/checkpatch.pl \
	    linux-source-6.1/scripts/spelling.txt linux-source-6.1/scripts/const_structs.checkpatch
	rm -f $(NETLAB_PKTGEN_CACHE)/checkpatch.tmp/*.deb
	rm -rf $(NETLAB_PKTGEN_CACHE)/checkpatch && mv $(NETLAB_PKTGEN_CACHE)/checkpatch.tmp $(NETLAB_PKTGEN_CACHE)/checkpatch

kmod-check: $(CHECKPATCH)
	$(MAKE) -C kmod check CHECKPATCH="perl $(CHECKPATCH)"

lint: venv kmod-check
	ansible-lint
	for m in plugins/modules/*.py; do n=netlab.pktgen.$$(basename $$m .py); \
	  ANSIBLE_NOCOLOR=1 ansible-doc $$n 2>&1 | grep -q "^> MODULE $$n " || \
	  { echo "ansible-doc $$n does not render"; exit 1; }; done
	ruff check .
	ruff format --check .
	yamllint -s .

# $(call run_sanity,TOP,BIN): ansible-test sanity from BIN (a venv's bin) with its Python, on a copy
# of the collection under TOP/ansible_collections/netlab/pktgen.
define run_sanity
	rm -rf $(1)
	mkdir -p $(1)/ansible_collections/netlab/pktgen
	git ls-files -z --cached --others --exclude-standard \
	  | xargs -0 -I{} sh -c 'test -e "{}" && cp --parents -P "{}" $(1)/ansible_collections/netlab/pktgen/'
	pip_version=$$($(2)/python -c 'import ansible_test._internal.python_requirements as r, inspect, re; \
	  print(re.search(r"pip=.([0-9.]+).", inspect.getsource(r)).group(1))'); \
	  install -D -m 0644 tests/sanity/get_pip.py ~/.ansible/test/cache/get_pip_$${pip_version//./_}.py
	cd $(1)/ansible_collections/netlab/pktgen && PATH=$(2):$$PATH $(2)/ansible-test sanity --color \
	  --python $$($(2)/python -c 'import sys; print("%d.%d" % sys.version_info[:2])')
endef

sanity: venv
	$(call run_sanity,$(SANITY_TOP),$(BIN))

unit: venv
	$(MAKE) -C kmod test
	pytest tests/unit

# The ansible-core range meta/runtime.yml claims, tested at both ends (README: ansible-core versions):
# the unit tests and ansible-test sanity, each version in a venv of its own (.build/core-VERSION,
# requirements-unit.txt with that ansible-core), sanity on a copy under CORE_SANITY_TOP-VERSION.
# The lowest: 2.16's last release, on Debian 12's Python (3.11). The newest release: 2.20 and newer
# need Python 3.12 or newer, which Debian 12 does not have; these machines have pyenv's 3.12.
# `.venv` (make venv) takes the newest release that installs on PYTHON: 2.19 on Debian 12's 3.11.
CORE_LOWEST ?= 2.16.19
CORE_LOWEST_PYTHON ?= $(PYTHON)
CORE_NEWEST ?= 2.21.5
CORE_NEWEST_PYTHON ?= $(firstword $(wildcard /usr/bin/python3.12 $(HOME)/.pyenv/versions/3.12*/bin/python3.12))
CORE_SANITY_TOP ?= /tmp/core-sanity
CORE_PYTHON_$(CORE_LOWEST) := $(CORE_LOWEST_PYTHON)
CORE_PYTHON_$(CORE_NEWEST) := $(CORE_NEWEST_PYTHON)

.build/core-%/.ready: requirements.txt requirements-unit.txt
	@test -x "$(CORE_PYTHON_$*)" || { echo "ansible-core $*: no Python for it (CORE_LOWEST_PYTHON or" \
	  "CORE_NEWEST_PYTHON: ansible-core 2.20 and newer need Python 3.12 or newer)"; exit 1; }
	rm -rf $(@D)
	$(CORE_PYTHON_$*) -m venv $(@D)
	$(@D)/bin/pip install -q --disable-pip-version-check -r requirements-unit.txt "ansible-core==$*"
	touch $@

core-range: venv .build/core-$(CORE_LOWEST)/.ready .build/core-$(CORE_NEWEST)/.ready
	for core in $(CORE_LOWEST) $(CORE_NEWEST); do \
	  echo "== ansible-core $$core: unit tests and ansible-test sanity"; start=$$SECONDS; \
	  $(MAKE) --no-print-directory core-one CORE=$$core || exit 1; \
	  echo "== ansible-core $$core: passed in $$((SECONDS - start)) s"; \
	done

# One version: make core-one CORE=<CORE_LOWEST or CORE_NEWEST>.
core-one: venv .build/core-$(CORE)/.ready
	$(CURDIR)/.build/core-$(CORE)/bin/ansible --version | head -n 1
	PATH=$(CURDIR)/.build/core-$(CORE)/bin:$$PATH pytest tests/unit
	$(call run_sanity,$(CORE_SANITY_TOP)-$(CORE),$(CURDIR)/.build/core-$(CORE)/bin)

# The integration tests in tiers (README: Tests), each stage printing its time:
# - every test on the first line (LAB_KERNEL, Debian 12's), the Galaxy path (test_galaxy.py) with the
#   lowest and the newest ansible-core (make core-range's virtualenvs);
# - the smoke set (SMOKE_TESTS) on the newest line (TEST_SMOKE_LINES: experimental, 7.3);
# - `make integration-lines`: the smoke set on every further line (SMOKE_LINES), not in make test;
# - `make integration-full`: every test on every line (FULL_LINES), not in make test.
# make test stays within 60 min on a 2-core machine this way (2026-12-03: the first line alone is
# 28-47 min under emulation; each further line's smoke set 4-6 min, 2-4 min more to make its build root).
CORE_VENVS = $(CURDIR)/.build/core-$(CORE_LOWEST) $(CURDIR)/.build/core-$(CORE_NEWEST)
TEST_SMOKE_LINES ?= experimental
integration: venv .build/core-$(CORE_LOWEST)/.ready .build/core-$(CORE_NEWEST)/.ready
	echo "== every integration test on the $(LAB_KERNEL) line"; start=$$SECONDS; \
	  NETLAB_PKTGEN_CORE_VENVS="$(CORE_VENVS)" LAB_KERNEL=$(LAB_KERNEL) pytest --durations=15 tests/integration; \
	  echo "== $(LAB_KERNEL) line: passed in $$((SECONDS - start)) s"
	$(MAKE) --no-print-directory integration-lines SMOKE_LINES="$(TEST_SMOKE_LINES)"

FULL_LINES ?= stable backports bullseye trixie sid experimental
integration-full: venv .build/core-$(CORE_LOWEST)/.ready .build/core-$(CORE_NEWEST)/.ready
	for kernel in $(FULL_LINES); do \
	  echo "== every integration test on the $$kernel line"; start=$$SECONDS; \
	  NETLAB_PKTGEN_CORE_VENVS="$(CORE_VENVS)" LAB_KERNEL=$$kernel pytest --durations=15 tests/integration || exit 1; \
	  echo "== $$kernel line: passed in $$((SECONDS - start)) s"; \
	done

# The smoke set, on each kernel line of SMOKE_LINES (roles/virtual_lab/vars/main.yml): the lab boots on
# the line's kernel (64 flows over every NIC queue, the TSC clock, pktgen's 10,000 packets over veth) and
# goes down leaving the host as it was; the receiver builds W=1 and sparse against the line's headers with
# the line's own compiler, counts 100,000 packets exactly at statistics time, refuses bad commands with
# EINVAL and unloads with a clean kernel log.
SMOKE_LINES ?= bullseye trixie sid experimental
SMOKE_TESTS := test_lab.py::test_lab_up_boots_and_spreads_64_flows \
  test_lab.py::test_under_emulation_the_guest_runs_on_the_tsc_with_a_deep_backlog \
  test_lab.py::test_pktgen_sends_10000_packets_over_the_veth_pair \
  test_lab.py::test_64_flows_reach_every_rx_queue_of_the_nic test_lab.py::test_lab_down_leaves_nothing \
  test_host_unchanged.py test_kmod_build.py \
  test_receiver.py::test_100000_packets_counted_exactly \
  test_receiver.py::test_malformed_writes_fail_with_einval \
  test_receiver.py::test_unload_leaves_a_clean_kernel_log
integration-lines: venv
	for kernel in $(SMOKE_LINES); do \
	  echo "== smoke tests on the $$kernel line"; start=$$SECONDS; \
	  LAB_KERNEL=$$kernel pytest --durations=5 $(addprefix tests/integration/,$(SMOKE_TESTS)) || exit 1; \
	  echo "== $$kernel line: passed in $$((SECONDS - start)) s"; \
	done

# pktgen's outputs on the running lab's kernel, as unit-test fixtures (tests/integration/record_pktgen.py).
record-pktgen: venv
	PYTHONPATH=$(CURDIR)/.build/collections python tests/integration/record_pktgen.py

# Benchmarks print figures; they never pass or fail on a time.
# BASE: the git revision whose module bench-receiver measures beside ours (old-*).
BASE ?= main
bench-receiver: venv
	PYTHONPATH=$(CURDIR)/.build/collections LAB_KERNEL=$(LAB_KERNEL) BASE=$(BASE) python bench/receiver_hooks.py

bench-modules: venv
	PYTHONPATH=$(CURDIR)/.build/collections LAB_KERNEL=$(LAB_KERNEL) python bench/modules.py

clean:
	rm -rf .build $(VENV)
