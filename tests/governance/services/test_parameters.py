"""Parameter extraction and comparison shared by the classifier and the cross-reference validator."""

from __future__ import annotations

import pytest

from tractatus.governance.services.parameters import (
    compatible,
    extract_from_arguments,
    extract_from_text,
    targets,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("connect to db.internal:27017 now", {"host": ("db.internal",), "port": (27017,)}),
        ("10.0.0.1:8080", {"host": ("10.0.0.1",), "port": (8080,)}),
        ("see https://a.example:443/x and localhost:5432", {"url": ("https://a.example:443/x",), "host": ("a.example", "localhost"), "port": (443, 5432)}),
        ("Note 12: the port is 27017", {"port": (27017,)}),
        ("postgres://app@db:5432/billing", {"url": ("postgres://app@db:5432/billing",), "host": ("db",), "port": (5432,), "database": ("billing",)}),
    ],
)
def test_extracts_what_is_stated(text: str, expected: dict) -> None:
    assert extract_from_text(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "support 8080 customers",  # "port" inside another word
        "export 99 rows",
        "user@host.example:22",  # an address, not host:port
        "The quarterly report is attached.",
        "Meet at 10:30 in room 4",
        "24/7 support and/or chat",
        "the database is down again",
        "version numbers look like 10.0.0.1 sometimes",
    ],
)
def test_ordinary_text_states_no_port_host_or_database(text: str) -> None:
    found = extract_from_text(text)
    assert not {"port", "host", "database", "path"} & set(found), found


def test_only_wanted_keys_are_read() -> None:
    text = "Use port 8080, save to /srv/out and deploy to staging"
    assert set(extract_from_text(text)) == {"port", "path", "env"}
    assert set(extract_from_text(text, {"port"})) == {"port"}


def test_arguments_use_aliases_and_their_strings() -> None:
    found = extract_from_arguments({"dbname": "orders", "Port": "27017", "env": "prod", "url": "mongodb://h:27018/x", "flag": True})
    assert found["database"] == ("orders", "x")
    assert found["port"] == (27017, 27018)
    assert found["env"] == ("production",)


@pytest.mark.parametrize(
    ("key", "expected", "actual", "ok"),
    [
        ("port", 27027, "27027", True),
        ("port", 27027, 27017, False),
        ("path", "/var/reports", "/var/reports/q3/a.csv", True),
        ("path", "/var/reports", "/var/reportsX", False),
        ("url", "https://api.example.com/v2", "https://api.example.com/v2/orders", True),
        ("url", "https://api.example.com/v2", "https://api.example.com:8443/v2", False),
        ("version", "3.12", "3.12.4", True),
        ("version", "3.1", "3.12", False),
        ("database", "Analytics", "analytics", True),
    ],
)
def test_compatible(key: str, expected: object, actual: object, ok: bool) -> None:
    assert compatible(key, expected, actual) is ok


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Use port 27027 for MongoDB", {"mongodb"}),
        ("mongodb+srv://cluster0.example.net/app", {"mongodb"}),
        ("Connect via psql to PostgreSQL", {"postgres"}),
        ("GET https://api.example.com/v2", {"http"}),
        ("Use port 8080", set()),
        ("The quarterly report is attached.", set()),
    ],
)
def test_targets_name_the_service_a_parameter_belongs_to(text: str, expected: set[str]) -> None:
    assert targets(text) == expected
