# Two commands do all set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.vidkit-installed
# torch is installed explicitly first: a bare `torch` requirement would pull a multi-GB CUDA build.
TORCH  ?= torch==2.13.0
PYTEST_ARGS ?= -n 2

.PHONY: setup demo test lint bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml Makefile
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet $(TORCH)
	$(BIN)/python -m pip install --quiet -e ".[test]"
	# cd-fvd is the parity reference for FVD; its declared torchvision dependency breaks beside this
	# torch and is not used by the code paths the tests call, so it is installed without dependencies.
	$(BIN)/python -m pip install --quiet --no-deps "cd-fvd==0.1.1"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/vidkit demo --out runs/demo

test: $(STAMP)
	$(BIN)/ruff check vidkit tests benchmarks
	HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 MPLBACKEND=Agg $(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check vidkit tests benchmarks
	$(BIN)/ruff format --check vidkit tests benchmarks

bench: $(STAMP)
	for f in benchmarks/bench_*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

clean:
	rm -rf $(VENV) runs .pytest_cache
