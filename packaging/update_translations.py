"""Refresh the translation sources from the code, then compile them for the app.

    python packaging/update_translations.py

``resources/translations/kafdocs_*.ts`` are the sources translators edit (Qt
Linguist); ``kafdocs/data/translations/kafdocs_*.qm`` are what the app loads.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "kafdocs" / "gui").glob("*.py"))


def main() -> int:
    out = ROOT / "kafdocs" / "data" / "translations"
    out.mkdir(parents=True, exist_ok=True)
    for ts in sorted((ROOT / "resources" / "translations").glob("kafdocs_*.ts")):
        subprocess.run(["pyside6-lupdate", *SOURCES, "-no-obsolete", "-locations", "none",
                        "-ts", str(ts)],
                       cwd=ROOT, check=True)
        subprocess.run(["pyside6-lrelease", str(ts), "-qm", str(out / (ts.stem + ".qm"))],
                       cwd=ROOT, check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
