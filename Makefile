# Two commands, both from a fresh clone: `make run` (set up, run the suite) and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
ARGS ?=

.PHONY: run test setup clean

$(BIN)/.installed: pyproject.toml setup.py $(wildcard kernels/*.pyx)
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

setup: $(BIN)/.installed

run: setup
	$(BIN)/python -m runners.all $(ARGS)

test: setup
	$(BIN)/python -m pytest -q

clean:
	rm -rf $(VENV) build *.egg-info kernels/*.so kernels/*.c
