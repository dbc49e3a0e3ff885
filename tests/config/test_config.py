"""Configuration mistakes staff can make: each gives a Vietnamese message naming file, entry and what is
expected, and exit status 2 — never a traceback."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

from pipeline.cli import main
from pipeline.config.load import load_config

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    target = tmp_path / "config"
    shutil.copytree(ROOT / "config", target)
    return target


def _edit_text(name: str, old: str, new: str) -> Callable[[Path], None]:
    def edit(directory: Path) -> None:
        path = directory / name
        text = path.read_text(encoding="utf-8")
        assert old in text, f"fixture out of date: {old!r} not in {name}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return edit


def _edit_roster(row: int, column: str, value: object) -> Callable[[Path], None]:
    def edit(directory: Path) -> None:
        path = directory / "don_vi.xlsx"
        workbook = openpyxl.load_workbook(path)
        sheet = workbook["Đơn vị"]
        headers = {cell.value: cell.column for cell in sheet[1]}
        sheet.cell(row, headers[column]).value = value
        workbook.save(path)
    return edit


def _delete(name: str) -> Callable[[Path], None]:
    return lambda directory: (directory / name).unlink()


def _rename_roster_sheet(directory: Path) -> None:
    path = directory / "don_vi.xlsx"
    workbook = openpyxl.load_workbook(path)
    workbook["Đơn vị"].title = "Sheet1"
    workbook.save(path)


def _roster_row_of(code: str, nth: int = 0) -> int:
    sheet = openpyxl.load_workbook(ROOT / "config" / "don_vi.xlsx")["Đơn vị"]
    rows = [cell.row for cell in sheet["A"] if cell.value == code]
    return rows[nth]


CASES = {
    # name: (mutation, expected fragments of the message)
    "missing settings file": (_delete("cai_dat.toml"), ["Không tìm thấy tệp cấu hình config/cai_dat.toml"]),
    "missing roster file": (_delete("don_vi.xlsx"), ["Không tìm thấy tệp danh mục đơn vị config/don_vi.xlsx"]),
    "toml syntax": (_edit_text("cai_dat.toml", 'dia_danh = "Hòa Bình"', "dia_danh = Hòa Bình"),
                    ["config/cai_dat.toml: sai cú pháp (dòng 14, cột 12: giá trị không hợp lệ — chữ phải đặt trong dấu ngoặc kép", "cần sửa đúng dạng"]),
    "settings year": (_edit_text("cai_dat.toml", 'nam_hoc_hien_tai = "2019-2020"', 'nam_hoc_hien_tai = "2019"'),
                      ['config/cai_dat.toml: nam_hoc_hien_tai = "2019", cần một năm học dạng "2019-2020"']),
    "settings missing text": (_edit_text("cai_dat.toml", 'co_quan_ban_hanh = "CÔNG ĐOÀN GIÁO DỤC TỈNH"', ""),
                              ["config/cai_dat.toml: co_quan_ban_hanh = (trống), cần tên cơ quan ban hành"]),
    "settings deadline": (_edit_text("cai_dat.toml", '"2018-2019" = "15/06/2019"', '"2018-2019" = "2019-06-15"'),
                          ['config/cai_dat.toml, mục [han_nop]: "2018-2019" = "2019-06-15", cần năm học dạng',
                           'ngày dạng "30/06/2020"']),
    "settings without ky_hieu": (_edit_text("cai_dat.toml", 'ky_hieu = "CĐGD"', ""),
                                 ["config/cai_dat.toml: ky_hieu = (trống), cần ký hiệu viết tắt của cơ quan"]),
    "settings recipients not a list": (
        _edit_text("cai_dat.toml", '"Lưu: VT",\n]', '"Lưu: VT",\n  3,\n]'),
        ["config/cai_dat.toml: noi_nhan = ", "cần danh sách nơi nhận, mỗi nơi một dòng chữ"]),
    "label synonym in two levels": (
        _edit_text("bo_nhan.toml", 'dong_nghia = ["K", "Kha", "Thực hiện khá"]', 'dong_nghia = ["T", "Kha"]'),
        ['config/bo_nhan.toml, bộ nhãn "muc_do" (khối thứ 1): cách ghi "T" thuộc cả mức "Tốt" và mức "Khá"']),
    "label year": (_edit_text("bo_nhan.toml", '[[gioi_tinh]]\ntu = "2017-2018"', '[[gioi_tinh]]\ntu = "2017"'),
                   ['config/bo_nhan.toml, bộ nhãn "gioi_tinh" (khối thứ 1): tu = "2017", cần một năm học dạng']),
    "label overlap": (_edit_text("bo_nhan.toml", 'tu = "2017-2018"\nden = "2019-2020"\nmuc = [\n  { ma = "Vững',
                                 'tu = "2017-2018"\nden = "2020-2021"\nmuc = [\n  { ma = "Vững'),
                      ['bộ nhãn "xep_loai_cdcs": khối áp dụng từ 2017-2018 và khối áp dụng từ 2020-2021 trùng năm học']),
    "criteria unknown column": (_edit_text("tieu_chi.toml", 'cot = "cham_lo_doan_vien"\ndiem = 10',
                                           'cot = "cham_lo"\ndiem = 10'),
                                ['config/tieu_chi.toml, đối tượng "truong_hoc", nhóm "Hoạt động công đoàn", tiêu chí '
                                 '"cham_lo_doan_vien": cot = "cham_lo", cần tên một cột của trang Tập thể']),
    "criteria unknown level": (_edit_text("tieu_chi.toml", '"Vững mạnh xuất sắc" = 10', '"Vững mạnh xuat sac" = 10'),
                               ['tiêu chí "xep_loai_cdcs": mức "Vững mạnh xuat sac" không có trong bộ nhãn của cột']),
    "criteria negative points": (_edit_text("tieu_chi.toml", 'cot = "tiet_kiem"\ndiem = 10', 'cot = "tiet_kiem"\ndiem = -10'),
                                 ['tiêu chí "tiet_kiem": diem = -10, cần một số từ 0 trở lên']),
    "criteria method": (_edit_text("tieu_chi.toml", 'cach_tinh = "binh_quan"', 'cach_tinh = "trung_binh"'),
                        ['tiêu chí "dong_gop_quy": cach_tinh = "trung_binh", cần một trong: muc_do, bang, ty_le, binh_quan']),
    "criteria threshold order": (_edit_text("tieu_chi.toml", "{ tu = 70, diem = 15 }, { tu = 50, diem = 10 }",
                                            "{ tu = 50, diem = 10 }, { tu = 70, diem = 15 }"),
                                 ['tiêu chí "ty_le_hs_kha_gioi": các ngưỡng cần xếp từ cao xuống thấp']),
    "criteria rating level": (_edit_text("tieu_chi.toml", '"Trung bình" = 30', '"Trung binh" = 30'),
                              ['mục [diem_muc_do]: mức "Trung binh" không có trong bộ nhãn muc_do']),
    "criteria quota target": (_edit_text("tieu_chi.toml", "ca_nhan = 0", "giao_vien = 5"),
                              ['mục [chi_tieu]: "giao_vien" không phải mã đối tượng nào']),
    "limit not a number": (_edit_text("cai_dat.toml", "so_dong = 100000", 'so_dong = "100.000"'),
                           ['config/cai_dat.toml, mục [gioi_han]: so_dong = "100.000", cần số dòng tối đa của một trang: '
                            'một số nguyên lớn hơn 0']),
    "limit months out of range": (_edit_text("cai_dat.toml", "thang_sau_nam_hoc = 4", "thang_sau_nam_hoc = 30"),
                                  ["mục [gioi_han]: thang_sau_nam_hoc = 30, cần số tháng sau ngày 31/8 cuối năm học mà "
                                   "ngày lập biểu còn hợp lệ: một số nguyên từ 0 đến 24"]),
    "limit number beyond exact": (_edit_text("cai_dat.toml", "so_lon_nhat = 1000000000000000",
                                             "so_lon_nhat = 100000000000000000000"),
                                  ["so_lon_nhat = 100000000000000000000, cần số lớn nhất (giá trị tuyệt đối) của mọi ô "
                                   "số trong tệp: một số nguyên từ 1 đến 1.000.000.000.000.000"]),
    "roster beyond a lowered limit": (_edit_text("cai_dat.toml", "so_dong = 100000", "so_dong = 5"),
                                      ["config/don_vi.xlsx: trang «Đơn vị»", "dữ liệu mỗi trang trong 5 dòng"]),
    "limit unknown": (_edit_text("cai_dat.toml", "so_o = 2000000", "so_o = 2000000\nso_trang = 5"),
                      ["config/cai_dat.toml, mục [gioi_han]: không có giới hạn tên so_trang"]),
    "settings file too large": (lambda d: (d / "cai_dat.toml").write_text("# " + "x" * (1100 * 1024), encoding="utf-8"),
                                ["config/cai_dat.toml: tệp 1.100 KB, cần một tệp cấu hình dưới 1024 KB"]),
    "roster sheet": (_rename_roster_sheet, ['config/don_vi.xlsx: không có trang "Đơn vị"; các trang hiện có: Sheet1']),
    "roster members": (_edit_roster(_roster_row_of("01001"), "Số đoàn viên", "ba mươi"),
                       ['config/don_vi.xlsx, trang "Đơn vị", dòng 2 (mã 01001), cột "Số đoàn viên": gặp "ba mươi", '
                        "cần một số nguyên lớn hơn 0"]),
    "roster area of the year": (_edit_roster(_roster_row_of("03001", 1), "Địa bàn", "Kỳ Sơn"),
                                ['(mã 03001), cột "Địa bàn": gặp "Kỳ Sơn", cần một trong các giá trị của năm học '
                                 "2019-2020"]),
    "roster level": (_edit_roster(_roster_row_of("01002"), "Cấp học", "Tiểu học cơ sở"),
                     ['(mã 01002), cột "Cấp học": gặp "Tiểu học cơ sở", cần một trong các giá trị']),
    "roster predecessor": (_edit_roster(_roster_row_of("02103"), "Mã đơn vị tiền thân", "02101; 09999"),
                           ['(mã 02103), cột "Mã đơn vị tiền thân": gặp "09999", cần mã của một đơn vị có trong danh mục']),
    "roster overlapping periods": (_edit_roster(_roster_row_of("03001", 1), "Từ năm học", "2018-2019"),
                                   ["mã 03001 có hai dòng cùng áp dụng năm học 2018-2019"]),
    "roster year": (_edit_roster(_roster_row_of("01001"), "Từ năm học", "2017"),
                    ['(mã 01001), cột "Từ năm học": gặp "2017", cần một năm học dạng 2017-2018']),
    "roster missing code": (_edit_roster(_roster_row_of("01001"), "Mã đơn vị", None),
                            ['dòng 2, cột "Mã đơn vị": gặp "(trống)", cần mã đơn vị (không để trống)']),
}


@pytest.mark.parametrize("case", list(CASES))
def test_config_mistake_exits_2_with_its_message(case: str, config_dir: Path, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    mutate, expected = CASES[case]
    mutate(config_dir)
    status = main(["template", "--config", str(config_dir), "--outbox", str(tmp_path / "out")])
    captured = capsys.readouterr()
    assert status == 2
    assert captured.err.startswith("Lỗi cấu hình — cần sửa rồi chạy lại:")
    for fragment in expected:
        assert fragment in captured.err, captured.err
    assert "Traceback" not in captured.err + captured.out
    assert not (tmp_path / "out").exists()


def test_a_mistake_on_every_roster_row_lists_twenty_and_counts_the_rest(config_dir: Path, tmp_path: Path,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    path = config_dir / "don_vi.xlsx"
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["Đơn vị"]
    column = next(cell.column for cell in sheet[1] if cell.value == "Số đoàn viên")
    rows = [cell.row for cell in sheet["A"][1:] if cell.value]
    for row in rows:
        sheet.cell(row, column).value = "ba mươi"
    workbook.save(path)
    assert main(["template", "--config", str(config_dir), "--outbox", str(tmp_path / "out")]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == "Lỗi cấu hình — cần sửa rồi chạy lại:"
    assert len(lines) == 22 and all('cột "Số đoàn viên": gặp "ba mươi"' in line for line in lines[1:21])
    assert lines[21] == f"  … và {len(rows) - 20} lỗi khác: sửa các lỗi trên rồi chạy lại để xem tiếp."


def test_missing_config_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["template", "--config", str(tmp_path / "nowhere")]) == 2
    assert f'Không tìm thấy thư mục cấu hình "{tmp_path / "nowhere"}"' in capsys.readouterr().err


def test_all_problems_are_reported_at_once(config_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _edit_roster(2, "Số đoàn viên", -3)(config_dir)
    _edit_roster(3, "Cấp học", "Đại học")(config_dir)
    assert main(["template", "--config", str(config_dir)]) == 2
    err = capsys.readouterr().err
    assert err.count("  • ") == 2


def test_sample_config_is_valid_and_realistic() -> None:
    config = load_config(ROOT / "config")
    roster = config.roster
    assert 55 <= roster["ma_don_vi"].nunique() <= 70
    assert set(roster["cap_hoc"]) == {"MN", "TH", "THCS", "TH&THCS", "THPT", "PTDTNT", "GDNN-GDTX", "Cơ quan"}
    assert set(roster["loai_don_vi"]) == {"Trường học", "Cơ quan, đơn vị"}
    assert set(roster["dia_ban"]) == {"TP Hòa Bình", "Đà Bắc", "Kỳ Sơn", "Lương Sơn", "Kim Bôi", "Cao Phong",
                                      "Tân Lạc", "Mai Châu", "Lạc Sơn", "Yên Thủy", "Lạc Thủy"}
    merged = roster[roster["cap_hoc"] == "TH&THCS"]
    assert len(merged) >= 2 and all(len(p) == 2 for p in merged["ma_tien_than"])
    assert (roster[roster["ma_don_vi"] == "13001"]["ten_don_vi"] == "Cơ quan Sở Giáo dục và Đào tạo").all()
    assert len(roster[roster["loai_don_vi"] == "Cơ quan, đơn vị"]) == 3
    assert config.settings.school_year == "2019-2020"
    criteria = config.for_year("2019-2020").criteria
    assert [sum(g.points for g in t.groups) for t in criteria.targets] == [100, 100, 100]


def test_recipients_drop_the_marks_the_documents_add(tmp_path: Path) -> None:
    """Staff may type "- Lưu: VT." as it is printed; the documents add "- ", ";" and "." themselves."""
    directory = tmp_path / "config"
    shutil.copytree(ROOT / "config", directory)
    path = directory / "cai_dat.toml"
    text = path.read_text(encoding="utf-8")
    start = text.index("noi_nhan = [")
    end = text.index("]", start) + 1
    path.write_text(text[:start] + 'noi_nhan = ["- Như Kính gửi;", "Lưu:  VT."]' + text[end:], encoding="utf-8")
    assert load_config(directory).settings.recipients == ("Như Kính gửi", "Lưu: VT")


def test_links_file_reads_settled_rows_by_header_and_skips_open_ones(tmp_path) -> None:
    """config/lien_ket.xlsx: rows copied from `Cần xác nhận`, found by header (the unit names and the reason are
    for staff only and may be left out); a row without an answer is not settled yet."""
    import io

    import openpyxl

    from pipeline.config.links import COLUMNS, KIND_PERSON, Occurrence, read_links
    from pipeline.vi.text import canonical_key

    book = openpyxl.Workbook()
    headers = [label for key, label in COLUMNS.items() if key not in ("don_vi_1", "don_vi_2", "ly_do")]
    book.active.append(list(reversed(headers)))  # any column order
    rows = [["Cá nhân", "2018-2019", "01001", "HOÀNG VĂN HOÀ", 1980, "2019-2020", "07002", "Hoàng Văn Hòa", 1980, "có"],
            ["Tập thể", "2017-2018", "02101", "Tổ Văn phòng", None, "2018-2019", "02103", "Tổ Văn phòng", None, "Không"],
            ["Cá nhân", "2018-2019", "01001", "Lò Văn A", 1980, "2019-2020", "01002", "Lò Văn A", 1980, None]]
    for row in rows:
        book.active.append(list(reversed(row)))
    data = io.BytesIO()
    book.save(data)
    found, problems = read_links(data.getvalue(), "config/lien_ket.xlsx")
    assert problems == []
    assert [(c.kind, c.same, c.row) for c in found] == [(KIND_PERSON, True, 2), ("Tập thể", False, 3)]
    assert found[0].first == Occurrence("2018-2019", "01001", canonical_key("Hoàng Văn Hòa"), 1980)
    assert found[1].second == Occurrence("2018-2019", "02103", canonical_key("Tổ Văn phòng"), None)


def test_limits_in_the_settings_refuse_a_file_with_their_own_numbers(config_dir: Path, tmp_path: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    """A limit staff lowered in [gioi_han] is the one checked, in the worker processes too, and named in the message."""
    assert main(["template", "--config", str(config_dir), "--outbox", str(tmp_path / "out"), "--year", "2019-2020"]) == 0
    template = tmp_path / "out" / "2019-2020" / "template" / "Mau_DienHinh_2019-2020.xlsx"
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "truong.xlsx").write_bytes(template.read_bytes())
    text = (config_dir / "cai_dat.toml").read_text(encoding="utf-8").replace("so_cot = 1000", "so_cot = 15")
    (config_dir / "cai_dat.toml").write_text(text, encoding="utf-8")
    assert main(["check", str(inbox / "truong.xlsx"), "--config", str(config_dir), "--year", "2019-2020"]) == 0
    out = capsys.readouterr().out
    assert "[F04]" in out and "dữ liệu mỗi trang trong 100.000 dòng, 15 cột và 2.000.000 ô" in out, out
    assert main(["consolidate", "--config", str(config_dir), "--inbox", str(inbox), "--outbox", str(tmp_path / "o"),
                 "--year", "2019-2020"]) == 0  # through the worker processes
    manifest = (tmp_path / "o" / "2019-2020" / "manifest.json").read_text(encoding="utf-8")
    assert '"status": "rejected"' in manifest


@pytest.mark.parametrize("text", ['a = ', 'a = 1\na = 2', '[x]\n[x]', 'a = "x', 'a = 1 b', '= 1', "a = '''",
                                  'a = {b=1,}', 'a = "\\q"', 'a = 01', 'a = [1,', 'a = tru', 'a = 1979-05-27T'])
def test_a_toml_mistake_is_explained_in_vietnamese_never_in_tomllibs_english(text: str) -> None:
    import tomllib

    from pipeline.config.load import _explain_toml

    with pytest.raises(tomllib.TOMLDecodeError) as caught:
        tomllib.loads(text)
    said = _explain_toml(caught.value)
    assert re.match(r"(dòng \d+, cột \d+|cuối tệp): ", said), said
    english = {"invalid", "expected", "cannot", "unclosed", "unterminated", "illegal", "unescaped", "value", "line",
               "column", "end", "document", "statement", "key", "string", "after", "overwrite", "declare", "twice"}
    assert not english & {word.lower() for word in re.findall(r"\w+", said)}, said
