"""The OpenAPI document says what the API refuses, not only the shapes pydantic knows.

FastAPI derives the document from the pydantic models, which cannot express three rules the API
applies to every JSON body (issue 12, item 3: schemathesis' positive_data_acceptance and
negative_data_rejection checks hold the document to its word):

- `loads_strict` refuses a NUL character in any string of any body, keys included (400). Every
  free-form request string gets the pattern `NO_NUL_PATTERN`, and the free-form objects
  (`arguments`, `context`) are objects of `JsonValue`, a JSON value whose strings hold no NUL.
- an action's `kind` must be one the loaded policy governs (400 otherwise): that list exists only
  once the policy is loaded, so it is written into the document here, as an enum.
- the limits of `loads_strict` that JSON Schema cannot state (nesting depth, the length of a
  number literal, lone surrogates) are named in `JsonValue`'s description.

The document is built once per app, on first request, from the app's own routes.
"""

from __future__ import annotations

from typing import Any, Callable, Iterator

from fastapi import FastAPI

from tractatus.governance.strict_json import MAX_DEPTH, MAX_NUMBER_CHARS, NO_NUL_PATTERN

JSON_VALUE = "JsonValue"
JSON_VALUE_REF = {"$ref": f"#/components/schemas/{JSON_VALUE}"}
JSON_VALUE_SCHEMA: dict[str, Any] = {
    "title": JSON_VALUE,
    "description": (
        f"Any JSON value, with the limits every request body has: no NUL character in a string or key, "
        f"no lone UTF-16 surrogate, at most {MAX_DEPTH} levels of nesting, number literals of at most "
        f"{MAX_NUMBER_CHARS} characters, no NaN or Infinity, no duplicate keys (400 otherwise)."
    ),
    "anyOf": [
        {"type": "string", "pattern": NO_NUL_PATTERN},
        {"type": "number"},
        {"type": "boolean"},
        {"type": "null"},
        {"type": "array", "items": JSON_VALUE_REF},
        {"type": "object", "propertyNames": {"pattern": NO_NUL_PATTERN}, "additionalProperties": JSON_VALUE_REF},
    ],
}
# A string schema that already narrows its values (an enum, a pattern) is left as it is.
_NARROWED = ("pattern", "enum", "const")


def install_governed_openapi(app: FastAPI, governed_kinds: Callable[[], frozenset[str]]) -> None:
    """Replace `app.openapi` by FastAPI's document tightened with the rules above."""
    plain = app.openapi

    def openapi() -> dict[str, Any]:
        if getattr(app.state, "governed_openapi", None) is None:
            app.state.governed_openapi = tighten(plain(), governed_kinds())
        return app.state.governed_openapi

    app.openapi = openapi  # type: ignore[method-assign]


def tighten(doc: dict[str, Any], kinds: frozenset[str]) -> dict[str, Any]:
    schemas = doc.setdefault("components", {}).setdefault("schemas", {})
    for name in sorted(request_components(doc)):
        _forbid_nul(schemas[name])
    schemas[JSON_VALUE] = JSON_VALUE_SCHEMA
    action = schemas.get("ActionIn")
    if action is not None:
        action["properties"]["kind"]["enum"] = sorted(kinds)
    for operation in _operations(doc):
        for parameter in operation.get("parameters", []):
            _forbid_nul(parameter.get("schema", {}))
    return doc


def request_components(doc: dict[str, Any]) -> set[str]:
    """Names of the component schemas a request body can reach (responses are left alone)."""
    schemas = doc.get("components", {}).get("schemas", {})
    pending = [
        media["schema"]
        for operation in _operations(doc)
        for media in operation.get("requestBody", {}).get("content", {}).values()
        if "schema" in media
    ]
    found: set[str] = set()
    while pending:
        node = pending.pop()
        for ref in _refs(node):
            name = ref.rsplit("/", 1)[-1]
            if name not in found and name in schemas:
                found.add(name)
                pending.append(schemas[name])
    return found


def _operations(doc: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for path_item in doc.get("paths", {}).values():
        yield from (op for op in path_item.values() if isinstance(op, dict))


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            yield node["$ref"]
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def _forbid_nul(node: Any) -> None:
    """Every free-form string gets the NUL-free pattern; every free-form object holds `JsonValue`s."""
    if isinstance(node, list):
        for item in node:
            _forbid_nul(item)
        return
    if not isinstance(node, dict):
        return
    if node.get("type") == "string" and not any(key in node for key in _NARROWED):
        node["pattern"] = NO_NUL_PATTERN
    if node.get("type") == "object" and node.get("additionalProperties") is True:
        node["additionalProperties"] = JSON_VALUE_REF
        node["propertyNames"] = {"pattern": NO_NUL_PATTERN}
    for key, value in node.items():
        if key != "$ref":
            _forbid_nul(value)
