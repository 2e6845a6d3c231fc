"""Reading one policy file's YAML safely: bounded aliases, no duplicate keys, and line numbers.

PyYAML's safe loader shares the object an alias points to, so "billion laughs" costs nothing to
load; the cost comes later, when validation, dumping or the digest walk the expanded tree (nine
levels of nine aliases is 387 million nodes). Anchors and aliases are useful in a policy (one
list of role mailboxes for two detectors), so they are allowed, but the document's expanded size
is counted on the composed node graph (each node once, thanks to memoising) and a document that
would expand past MAX_EXPANDED_NODES is refused before anything walks it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from tractatus.governance.errors import PolicyError

# The largest shipped policy expands to about 1,500 nodes; 100,000 leaves room for policies with
# many rules and refuses alias bombs (9 x 9 aliases = 387 million) long before they cost anything.
MAX_EXPANDED_NODES = 100_000

# libyaml's parser when PyYAML was built with it (the wheels are): the pure-Python scanner took
# ~0.3 s of every `tractatus check` to read default.yaml (issue 12, item 6). Same safe
# constructor, same node graph with line marks, same error classes.
_SAFE_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True, slots=True)
class PolicyYaml:
    """One file's data and its YAML node graph (for line numbers)."""

    source: str
    data: dict[str, Any]
    node: yaml.Node


def read_policy_yaml(text: str, source: str) -> PolicyYaml:
    """Parse one policy file. Raises PolicyError naming file and line."""
    try:
        loader = _SAFE_LOADER(text)
        try:
            node = loader.get_single_node()
            if node is not None:
                size = expanded_size(node)
                if size > MAX_EXPANDED_NODES:
                    raise PolicyError(
                        f"{source}:1: YAML aliases expand to more than {MAX_EXPANDED_NODES:,} nodes (an alias bomb?)"
                    )
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise PolicyError(f"{source}{where}: invalid YAML: {problem}") from None
    if not isinstance(data, dict):
        raise PolicyError(f"{source}:1: a policy must be a YAML mapping with version, name, limits, ...")
    duplicate = _first_duplicate_key(node)
    if duplicate is not None:
        # YAML keeps the last of two equal keys silently: a threshold set twice is a mistake.
        key, line = duplicate
        raise PolicyError(f"{source}:{line}: {key}: duplicate key")
    return PolicyYaml(source=source, data=data, node=node)


def expanded_size(root: yaml.Node) -> int:
    """How many nodes the document has once every alias is expanded (capped just past the bound).

    Iterative, with each distinct node's size memoised, so a bomb is measured in time linear in
    the file. A recursive alias (a node inside itself) expands without end: the cap.
    """
    sizes: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    cap = MAX_EXPANDED_NODES + 1
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if key in sizes:
            continue
        children = _children(node)
        if not children_done:
            if key in on_path:
                return cap
            on_path.add(key)
            stack.append((node, True))
            stack.extend((child, False) for child in children if id(child) not in sizes)
            continue
        on_path.discard(key)
        if any(id(child) not in sizes for child in children):
            return cap  # a child still open below us: a cycle through an alias
        sizes[key] = min(cap, 1 + sum(sizes[id(child)] for child in children))
    return sizes[id(root)]


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _first_duplicate_key(node: yaml.Node | None, path: str = "") -> tuple[str, int] | None:
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            name = f"{path}.{key.value}" if path else str(key.value)
            if key.value in seen:
                return name, key.start_mark.line + 1
            seen.add(key.value)
            found = _first_duplicate_key(value, name)
            if found is not None:
                return found
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            found = _first_duplicate_key(item, f"{path}.{index}")
            if found is not None:
                return found
    return None


def locate(node: yaml.Node | None, loc: tuple[str, ...]) -> tuple[int, int]:
    """(1-based line, parts of `loc` found): the line of the deepest node along `loc` that exists."""
    line = node.start_mark.line + 1 if node is not None else 1
    for depth, part in enumerate(loc):
        if isinstance(node, yaml.MappingNode):
            pair = next(((key, value) for key, value in node.value if str(key.value) == part), None)
            if pair is None:
                return line, depth
            line = pair[0].start_mark.line + 1  # the key's line: where a person looks for the field
            node = pair[1]
        elif isinstance(node, yaml.SequenceNode) and part.isdigit() and int(part) < len(node.value):
            node = node.value[int(part)]
            line = node.start_mark.line + 1
        else:
            return line, depth
    return line, len(loc)
