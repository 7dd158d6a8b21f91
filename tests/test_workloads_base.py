"""The workload declaration (workloads/base.py): what it checks itself, and what it leaves to the runner."""
from __future__ import annotations

import dataclasses

import pytest

from workloads.base import COLLECTIONS, PROFILES, Workload

SIZES = {"quick": None, "default": 10, "full": 100}


def make(**kw):
    return Workload(**{"name": "w", "collection": "array", "claims": ("C1",), "sizes": SIZES,
                       "build": lambda size, seed: size, "check": lambda a, b: a == b, **kw})


@pytest.mark.parametrize("kw, words", [
    ({"name": "two words"}, "without spaces"),
    ({"collection": "matrix"}, "collection must be one of"),
    ({"claims": "C1"}, "claims must be a tuple of claim ids"),
    ({"claims": ("C1", "")}, "claims must be a tuple of claim ids"),
    ({"sizes": {"quick": 1}}, "sizes lacks profiles"),
    ({"build": None}, "build must be callable"),
    ({"kinds": "sync"}, "kinds must be a tuple of scheduler kinds"),
])
def test_a_bad_declaration_names_what_is_wrong(kw, words):
    with pytest.raises(ValueError, match=words):
        make(**kw)


def test_claim_ids_and_kinds_are_names_only():
    """Which ids and kinds exist is the runner's to check (runners.cli, runners.plan), not the workload's."""
    w = make(claims=["C99"], kinds=["sync", "gpu"])
    assert w.claims == ("C99",) and w.kinds == ("sync", "gpu")


def test_sizes_per_profile_and_the_next_larger_for_a_left_out_one():
    w = make()
    assert not w.in_profile("quick") and w.in_profile("default")
    assert w.size_for("quick") == 10 and w.size_for("full") == 100
    with pytest.raises(ValueError, match="unknown profile"):
        w.size_for("huge")
    with pytest.raises(ValueError, match="no size"):
        make(sizes={"quick": None, "default": None, "full": None}).size_for("quick")


def test_defaults_and_frozen_mappings():
    w = make(params={"k": 1})
    assert w.family == "w" and w.nbytes(10) == 0 and w.kinds is None
    with pytest.raises(TypeError):
        w.params["k"] = 2  # type: ignore[index]
    assert PROFILES == ("quick", "default", "full") and "bag" in COLLECTIONS


def test_a_declaration_keeps_what_it_was_given():
    w = make(description="Tiny.", family="ws", params={"k": 2}, sweep=True, real_data=True, interleave="pair",
             nbytes=lambda size: 8 * size)
    assert (w.name, w.collection, w.claims, w.description, w.family) == ("w", "array", ("C1",), "Tiny.", "ws")
    assert w.build(3, 7) == 3 and w.check(1, 1) and not w.check(1, 2) and w.nbytes(4) == 32
    assert (w.sweep, w.real_data, w.interleave) == (True, True, "pair")


def test_a_declaration_is_frozen_and_owns_copies_of_its_mappings():
    sizes, params = dict(SIZES), {"k": 1}
    w = make(sizes=sizes, params=params)
    sizes["default"], params["k"] = 99, 99  # the caller's dicts change later: the workload does not
    assert w.sizes["default"] == 10 and w.params["k"] == 1
    with pytest.raises(TypeError):
        w.sizes["default"] = 5  # type: ignore[index]
    with pytest.raises(dataclasses.FrozenInstanceError):
        w.name = "other"  # type: ignore[misc]


@pytest.mark.parametrize("name", ["", "tab\tname", None, 3])
def test_name_must_be_a_non_empty_word(name):
    with pytest.raises(ValueError, match="name must be a non-empty string without spaces"):
        make(name=name)


def test_an_unknown_collection_error_lists_the_known_ones():
    with pytest.raises(ValueError) as e:
        make(collection="xarray")
    assert all(c in str(e.value) for c in COLLECTIONS) and "'w'" in str(e.value)


@pytest.mark.parametrize("field", ["check", "nbytes"])
def test_check_and_nbytes_must_be_callable(field):
    with pytest.raises(ValueError, match=f"{field} must be callable"):
        make(**{field: 42})
