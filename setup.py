"""Builds the Cython kernels; everything else is declared in pyproject.toml."""
import os
import subprocess
import sys
import tempfile

import numpy
from Cython.Build import cythonize
from setuptools import Extension, setup

# kernels/_<name>.pyx -> kernels._<name>
KERNELS = ["compute", "blocking", "parallel", "calib", "gilprobe"]
# Kernels that use prange: compiled with OpenMP where the compiler has it.
OPENMP_KERNELS = {"parallel"}


def _has_openmp() -> bool:
    """True when the C compiler accepts -fopenmp and links libgomp."""
    if os.environ.get("SUITE_NO_OPENMP"):
        return False
    cc = os.environ.get("CC", "cc")
    with tempfile.TemporaryDirectory() as d:
        src = os.path.join(d, "t.c")
        with open(src, "w") as f:
            f.write("#include <omp.h>\nint main(void){return omp_get_max_threads() < 1;}\n")
        try:
            r = subprocess.run([cc, "-fopenmp", src, "-o", os.path.join(d, "t")],
                               capture_output=True)
        except OSError:
            return False
        return r.returncode == 0


OPENMP = _has_openmp()
if not OPENMP:
    print("setup.py: no OpenMP in this compiler; prange kernels build serial", file=sys.stderr)


def _extension(name: str) -> Extension:
    omp = OPENMP and name in OPENMP_KERNELS
    return Extension(
        f"kernels._{name}",
        [f"kernels/_{name}.pyx"],
        include_dirs=[numpy.get_include()],
        define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION")],
        extra_compile_args=["-O2"] + (["-fopenmp"] if omp else []),
        extra_link_args=["-fopenmp"] if omp else [],
    )


# Not a Python module: a plain C library the runner preloads to count GIL hand-overs (runners/gilcount.py).
# Built the way the kernels are (setuptools names it like one); nothing imports it.
GILCOUNT = Extension("kernels._gilcount", ["kernels/shim/gilcount.c"], extra_compile_args=["-O2"],
                     libraries=["dl"])

setup(
    ext_modules=cythonize(
        [_extension(n) for n in KERNELS],
        compiler_directives={"language_level": "3", "embedsignature": True, "binding": True},
        compile_time_env={"HAVE_OPENMP": OPENMP},
    ) + ([GILCOUNT] if sys.platform.startswith("linux") else [])
)
