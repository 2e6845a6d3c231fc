"""The governed proxy's delivery settings, from `policies/proxy/agentlightning.yaml`.

The governance policy says what may reach an agent; this says how the proxy delivers the result
(how a stream is released, the refusal text). Values are explained in the YAML file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, field_validator

from tractatus.governance.policy import policies_dir
from tractatus.integrations.agentlightning.settings_file import load_settings_file

DEFAULT_REFUSAL = (
    "[tractatus] This response was withheld by governance ({verdict}: {rules}). Try again without it."
)


class ProxyPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    stream_release: Literal["sentence", "whole"] = "sentence"
    refusal: str = DEFAULT_REFUSAL

    @field_validator("refusal")
    @classmethod
    def _formattable(cls, value: str) -> str:
        try:
            value.format(verdict="block", rules="rule")
        except (KeyError, IndexError, ValueError) as exc:
            raise ValueError(f"may use only {{verdict}} and {{rules}} ({exc})") from None
        return value


def bundled_proxy_policy_path() -> Path:
    return policies_dir() / "proxy" / "agentlightning.yaml"


def load_proxy_policy(path: str | Path | None = None) -> ProxyPolicy:
    """Load the proxy policy (PolicyError naming the file and field on anything invalid)."""
    path = Path(path) if path is not None else bundled_proxy_policy_path()
    return load_settings_file(path, ProxyPolicy, "the proxy policy")
