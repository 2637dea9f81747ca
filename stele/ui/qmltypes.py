"""Write the `.qmltypes` that tells qmllint about the Python types registered for QML.

The way `pyside6-project` does it: `metaobjectdump` reads the Python source, and
`qmltyperegistrar` turns its JSON into a type description. Run by ``./dev qmltypes``;
tests/ui/test_qmltypes.py fails when the committed file no longer matches the bridge::

    python -m stele.ui.qmltypes            # rewrites layouts/Stele/bridge.qmltypes
    python -m stele.ui.qmltypes --check    # exit 1 if the committed file is stale
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import PySide6

ROOT = Path(__file__).resolve().parents[2]
# Relative to ROOT: the output names no machine's path.
SOURCES = (
    Path("stele/ui/entries.py"),
    Path("stele/ui/models.py"),
    Path("stele/ui/theme.py"),
    Path("stele/ui/bridge.py"),
    Path("stele/ui/content_model.py"),
)
TARGET = Path("layouts/Stele/bridge.qmltypes")
IMPORT_NAME = "Stele"
FOREIGN = ("qt6core_metatypes.json", "qt6qml_metatypes.json")


def _tool(name: str) -> str:
    beside = Path(sys.executable).parent / name
    return str(beside) if beside.exists() else (shutil.which(name) or name)


def generate(root: Path = ROOT) -> str:
    """The qmltypes text for `SOURCES` (nothing is written)."""
    metatypes = Path(PySide6.__file__).parent / "Qt" / "metatypes"
    with tempfile.TemporaryDirectory() as tmp:
        dump = Path(tmp) / "bridge_metatypes.json"
        out = Path(tmp) / "bridge.qmltypes"
        subprocess.run(
            [sys.executable, "-m", "PySide6.scripts.metaobjectdump", "-o", str(dump)]
            + [str(source) for source in SOURCES],
            cwd=root,
            check=True,
        )
        classes = json.loads(dump.read_text(encoding="utf-8"))
        objects = {c["className"] for entry in classes for c in entry["classes"]}
        for entry in classes:
            entry["inputFile"] = Path(entry["inputFile"]).relative_to(root).as_posix()
            for cls in entry["classes"]:
                for prop in cls.get("properties", []):
                    # What metaobjectdump cannot read from `@Property(...)`: a QObject
                    # is held by pointer, and a property without a signal is constant.
                    if prop["type"] in objects:
                        prop["type"] += "*"
                    if "notify" not in prop:
                        prop["constant"] = True
        dump.write_text(json.dumps(classes, indent=4), encoding="utf-8")
        foreign = ",".join(str(metatypes / name) for name in FOREIGN)
        subprocess.run(
            [
                _tool("pyside6-qmltyperegistrar"),
                f"--generate-qmltypes={out}",
                "-o",
                str(Path(tmp) / "registrations.cpp"),
                f"--import-name={IMPORT_NAME}",
                "--major-version=1",
                "--minor-version=0",
                f"--foreign-types={foreign}",
                str(dump),
            ],
            cwd=root,
            check=True,
        )
        return out.read_text(encoding="utf-8")


def main(argv: list[str]) -> int:
    text = generate()
    if "--check" in argv:
        if (ROOT / TARGET).read_text(encoding="utf-8") != text:
            print(f"{TARGET} is stale: run ./dev qmltypes", file=sys.stderr)
            return 1
        return 0
    (ROOT / TARGET).write_text(text, encoding="utf-8")
    print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
