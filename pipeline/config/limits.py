"""The limits a file must stay within before any parser reads it (SPEC §3, §9), from the settings.

The defaults are measured (see :mod:`pipeline.intake.guard`); staff may change them in ``cai_dat.toml``,
section ``[gioi_han]`` — for instance to let the level above read the consolidated workbook of a whole country.
Each exceeded limit is a file error (F03 or F04) whose message names the limit in force.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from pipeline.vi.numbers import vi_number
from schemas.rules import show_value

MIB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """How large a file, its inflated parts and its sheets may be."""

    file_mb: int = 20  # the file as received; larger files are never read, not even to hash them
    uncompressed_mb: int = 200  # the sum of the sizes its zip declares once inflated
    ratio: int = 200  # inflated ÷ compressed size of one zip member (above a 100 KB grace)
    rows: int = 100_000  # a sheet's extent from A1 to its farthest cell
    cols: int = 1_000
    cells: int = 2_000_000

    @property
    def file_bytes(self) -> int:
        return self.file_mb * MIB

    @property
    def uncompressed_bytes(self) -> int:
        return self.uncompressed_mb * MIB

    def too_large(self, rows: int, cols: int) -> bool:
        """Whether a sheet extent of ``rows`` × ``cols`` cells passes the limits."""
        return rows > self.rows or cols > self.cols or rows * cols > self.cells

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
}
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
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            problems.append(f"{source}, mục [gioi_han]: {key} = {show_value(value)}, cần {what}: một số nguyên lớn "
                            "hơn 0, không đặt trong dấu \"\".")
            continue
        values[field] = value
    return Limits(**{**{f.name: getattr(LIMITS, f.name) for f in fields(Limits)}, **values})
