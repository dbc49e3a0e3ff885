"""The limits a file and its values must stay within (SPEC §3, §5, §9), from the settings.

The defaults are measured (see :mod:`pipeline.intake.guard`); staff may change them in ``cai_dat.toml``,
section ``[gioi_han]`` — for instance to let the level above read the consolidated workbook of a whole country.
An exceeded size or extent is a file error (F03 or F04); a number, a text or a date beyond its limit is a row
error (R04, R05) on its cell. Every message names the limit in force.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

from pipeline.vi.numbers import vi_number
from schemas.rules import show_value
from schemas.submission import document_date_range

MIB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """How large a file, its inflated parts and its sheets may be; how large a number, how long a text and how
    far from its school year a document's date."""

    file_mb: int = 20  # the file as received; larger files are never read, not even to hash them
    uncompressed_mb: int = 200  # the sum of the sizes its zip declares once inflated
    ratio: int = 200  # inflated ÷ compressed size of one zip member (above a 100 KB grace)
    rows: int = 100_000  # a sheet's extent from A1 to its farthest cell
    cols: int = 1_000
    cells: int = 2_000_000
    number_max: int = 10**15  # the largest magnitude of any number: none of a school nears it; beyond, floats lose units
    text_chars: int = 5_000  # the longest text of any cell (columns with a shorter limit in SPEC §4 keep theirs)
    months_before: int = 8  # a document may be dated from this many months before the school year (1/9) …
    months_after: int = 4  # … to this many after it (31/8): a ngày lập outside is a mistake (R04)

    @property
    def file_bytes(self) -> int:
        return self.file_mb * MIB

    @property
    def uncompressed_bytes(self) -> int:
        return self.uncompressed_mb * MIB

    def too_large(self, rows: int, cols: int) -> bool:
        """Whether a sheet extent of ``rows`` × ``cols`` cells passes the limits."""
        return rows > self.rows or cols > self.cols or rows * cols > self.cells

    def document_dates(self, year_start: int) -> tuple[dt.date, dt.date]:
        """The plausible dates of a document of the school year starting in ``year_start``."""
        return document_date_range(year_start, self.months_before, self.months_after)

    def expected_size(self) -> str:
        """What F03 asks for, in Vietnamese."""
        return (f"tệp dưới {vi_number(self.file_mb)} MB, giải nén dưới {vi_number(self.uncompressed_mb)} MB, tỷ lệ nén "
                f"dưới {vi_number(self.ratio)}:1 (xoá ảnh và dữ liệu thừa rồi lưu lại)")

    def expected_extent(self) -> str:
        """What F04 asks for, in Vietnamese."""
        return (f"dữ liệu mỗi trang trong {vi_number(self.rows)} dòng, {vi_number(self.cols)} cột và "
                f"{vi_number(self.cells)} ô tính từ ô A1, mỗi dòng và ô có địa chỉ như Excel ghi (xoá các dòng, cột "
                "thừa ở xa vùng dữ liệu, hoặc mở bằng Excel rồi lưu lại)")


LIMITS = Limits()  # the defaults
# the keys of [gioi_han] in cai_dat.toml → the field, and what it is (for messages)
SETTING_KEYS = {
    "dung_luong_tep_mb": ("file_mb", "dung lượng tối đa của một tệp, tính bằng MB"),
    "dung_luong_giai_nen_mb": ("uncompressed_mb", "dung lượng tối đa khi giải nén, tính bằng MB"),
    "ty_le_nen": ("ratio", "tỷ lệ nén tối đa của một phần trong tệp"),
    "so_dong": ("rows", "số dòng tối đa của một trang"),
    "so_cot": ("cols", "số cột tối đa của một trang"),
    "so_o": ("cells", "số ô tối đa của một trang"),
    "so_lon_nhat": ("number_max", "số lớn nhất (giá trị tuyệt đối) của mọi ô số trong tệp"),
    "do_dai_o": ("text_chars", "số ký tự tối đa của một ô chữ"),
    "thang_truoc_nam_hoc": ("months_before", "số tháng trước ngày 1/9 đầu năm học mà ngày lập biểu còn hợp lệ"),
    "thang_sau_nam_hoc": ("months_after", "số tháng sau ngày 31/8 cuối năm học mà ngày lập biểu còn hợp lệ"),
}
# the accepted range of each field (beyond 10^15 a number is no longer exact; a text over 32,767 characters does
# not fit in an Excel cell; a window of more than two years would date documents of another school year)
BOUNDS = {"number_max": (1, 10**15), "text_chars": (1, 32_767), "months_before": (0, 24), "months_after": (0, 24)}
assert {field for field, _ in SETTING_KEYS.values()} == {f.name for f in fields(Limits)}


def parse_limits(raw: Any, source: str, problems: list[str]) -> Limits:
    """``[gioi_han]`` of the settings (absent: the defaults); each problem appended to ``problems``."""
    if raw is None:
        return LIMITS
    if not isinstance(raw, Mapping):
        problems.append(f"{source}: gioi_han cần là mục [gioi_han] với các dòng như so_dong = 100000.")
        return LIMITS
    values = {}
    for key, value in raw.items():
        if key not in SETTING_KEYS:
            problems.append(f"{source}, mục [gioi_han]: không có giới hạn tên {key}; các giới hạn: "
                            f"{', '.join(SETTING_KEYS)}.")
            continue
        field, what = SETTING_KEYS[key]
        low, high = BOUNDS.get(field, (1, None))
        if isinstance(value, bool) or not isinstance(value, int) or value < low or (high is not None and value > high):
            span = f"từ {vi_number(low)} đến {vi_number(high)}" if high is not None else "lớn hơn 0"
            problems.append(f"{source}, mục [gioi_han]: {key} = {show_value(value)}, cần {what}: một số nguyên "
                            f"{span}, không đặt trong dấu \"\".")
            continue
        values[field] = value
    return replace(LIMITS, **values)
