"""Atomic file writes: readers see the old file or the whole new one, never half of one.

Every writer here goes through `stage`: the content is written by a callback into a hidden
temporary file beside its target (`.NAME.<random>.tmp`, removed if the callback fails), and only a
complete file is renamed into place with `os.replace`. `write_atomic` does that for one file;
`write_all` stages a set of files and commits all of them or none.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

Writer = Callable[[Path], None]
"""A callback that writes a file's whole content to the path it is given."""


def stage(path: Path, write: Writer) -> Path:
    """Write via `write` into a hidden temporary file beside `path`; return it (removed on failure)."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        write(tmp_path)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp_path, 0o666 & ~umask)
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise
    return tmp_path


def write_atomic(path: Path, write: Writer) -> None:
    """Write one file via a temporary file in the same folder, then rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp_path = stage(path, write)
    try:
        os.replace(tmp_path, path)
    finally:
        tmp_path.unlink(missing_ok=True)


def write_text_atomic(path: Path, text: str) -> None:
    """Write a UTF-8 text file atomically."""
    write_atomic(path, lambda p: p.write_text(text, encoding="utf-8"))


def make_dirs(folder: Path) -> list[Path]:
    """Create `folder` and its parents; return the folders created, outermost first (to undo)."""
    missing = []
    for parent in (folder, *folder.parents):
        if parent.exists():
            break
        missing.append(parent)
    folder.mkdir(parents=True, exist_ok=True)
    return missing[::-1]


def write_all(folder: Path, writers: Mapping[str, Writer]) -> dict[str, Path]:
    """Write every named file into `folder`, all or nothing; return their paths.

    Each file is first staged under a hidden temporary name; only when all are complete are
    they renamed into place. On any failure (a full disk, an interrupt) the temporary files and
    any folder this call created are removed, and files already there stay as they were.
    """
    paths = {name: folder / name for name in writers}
    created = make_dirs(folder)
    staged: dict[str, Path] = {}
    try:
        for name, write in writers.items():
            staged[name] = stage(paths[name], write)
        for name, tmp in staged.items():
            os.replace(tmp, paths[name])
    except BaseException:
        for tmp in staged.values():
            tmp.unlink(missing_ok=True)
        for created_folder in reversed(created):
            try:
                created_folder.rmdir()
            except OSError:
                break
        raise
    return paths
