"""The fault catalogue: every way a sample file can break a rule, and where the rule must then fire.

It covers every rule of :mod:`schemas.rules` that a file can trigger (F05, a reader crash, has no data
form: tests inject it) plus quirks schools produce without breaking a rule. `tests/test_rules.py` fails
when a rule has no fault here.
"""

from __future__ import annotations

import io
import random
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl

from pipeline.samples.sample import Location, UnitData
from pipeline.template.writer import LIST_HEADER_ROW, form_cell, list_cell
from pipeline.vi.legacy import TCVN3_TO_UNICODE, VNI_TO_UNICODE
from schemas.submission import (
    AGENCY_MODEL,
    SCHOOL_MODEL,
    SHEET_COLLECTIVES,
    SHEET_INDIVIDUALS,
    SHEET_REPORT,
    SHEET_UNIT,
    IndividualRow,
    column_specs,
)


@dataclass
class FaultContext:
    """What a fault may use: randomness, the year, the other units' data (for cross-unit faults)."""

    rng: random.Random
    start: int
    others: list[UnitData]
    sound: list[UnitData] = field(default_factory=list)  # units whose own file will be consolidated

    def consolidated(self) -> list[UnitData]:
        """Units a cross-unit fault may refer to: those whose file is consolidated (else every unit)."""
        return self.sound or self.others


DataFault = Callable[[UnitData, FaultContext], Location]
FileFault = Callable[[Path], Location]  # edits the written file (in the process that wrote it); needs nothing else


@dataclass(frozen=True)
class Fault:
    """One entry of the catalogue: how to break a file, and which rule must then fire where."""

    rule: str
    description: str
    data: DataFault | None = None
    file: FileFault | None = None
    resubmit: bool = False  # write an older version of the file first (it must be superseded)


def _person(data: UnitData, key: str, value: Any, rule: str, index: int = 0) -> Location:
    data.individuals[index][key] = value
    return Location(rule, SHEET_INDIVIDUALS, list_cell(SHEET_INDIVIDUALS, key, index))


def _collective_value(data: UnitData, key: str, value: Any, rule: str, index: int = 0) -> Location:
    data.collectives[index][key] = value
    return Location(rule, SHEET_COLLECTIVES, list_cell(SHEET_COLLECTIVES, key, index))


def _unit_value(data: UnitData, key: str, value: Any, rule: str) -> Location:
    data.unit[key] = value
    return Location(rule, SHEET_UNIT, form_cell(SHEET_UNIT, key))


def _agency_without_reform(data: UnitData, _: FaultContext) -> Location:
    data.collectives[0]["loai_mo_hinh"] = AGENCY_MODEL
    return _collective_value(data, "cai_cach_hanh_chinh", "Không áp dụng", "R10")


def _duplicate_number(data: UnitData, _: FaultContext) -> Location:
    if len(data.collectives) < 2:
        data.collectives.append(dict(data.collectives[0], ten_tap_the="Tổ công đoàn Văn phòng"))
    return _collective_value(data, "stt", data.collectives[0]["stt"], "R09", index=1)


def _same_person_twice(data: UnitData, _: FaultContext) -> Location:
    twin = dict(data.individuals[0], stt=len(data.individuals) + 1, la_lanh_dao="Không", tap_the_dung_dau=None)
    data.individuals.append(twin)
    return Location("R11", SHEET_INDIVIDUALS, list_cell(SHEET_INDIVIDUALS, "ho_ten", len(data.individuals) - 1))


def _person_from_other_unit(data: UnitData, context: FaultContext) -> Location:
    source = next(o for o in context.consolidated() if o.code != data.code)
    twin = dict(source.individuals[-1], stt=len(data.individuals) + 1, la_lanh_dao="Không", tap_the_dung_dau=None)
    data.individuals.append(twin)
    return Location("W12", SHEET_INDIVIDUALS, list_cell(SHEET_INDIVIDUALS, "ho_ten", len(data.individuals) - 1))


