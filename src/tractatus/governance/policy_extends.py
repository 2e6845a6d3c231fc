"""`extends:`: a policy that names a parent file, overrides what it names and inherits the rest.

The merge rule is JSON Merge Patch (RFC 7396), applied to the parsed YAML:
- a mapping in the child is merged key by key into the parent's mapping, recursively;
- any other value in the child (a list, a number, a string) replaces the parent's whole value:
  lists are never concatenated, so a child that names `kinds: [publish]` or `rules: [...]` gets
  exactly that list;
- `null` in the child removes the key (e.g. `cross_reference_validator: null` drops a check,
  `db.query: null` under `tools.known` undeclares a tool).

`extends` is a path relative to the child file's folder. A parent may itself extend another; the
chain is resolved at load time, before validation, so the policy that runs (and its digest) is the
resolved document and nothing refers back to the files. Cycles and missing parents are policy
errors. The merge is hand-written because it is eleven lines and the packaged implementations work
on JSON text, not on the parsed YAML whose line numbers we keep for error messages.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tractatus.governance.errors import PolicyError
from tractatus.governance.policy_yaml import PolicyYaml, locate, read_policy_yaml

MAX_CHAIN = 16  # deeper inheritance than this is a mistake, not a design


def merge_patch(parent: Any, child: Any) -> Any:
    """RFC 7396: `child` applied to `parent`. Neither argument is modified."""
    if not isinstance(child, dict):
        return child
    merged = dict(parent) if isinstance(parent, dict) else {}
    for key, value in child.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = merge_patch(merged.get(key), value)
    return merged


def read_policy_file(path: Path) -> PolicyYaml:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise PolicyError(f"{path}: cannot read policy file ({exc.strerror or exc})") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PolicyError(f"{path}: policy file is not valid UTF-8 (byte {exc.start})") from None
    return read_policy_yaml(text, str(path))


def resolve_extends(child: PolicyYaml, base_dir: Path, seen: tuple[Path, ...] = ()) -> tuple[dict[str, Any], list[PolicyYaml]]:
    """The resolved document and the chain of files, child first (for error line numbers)."""
    if "extends" not in child.data:
        return child.data, [child]
    parent_name = child.data["extends"]
    line, _ = locate(child.node, ("extends",))
    where = f"{child.source}:{line}: extends"
    if not isinstance(parent_name, str) or not parent_name.strip():
        raise PolicyError(f"{where}: must be the path of a parent policy file, relative to this one")
    if "name" not in child.data:
        raise PolicyError(f"{where}: a policy that extends another must give its own name")
    parent_path = (base_dir / parent_name).resolve()
    chain = (*seen, parent_path)
    if parent_path in seen:
        names = " -> ".join(p.name for p in chain)
        raise PolicyError(f"{where}: cycle ({names})")
    if len(chain) > MAX_CHAIN:
        raise PolicyError(f"{where}: more than {MAX_CHAIN} levels of extends")
    if not parent_path.is_file():
        raise PolicyError(f"{where}: parent policy {parent_name!r} not found (looked for {parent_path})")
    parent = read_policy_file(parent_path)
    parent_data, layers = resolve_extends(parent, parent_path.parent, chain)
    own = {key: value for key, value in child.data.items() if key != "extends"}
    return merge_patch(parent_data, own), [child, *layers]
