"""One JSON reading for every way in (CLI and API), refusing what the two used to disagree on.

Python's `json` module accepts several things that have no single meaning for governance: a
duplicate key (the last one wins, so `{"text":"hello","text":"Contact me at a@b.com"}` would be
decided on the second while a reviewer sees the first), NaN and Infinity (not JSON), numbers of
any length (int() of more than 4,300 digits raises ValueError deep inside), nesting deep enough
to exhaust the interpreter's stack (RecursionError), NUL characters (PostgreSQL text cannot hold
them) and lone UTF-16 surrogates (not encodable as UTF-8, so not storable or auditable).

`loads_strict` turns each of them into one `InputError` line. The CLI maps it to exit 2 and the
API to 400. The limits are documented here and in docs/service.md:
"""

from __future__ import annotations

import json
import re
from typing import Any

from tractatus.governance.errors import InputError

MAX_DEPTH = 64  # objects and arrays nested deeper than this are refused (actions nest 2-3 deep)
MAX_NUMBER_CHARS = 100  # a number literal longer than this is refused (no field needs more)
_FORBIDDEN_CHARS = re.compile("[\x00\ud800-\udfff]")
# The same rule as a JSON Schema pattern, for the API's OpenAPI document. It names NUL only: a lone
# surrogate is not a Unicode scalar value, so no JSON Schema string (and no validator) can hold one.
NO_NUL_PATTERN = r"^[^\x00]*$"


def reject_forbidden_chars(text: str, where: str) -> None:
    """Refuse NUL and lone surrogates in a string that is about to be decided, stored or audited."""
    found = _FORBIDDEN_CHARS.search(text)
    if found is None:
        return
    if found.group() == "\x00":
        raise InputError(f"{where}: contains a NUL character")
    raise InputError(f"{where}: contains a lone UTF-16 surrogate (U+{ord(found.group()):04X}), which is not valid text")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise InputError(f"duplicate key {key[:40]!r} in a JSON object")
        result[key] = value
    return result


def _no_constant(name: str) -> Any:
    raise InputError(f"{name} is not a JSON number")


def _bounded_int(literal: str) -> int:
    if len(literal) > MAX_NUMBER_CHARS:
        raise InputError(f"a number of {len(literal)} characters, over the {MAX_NUMBER_CHARS}-character limit")
    return int(literal)


def _bounded_float(literal: str) -> float:
    if len(literal) > MAX_NUMBER_CHARS:
        raise InputError(f"a number of {len(literal)} characters, over the {MAX_NUMBER_CHARS}-character limit")
    value = float(literal)
    if value != value or value in (float("inf"), float("-inf")):
        raise InputError(f"the number {literal[:20]} does not fit a 64-bit float")
    return value


def _check_tree(value: Any, where: str) -> None:
    """Depth and string checks over the parsed value, without recursion (depth is bounded anyway)."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            reject_forbidden_chars(item, where)
        elif isinstance(item, (dict, list)):
            if depth >= MAX_DEPTH:
                raise InputError(f"{where}: JSON nested deeper than {MAX_DEPTH} levels")
            if isinstance(item, dict):
                for key, child in item.items():
                    reject_forbidden_chars(key, where)
                    stack.append((child, depth + 1))
            else:
                stack.extend((child, depth + 1) for child in item)


def loads_strict(text: str | bytes, where: str = "body") -> Any:
    """`json.loads` that refuses duplicate keys, NaN/Infinity, oversized numbers, deep nesting,
    NUL and lone surrogates, each as one `InputError` naming `where`."""
    try:
        value = json.loads(
            text, object_pairs_hook=_no_duplicates, parse_constant=_no_constant, parse_int=_bounded_int,
            parse_float=_bounded_float,
        )  # fmt: skip
    except InputError as exc:
        raise InputError(f"{where}: {exc}") from None
    except RecursionError:
        raise InputError(f"{where}: JSON nested deeper than {MAX_DEPTH} levels") from None
    except UnicodeDecodeError as exc:
        raise InputError(f"{where}: invalid UTF-8 at byte {exc.start}") from None
    # JSONDecodeError is left to the caller: each way in words "not JSON" its own way.
    _check_tree(value, where)
    return value
