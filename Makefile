# Two commands do all set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.vidkit-installed
# torch is installed explicitly first: a bare `torch` requirement would pull a multi-GB CUDA build.
TORCH  ?= torch==2.13.0
PYTEST_ARGS ?= -n 2 --durations=20

.PHONY: setup demo test lint bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml setup.py Makefile
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet $(TORCH)
	# core + the notebook environment (make demo, the notebooks) + the test tools (make test)
	$(BIN)/python -m pip install --quiet -e ".[notebook,test]"
	# cd-fvd is the parity reference for FVD; its declared torchvision dependency breaks beside this
	# torch and is not used by the code paths the tests call, so it is installed without dependencies.
	$(BIN)/python -m pip install --quiet --no-deps "cd-fvd==0.1.1"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/vidkit demo --out runs/demo

test: $(STAMP)
	$(BIN)/ruff check vidkit tests benchmarks
	# two pytest workers on two cores: one BLAS/torch thread each avoids oversubscription
	HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 MPLBACKEND=Agg OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 \
	  OPENBLAS_NUM_THREADS=1 $(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check vidkit tests benchmarks
	$(BIN)/ruff format --check vidkit tests benchmarks

bench: $(STAMP)
	for f in benchmarks/bench_*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

clean:
	rm -rf $(VENV) runs .pytest_cache

# >>> browser test dependencies (tests/test_browser.py) >>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>
# Debian's chromium (apt-get, only when /usr/bin/chromium is missing) and the playwright Python
# package (pip; PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1: it never downloads a browser). A failure is
# printed and does not stop `make test`: the browser test then skips and says why. The stamp is
# written only when both are present, so a later `make test` tries again.
BROWSER_STAMP := $(VENV)/.vidkit-browser-deps
.PHONY: browser-deps
browser-deps: $(BROWSER_STAMP)
test: $(BROWSER_STAMP)

$(BROWSER_STAMP): $(STAMP)
	@if [ -x /usr/bin/chromium ]; then echo "browser test: $$(/usr/bin/chromium --version 2>/dev/null)"; \
	else \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO="sudo -n"; \
	  echo "browser test: installing chromium with apt-get"; \
	  if ! ( $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium ) \
	      > $(VENV)/chromium-install.log 2>&1; then \
	    echo "browser test: chromium could not be installed (log: $(VENV)/chromium-install.log):"; \
	    tail -n 3 $(VENV)/chromium-install.log; \
	  fi; \
	fi
	@PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 $(BIN)/python -m pip install --quiet playwright \
	  || echo "browser test: the playwright package could not be installed"
	@if [ -x /usr/bin/chromium ] && $(BIN)/python -c "import playwright" 2>/dev/null; then touch $@; fi
# <<< browser test dependencies <<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<
