"""YAML for form files and wording: safe types only, bounded size, no alias bombs.

`load_yaml(text)` refuses text over `max_bytes` and documents whose aliases would expand to
more than `max_nodes` nodes (a 630-byte "billion laughs" file otherwise takes minutes and
gigabytes), counting with the parser's events before anything is built. Then it loads with
libyaml's C safe loader when present (fast start), else PyYAML's safe loader.
"""
from __future__ import annotations

from typing import Any

import yaml

from kiosk.errors import KioskError

LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
MAX_BYTES = 1_000_000       # the largest form or wording file is ~30 kB
MAX_NODES = 200_000         # nodes after alias expansion


class YamlTooBig(KioskError, yaml.YAMLError):
    """The document is larger than allowed, or its aliases expand too far."""

    code = "yaml_too_big"


def expanded_nodes(text: str, limit: int = MAX_NODES) -> int:
    """How many nodes the document holds once every alias is expanded (YamlTooBig past `limit`)."""
    sizes: dict[str, int] = {}
    stack: list[list[Any]] = [[0, None]]
    total = 0
    for event in yaml.parse(text, Loader=LOADER):
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            stack.append([1, event.anchor])
            grew = 1
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            count, anchor = stack.pop()
            if anchor:
                sizes[anchor] = count
            stack[-1][0] += count
            grew = 0
        elif isinstance(event, yaml.ScalarEvent):
            if event.anchor:
                sizes[event.anchor] = 1
            stack[-1][0] += 1
            grew = 1
        elif isinstance(event, yaml.AliasEvent):
            grew = sizes.get(event.anchor or "", 1)
            stack[-1][0] += grew
        else:
            continue
        total += grew
        if total > limit:
            raise YamlTooBig(f"aliases expand to more than {limit:,} nodes (an alias bomb?)")
    return total


def load_yaml(text: str, *, max_bytes: int = MAX_BYTES, max_nodes: int = MAX_NODES) -> Any:
    """Parse `text` safely within the limits (YamlTooBig, or yaml.YAMLError for bad syntax)."""
    size = len(text.encode("utf-8"))
    if size > max_bytes:
        raise YamlTooBig(f"{size:,} bytes, more than {max_bytes:,} allowed")
    if "*" in text:   # only a document with aliases can expand: plain files skip the extra pass
        expanded_nodes(text, max_nodes)
    return yaml.load(text, Loader=LOADER)
