"""Write docs/content-manifest.schema.json from the manifest models.

`python -m stele.content_schema [PATH]` or `./dev schema`; tests/domain/test_manifest.py fails
while the committed file is stale.
"""

from __future__ import annotations

import sys
from pathlib import Path

from stele.domain.manifest import schema_text

SCHEMA_PATH = Path(__file__).resolve().parents[1] / "docs" / "content-manifest.schema.json"


def main(argv: list[str]) -> int:
    target = Path(argv[0]) if argv else SCHEMA_PATH
    target.write_text(schema_text(), encoding="utf-8")
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
