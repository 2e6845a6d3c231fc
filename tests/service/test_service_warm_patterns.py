"""A server compiles the detectors' lazy patterns at start, so no first decision pays for them."""

from __future__ import annotations

import sys
import types

from tractatus.governance.lazy_pattern import LazyPattern, compile_loaded_patterns, lazy_compile


def test_compiles_patterns_held_in_module_globals_and_nested_containers(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    module = types.ModuleType("tractatus_test_patterns.detector")
    module.TOP = lazy_compile(r"\bidiot\b")  # type: ignore[attr-defined]
    module.TABLE = ((frozenset({"x"}), lazy_compile(r"\bwon't\s+believe\b")),)  # type: ignore[attr-defined]
    module.BY_KIND = {"a": [lazy_compile(r"\bcvv\b")]}  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, module.__name__, module)
    patterns = [module.TOP, module.TABLE[0][1], module.BY_KIND["a"][0]]  # type: ignore[attr-defined]
    assert all(isinstance(p, LazyPattern) and p._compiled is None for p in patterns)

    assert compile_loaded_patterns("tractatus_test_patterns.") == 3
    assert all(p._compiled is not None for p in patterns)  # type: ignore[attr-defined]
    assert compile_loaded_patterns("tractatus_test_patterns.") == 0  # once only
    assert module.TOP.search("you idiot") is not None  # type: ignore[attr-defined]


def test_the_service_context_leaves_no_detector_pattern_uncompiled(settings) -> None:  # type: ignore[no-untyped-def]
    from tractatus.service.context import build_context

    ctx = build_context(settings)
    try:
        assert compile_loaded_patterns("tractatus.governance.") == 0
    finally:
        ctx.close()
