# Two commands, both from a fresh clone: `make run` (set up, run the suite) and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
ARGS ?=

.PHONY: run test setup clean

# The extra "gil" (gilknocker, the GIL sampler) only where there is a GIL: it has no
# free-threaded wheel, and on a free-threaded build GIL figures are not applicable anyway.
$(BIN)/.installed: pyproject.toml setup.py $(wildcard kernels/*.pyx) kernels/shim/gilcount.c
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[$$($(BIN)/python -c 'import sysconfig; print("test" if sysconfig.get_config_var("Py_GIL_DISABLED") == 1 else "gil,test")')]"
	touch $@

setup: $(BIN)/.installed

run: setup
	$(BIN)/python -m runners.all $(ARGS)

test: setup
	$(BIN)/python -m pytest -q -n auto --doctest-modules tests workloads kernels runners reports

clean:
	rm -rf $(VENV) build *.egg-info kernels/*.so kernels/*.c
