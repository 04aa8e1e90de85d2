"""Every error a user can meet has its own stable code."""

from __future__ import annotations

import importlib
import pkgutil

import jic
from jic.errors import JicError


def _all_subclasses(cls: type) -> set[type]:
    found = set(cls.__subclasses__())
    for sub in list(found):
        found |= _all_subclasses(sub)
    return found


def test_error_codes_are_unique_and_well_formed() -> None:
    for module in pkgutil.walk_packages(jic.__path__, "jic."):
        if ".migrations" not in module.name:
            importlib.import_module(module.name)
    classes = _all_subclasses(JicError)
    codes: dict[str, str] = {}
    for cls in sorted(classes, key=lambda c: c.__qualname__):
        code = cls.code
        assert code.startswith("JIC-E") and code[5:].isdigit(), (cls, code)
        if cls.__dict__.get("code") is None:
            continue  # inherits its parent's code on purpose
        assert code not in codes, (
            f"{cls.__module__}.{cls.__qualname__} reuses {code} of {codes[code]}"
        )
        codes[code] = f"{cls.__module__}.{cls.__qualname__}"
    assert len(codes) >= 30


def test_the_cli_line_has_code_message_and_hint() -> None:
    error = JicError("the thing broke", "do this next")
    assert error.one_line() == "error JIC-E000: the thing broke — do this next"
