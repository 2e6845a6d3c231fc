"""Explicit parameters in instructions and actions: port, host, database, path, URL, collection...

The classifier extracts them from an instruction ("use port 27027"); the cross-reference
validator extracts them from an action (arguments {"port": 27017}, or text holding
"mongodb://localhost:27017") and compares. Both use this module, so an instruction and an
action are read the same way.

Values are kept as tuples of every distinct value found, in order of appearance; a key is
present only when something was found. Comparison semantics per key live in `compatible`.
"""

from __future__ import annotations

import re
from typing import Any, Collection, Iterable, Mapping
from urllib.parse import urlsplit

from tractatus.governance.lazy_pattern import lazy_compile
from tractatus.governance.services.patterns import words

Parameters = dict[str, tuple[Any, ...]]

# Argument names an action may use for each parameter.
ARGUMENT_ALIASES: Mapping[str, str] = {
    "port": "port",
    "host": "host",
    "hostname": "host",
    "server": "host",
    "database": "database",
    "db": "database",
    "dbname": "database",
    "database_name": "database",
    "path": "path",
    "file": "path",
    "filepath": "path",
    "file_path": "path",
    "filename": "path",
    "dir": "path",
    "directory": "path",
    "url": "url",
    "uri": "url",
    "endpoint": "url",
    "collection": "collection",
    "env": "env",
    "environment": "env",
    "stage": "env",
    "version": "version",
}

_ENV_CANONICAL = {
    "prod": "production",
    "production": "production",
    "staging": "staging",
    "stage": "staging",
    "dev": "development",
    "development": "development",
    "test": "test",
    "testing": "test",
    "qa": "qa",
    "sandbox": "sandbox",
    "local": "local",
}
_DB_SCHEMES = frozenset({"mongodb", "mongodb+srv", "postgres", "postgresql", "mysql", "mariadb", "redis", "rediss"})
# Words that follow "database"/"collection" in prose but are not names ("the database is down").
_NOT_A_NAME = words(
    "a an the is are was be to for and or of in on at with from by as that this it its our your their "
    "same new old whole entire right wrong other another each every any sql nosql relational graph local "
    "remote server servers connection connections query queries schema schemas table tables access "
    "migration migrations write writes read reads backup backups dump dumps instead directly again"
)

_NAME = r"[a-z_][\w.-]*[\w]"
_URL = lazy_compile(r"\b([a-z][a-z0-9+.-]{1,15})://([^\s/'\"<>?#]+)([^\s'\"<>)]*)", re.IGNORECASE)
# Runs on lower-cased text and starts with a literal, so the engine jumps between occurrences of
# "port"; the word boundary before it is checked in Python (`_word_starts`).
_PORT = lazy_compile(r"port\s*(?:number\s*)?(?:[:=]|\bis\b|\bto\b|\bof\b)?\s*(\d{1,5})\b")
# host:port is found from its ":port" end (a literal start, fast), then the host just before it.
_PORT_SUFFIX = lazy_compile(r":(\d{2,5})\b")
_HOST_BEFORE = lazy_compile(r"(?:(?:\d{1,3}\.){3}\d{1,3}|localhost|[a-z0-9-]{1,63}(?:\.[a-z0-9-]{1,63}){0,8}\.[a-z]{2,})$", re.IGNORECASE)
_NOT_BEFORE_HOST = frozenset("/@.:-_")
_HOST = lazy_compile(
    r"\b(?:host|hostname)\s*(?:[:=]|\bis\b|\bto\b)?\s*((?:\d{1,3}\.){3}\d{1,3}|localhost|[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,})\b",
    re.IGNORECASE,
)
_NAMED = r"\s*(?:[:=]|\bnamed\b|\bcalled\b)\s*[`'\"]?(" + _NAME + r")"
_QUOTED = r"\s+[`'\"](" + _NAME + r")[`'\"]"
_DATABASE = lazy_compile(r"\b(?:database|db)(?:" + _NAMED + "|" + _QUOTED + ")", re.IGNORECASE)
_DATABASE_BEFORE = lazy_compile(r"\b(?:use|using|to|on|in|into|from|the)\s+(?:the\s+)?(" + _NAME + r")\s+(?:database|db)\b", re.IGNORECASE)
_COLLECTION = lazy_compile(r"\bcollection(?:" + _NAMED + "|" + _QUOTED + ")", re.IGNORECASE)
_COLLECTION_BEFORE = lazy_compile(r"\b(?:the|to|into|from|in)\s+(" + _NAME + r")\s+collection\b", re.IGNORECASE)
_PATH = lazy_compile(r"(?<![\w:/.~-])((?:~|\.{1,2})?/(?:[\w.-]{1,128}/){0,32}[\w.-]{1,128}/?)", re.IGNORECASE)
_ENV = lazy_compile(
    r"\b(?:env|environment)\s*(?:[:=]|\bis\b|\bto\b)?\s*(production|prod|staging|stage|development|dev|testing|test|qa|sandbox|local)\b"
    r"|\b(production|prod|staging|development|dev|testing|test|qa|sandbox)\s+(?:environment|env|cluster|server|servers|instance)\b"
    r"|\b(?:in|on|to|against|into)\s+(production|prod|staging)\b",
    re.IGNORECASE,
)
_VERSION = lazy_compile(r"\bversion\s*(?:[:=]|\bis\b)?\s*v?(\d+(?:\.\d+){0,3})\b|\bv(\d+(?:\.\d+){1,3})\b", re.IGNORECASE)
_SOFTWARE_VERSION = lazy_compile(
    r"\b(python|node(?:\.?js)?|java|go|golang|ruby|php|postgres(?:ql)?|mongodb|mysql|redis|django|react|ubuntu|debian|"
    r"kubernetes|terraform|rust|typescript)\s+v?(\d+(?:\.\d+){0,2})\b",
    re.IGNORECASE,
)