def _neighbours_code(data: UnitData, context: FaultContext) -> Location:
    """The school picks the code of another unit from the dropdown (its neighbour in the list), keeping its name."""
    other = next(o for o in reversed(context.others) if o.code != data.code)
    return _unit_value(data, "ma_don_vi", other.code, "F13")


def _legacy(table: dict[str, str], rule: str, *, whole_file: bool = False) -> DataFault:
    """Re-type text in a legacy encoding, as a .VnTime or VNI-Times user would: the first collective's
    summary, or every text of the file (names, lists, summaries) when ``whole_file``."""
    encode = {unicode: legacy for legacy, unicode in table.items()}

    def legacy(value: Any) -> Any:
        if not isinstance(value, str):
            return value
        return "".join(encode.get(ch, ch) for ch in unicodedata.normalize("NFC", value))

    def fault(data: UnitData, _: FaultContext) -> Location:
        if whole_file:  # reported once per sheet, at the first converted cell: Tập thể's first name
            keep = {"ma_don_vi", "nam_hoc", "email", "dien_thoai"}
            data.unit.update({k: legacy(v) for k, v in data.unit.items() if k not in keep})
            data.report.update({k: legacy(v) for k, v in data.report.items()})
            for row in data.collectives + data.individuals:
                row.update({k: legacy(v) for k, v in row.items()})
            return Location(rule, SHEET_COLLECTIVES, list_cell(SHEET_COLLECTIVES, "ten_tap_the", 0))
        return _collective_value(data, "tom_tat", legacy(data.collectives[0]["tom_tat"]), rule)
    return fault


def _plausibility_advanced(data: UnitData, _: FaultContext) -> Location:
    data.unit["so_lao_dong_tien_tien"] = data.unit["tong_so_cbgvnv"] // 3
    data.unit["so_cstd_co_so"] = 0
    return _collective_value(data, "danh_hieu", "Tập thể lao động tiên tiến", "W09")


def _plausibility_excellent(data: UnitData, _: FaultContext) -> Location:
    data.unit["so_lao_dong_tien_tien"] = data.unit["tong_so_cbgvnv"] // 2
    return _collective_value(data, "danh_hieu", "Tập thể lao động xuất sắc", "W10")


def _too_many_soldiers(data: UnitData, _: FaultContext) -> Location:
    data.unit["so_cstd_co_so"] = max(3, data.unit["so_lao_dong_tien_tien"] // 3)
    return Location("W11", SHEET_UNIT, form_cell(SHEET_UNIT, "so_cstd_co_so"))


def _with_openpyxl(edit: Callable[[openpyxl.Workbook], Location]) -> FileFault:
    def fault(path: Path) -> Location:
        workbook = openpyxl.load_workbook(path)
        location = edit(workbook)
        workbook.save(path)
        return location
    return fault


def _rename_sheet(workbook: openpyxl.Workbook) -> Location:
    workbook[SHEET_INDIVIDUALS].title = "Ca nhan (sua)"
    return Location("W06")


def _insert_column(workbook: openpyxl.Workbook) -> Location:
    sheet = workbook[SHEET_INDIVIDUALS]
    sheet.insert_cols(3)
    sheet.cell(LIST_HEADER_ROW, 3).value = "Ghi chú của trường"
    return Location("W07", SHEET_INDIVIDUALS, f"C{LIST_HEADER_ROW}")


def _swap_columns(workbook: openpyxl.Workbook) -> Location:
    """Swap Giới tính and Năm sinh, values and headers, as a school reorganising its sheet would."""
    sheet = workbook[SHEET_INDIVIDUALS]
    keys = list(column_specs(IndividualRow))
    left, right = keys.index("gioi_tinh") + 1, keys.index("nam_sinh") + 1
    for row in range(LIST_HEADER_ROW, sheet.max_row + 1):
        a, b = sheet.cell(row, left), sheet.cell(row, right)
        a.value, b.value = b.value, a.value
    return Location("W07", SHEET_INDIVIDUALS, f"A{LIST_HEADER_ROW}")


def _drop_column(workbook: openpyxl.Workbook) -> Location:
    sheet = workbook[SHEET_INDIVIDUALS]
    sheet.delete_cols(list(column_specs(IndividualRow)).index("dan_toc") + 1)
    return Location("F12", SHEET_INDIVIDUALS)


def _drop_sheet(workbook: openpyxl.Workbook) -> Location:
    del workbook[SHEET_REPORT]
    return Location("F09", SHEET_REPORT)


def _show_meta(workbook: openpyxl.Workbook) -> Location:
    workbook["_meta"].sheet_state = "visible"
    return Location("W13")


def _not_a_spreadsheet(path: Path) -> Location:
    path.write_text("Kính gửi Công đoàn ngành,\nĐơn vị xin gửi báo cáo điển hình tiên tiến.\n", encoding="utf-8")
    return Location("F01")


def _encrypted(path: Path) -> Location:
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = io.BytesIO(path.read_bytes())
    with path.open("wb") as target:
        OOXMLFile(plain).encrypt("matkhau123", target)
    return Location("F02")


def _zip_bomb(path: Path) -> Location:
    original = path.read_bytes()
    with zipfile.ZipFile(io.BytesIO(original)) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item, source.read(item))
        target.writestr("xl/media/anh_chup.bin", b"\0" * (64 << 20))  # 64 MB of zeros, ~64 KB deflated
    return Location("F03")


