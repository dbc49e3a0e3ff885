"""Fictional Vietnamese people for the demo data: deterministic, realistic in shape, never real.

A person is drawn in three steps: ethnic group (dân tộc), gender, then a name built from that group's
tables of surnames (họ), middle names (tên đệm) and given names (tên). Every weight below is a rough
relative frequency chosen to make demo rosters look plausible; none is a measured statistic, and any
resemblance of a generated name to a real person is chance. The same ``random.Random`` seed always gives
the same people.
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

MALE, FEMALE = "Nam", "Nữ"

# Ethnic mix among the province's education staff. Approximation, not a measured statistic: it starts
# from the population of Hòa Bình by ethnicity (2019 census: Mường about 63 %, Kinh about 28 %, then Thái,
# Tày, Dao and Mông at a few per cent or less) and rounds to the shares the project brief gives for staff.
ETHNIC_WEIGHTS_HOA_BINH: Mapping[str, float] = MappingProxyType(
    {"Mường": 0.60, "Kinh": 0.28, "Thái": 0.06, "Dao": 0.03, "Tày": 0.02, "Mông": 0.01}
)

Weights = Mapping[str, float]


@dataclass(frozen=True)
class Person:
    """One fictional person.

    Attributes:
        ho_ten: Full name in NFC, "Họ Đệm Tên" (the middle part may have two words or, rarely, none).
        gioi_tinh: ``"Nam"`` or ``"Nữ"``.
        dan_toc: Ethnic group, a key of the naming tables (``"Mường"``, ``"Kinh"``, ``"Thái"``, …).
    """

    ho_ten: str
    gioi_tinh: str
    dan_toc: str


@dataclass(frozen=True)
class _Naming:
    """The name tables of one ethnic group; "" as a middle name means "no middle name"."""

    surnames: Weights
    middle: Mapping[str, Weights]  # gender → middle names
    given: Mapping[str, Weights]  # gender → given names


def _blend(base: Weights, extra: Weights, extra_share: float) -> Weights:
    """Mix two weight tables so that names from ``extra`` make up ``extra_share`` of the draws."""
    blended = {name: (1 - extra_share) * w / sum(base.values()) for name, w in base.items()}
    for name, w in extra.items():
        blended[name] = blended.get(name, 0.0) + extra_share * w / sum(extra.values())
    return blended


# Given names shared by all groups: most staff of every group in the province carry names of this kind.
GIVEN_FEMALE: Weights = {
    "Hương": 5, "Trang": 4, "Linh": 4, "Lan": 4, "Hà": 4, "Thủy": 4, "Hằng": 4, "Huyền": 3.5, "Nga": 3.5,
    "Mai": 3.5, "Hoa": 3.5, "Thảo": 3.5, "Yến": 3, "Phương": 3, "Dung": 3, "Hạnh": 3, "Nhung": 3, "Vân": 3,
    "Hiền": 3, "Ngọc": 2.5, "Loan": 2.5, "Thúy": 2.5, "Liên": 2.5, "Oanh": 2, "Ánh": 2, "Nhàn": 2,
    "Duyên": 2, "Hồng": 2, "Giang": 2, "Quỳnh": 2, "Thanh": 2, "Quyên": 1.5, "Tâm": 1.5, "Tuyết": 1.5,
    "Xuân": 1.5, "Chi": 1.5, "Thắm": 1.5, "Huệ": 1.5, "Thoa": 1.5, "Hòa": 1.5, "Ngân": 1.5, "Hậu": 1.5,
    "Hường": 1.5, "Thơ": 1, "Lê": 1, "Vui": 1, "Lụa": 1, "Tươi": 1, "My": 1, "Thư": 1, "Lý": 1, "Bích": 1,
    "Mơ": 1, "Đào": 1, "Thuận": 1, "Sen": 1, "Minh": 1, "Diệp": 0.5, "Gấm": 0.5, "Nụ": 0.5, "Nhâm": 0.5,
}  # fmt: skip
GIVEN_MALE: Weights = {
    "Hùng": 4, "Dũng": 4, "Tuấn": 4, "Minh": 3.5, "Hải": 3.5, "Cường": 3.5, "Sơn": 3.5, "Thành": 3.5,
    "Thắng": 3, "Long": 3, "Bình": 3, "Trung": 3, "Tùng": 3, "Đức": 2.5, "Nam": 2.5, "Hưng": 2.5,
    "Hoàng": 2, "Quang": 2, "Toàn": 2, "Khánh": 2, "Kiên": 2, "Hiếu": 2, "Huy": 2, "Tiến": 2, "Vinh": 2,
    "Chiến": 2, "Đạt": 2, "Lực": 1.5, "Phong": 1.5, "Việt": 1.5, "Thịnh": 1.5, "Hiệp": 1.5, "Quyết": 1.5,
    "Hòa": 1.5, "Lâm": 1.5, "Phúc": 1.5, "Nghĩa": 1.5, "Trường": 1.5, "Ước": 1, "Tú": 1, "Thái": 1,
    "Định": 1, "Tâm": 1, "Đông": 1, "Khải": 1, "Mạnh": 1, "Luân": 1, "Hậu": 1, "Hợp": 1, "Dương": 1,
    "Hiển": 1, "Tường": 1, "Duy": 1, "Ninh": 1, "Lợi": 1, "Quý": 1, "Khoa": 1, "An": 1, "Kỳ": 0.5,
    "Tới": 0.5, "Vượng": 0.5, "Thưởng": 0.5,
}  # fmt: skip
GIVEN = {FEMALE: GIVEN_FEMALE, MALE: GIVEN_MALE}

# Per group: surnames, middle names by gender, and (for Dao and Mông) the share of group-specific given
# names. Kinh surnames follow the commonly cited national ranking (Nguyễn ~38 %); the northern forms
# Hoàng and Vũ far outnumber Huỳnh and Võ here. Mường surnames of Hòa Bình are led by Bùi, then the old
# lineages Đinh, Quách, Hà, Xa, Bạch.
NAMING: Mapping[str, _Naming] = MappingProxyType({
    "Kinh": _Naming(
        surnames={
            "Nguyễn": 38, "Trần": 11, "Lê": 9.5, "Phạm": 7, "Hoàng": 4, "Phan": 4.5, "Vũ": 3.9, "Đặng": 2.1,
            "Bùi": 2, "Đỗ": 1.4, "Hồ": 1.3, "Ngô": 1.3, "Dương": 1, "Đinh": 1, "Đào": 1, "Trịnh": 0.8,
            "Huỳnh": 0.6, "Võ": 0.6, "Hà": 0.6, "Lý": 0.5, "Mai": 0.5, "Lương": 0.5, "Đoàn": 0.5, "Tạ": 0.4,
            "Cao": 0.4, "Vương": 0.3, "Lưu": 0.3, "Kiều": 0.3, "Chu": 0.3, "Tống": 0.2, "Nghiêm": 0.2,
            "Lại": 0.2, "Khuất": 0.2,
        },
        middle={
            FEMALE: {
                "Thị": 48, "Thu": 6, "Thanh": 6, "Ngọc": 5, "Hồng": 4, "Kim": 3, "Minh": 3, "Thùy": 3,
                "Phương": 2.5, "Bích": 2, "Hải": 1.5, "Mai": 1.5, "Diệu": 1, "Khánh": 1, "Quỳnh": 1,
                "Hoài": 1, "Lan": 1, "Tuyết": 0.5, "Cẩm": 0.5, "Thị Thu": 2.5, "Thị Thanh": 2,
                "Thị Ngọc": 1, "Thị Kim": 1, "Thị Hồng": 1, "Thị Minh": 0.5, "": 1,
            },
            MALE: {
                "Văn": 38, "Đức": 9, "Minh": 7, "Quang": 6, "Đình": 5, "Hữu": 5, "Công": 5, "Xuân": 4,
                "Mạnh": 3, "Tiến": 3, "Ngọc": 3, "Thanh": 3, "Thế": 2, "Trọng": 2, "Anh": 2, "Việt": 2,
                "Duy": 2, "Hồng": 1.5, "Huy": 1.5, "Trung": 1.5, "Bá": 1, "Tuấn": 1, "Đức Minh": 0.5, "": 1,
            },
        },
        given=GIVEN,
    ),
    "Mường": _Naming(
        surnames={
            "Bùi": 35, "Đinh": 15, "Quách": 8, "Hà": 8, "Nguyễn": 6, "Xa": 4, "Cao": 4, "Trương": 3,
            "Lê": 3, "Hoàng": 3, "Bạch": 2, "Phạm": 2, "Trần": 1.5, "Kiều": 1, "Đỗ": 1,
        },
        middle={
            FEMALE: {
                "Thị": 75, "Thu": 4, "Thanh": 4, "Hồng": 3, "Minh": 2, "Ngọc": 2, "Kim": 2, "Thị Thu": 2,
                "Thị Thanh": 1, "Thị Hồng": 1, "": 0.5,
            },
            MALE: {
                "Văn": 70, "Công": 5, "Đức": 5, "Minh": 4, "Xuân": 3, "Quang": 3, "Thanh": 3, "Hữu": 2,
                "Ngọc": 2, "Tiến": 2, "Mạnh": 1, "": 0.5,
            },
        },
        given=GIVEN,
    ),
    "Thái": _Naming(
        surnames={
            "Hà": 15, "Lò": 12, "Vì": 10, "Lường": 8, "Sa": 6, "Cầm": 6, "Lù": 4, "Đinh": 4, "Xa": 4,
            "Điêu": 3, "Mè": 3, "Hoàng": 3, "Tòng": 3, "Quàng": 3, "Lộc": 2,
        },
        middle={
            FEMALE: {"Thị": 85, "Thu": 3, "Thanh": 3, "Hồng": 2, "Ngọc": 2, "Thị Thu": 1},
            MALE: {"Văn": 82, "Đức": 4, "Minh": 3, "Xuân": 3, "Thanh": 3, "Công": 2, "Quang": 2},
        },
        given=GIVEN,
    ),
    "Dao": _Naming(
        surnames={
            "Triệu": 30, "Bàn": 20, "Đặng": 15, "Lý": 12, "Phùng": 8, "Chảo": 5, "Dương": 4, "Hoàng": 3,
            "Tẩn": 3,
        },
        middle={
            FEMALE: {"Thị": 75, "Mùi": 10, "Thu": 3, "Thanh": 3, "Hồng": 2, "Kim": 2, "Thị Thu": 1},
            MALE: {"Văn": 72, "Seo": 8, "Tiến": 3, "Đức": 3, "Minh": 3, "Xuân": 3, "Quang": 2},
        },
        given={
            FEMALE: _blend(GIVEN_FEMALE, {"Mẩy": 3, "Phấy": 2, "Nải": 1, "Kiềm": 1}, 0.15),
            MALE: _blend(GIVEN_MALE, {"Chàn": 2, "Phin": 2, "Tòn": 2, "Kiềm": 1, "Vần": 1}, 0.15),
        },
    ),
    "Tày": _Naming(
        surnames={
            "Hoàng": 20, "Nông": 15, "Hà": 12, "Bế": 6, "Lưu": 6, "Ma": 6, "Đàm": 5, "Vi": 4, "Lục": 4,
            "Triệu": 4, "La": 4, "Hứa": 3, "Lành": 3, "Đinh": 3,
        },
        middle={
            FEMALE: {"Thị": 75, "Thu": 4, "Thanh": 4, "Hồng": 3, "Ngọc": 3, "Kim": 2, "Thị Thu": 1},
            MALE: {
                "Văn": 70, "Đức": 5, "Minh": 5, "Xuân": 4, "Quang": 4, "Công": 3, "Thanh": 3, "Hữu": 2,
                "Đình": 2,
            },
        },
        given=GIVEN,
    ),
    "Mông": _Naming(
        surnames={
            "Vàng": 18, "Giàng": 18, "Thào": 14, "Sùng": 12, "Lầu": 8, "Mùa": 7, "Lý": 7, "Hờ": 6, "Vừ": 5,
            "Hạng": 3, "Cứ": 2,
        },
        middle={
            FEMALE: {"Thị": 88, "Thu": 3, "Thanh": 3, "Hồng": 2, "": 2},
            MALE: {"A": 35, "Văn": 30, "Seo": 20, "Minh": 3, "Đức": 3, "Quang": 3, "": 2},
        },
        given={
            FEMALE: _blend(
                GIVEN_FEMALE, {"Mỷ": 3, "Dợ": 2, "Súa": 1.5, "Pàng": 1.5, "Dua": 1.5, "Chá": 1.5}, 0.5
            ),
            MALE: _blend(
                GIVEN_MALE,
                {"Páo": 3, "Chứ": 3, "Sử": 2, "Dế": 2, "Lử": 2, "Tủa": 2, "Chính": 2, "Sính": 2, "Pó": 1.5},
                0.5,
            ),
        },
    ),
})  # fmt: skip


def _draw(rng: random.Random, weights: Weights) -> str:
    """Draw one key of ``weights`` with probability proportional to its weight."""
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def make_person(
    rng: random.Random, *, ethnic_weights: Mapping[str, float] | None = None, female_share: float = 0.7
) -> Person:
    """Draw one fictional person.

    Args:
        rng: The source of randomness; the same seed gives the same sequence of people.
        ethnic_weights: Relative weight of each ethnic group (keys of ``NAMING``); defaults to
            ``ETHNIC_WEIGHTS_HOA_BINH``.
        female_share: Probability that the person is a woman, in [0, 1]. School staff are mostly women.

    Returns:
        A person whose name is NFC and fits their gender and ethnic group.

    Raises:
        ValueError: If ``female_share`` is outside [0, 1], a group has no naming tables, a weight is
            negative, or all weights are zero.
    """
    if not 0.0 <= female_share <= 1.0:
        raise ValueError(f"female_share must be in [0, 1], got {female_share}")
    weights = ETHNIC_WEIGHTS_HOA_BINH if ethnic_weights is None else ethnic_weights
    unknown = sorted(set(weights) - set(NAMING))
    if unknown:
        raise ValueError(f"no naming tables for ethnic group(s) {unknown}; known: {sorted(NAMING)}")
    if any(w < 0 for w in weights.values()) or sum(weights.values()) <= 0:
        raise ValueError(f"ethnic weights must be non-negative with a positive sum, got {dict(weights)}")

    dan_toc = _draw(rng, weights)
    gioi_tinh = FEMALE if rng.random() < female_share else MALE
    naming = NAMING[dan_toc]
    ho = _draw(rng, naming.surnames)
    dem = _draw(rng, naming.middle[gioi_tinh])
    ten = _draw(rng, naming.given[gioi_tinh])
    while ten in dem.split():  # "Nguyễn Minh Minh" is not a name anyone is given
        ten = _draw(rng, naming.given[gioi_tinh])
    ho_ten = " ".join(part for part in (ho, dem, ten) if part)
    return Person(ho_ten=unicodedata.normalize("NFC", ho_ten), gioi_tinh=gioi_tinh, dan_toc=dan_toc)