def _word_starts(text: str, index: int) -> bool:
    return index == 0 or not text[index - 1].isalnum()


def _add(params: Parameters, key: str, value: Any) -> None:
    existing = params.get(key, ())
    if value not in existing:
        params[key] = (*existing, value)


def _valid_port(text: str) -> int | None:
    port = int(text)
    return port if 0 < port < 65536 else None


_SOFTWARE_NAMES = (
    "python", "node", "java", "go", "ruby", "php", "postgres", "mongodb", "mysql", "redis", "django", "react", "ubuntu",
    "debian", "kubernetes", "terraform", "rust", "typescript",
)
_ENV_HINTS = ("env", "cluster", "server", "instance", "prod", "staging")
_V_DIGIT = lazy_compile(r"v\d")


def extract_from_text(text: str, keys: Collection[str] | None = None) -> Parameters:
    """Every explicit parameter stated in `text` (only those named in `keys`, when given).

    Cost matters: the validator reads every 1 KB message for the parameters its instructions
    name. So only the patterns for the wanted keys run, each only when a cheap substring test
    says it can match (a regex that starts with \\b tries every position; a substring test runs
    at memchr speed), and the port patterns start from a literal ("port", ":").
    """
    def wanted(*names: str) -> bool:
        return keys is None or any(name in keys for name in names)

    params: Parameters = {}
    lowered = text.lower()
    url_spans: list[tuple[int, int]] = []
    for m in _URL.finditer(text) if "://" in text and wanted("url", "host", "port", "database") else ():
        url = m.group(0).rstrip(".,;:")
        url_spans.append(m.span())
        _add(params, "url", url)
        try:
            parts = urlsplit(url)
            host, port = parts.hostname, parts.port
        except ValueError:
            host, port = None, None
        if host:
            _add(params, "host", host.lower())
        if port:
            _add(params, "port", port)
        if m.group(1).lower() in _DB_SCHEMES:
            name = m.group(3).lstrip("/").split("?", 1)[0].split("/", 1)[0]
            if name:
                _add(params, "database", name)

    def outside_urls(m: re.Match[str]) -> bool:
        return not any(s <= m.start() < e for s, e in url_spans)

    for m in _PORT.finditer(lowered) if "port" in lowered and wanted("port") else ():
        port = _valid_port(m.group(1))
        if port is not None and _word_starts(lowered, m.start()):
            _add(params, "port", port)
    for m in _PORT_SUFFIX.finditer(text) if ":" in text and wanted("host", "port") else ():
        before = _HOST_BEFORE.search(text, max(0, m.start() - 253), m.start())
        if before is None or not outside_urls(before) or (before.start() > 0 and text[before.start() - 1] in _NOT_BEFORE_HOST):
            continue
        _add(params, "host", before.group(0).lower())
        port = _valid_port(m.group(1))
        if port is not None:
            _add(params, "port", port)
    for m in _HOST.finditer(text) if "host" in lowered and wanted("host") else ():
        _add(params, "host", m.group(1).lower())
    for pattern in (_DATABASE, _DATABASE_BEFORE) if ("db" in lowered or "database" in lowered) and wanted("database") else ():
        for m in pattern.finditer(text):
            name = next(g for g in m.groups() if g)
            if name.lower() not in _NOT_A_NAME and name.lower() not in _ENV_CANONICAL:
                _add(params, "database", name)
    for pattern in (_COLLECTION, _COLLECTION_BEFORE) if "collection" in lowered and wanted("collection") else ():
        for m in pattern.finditer(text):
            name = next(g for g in m.groups() if g)
            if name.lower() not in _NOT_A_NAME:
                _add(params, "collection", name)
    for m in _PATH.finditer(text) if "/" in text and wanted("path") else ():
        if outside_urls(m) and not re.fullmatch(r"/?\d+(?:/\d+)*/?", m.group(1)):
            _add(params, "path", m.group(1))
    for m in _ENV.finditer(text) if wanted("env") and any(hint in lowered for hint in _ENV_HINTS) else ():
        _add(params, "env", _ENV_CANONICAL[next(g for g in m.groups() if g).lower()])
    for m in _VERSION.finditer(text) if wanted("version") and ("version" in lowered or _V_DIGIT.search(lowered)) else ():
        _add(params, "version", next(g for g in m.groups() if g))
    software_wanted = keys is None or any(k.endswith("_version") for k in keys)
    for m in _SOFTWARE_VERSION.finditer(text) if software_wanted and any(name in lowered for name in _SOFTWARE_NAMES) else ():
        software = m.group(1).lower().replace(".", "").replace("golang", "go").replace("postgresql", "postgres")
        software = "node" if software.startswith("node") else software
        _add(params, f"{software}_version", m.group(2))
    return params


