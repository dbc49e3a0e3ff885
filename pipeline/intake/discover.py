"""Discovery: every file under the inbox, classified, hashed, never modified (SPEC §5, §7).

Files in the inbox = entries in the manifest: lock files and non-spreadsheets are listed as ignored,
never silently dropped.
"""

from __future__ import annotations

import errno
import hashlib
import os
from dataclasses import dataclass, replace
from pathlib import Path

SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
SYSTEM_FILES = {"thumbs.db", "desktop.ini", ".ds_store"}
CHUNK = 1 << 20


@dataclass(frozen=True)
class InboxFile:
    """One file found in the inbox."""

    path: Path  # absolute
    relative: str  # POSIX path relative to the inbox: what the manifest and messages show
    size: int
    sha256: str
    modified: float  # file time (seconds since the epoch), a tie-breaker between resubmissions
    ignored: str | None  # why it is not read (Vietnamese), or None for a spreadsheet to read
    unreadable: str | None = None  # why the file itself could not be opened (permissions, a lock), if so


def discover_inbox(inbox: Path) -> list[InboxFile]:
    """Every regular file under ``inbox`` (recursively), sorted by relative path.

    Args:
        inbox: the inbox folder (read-only to us).

    Returns:
        One entry per file. Symbolic links to folders are not followed (no loops).
    """
    found: list[InboxFile] = []
    for folder, subfolders, names in os.walk(inbox, followlinks=False):
        subfolders.sort()
        for name in sorted(names):
            path = Path(folder) / name
            if not path.is_file():
                continue
            found.append(describe_file(path, readable_path(path.relative_to(inbox).as_posix())))
    return _unique(sorted(found, key=lambda f: f.relative))


def _unique(files: list[InboxFile]) -> list[InboxFile]:
    """Two names that read alike once undecodable bytes are replaced stay two entries (" (2)" added)."""
    seen: set[str] = set()
    result = []
    for file in files:
        relative, n = file.relative, 1
        while relative in seen:
            n += 1
            stem, dot, suffix = file.relative.rpartition(".")
            relative = f"{stem} ({n}).{suffix}" if dot else f"{file.relative} ({n})"
        seen.add(relative)
        result.append(file if relative == file.relative else replace(file, relative=relative))
    return result


def describe_file(path: Path, relative: str) -> InboxFile:
    """Size, hash, time and classification of one file (a file that cannot be opened is still listed)."""
    stat = path.stat()
    try:
        digest, unreadable = _sha256(path), None
    except OSError as error:  # no permission, locked by another program: a result, not a crash
        digest, unreadable = "", f"không mở được tệp ({describe_os_error(error)})"
    return InboxFile(path=path, relative=relative, size=stat.st_size, sha256=digest, modified=stat.st_mtime,
                     ignored=_why_ignored(path.name), unreadable=unreadable)


def describe_os_error(error: OSError) -> str:
    """What the system said about a file, in words staff understand (never the system's English)."""
    if isinstance(error, IsADirectoryError):
        return "một thư mục, không phải tệp"
    if isinstance(error, FileNotFoundError):
        return "không tìm thấy tệp"
    if isinstance(error, PermissionError):
        return "không có quyền đọc tệp" if error.errno != errno.EBUSY else "tệp đang bị chương trình khác khóa"
    if error.errno in (errno.EBUSY, errno.ETXTBSY):
        return "tệp đang bị chương trình khác khóa"
    return f"tệp không đọc được (lỗi hệ thống số {error.errno})"


def readable_path(relative: str) -> str:
    """A path as text that can be shown and written anywhere: bytes that are not UTF-8 (a zip unpacked from
    another system) become U+FFFD instead of surrogates that no file format accepts."""
    return relative.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _why_ignored(name: str) -> str | None:
    lower = name.lower()
    if name.startswith("~$") or name.startswith(".~lock."):
        return "tệp khóa tạm của Excel/LibreOffice (không phải bài nộp)"
    if lower in SYSTEM_FILES:
        return "tệp hệ thống"
    if name.startswith("."):
        return "tệp ẩn (tên bắt đầu bằng dấu chấm), không phải bài nộp"
    if not lower.endswith(SPREADSHEET_SUFFIXES):
        suffix = Path(name).suffix or "(không có đuôi)"
        return f"không phải bảng tính (đuôi {suffix}; cần .xlsx, .xlsm, .xls hoặc .ods)"
    return None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
