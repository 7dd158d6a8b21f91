"""Numbers, durations, sizes and HTML escaping for every report: written once.

>>> duration(0.000042), duration(0.0153), duration(2.5), duration(125)
('42 µs', '15.3 ms', '2.5 s', '2 min 5 s')
>>> size(950), size(12_300), size(4.2e9)
('950 B', '12.3 kB', '4.2 GB')
>>> ratio(1.0534), ratio(None)
('1.05×', '–')
>>> percent(0.119), percent(None)
('12%', '–')
>>> escape('<a href="x">')
'&lt;a href=&quot;x&quot;&gt;'
"""
from __future__ import annotations

import html
import math
from typing import Any

__all__ = ["is_number", "duration", "size", "ratio", "percent", "number", "escape", "interpreter"]


def is_number(x: Any) -> bool:
    """A finite number (not None, NaN, a string or a bool): the one test every report uses.

    >>> is_number(1.5), is_number(float("nan")), is_number(None), is_number("3"), is_number(True)
    (True, False, False, False, False)
    """
    if type(x) is float:  # the common case, asked of every stored time: no conversion to try
        return math.isfinite(x)
    try:
        return x is not None and not isinstance(x, (bool, str)) and math.isfinite(float(x))
    except (TypeError, ValueError):
        return False


def duration(seconds: Any) -> str:
    """A duration in the unit that reads best (µs, ms, s, min)."""
    if not is_number(seconds):
        return "–"
    s = float(seconds)
    if s < 1e-3:
        return f"{s * 1e6:.3g} µs"
    if s < 1:
        return f"{s * 1e3:.3g} ms"
    if s < 60:
        return f"{s:.3g} s"
    m, rest = divmod(int(round(s)), 60)
    return f"{m} min {rest} s"


def size(nbytes: Any) -> str:
    """Bytes in B, kB, MB or GB (powers of 1000, as Dask prints them)."""
    if not is_number(nbytes):
        return "–"
    b = float(nbytes)
    for unit, f in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if b >= f:
            return f"{b / f:.3g} {unit}"
    return f"{b:.0f} B"


def ratio(x: Any) -> str:
    """A ratio with three significant digits (no exponent) and the × sign."""
    if not is_number(x):
        return "–"
    return f"{float(x):.3g}×" if abs(float(x)) < 1000 else f"{float(x):.0f}×"


def percent(share: Any) -> str:
    """A share of 0..1 as a whole percentage ('12%')."""
    return f"{float(share) * 100:.0f}%" if is_number(share) else "–"


def number(x: Any, digits: int = 3) -> str:
    """A number with *digits* significant digits; '–' when it is not one."""
    return f"{float(x):.{digits}g}" if is_number(x) else "–"


def escape(text: Any) -> str:
    """HTML-escape *text* (quotes included)."""
    return html.escape(str(text), quote=True)


def interpreter(machine: dict[str, Any]) -> str:
    """One line on the interpreter and its GIL.

    >>> interpreter({"python": "3.11.7 (main)", "free_threaded_build": False})
    'Python 3.11.7 with the GIL'
    >>> interpreter({"python": "3.14.0", "free_threaded_build": True, "gil_enabled": False})
    'Python 3.14.0, free-threaded build, GIL off'
    """
    py = "Python " + str(machine.get("python") or "?").split()[0]
    if not machine.get("free_threaded_build"):
        return f"{py} with the GIL"
    by = [m for m in machine.get("gil_reenabled_by") or [] if m]
    if by:
        return f"{py}, free-threaded build, GIL re-enabled by {', '.join(by)}"
    if machine.get("gil_enabled"):
        return f"{py}, free-threaded build, GIL on (PYTHON_GIL=1 or -X gil=1)"
    return f"{py}, free-threaded build, GIL off"
