"""Reading the knowledge base's YAML files with the fast C loader where it is available."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path: Path) -> Any:
    """Parse a UTF-8 YAML file safely (no arbitrary objects).

    Raises:
        OSError: The file cannot be read.
        yaml.YAMLError: The file is not valid YAML.

    """
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
