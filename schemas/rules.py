"""The catalogue of validation rules: stable IDs, severities and Vietnamese message templates.

Every problem the pipeline reports about a school's file is a :class:`Finding` of one rule here. IDs never
change meaning (schools and staff quote them); add new rules at the end of their series.

Severity (SPEC §5): ``file`` rejects the whole file; ``row`` excludes that row from scoring (on a form,
the field is treated as missing); ``warning`` changes nothing but is reported.

A check never writes a sentence: it names a rule, a variant of its message (when the rule has several
situations) and the values; :func:`finding` renders the rule's ``found`` / ``expected`` templates with them
(frictionless' ``errors/cell.py``: one template per problem type).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

Severity = Literal["file", "row", "warning"]
SEVERITY_LABEL = {"file": "Lỗi tệp", "row": "Lỗi dòng", "warning": "Cảnh báo"}
STAFF_NOTE = "staff"  # Finding.extra key: text for the staff's workbook only
UNIT_HINT = "hint"  # Finding.extra key: the unit a file seems to be from (for staff; never attributes data)
HELD = "F13"  # the file names one unit's code and another unit's name: attributed to neither


@dataclass(frozen=True)
class Message:
    """The ``found`` and ``expected`` templates of one situation of a rule (``str.format`` placeholders)."""

    found: str
    expected: str


@dataclass(frozen=True)
class Rule:
    """One rule: what it means to a school, how bad it is, and how its messages read."""

    id: str
    severity: Severity
    title: str  # short Vietnamese name of the problem
    why: str  # why it matters, for the feedback's legend
    messages: Mapping[str, Message] = field(default_factory=dict)  # variant → templates; "" is the default


@dataclass(frozen=True)
class Finding:
    """One problem found in one place of one file.

    ``cell`` is like ``F12`` (empty for file-level findings); ``column`` is the column's label as the
    template shows it; ``found`` and ``expected`` are already in words a school understands.
    """

    rule: str
    file: str
    sheet: str = ""
    cell: str = ""
    column: str = ""
    found: str = ""
    expected: str = ""
    row: int | None = None  # Excel row, for sorting and for excluding the row
    key: str = ""  # canonical column key, when known
    extra: dict[str, str] = field(default_factory=dict, compare=False)

    @property
    def severity(self) -> Severity:
        """The severity of this finding's rule."""
        return RULES[self.rule].severity

    @property
    def where(self) -> str:
        """``Cá nhân!F12`` or the sheet alone, or empty."""
        return f"{self.sheet}!{self.cell}" if self.sheet and self.cell else self.sheet

    def message(self) -> str:
        """The full Vietnamese message: where, which column, what was found, what is expected."""
        parts = [RULES[self.rule].title]
        if self.where:
            parts.append(f"tại {self.where}")
        if self.column:
            parts.append(f'cột "{self.column}"')
        text = ", ".join(parts)
        if self.found:
            text += f": gặp {self.found}"
        if self.expected:
            # Errors say what is expected; warnings (guesses) say what was understood, in their own words.
            verb = "" if self.severity == "warning" else "cần "
            text += f"; {verb}{self.expected}" if self.found else f": {verb}{self.expected}"
        return text + "."


def finding(rule: str, file: str, variant: str = "", *, sheet: str = "", cell: str = "", column: str = "",
            row: int | None = None, key: str = "", staff_note: str = "", **values: Any) -> Finding:
    """A finding of ``rule`` whose texts are the catalogue's templates filled with ``values``.

    Args:
        rule: the rule ID (``R04``).
        file: the file's path relative to the inbox.
        variant: which situation of the rule (its key in :attr:`Rule.messages`).
        sheet, cell, column, row, key: where.
        staff_note: what only the staff's consolidated workbook may say (another unit's code, say); never shown
            in a school's feedback or marked copy.
        values: the template's placeholders.

    Raises:
        KeyError: for an unknown rule, variant or placeholder — a broken check, not bad data.
    """
    message = RULES[rule].messages[variant]
    return Finding(rule, file, sheet=sheet, cell=cell, column=column, found=message.found.format(**values),
                   expected=message.expected.format(**values), row=row, key=key,
                   extra={STAFF_NOTE: staff_note} if staff_note else {})


