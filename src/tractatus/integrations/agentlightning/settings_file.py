"""Load a YAML settings file into a pydantic model, with one clear error line naming file and field.

Shared by the reward settings (rewards.py) and the proxy's delivery policy (proxy_policy.py).
"""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, ValidationError

from tractatus.governance.errors import PolicyError


def load_settings_file[Settings: BaseModel](path: Path, model: type[Settings], what: str) -> Settings:
    """`model` validated from the YAML at `path`; PolicyError naming the file and field otherwise."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise PolicyError(f"{path}: cannot read {what} ({exc.strerror or exc})") from None
    except yaml.YAMLError as exc:
        raise PolicyError(f"{path}: invalid YAML: {str(exc).splitlines()[0]}") from None
    try:
        return model.model_validate(data or {})
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "(document)"
        raise PolicyError(f"{path}: {field}: {first['msg']}") from None
