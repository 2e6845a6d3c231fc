"""Reading actions from the command line, stdin or JSONL files, with one clear error per problem."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import BinaryIO, Iterator

from pydantic import ValidationError

from tractatus.governance.actions import Action
from tractatus.governance.errors import InputError
from tractatus.governance.strict_json import loads_strict, reject_forbidden_chars
from tractatus.governance.wire import ActionIn


def decode_utf8(data: bytes, where: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{where}: invalid UTF-8 at byte {exc.start}") from None


def check_size(text: str, limit: int, where: str) -> None:
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > limit:
        raise InputError(f"{where}: text is {size} bytes, over the {limit}-byte limit")


def action_from_json(obj: object, where: str, defaults: dict[str, str]) -> Action:
    if not isinstance(obj, dict):
        raise InputError(f"{where}: expected a JSON object with at least \"text\"")
    try:
        return ActionIn.model_validate({**defaults, **obj}).to_action()
    except ValidationError as exc:
        first = exc.errors()[0]
        message = "unknown field" if first["type"] == "extra_forbidden" else first["msg"].removeprefix("Value error, ")
        if not first["loc"]:  # a rule about the whole action, e.g. no text to decide on
            raise InputError(f"{where}: {message}") from None
        field = ".".join(str(p) for p in first["loc"])
        raise InputError(f"{where}: field {field}: {message}") from None


def action_from_input(raw: str, where: str, defaults: dict[str, str], limit: int) -> Action:
    """A single input: a JSON action if it is a JSON object, otherwise plain text."""
    check_size(raw, limit, where)
    stripped = raw.strip()
    if stripped.startswith("{") and stripped.endswith("}"):
        try:
            # The API's reading: duplicate keys, NaN, deep nesting, huge numbers, NUL, lone surrogates
            # are input errors here too (issue 12, item 3).
            obj = loads_strict(stripped, where)
        except json.JSONDecodeError:
            obj = None  # text that merely looks like JSON is checked as text
        if isinstance(obj, dict):
            return action_from_json(obj, where, defaults)
    reject_forbidden_chars(raw, where)
    if not stripped:
        raise InputError(f"{where}: nothing to check: the text is empty")
    return Action(text=raw, **defaults)


def read_stdin(limit: int) -> str:
    data = sys.stdin.buffer.read(limit + 1)
    if len(data) > limit:
        raise InputError(f"stdin: input is over the {limit}-byte limit")
    return decode_utf8(data, "stdin")


def iter_jsonl(path: str, defaults: dict[str, str], limit: int) -> Iterator[Action]:
    """Actions from a JSONL file ('-' for stdin): one object per line, blank lines skipped."""
    if path == "-":
        yield from _iter_jsonl_stream(sys.stdin.buffer, "stdin", defaults, limit)
        return
    try:
        handle = Path(path).open("rb")  # noqa: SIM115 - closed by the with below
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None
    with handle:
        yield from _iter_jsonl_stream(handle, path, defaults, limit)


def _iter_jsonl_stream(stream: BinaryIO, name: str, defaults: dict[str, str], limit: int) -> Iterator[Action]:
    for number, line in enumerate(stream, start=1):
        where = f"{name}: line {number}"
        text = decode_utf8(line, where)
        if not text.strip():
            continue
        # the JSON line may exceed the text limit only by its framing
        if len(line) > limit + 65536:
            raise InputError(f"{where}: line is {len(line)} bytes, over the {limit}-byte limit")
        try:
            obj = loads_strict(text, where)
        except json.JSONDecodeError as exc:
            raise InputError(f"{where}: invalid JSON ({exc.msg} at column {exc.colno})") from None
        action = action_from_json(obj, where, defaults)
        check_size(action.text, limit, where)
        yield action
