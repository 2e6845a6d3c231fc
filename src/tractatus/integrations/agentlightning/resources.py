"""Versioned resources (the learner's prompt) kept in Agent Lightning's store: a shim.

AGL 1.0.2 has no resources API: its store (the gateway's `/api/...`) holds rollouts, events and
model endpoints only (`Model.version` versions model weights, not prompts). Earlier AGL
releases had `update_resources` / `get_latest_resources`; 1.0.2 does not. The smallest shim
over the public 1.0.2 API:

- one rollout per resource name (id `resource-<name>-<run>`), created and moved straight to
  SUCCEEDED so AGL's controller never runs it (it only runs QUEUING rollouts);
- each version is one `resource` event on it, `{name, version, digest, value}`, appended in
  order (AGL keeps events in insertion order; the version is the 1-based position);
- `put` is idempotent on content: putting the latest value again returns its version.

Rollouts carry the resource value *and* version in their input, because AGL's agents can reach
only their two agent paths (model and events), not the store; the version ties every rollout to
the exact prompt in the store. Tested against the installed AGL in tests/integrations.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from tractatus.governance.actions import canonical_json, sha256_hex
from tractatus.governance.errors import ConfigError

RESOURCE_EVENT = "resource"


@dataclass(frozen=True, slots=True)
class ResourceVersion:
    name: str
    version: int
    digest: str
    value: Any


class StoreResources:
    """Versions of one named resource, kept as events of a dedicated rollout in AGL's store."""

    def __init__(self, client: httpx.Client, *, name: str, run_id: str) -> None:
        self.client = client  # an AgentLightningSyncClient (or any httpx.Client) on the gateway, with the key
        self.name = name
        self.rollout_id = f"resource-{name}-{run_id}"
        self._created = False

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            response = self.client.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise ConfigError(f"AGL store unreachable: {type(exc).__name__}") from None
        if response.status_code >= 400:
            raise ConfigError(f"AGL store {method} {path} -> HTTP {response.status_code}: {response.text[:200]}")
        return response.json() if response.content else None

    def create(self) -> None:
        """Create the resource's rollout and park it. Idempotent; call it before AGL's controller
        starts, or the controller may see it QUEUING for a moment and try to run it."""
        if self._created:
            return
        created = self._call(
            "POST",
            "/api/rollouts",
            json=[{"rollout_id": self.rollout_id, "input": {"resource": self.name}, "is_train": False}],
        )[0]
        if created["status"]["state"] == "queuing":  # park it: the controller runs only QUEUING rollouts
            for state in ("running", "succeeded"):
                response = self.client.patch(
                    f"/api/rollouts/{self.rollout_id}", json={"status": {"state": state, "last_attempt_id": "0"}}
                )
                if response.status_code == 409:  # a controller got there first and failed it: parked too
                    break
                if response.status_code >= 400:
                    raise ConfigError(f"AGL store cannot park resource {self.name!r}: HTTP {response.status_code}")
        self._created = True

    _ensure = create

    def versions(self) -> list[ResourceVersion]:
        self._ensure()
        events = self._call("GET", f"/api/rollouts/{self.rollout_id}/events", params={"event_type": RESOURCE_EVENT})
        return [
            ResourceVersion(e["data"]["name"], int(e["data"]["version"]), e["data"]["digest"], e["data"]["value"])
            for e in events
        ]

    def latest(self) -> ResourceVersion | None:
        versions = self.versions()
        return versions[-1] if versions else None

    def get(self, version: int) -> ResourceVersion:
        versions = self.versions()
        if not 1 <= version <= len(versions):
            raise ConfigError(f"resource {self.name!r} has no version {version} (it has {len(versions)})")
        return versions[version - 1]

    def put(self, value: Any) -> ResourceVersion:
        """Store `value` as the newest version (or return the newest if it already holds `value`)."""
        digest = sha256_hex(canonical_json(value))  # the project's one digest of a JSON value
        versions = self.versions()
        for existing in versions:
            if existing.digest == digest:
                return existing
        entry = {"name": self.name, "version": len(versions) + 1, "digest": digest, "value": value}
        self._call("POST", f"/api/rollouts/{self.rollout_id}/attempt/0/events", json={"event_type": RESOURCE_EVENT, "data": entry})
        return ResourceVersion(self.name, entry["version"], digest, value)
