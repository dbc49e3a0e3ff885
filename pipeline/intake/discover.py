"""Discovery: every file under the inbox, classified, hashed, never modified (SPEC §5, §7).

Files in the inbox = entries in the manifest: lock files and non-spreadsheets are listed as ignored,
never silently dropped.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from dataclasses import dataclass, replace
from pathlib import Path

from pipeline.config.limits import LIMITS

SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
SYSTEM_FILES = {"thumbs.db", "desktop.ini", ".ds_store"}
CHUNK = 1 << 20
MAX_FILE_BYTES = LIMITS.file_bytes  # larger files are refused (F03) and never read, not even to hash them


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


def discover_inbox(inbox: Path, max_bytes: int = MAX_FILE_BYTES) -> list[InboxFile]:
    """Every path under ``inbox`` (recursively), sorted by relative path: files to read, and everything else
    discovery meets — links, devices, pipes, folders that cannot be opened — listed as ignored with the reason.

    Args:
        inbox: the inbox folder (read-only to us).

    Returns:
        One entry per path met. Symbolic links to folders are listed, never followed (no loops).
    """
    found: list[InboxFile] = []
    unopened: list[OSError] = []
    for folder, subfolders, names in os.walk(inbox, followlinks=False, onerror=unopened.append):
        subfolders.sort()
        for name in (*subfolders, *names):
            path = Path(folder) / name
            relative = readable_path(path.relative_to(inbox).as_posix())
            try:
                if name in subfolders:
                    if path.is_symlink():
                        found.append(_listed(path, relative, "liên kết tới một thư mục khác: không được đọc (để "
                                                             "tránh đọc lặp); hãy chép các tệp vào inbox"))
                    continue
                special = _not_a_file(path)
                found.append(describe_file(path, relative, max_bytes) if special is None
                             else _listed(path, relative, special))
            except OSError as refused:  # a path the system will not even look at (over 4,096 bytes, say)
                if name in subfolders:
                    subfolders.remove(name)  # listed here, once, not again when the walk fails to open it
                    found.append(_listed(path, relative + "/", f"thư mục không mở được ({describe_os_error(refused)}"
                                                               "): các tệp trong đó chưa được đọc"))
                else:
                    found.append(_listed(path, relative, f"không mở được ({describe_os_error(refused)})"))
    for error in unopened:
        path = Path(error.filename) if error.filename else inbox
        relative = readable_path(path.relative_to(inbox).as_posix()) if path != inbox else "."
        found.append(_listed(path, relative + "/", f"thư mục không mở được ({describe_os_error(error)}): các tệp "
                                                   "trong đó chưa được đọc"))
    return _unique(sorted(found, key=lambda f: f.relative))


def _not_a_file(path: Path) -> str | None:
    """Why a name met in the inbox is not a file to read (None for a regular file, or a link to one)."""
    try:
        mode = path.stat().st_mode
    except OSError as error:
        if path.is_symlink():
            return "liên kết hỏng hoặc vòng lặp (không trỏ tới tệp nào)"
        return f"không xem được ({describe_os_error(error)})"
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode):
        return "không phải tệp (một đường ống hay cổng của hệ thống)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "không phải tệp (một thiết bị của hệ thống)"
    return "không phải tệp thường"


def _listed(path: Path, relative: str, reason: str) -> InboxFile:
    """An entry for something that is not read, so that the manifest still lists it."""
    try:
        size = path.lstat().st_size
    except OSError:
        size = 0
    return InboxFile(path=path, relative=relative, size=size, sha256="", modified=0.0, ignored=reason)


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


def describe_file(path: Path, relative: str, max_bytes: int = MAX_FILE_BYTES) -> InboxFile:
    """Size, time and classification of one file (a file that cannot be opened is still listed).

    A spreadsheet is hashed where it is read (:func:`sha256_of` over the very bytes the reader parses), so
    the manifest's hash is of what was read even when the file is replaced meanwhile; other files are hashed
    here. Files over ``max_bytes`` (the file-size limit of the settings) are never read: their hash stays empty.
    """
    stat = path.stat()
    ignored = _why_ignored(path.name)
    digest, unreadable = "", None
    try:
        if stat.st_size > max_bytes:
            pass
        elif ignored is not None:
            digest = _sha256(path)
        else:
            with path.open("rb") as handle:  # can it be read at all (permission, a lock)?
                handle.read(1)
    except OSError as error:  # no permission, locked by another program: a result, not a crash
        digest, unreadable = "", f"không mở được tệp ({describe_os_error(error)})"
    return InboxFile(path=path, relative=relative, size=stat.st_size, sha256=digest, modified=stat.st_mtime,
                     ignored=ignored, unreadable=unreadable)


def hash_file(file: InboxFile, max_bytes: int = MAX_FILE_BYTES) -> str:
    """The SHA-256 of a file read by no worker (one whose worker died): "" when too large or unreadable."""
    if file.size > max_bytes:
        return ""
    try:
        return _sha256(file.path)
    except OSError:
        return ""


def sha256_of(data: bytes) -> str:
    """The SHA-256 of a file's bytes, as the manifest records it."""
    return hashlib.sha256(data).hexdigest()


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
    if error.errno == errno.ENAMETOOLONG:
        return "tên hoặc đường dẫn quá dài: hãy đặt tên tệp, tên thư mục ngắn hơn"
    return f"tệp không đọc được (lỗi hệ thống số {error.errno})"


def describe_write_error(error: OSError) -> str:
    """Why a file or folder could not be written, in words staff understand."""
    if isinstance(error, PermissionError):
        return "không có quyền ghi vào đó, hoặc tệp đang mở trong Excel"
    if isinstance(error, (NotADirectoryError, FileExistsError)):
        return "một phần của đường dẫn là tệp, không phải thư mục"
    known = {errno.ENOSPC: "ổ đĩa đã đầy", errno.EROFS: "ổ đĩa chỉ cho đọc",
             errno.ENAMETOOLONG: "tên hoặc đường dẫn quá dài",
             getattr(errno, "EDQUOT", -1): "đã hết dung lượng được cấp"}
    return known.get(error.errno or 0, f"lỗi hệ thống số {error.errno}")


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
