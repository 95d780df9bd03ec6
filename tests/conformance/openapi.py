"""Square's OpenAPI spec (a copy of square-api/customers-openapi.json) as a wire checker.

Every answer the emulator gives the SDK in this suite goes through `WireChecker.check`:
the body must fit the operation's response schema *strictly* — no property the schema
does not declare, no `null`, no empty string, list or object (Square omits empty
values), enum values from the spec, string lengths within `maxLength` — and it must hold
either `errors` or a result, never both. The SDK's own parser is lenient (it would
accept unknown fields and wrong enum values), so this is what holds the emulator to the
spec rather than to the SDK's tolerance.

An object schema that declares no properties at all (a custom attribute definition's
`schema`) is free-form JSON, as in JSON Schema. The spec is Square-Version 2025-08-20's;
an answer to an older version may also hold what that version had and this one dropped
(`LEGACY`: `Customer.cards` before 2024-12-18).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import httpx

SPEC_PATH = Path(__file__).with_name("customers-openapi.json")

# Codes the emulator uses that Square's ErrorCode enum does not list: none (a stale version
# answers 409 CONFLICT, square-api/NOTES.md).
EXTRA_ERROR_CODES: frozenset[str] = frozenset()


LEGACY: tuple[tuple[str, str, str, dict[str, Any]], ...] = (
    (
        "2024-12-18",
        "Customer",
        "cards",
        {"type": "array", "items": {"$ref": "#/components/schemas/Card"}},
    ),
)
"""(first version without it, schema, property, its schema): fields Square removed."""


def legacy_properties(version: str | None) -> dict[str, dict[str, Any]]:
    """Schema name → the removed properties an answer to `version` may still hold."""
    extra: dict[str, dict[str, Any]] = {}
    if version is None or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", version):
        return extra
    for removed_in, schema, name, prop in LEGACY:
        if version < removed_in:
            extra.setdefault(schema, {})[name] = prop
    return extra


@cache
def spec() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(SPEC_PATH.read_text(encoding="utf-8"))
    return loaded


@dataclass(frozen=True)
class SpecOperation:
    operation_id: str
    method: str
    path: str
    pattern: re.Pattern[str]
    literals: int
    response_schema: dict[str, Any]
    scopes: tuple[str, ...]
    deprecated: bool


@cache
def operations() -> tuple[SpecOperation, ...]:
    found = []
    for path, methods in spec()["paths"].items():
        for method, op in methods.items():
            if not isinstance(op, dict) or "operationId" not in op:
                continue
            regex = re.sub(r"\{(\w+)\}", r"[^/]+", path)
            schema = op["responses"]["200"]["content"]["application/json"]["schema"]
            scopes = tuple(s for sec in op.get("security", []) for s in sec.get("oauth2", []))
            found.append(
                SpecOperation(
                    op["operationId"],
                    method.upper(),
                    path,
                    re.compile(f"^{regex}$"),
                    sum(1 for part in path.split("/") if part and not part.startswith("{")),
                    schema,
                    scopes,
                    bool(op.get("deprecated")),
                )
            )
    return tuple(found)


def operation_for(method: str, path: str) -> SpecOperation | None:
    """The spec operation a request is for (the most literal path wins, as on Square)."""
    candidates = [
        op for op in operations() if op.method == method.upper() and op.pattern.match(path)
    ]
    if not candidates:
        return None
    return max(candidates, key=lambda op: op.literals)


def _resolve(
    schema: dict[str, Any], legacy: dict[str, dict[str, Any]] | None = None
) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = spec()["components"]["schemas"][name]
        if legacy and name in legacy:
            schema = {**schema, "properties": {**schema["properties"], **legacy[name]}}
    return schema


@cache
def _enum(values: str) -> frozenset[str]:
    return frozenset(json.loads(values))


def violations(
    value: Any,
    schema: dict[str, Any],
    where: str = "$",
    legacy: dict[str, dict[str, Any]] | None = None,
) -> list[str]:
    """Everything in `value` that does not fit `schema` (strictly; see the module doc);
    `legacy` adds removed properties an older version's answer may hold."""
    schema = _resolve(schema, legacy)
    out: list[str] = []
    if value is None:
        return [f"{where}: null (Square omits empty values)"]
    kind = schema.get("type")
    if "enum" in schema:
        allowed = _enum(json.dumps(schema["enum"]))
        if value not in allowed and not (where.endswith(".code") and value in EXTRA_ERROR_CODES):
            out.append(f"{where}: {value!r} is not one of the spec's values")
        return out
    if kind == "string":
        if not isinstance(value, str):
            return [f"{where}: expected a string, got {value!r}"]
        if value == "":
            out.append(f"{where}: empty string (Square omits empty values)")
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            out.append(f"{where}: longer than {schema['maxLength']}")
    elif kind == "integer":
        if isinstance(value, bool) or not isinstance(value, int):
            out.append(f"{where}: expected an integer, got {value!r}")
    elif kind == "number":
        if isinstance(value, bool) or not isinstance(value, int | float):
            out.append(f"{where}: expected a number, got {value!r}")
    elif kind == "boolean":
        if not isinstance(value, bool):
            out.append(f"{where}: expected a boolean, got {value!r}")
    elif kind == "array":
        if not isinstance(value, list):
            return [f"{where}: expected an array, got {value!r}"]
        if not value:
            out.append(f"{where}: empty array (Square omits empty values)")
        for i, item in enumerate(value):
            out.extend(violations(item, schema.get("items", {}), f"{where}[{i}]", legacy))
    elif kind == "object" or "properties" in schema or "additionalProperties" in schema:
        if not isinstance(value, dict):
            return [f"{where}: expected an object, got {value!r}"]
        if "properties" not in schema and "additionalProperties" not in schema:
            return out  # free-form JSON (a definition's `schema`)
        props: dict[str, Any] = schema.get("properties", {})
        extra = schema.get("additionalProperties")
        for name in schema.get("required", []):
            if name not in value:
                out.append(f"{where}: missing required `{name}`")
        for name, item in value.items():
            if name in props:
                out.extend(violations(item, props[name], f"{where}.{name}", legacy))
            elif isinstance(extra, dict):
                out.extend(violations(item, extra, f"{where}.{name}", legacy))
            else:
                out.append(f"{where}: `{name}` is not in the spec")
    return out