def _huge_extent(path: Path) -> Location:
    workbook = openpyxl.load_workbook(path)
    workbook[SHEET_INDIVIDUALS]["XFD1048576"] = "."
    workbook.save(path)
    return Location("F04")


def _not_our_template(path: Path) -> Location:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Danh sách"
    sheet.append(["STT", "Họ tên", "Thành tích"])
    sheet.append([1, "Nguyễn Văn An", "Lao động tiên tiến"])
    workbook.save(path)
    return Location("F06")


FAULTS: list[Fault] = [
    Fault("F01", "tệp không phải bảng tính, đặt đuôi .xlsx", file=_not_a_spreadsheet),
    Fault("F02", "tệp đặt mật khẩu", file=_encrypted),
    Fault("F03", "tệp nén bất thường (zip bomb)", file=_zip_bomb),
    Fault("F04", "ô ở XFD1048576 làm vùng dữ liệu khổng lồ", file=_huge_extent),
    Fault("F06", "bảng tính riêng của trường, không phải biểu mẫu", file=_not_our_template),
    Fault("F07", "biểu mẫu phiên bản cũ", data=lambda d, c: (d.meta.update(phien_ban="0.9"), Location("F07"))[1]),
    Fault("F08", "năm học trên trang Đơn vị khác biểu mẫu",
          data=lambda d, c: _unit_value(d, "nam_hoc", f"{c.start - 1}-{c.start}", "F08")),
    Fault("F09", "xóa trang Kết quả", file=_with_openpyxl(_drop_sheet)),
    Fault("F10", "bỏ trống mã đơn vị", data=lambda d, c: _unit_value(d, "ma_don_vi", None, "F10")),
    Fault("F11", "mã đơn vị không có trong danh mục", data=lambda d, c: _unit_value(d, "ma_don_vi", "99999", "F11")),
    Fault("F12", "xóa cột Dân tộc", file=_with_openpyxl(_drop_column)),
    Fault("R01", "bỏ trống Dân tộc", data=lambda d, c: _person(d, "dan_toc", None, "R01")),
    Fault("R02", "giá trị ngoài danh sách", data=lambda d, c: _collective_value(d, "xep_loai_cdcs", "Xuất sắc lắm", "R02")),
    Fault("R03", "chữ trong ô số", data=lambda d, c: _person(d, "nam_sinh", "không rõ", "R03")),
    Fault("R04", "năm sinh ngoài khoảng", data=lambda d, c: _person(d, "nam_sinh", c.start - 75, "R04")),
    Fault("R05", "tóm tắt quá dài", data=lambda d, c: _person(d, "tom_tat", "Thành tích nổi bật. " * 120, "R05")),
    Fault("R06", "số học sinh khá giỏi lớn hơn tổng số", data=lambda d, c: _force_school_r06(d)),
    Fault("R07", "họ tên một chữ", data=lambda d, c: _person(d, "ho_ten", "Hương", "R07", index=-1 + len(d.individuals))),
    Fault("R08", "lãnh đạo ghi STT tập thể không có", data=lambda d, c: _person(d, "tap_the_dung_dau", 99, "R08")),
    Fault("R09", "STT tập thể bị trùng", data=_duplicate_number),
    Fault("R10", "cơ quan chọn Không áp dụng cho cải cách hành chính", data=_agency_without_reform),
    Fault("R11", "một người hai dòng", data=_same_person_twice),
    Fault("R12", "ô chứa mã lỗi #N/A dán từ nơi khác", data=lambda d, c: _person(d, "nam_sinh", "#N/A", "R12")),
    Fault("W01", "cả tệp gõ chữ TCVN3 (.VnTime)", data=_legacy(TCVN3_TO_UNICODE, "W01", whole_file=True)),
    Fault("W01", "chữ VNI (VNI-Times)", data=_legacy(VNI_TO_UNICODE, "W01")),
    Fault("W02", "số ghi dạng chữ kiểu Việt Nam", data=lambda d, c: _collective_value(d, "dong_gop_quy", "12.500", "W02")),
    Fault("W03", "viết tắt HTXSNV", data=lambda d, c: _person(d, "xep_loai_nhiem_vu", "HTXSNV", "W03")),
    Fault("W04", "ngày ghi dạng chữ", data=lambda d, c: _unit_value(d, "ngay_lap", f"28/05/{c.start + 1}", "W04")),
    Fault("W05", "năm học ghi kiểu khác", data=lambda d, c: _unit_value(d, "nam_hoc", f"{c.start} – {c.start + 1}", "W05")),
    Fault("W06", "đổi tên trang Cá nhân", file=_with_openpyxl(_rename_sheet)),
    Fault("W07", "chèn cột Ghi chú", file=_with_openpyxl(_insert_column)),
    Fault("W07", "đổi chỗ cột Giới tính và Năm sinh", file=_with_openpyxl(_swap_columns)),
    Fault("F13", "chọn nhầm mã của đơn vị khác", data=_neighbours_code),
    Fault("W08", "tên đơn vị khác danh mục",
          data=lambda d, c: _unit_value(d, "ten_don_vi", d.unit["ten_don_vi"].replace("Trường ", ""), "W08")),
    Fault("W09", "Tập thể lao động tiên tiến khi ít Lao động tiên tiến", data=_plausibility_advanced),
    Fault("W10", "Tập thể lao động xuất sắc khi chưa đủ điều kiện", data=_plausibility_excellent),
    Fault("W11", "quá nhiều Chiến sĩ thi đua cơ sở", data=_too_many_soldiers),
    Fault("W12", "người đã được đơn vị khác đề nghị", data=_person_from_other_unit),
    Fault("W13", "hiện trang _meta", file=_with_openpyxl(_show_meta)),
    Fault("W14", "gửi lại tệp mới (tệp cũ bị thay)", data=lambda d, c: Location("W14"), resubmit=True),
]
"""Every fault a sample file can carry. F05 (a reader crash) has no data form: tests inject it."""


def _force_school_r06(data: UnitData) -> Location:
    data.collectives[0].update(loai_mo_hinh=SCHOOL_MODEL, so_hoc_sinh=300, so_hs_kha_gioi=350, so_giao_vien=30,
                               so_gv_gioi=10)
    return Location("R06", SHEET_COLLECTIVES, list_cell(SHEET_COLLECTIVES, "so_hs_kha_gioi", 0))


