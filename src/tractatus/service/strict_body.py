"""API routes that read a JSON body the way the CLI does (governance.strict_json), before FastAPI.

FastAPI parses the body with `json.loads` before any dependency runs, so a dependency cannot
refuse a duplicate key in time, and an integer of more than 4,300 digits or JSON nested 100k deep
fails inside that parse ("There was an error parsing the body", or a RecursionError). This route
class reads the body first: duplicate keys, NaN/Infinity, nesting past `MAX_DEPTH`, numbers past
`MAX_NUMBER_CHARS`, NUL and lone surrogates become one-line 400s, as they are exit 2 in the CLI.
Syntax errors are left to FastAPI's parse, which answers 422 "body is not valid JSON".
"""

from __future__ import annotations

import json
from typing import Any, Callable, Coroutine

from fastapi import Request, Response
from fastapi.routing import APIRoute

from tractatus.governance.strict_json import loads_strict


class StrictJSONRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def strict_handler(request: Request) -> Response:
            content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
            if content_type == "application/json":
                body = await request.body()  # Starlette keeps the bytes for FastAPI's own parse
                if body:
                    try:
                        loads_strict(body, "body")
                    except json.JSONDecodeError:
                        pass
            return await handler(request)

        return strict_handler
