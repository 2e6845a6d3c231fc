"""The prompt-resource shim over AGL 1.0.2's store (AGL has no resources API), against the installed AGL."""

from __future__ import annotations

import httpx
import pytest
from agl_support import ADMIN, GATEWAY_KEY

from tractatus.governance.errors import ConfigError
from tractatus.integrations.agentlightning.resources import StoreResources
from tractatus.integrations.agentlightning.stack import Stack


def test_agl_1_0_2_still_lacks_a_resources_api(stack: Stack, http: httpx.Client) -> None:
    """If AGL grows one, this fails: replace the shim with it (docs/agentlightning.md)."""
    assert http.get(f"{stack.gateway_url}/api/resources", headers=ADMIN).status_code in (404, 405)


def test_versions_are_appended_in_the_store_and_put_is_idempotent(stack: Stack, http: httpx.Client) -> None:
    from agentlightning.client import AgentLightningSyncClient

    with AgentLightningSyncClient(base_url=stack.gateway_url, key=GATEWAY_KEY) as client:
        prompts = StoreResources(client, name="prompt", run_id="t1")
        assert prompts.latest() is None
        first = prompts.put({"instruction": "engaging", "examples": []})
        second = prompts.put({"instruction": "informative", "examples": ["a"]})
        again = prompts.put({"instruction": "engaging", "examples": []})
        assert (first.version, second.version, again.version) == (1, 2, 1)
        assert [v.value["instruction"] for v in prompts.versions()] == ["engaging", "informative"]
        assert prompts.get(2).digest == second.digest and prompts.latest() == second
        with pytest.raises(ConfigError, match="no version 3"):
            prompts.get(3)
        # A second handle on the same resource reads the same versions from the store.
        assert StoreResources(client, name="prompt", run_id="t1").latest() == second
    # The resource rollout is parked (SUCCEEDED), so AGL's controller never starts an agent for it.
    rollout = http.get(f"{stack.gateway_url}/api/rollouts/resource-prompt-t1", headers=ADMIN).json()["rollout"]
    assert rollout["status"]["state"] == "succeeded" and rollout["is_train"] is False


def test_an_unreachable_store_is_one_clear_error() -> None:
    with httpx.Client(base_url="http://127.0.0.1:9") as client, pytest.raises(ConfigError, match="unreachable"):
        StoreResources(client, name="prompt", run_id="x").versions()
