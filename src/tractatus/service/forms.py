"""Reading an HTML form body strictly: the right media type and valid UTF-8, or a clear 4xx.

Starlette's form parser replaces undecodable bytes silently; a governance service must not
guess at what a person wrote, so urlencoded bodies are decoded here with `errors="strict"`.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from fastapi import Request

from tractatus.governance.errors import InputError
from tractatus.service.errors import PayloadError

FORM_TYPE = "application/x-www-form-urlencoded"


async def read_form(request: Request) -> dict[str, str]:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != FORM_TYPE:
        raise PayloadError(f"expected Content-Type {FORM_TYPE}, got {content_type or 'none'}")
    body = await request.body()
    try:
        text = body.decode("ascii")  # a urlencoded body is ASCII; anything else is malformed
        pairs = parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError as exc:
        raise InputError(f"form body is not valid UTF-8 (byte {exc.start})") from None
    except ValueError:
        raise InputError("form body is malformed") from None
    fields: dict[str, str] = {}
    for name, value in pairs:
        if name in fields:
            raise InputError(f"form field {name!r} given twice")
        if "\x00" in value:
            raise InputError(f"form field {name!r} contains a NUL character")
        fields[name] = value
    return fields