@dataclass
class WireChecker:
    """An httpx response hook that records every departure from the spec."""

    problems: list[str] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)  # operation ids answered
    last_body: Any = None  # the JSON of the latest answer, as sent

    def check(self, response: httpx.Response) -> None:
        request = response.request
        response.read()
        where = f"{request.method} {request.url.path} -> {response.status_code}"
        op = operation_for(request.method, request.url.path)
        if op is None:
            self.problems.append(f"{where}: no such operation in the spec")
            return
        self.seen.add(op.operation_id)
        sent = request.headers.get("square-version")
        if response.headers.get("square-version") != sent:
            self.problems.append(f"{where}: Square-Version {sent!r} not echoed")
        if not response.headers.get("content-type", "").startswith("application/json"):
            self.problems.append(f"{where}: content-type {response.headers.get('content-type')}")
        try:
            body = self.last_body = response.json()
        except ValueError:
            self.problems.append(f"{where}: body is not JSON")
            return
        if not isinstance(body, dict):
            self.problems.append(f"{where}: body is not an object")
            return
        failed = response.status_code >= 400
        if failed != ("errors" in body):
            self.problems.append(f"{where}: status and `errors` disagree: {body}")
        if "errors" in body and set(body) != {"errors"}:
            self.problems.append(f"{where}: `errors` together with a result: {sorted(body)}")
        if failed:
            for i, err in enumerate(body.get("errors") or []):
                missing = {"category", "code"} - set(err)
                if missing:
                    self.problems.append(f"{where}: errors[{i}] lacks {sorted(missing)}")
        legacy = legacy_properties(sent)
        self.problems.extend(
            f"{where}: {p}" for p in violations(body, op.response_schema, legacy=legacy)
        )
