"""The governed proxy's delivery settings, from `policies/proxy/agentlightning.yaml`.

The governance policy says what may reach an agent; this says how the proxy delivers the result
(how a stream is released, the refusal text). Values are explained in the YAML file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from tractatus.governance.errors import PolicyError
from tractatus.governance.policy import policies_dir

DEFAULT_REFUSAL = "[tractatus] This response was withheld by governance ({verdict}: {rules}). Try again without it."


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
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise PolicyError(f"{path}: cannot read the proxy policy ({exc.strerror or exc})") from None
    except yaml.YAMLError as exc:
        raise PolicyError(f"{path}: invalid YAML: {str(exc).splitlines()[0]}") from None
    try:
        return ProxyPolicy.model_validate(data or {})
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "(document)"
        raise PolicyError(f"{path}: {field}: {first['msg']}") from None