def flatten(findings: Iterable[Finding], fields: Sequence[str]) -> list[list[Any]]:
    """Findings as rows of the named fields, to pin results in one line (frictionless' ``report.flatten``)."""
    return [[getattr(f, name) for name in fields] for f in findings]


def show_value(value: object) -> str:
    """A configuration or cell value as staff would recognise it in a message."""
    return "(trống)" if value is None else f'"{value}"' if isinstance(value, str) else str(value)


_RESEND = "lưu lại tệp bằng Excel hoặc LibreOffice (Save As .xlsx) rồi gửi lại"

_RULES = [
    # ---- file errors: the file is rejected
    Rule("F01", "file", "Tệp không đọc được như một bảng tính",
         "Tệp hỏng hoặc không phải tệp Excel/LibreOffice nên không có dữ liệu nào được dùng.", {
             "": Message("{detail}", "{expected}"),  # the guard describes what it saw
             "open": Message("lỗi khi mở ({error})",
                             "tệp .xlsx, .xlsm, .xls hoặc .ods: mở tệp bằng Excel hoặc LibreOffice, lưu lại "
                             "(Save As .xlsx) rồi gửi lại"),
             "sheet": Message("trang tính hỏng ({error})", "tệp lưu lại được: mở bằng Excel hoặc LibreOffice, "
                                                           "lưu lại (Save As .xlsx) rồi gửi lại"),
             "unreadable": Message("{reason}",
                                   "tệp đọc được: đóng tệp nếu đang mở, kiểm tra quyền truy cập, rồi chạy lại"),
         }),
    Rule("F02", "file", "Tệp có mật khẩu",
         "Chương trình không mở tệp có mật khẩu; hãy gỡ mật khẩu rồi gửi lại.", {
             "": Message("{detail}", "{expected}"),
             "reader": Message("tệp được đặt mật khẩu", "tệp không có mật khẩu: gỡ mật khẩu (Tệp > Thông tin > "
                                                         "Bảo vệ sổ làm việc) rồi gửi lại"),
         }),
    Rule("F03", "file", "Tệp quá lớn hoặc nén bất thường",
         "Tệp lớn bất thường có thể làm treo máy tổng hợp nên bị từ chối.", {"": Message("{detail}", "{expected}")}),
    Rule("F04", "file", "Trang tính có vùng dữ liệu quá lớn hoặc hỏng",
         "Vùng dữ liệu khai báo quá lớn làm chương trình đọc bị dừng đột ngột.",
         {"": Message("{detail}", "{expected}")}),
    Rule("F05", "file", "Chương trình đọc bị dừng khi mở tệp",
         "Tệp có cấu trúc lạ làm chương trình đọc dừng; các tệp khác không bị ảnh hưởng.", {
             "": Message("chương trình đọc dừng đột ngột khi mở tệp", _RESEND),
             "error": Message("lỗi khi đọc tệp ({error})", _RESEND),
         }),
    Rule("F06", "file", "Không phải biểu mẫu điển hình tiên tiến",
         "Chỉ đọc được biểu mẫu do Công đoàn ngành phát hành.", {
             "": Message("các trang {sheets}", "biểu mẫu Mau_DienHinh do Công đoàn ngành phát hành: chép dữ liệu "
                                                "vào biểu mẫu đó (không đổi tên hay xóa trang) rồi gửi lại"),
             "meta": Message('mã biểu mẫu "{found}"', "biểu mẫu {template} năm học {year} (tạo bằng make template)"),
         }),
    Rule("F07", "file", "Biểu mẫu khác phiên bản",
         "Biểu mẫu phiên bản khác có cột khác nên không đọc chính xác được.", {
             "": Message('phiên bản "{found}"',
                         "biểu mẫu phiên bản {version} năm học {year}: tải biểu mẫu Mau_DienHinh_{year}.xlsx mới"),
         }),
    Rule("F08", "file", "Biểu mẫu của năm học khác", "Mỗi năm học có biểu mẫu riêng với danh mục riêng.", {
        "": Message('năm học "{found}" trên biểu mẫu năm học {template_year}',
                    "dùng đúng biểu mẫu Mau_DienHinh_{year}.xlsx: chép dữ liệu sang biểu mẫu đó rồi gửi lại"),
        "folder": Message("biểu mẫu năm học {found} trong thư mục năm học {year}", "biểu mẫu Mau_DienHinh_{year}.xlsx"),
    }),
    Rule("F09", "file", "Thiếu trang tính", "Thiếu trang bắt buộc của biểu mẫu.", {
        "": Message("không có trang này", 'trang "{template_sheet}" như biểu mẫu: không xóa hay đổi tên trang; '
                                           "chép dữ liệu vào biểu mẫu gốc rồi gửi lại"),
    }),
    Rule("F10", "file", "Thiếu mã đơn vị", "Không biết tệp của đơn vị nào nếu không có mã đơn vị.", {
        "": Message("ô trống", "mã đơn vị chọn trong danh sách ở trang Đơn vị, rồi gửi lại"),
    }),
    Rule("F11", "file", "Mã đơn vị không có trong danh mục năm học",
         "Chỉ tổng hợp các đơn vị trong danh mục của Công đoàn ngành năm học đó.", {
             "": Message('"{code}"', "mã của một đơn vị trong danh mục năm học {year}: chọn lại mã trong danh sách "
                                     "rồi gửi lại (đơn vị chưa có trong danh mục: báo Công đoàn ngành)"),
         }),
    Rule("F12", "file", "Thiếu cột bắt buộc", "Không đọc được danh sách khi thiếu cột.", {
        "": Message("không có cột {columns}", "đủ các cột của biểu mẫu: không xóa cột; chép dữ liệu vào biểu mẫu "
                                             "gốc rồi gửi lại"),
        "header": Message("không có dòng tiêu đề cột", "dòng tiêu đề như biểu mẫu ({labels}), rồi gửi lại"),
    }),
    Rule("F13", "file", "Mã đơn vị là của đơn vị khác",
         "Tệp ghi mã của một đơn vị nhưng tên của một đơn vị khác trong danh mục; để số liệu của hai đơn vị không "
         "lẫn vào nhau, tệp được giữ lại cho Công đoàn ngành kiểm tra, không được tổng hợp.", {
             "": Message('mã "{code}" nhưng tên đơn vị "{given}"',
                         "chọn đúng mã của đơn vị mình trong danh sách ở trang Đơn vị (tên này ứng với một mã khác "
                         "trong danh mục) rồi gửi lại"),
             "contested": Message('mã "{code}" nhưng {what} {given} khác danh mục của mã này, trong khi một tệp '
                                  "khác của mã này khớp danh mục",
                                  "chọn đúng mã của đơn vị mình ở trang Đơn vị; nếu đúng là mã của đơn vị mình, để "
                                  "chương trình tự điền tên, loại, cấp học, địa bàn theo mã rồi gửi lại"),
         }),
    # ---- row errors: the row is not scored
    Rule("R01", "row", "Thiếu thông tin bắt buộc", "Dòng thiếu thông tin bắt buộc không được chấm điểm.", {
        "": Message("{value}", "ghi thông tin này (bắt buộc)"),
        "school_model": Message("{value}", "ghi số (bắt buộc với công đoàn trường học)"),
        "leader": Message("{value}", "STT của tập thể do mình đứng đầu (bắt buộc với lãnh đạo, quản lý)"),
    }),
    Rule("R02", "row", "Giá trị không có trong danh sách", "Chỉ chấm được các mức có trong danh sách chọn.", {
        "": Message("{value}", "một trong: {labels}"),
    }),
    Rule("R03", "row", "Sai kiểu dữ liệu", "Ô cần số hoặc ngày nhưng ghi chữ.", {
        "number": Message("{value}", "một số"),
        "integer": Message("{value}", "một số nguyên"),
        "date": Message("{value}", "một ngày dạng ngày/tháng/năm, ví dụ 25/05/2019"),
        "year": Message("{value}", "năm học dạng 2018-2019"),
        "percent": Message("{value}", "một số đếm được (số người, số tiền), không ghi tỷ lệ %"),
    }),
    Rule("R04", "row", "Số ngoài khoảng cho phép", "Số liệu ngoài khoảng hợp lý.", {
        "": Message("{value}", "số từ {low} đến {high}"),
        "limit": Message("{value}", "số không quá {limit}"),
        "date": Message("{value}", "ngày từ {low:%d/%m/%Y} đến {high:%d/%m/%Y} (ngày lập biểu của năm học)"),
    }),
    Rule("R05", "row", "Nội dung quá dài", "Nội dung vượt độ dài cho phép.", {
        "": Message("{value}", "tối đa {max_len} ký tự"),
    }),
    Rule("R06", "row", "Số bộ phận lớn hơn tổng số", "Tỷ lệ không thể vượt 100 %.", {
        "": Message("{value}", 'số không lớn hơn "{total}"'),
    }),
    Rule("R07", "row", "Họ và tên chưa đầy đủ", "Cần họ và tên đầy đủ để nhận diện người được đề nghị.", {
        "": Message("{value}", "họ và tên đầy đủ (ít nhất hai chữ)"),
    }),
    Rule("R08", "row", "Tập thể do mình đứng đầu không có trong trang Tập thể",
         "Người lãnh đạo, quản lý chỉ được xét khi tập thể mình đứng đầu cũng được đề nghị.", {
             "": Message("STT {number}", "STT của một tập thể có trong trang Tập thể của tệp này"),
         }),
    Rule("R09", "row", "STT bị trùng", "STT dùng để chỉ tập thể nên không được trùng.", {
        "": Message("{value}", "mỗi tập thể, mỗi người một STT riêng"),
    }),
    Rule("R10", "row", "Không được chọn Không áp dụng", "Tiêu chí này bắt buộc đánh giá với cơ quan, đơn vị.", {
        "": Message("{value}", "một mức đánh giá (cơ quan, đơn vị không được chọn Không áp dụng)"),
    }),
    Rule("R11", "row", "Một người được đề nghị hai lần", "Mỗi người chỉ được đề nghị một lần.", {
        "": Message('"{name}" đã có ở dòng {first_row}', "mỗi người một dòng"),
    }),
    Rule("R12", "row", "Ô có giá trị lỗi của Excel", "Ô báo lỗi (#VALUE!, #REF!…) không có giá trị dùng được.", {
        "": Message("{value}", "một giá trị (sửa công thức hoặc ghi số liệu trực tiếp)"),
    }),
    # ---- warnings: reported, nothing changed
    Rule("W01", "warning", "Chữ gõ bằng bảng mã cũ đã được chuyển sang Unicode",
         "Chữ TCVN3 (ABC) hoặc VNI đã được chuyển; hãy kiểm tra lại chính tả.", {
             "": Message('"{typed}"{more} ({encoding})', 'đã chuyển sang Unicode, ví dụ "{converted}"'),
         }),
    Rule("W02", "warning", "Số ghi dạng chữ đã được hiểu theo cách viết", "Hãy kiểm tra số đã được hiểu đúng.", {
        "": Message("{value}", "đã hiểu là {number}"),
    }),
    Rule("W03", "warning", "Cách ghi khác đã được quy về mức trong danh sách",
         "Viết tắt hoặc cách ghi khác đã được hiểu theo danh sách chọn.", {
             "": Message("{value}", 'đã hiểu là "{label}"'),
             "code": Message('"{code}" (Excel bỏ số 0 ở đầu)', 'đã hiểu là mã "{padded}"'),
         }),
    Rule("W04", "warning", "Ngày ghi dạng chữ đã được hiểu theo ngày/tháng/năm", "Hãy kiểm tra ngày.", {
        "": Message("{value}", "đã hiểu là ngày {date:%d/%m/%Y}"),
    }),
    Rule("W05", "warning", "Năm học ghi theo cách khác", "Năm học đã được hiểu theo dạng 2018-2019.", {
        "": Message("{value}", "đã hiểu là năm học {year}"),
    }),
    Rule("W06", "warning", "Tên trang tính đã bị đổi", "Trang đã được nhận ra dù tên khác biểu mẫu.", {
        "": Message('trang tên "{name}"', 'đã nhận là trang "{template_sheet}" của biểu mẫu'),
    }),
    Rule("W07", "warning", "Cột đã bị đổi tên, đổi chỗ hoặc chèn thêm",
         "Cột được nhận ra theo tiêu đề; cột lạ bị bỏ qua.", {
             "unknown": Message('cột lạ "{header}"', "đã bỏ qua cột này"),
             "repeated": Message('cột "{header}" lặp lại', "đã dùng cột đầu tiên, bỏ qua cột này"),
             "renamed": Message('tiêu đề "{header}"', 'đã nhận là cột "{label}"'),
             "order": Message("thứ tự cột khác biểu mẫu", "đã đọc các cột theo tiêu đề"),
         }),
    Rule("W08", "warning", "Thông tin đơn vị khác danh mục", "Tổng hợp dùng thông tin trong danh mục.", {
        "": Message('"{given}"', 'theo danh mục là "{listed}" (dùng giá trị này)'),
    }),
    Rule("W09", "warning", "Chưa đủ tỷ lệ Lao động tiên tiến cho Tập thể lao động tiên tiến",
         "Theo quy định thi đua, khen thưởng.", {
             "": Message("{advanced}/{staff} người Lao động tiên tiến ({share:.0f} %)", "trên {needed:g} %"),
         }),
    Rule("W10", "warning", "Chưa đủ điều kiện Tập thể lao động xuất sắc", "Theo quy định thi đua, khen thưởng.", {
        "": Message("{problems}", "từ {needed:g} % Lao động tiên tiến, có Chiến sĩ thi đua cơ sở, không ai bị kỷ luật"),
    }),
    Rule("W11", "warning", "Số Chiến sĩ thi đua cơ sở vượt tỷ lệ", "Theo quy định thi đua, khen thưởng.", {
        "": Message("{soldiers} trên {advanced} Lao động tiên tiến", "không quá {cap:g} % số Lao động tiên tiến"),
    }),
    Rule("W12", "warning", "Người này cũng được đơn vị khác đề nghị", "Cần thống nhất đơn vị đề nghị.", {
        "": Message('"{name}" ({birth_year})', "cũng được một đơn vị khác đề nghị; cần thống nhất một đơn vị đề nghị "
                                                      "(Công đoàn ngành sẽ liên hệ)"),
    }),
    Rule("W13", "warning", "Phần được khóa của biểu mẫu đã bị sửa",
         "Biểu mẫu bị sửa có thể làm sai việc tự kiểm tra; nên dùng biểu mẫu gốc.", {
             "missing": Message("thiếu trang ẩn _meta hoặc _lists", "giữ nguyên các trang ẩn của biểu mẫu"),
             "shown": Message("trang _meta đang hiện", "nên dùng biểu mẫu gốc, không sửa trang ẩn"),
         }),
    Rule("W14", "warning", "Tệp đã được thay bằng tệp mới hơn của cùng đơn vị",
         "Chỉ tệp mới nhất của mỗi đơn vị được tổng hợp.", {
             "": Message("ngày lập {made}", "đã dùng tệp {winner} (ngày lập {winner_made})"),
         }),
    # The roll-up (consolidate --rollup, SPEC §10): the inbox holds the consolidated workbooks of the bodies below.
    Rule("F14", "file", "Không phải bản tổng hợp của cơ quan cấp dưới",
         "Khi tổng hợp cấp trên, chỉ đọc bản tổng hợp TongHop_DienHinh do chương trình này ghi ở cấp dưới.", {
             "": Message("{found}", "bản tổng hợp TongHop_DienHinh_<năm học>.xlsx của một cơ quan cấp dưới (bài nộp "
                                    "của trường gửi về cơ quan cấp dưới trực tiếp của trường, không gửi lên đây)"),
             "body": Message('bản tổng hợp của "{body}"', "bản tổng hợp của một cơ quan trong danh mục năm học {year} "
                                                          "(thêm cơ quan vào config/don_vi.xlsx nếu còn thiếu)"),
         }),
    Rule("W15", "warning", "Điểm cấp dưới tính khác điểm tính lại",
         "Cấp trên chấm lại mọi đề nghị theo tiêu chí của mình; điểm được dùng là điểm tính lại.", {
             "": Message("điểm {lower}", "điểm tính lại theo tiêu chí cấp này {ours} (đã dùng điểm này)"),
         }),
]
RULES: dict[str, Rule] = {rule.id: rule for rule in _RULES}
