"""What a dropped folder gives to upload: no hidden files, no links out of it, and the
subfolder of each file."""

from __future__ import annotations

from pathlib import Path

from kafdocs.transfer.paths import expand_paths, flattened_title


def tree(tmp_path: Path) -> tuple[Path, Path]:
    """A folder as users have them, and a secret beside it."""
    outside = tmp_path / "passwd"
    outside.write_text("root:x:0:0")
    dropped = tmp_path / "Projet"
    (dropped / "2024" / "scans").mkdir(parents=True)
    (dropped / ".git").mkdir()
    (dropped / ".git" / "config").write_text("[core]")
    (dropped / "a.txt").write_text("top")
    (dropped / ".cache-secret").write_text("token")
    (dropped / "2024" / "a.txt").write_text("sub")
    (dropped / "2024" / "scans" / "p1.pdf").write_bytes(b"%PDF")
    (dropped / "2024" / "Thumbs.db").write_bytes(b"")  # not hidden on Linux: sent
    (dropped / "secret").symlink_to(outside)
    (dropped / "to-etc").symlink_to(tmp_path)
    (dropped / "same.txt").symlink_to(dropped / "a.txt")  # inside the folder: followed
    return dropped, outside


def test_a_dropped_folder_leaves_out_hidden_files_and_links_out_of_it(tmp_path: Path) -> None:
    dropped, outside = tree(tmp_path)
    found = expand_paths([dropped])
    relative = sorted(str(p.relative_to(dropped)) for p in found.files)
    assert relative == ["2024/Thumbs.db", "2024/a.txt", "2024/scans/p1.pdf", "a.txt",
                        "same.txt"]
    assert outside not in found.files and found.rejected == []
    assert dict((p.name, r) for p, r in found.left_out) == {
        ".cache-secret": "hidden file", ".git": "hidden file",
        "secret": "a link to somewhere outside the dropped folder",
        "to-etc": "a link to somewhere outside the dropped folder"}


def test_files_keep_their_subfolder_for_their_title(tmp_path: Path) -> None:
    dropped, _outside = tree(tmp_path)
    found = expand_paths([dropped])
    assert found.subfolder(dropped / "a.txt") == "" and found.title(dropped / "a.txt") is None
    assert found.subfolder(dropped / "2024" / "a.txt") == "2024"
    assert found.title(dropped / "2024" / "scans" / "p1.pdf") == "2024/scans/p1"
    assert flattened_title(Path("notes"), "2024") == "2024/notes"


def test_files_named_by_the_user_are_taken_even_hidden_or_linked(tmp_path: Path) -> None:
    dropped, _outside = tree(tmp_path)
    found = expand_paths([dropped / ".cache-secret", dropped / "secret"])
    assert found.files == [dropped / ".cache-secret", dropped / "secret"]
    assert found.left_out == [] and found.subfolders == {}
