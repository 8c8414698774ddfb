"""Copies removed by a mirrored download really go to the desktop's trash (send2trash),
where the user can restore them — never a permanent deletion."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote


def test_a_removed_copy_lands_in_the_desktops_trash_and_can_be_restored(
        tmp_path: Path) -> None:
    folder = tmp_path / "Archive"
    folder.mkdir()
    copy = folder / "devis.pdf"
    copy.write_bytes(b"%PDF quote")
    share = tmp_path / "share"  # the freedesktop trash of this test: $XDG_DATA_HOME/Trash
    share.mkdir()
    code = ("import sys; from pathlib import Path; from kafdocs.transfer.trash import to_trash;"
            "print(to_trash(Path(sys.argv[1]), Path(sys.argv[2])))")
    done = subprocess.run([sys.executable, "-c", code, str(copy), str(folder)],
                          env={**os.environ, "XDG_DATA_HOME": str(share)},
                          capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "system"
    assert not copy.exists() and not (folder / ".kafdocs-trash").exists()
    assert (share / "Trash" / "files" / "devis.pdf").read_bytes() == b"%PDF quote"
    info = (share / "Trash" / "info" / "devis.pdf.trashinfo").read_text()
    assert f"Path={quote(str(copy))}" in info  # what the desktop's "Restore" reads