# Services a parameter can belong to ("use port 27027 for MongoDB"), with their aliases and the
# URL schemes that name them.
_TARGET_ALIASES: Mapping[str, str] = {
    "mongodb": "mongodb", "mongo": "mongodb", "mongodb+srv": "mongodb", "postgres": "postgres",
    "postgresql": "postgres", "psql": "postgres", "mysql": "mysql", "mariadb": "mysql", "redis": "redis",
    "rediss": "redis", "elasticsearch": "elasticsearch", "kafka": "kafka", "rabbitmq": "rabbitmq", "amqp": "rabbitmq",
    "memcached": "memcached", "cassandra": "cassandra", "sqlite": "sqlite", "http": "http", "https": "http",
    "ssh": "ssh", "sftp": "ssh", "ftp": "ftp", "smtp": "smtp", "grpc": "grpc", "nginx": "http", "ldap": "ldap",
}
_TARGET = lazy_compile(r"(?<![\w.])(" + "|".join(sorted(map(re.escape, _TARGET_ALIASES), key=len, reverse=True)) + r")(?![\w])", re.IGNORECASE)


def targets(text: str) -> frozenset[str]:
    """The services `text` names ("MongoDB", "postgres://...", "https://..."), canonicalized.

    A parameter stated for one service does not bind another: "use port 27027 for MongoDB" says
    nothing about an HTTP call to port 8080.
    """
    return frozenset(_TARGET_ALIASES[m.group(1).lower()] for m in _TARGET.finditer(text))


def extract_from_arguments(arguments: Mapping[str, Any]) -> Parameters:
    """Parameters named by an action's arguments ({"port": 27017}), plus those inside their strings."""
    params: Parameters = {}
    for name, value in arguments.items():
        key = ARGUMENT_ALIASES.get(str(name).lower())
        if key is not None and isinstance(value, (str, int)) and not isinstance(value, bool):
            if key == "port":
                port = _valid_port(str(value)) if str(value).isdigit() else None
                if port is not None:
                    _add(params, key, port)
            elif key == "env":
                _add(params, key, _ENV_CANONICAL.get(str(value).lower(), str(value).lower()))
            else:
                _add(params, key, value if key in ("path", "url") else str(value))
        if isinstance(value, str):
            for k, values in extract_from_text(value).items():
                for v in values:
                    _add(params, k, v)
    return params


def merge(*sources: Parameters) -> Parameters:
    out: Parameters = {}
    for source in sources:
        for key, values in source.items():
            for value in values:
                _add(out, key, value)
    return out


def simplify(params: Parameters) -> dict[str, Any]:
    """For an Instruction: one value as itself, several as a list."""
    return {k: v[0] if len(v) == 1 else list(v) for k, v in params.items()}


def as_tuple(value: Any) -> tuple[Any, ...]:
    return tuple(value) if isinstance(value, (list, tuple)) else (value,)


def compatible(key: str, expected: Any, actual: Any) -> bool:
    """Does an action's `actual` value honour an instruction's `expected` value for `key`?

    - path: the action's path is the instructed path or lies under it;
    - url: same scheme, host and port, and the action's path lies under the instructed one;
    - version: the action's version starts with the instructed one ("3.12" allows "3.12.4");
    - port: equal numbers; every other key: equal, case-insensitively.
    """
    if key == "port":
        try:
            return int(expected) == int(actual)
        except (TypeError, ValueError):
            return False
    e, a = str(expected).strip(), str(actual).strip()
    if key == "path":
        e_norm, a_norm = e.rstrip("/") or "/", a.rstrip("/") or "/"
        return a_norm == e_norm or a_norm.startswith(e_norm.rstrip("/") + "/")
    if key == "url":
        try:
            pe, pa = urlsplit(e), urlsplit(a)
            same_origin = (pe.scheme.lower(), pe.hostname, pe.port) == (pa.scheme.lower(), pa.hostname, pa.port)
        except ValueError:
            return e.lower() == a.lower()
        return same_origin and compatible("path", pe.path or "/", pa.path or "/")
    if key.endswith("version"):
        return a == e or a.startswith(e + ".")
    return e.lower() == a.lower()


def conflicts(expected: Mapping[str, Any], actual: Parameters) -> Iterable[tuple[str, Any, Any]]:
    """(key, expected, actual) for every action value that honours none of the instructed values."""
    for key, instructed in expected.items():
        allowed = as_tuple(instructed)
        for value in actual.get(key, ()):
            if not any(compatible(key, e, value) for e in allowed):
                yield key, instructed, value
