"""The catalogue of validation rules: stable IDs, severities and Vietnamese message templates.

Every problem the pipeline reports about a school's file is a :class:`Finding` of one rule here. IDs never
change meaning (schools and staff quote them); add new rules at the end of their series.

Severity (SPEC §5): ``file`` rejects the whole file; ``row`` excludes that row from scoring (on a form,
the field is treated as missing); ``warning`` changes nothing but is reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Severity = Literal["file", "row", "warning"]
SEVERITY_LABEL = {"file": "Lỗi tệp", "row": "Lỗi dòng", "warning": "Cảnh báo"}


@dataclass(frozen=True)
class Rule:
    """One rule: what it means to a school, and how bad it is."""

    id: str
    severity: Severity
    title: str  # short Vietnamese name of the problem
    why: str  # why it matters, for the feedback's legend


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


def show_value(value: object) -> str:
    """A configuration or cell value as staff would recognise it in a message."""
    return "(trống)" if value is None else f'"{value}"' if isinstance(value, str) else str(value)


_RULES = [
    # ---- file errors: the file is rejected
    Rule("F01", "file", "Tệp không đọc được như một bảng tính",
         "Tệp hỏng hoặc không phải tệp Excel/LibreOffice nên không có dữ liệu nào được dùng."),
    Rule("F02", "file", "Tệp có mật khẩu",
         "Chương trình không mở tệp có mật khẩu; hãy gỡ mật khẩu rồi gửi lại."),
    Rule("F03", "file", "Tệp quá lớn hoặc nén bất thường",
         "Tệp lớn bất thường có thể làm treo máy tổng hợp nên bị từ chối."),
    Rule("F04", "file", "Trang tính có vùng dữ liệu quá lớn hoặc hỏng",
         "Vùng dữ liệu khai báo quá lớn làm chương trình đọc bị dừng đột ngột."),
    Rule("F05", "file", "Chương trình đọc bị dừng khi mở tệp",
         "Tệp có cấu trúc lạ làm chương trình đọc dừng; các tệp khác không bị ảnh hưởng."),
    Rule("F06", "file", "Không phải biểu mẫu điển hình tiên tiến",
         "Chỉ đọc được biểu mẫu do Công đoàn ngành phát hành."),
    Rule("F07", "file", "Biểu mẫu khác phiên bản",
         "Biểu mẫu phiên bản khác có cột khác nên không đọc chính xác được."),
    Rule("F08", "file", "Biểu mẫu của năm học khác",
         "Mỗi năm học có biểu mẫu riêng với danh mục riêng."),
    Rule("F09", "file", "Thiếu trang tính", "Thiếu trang bắt buộc của biểu mẫu."),
    Rule("F10", "file", "Thiếu mã đơn vị", "Không biết tệp của đơn vị nào nếu không có mã đơn vị."),
    Rule("F11", "file", "Mã đơn vị không có trong danh mục năm học",
         "Chỉ tổng hợp các đơn vị trong danh mục của Công đoàn ngành năm học đó."),
    Rule("F12", "file", "Thiếu cột bắt buộc", "Không đọc được danh sách khi thiếu cột."),
    # ---- row errors: the row is not scored
    Rule("R01", "row", "Thiếu thông tin bắt buộc", "Dòng thiếu thông tin bắt buộc không được chấm điểm."),
    Rule("R02", "row", "Giá trị không có trong danh sách", "Chỉ chấm được các mức có trong danh sách chọn."),
    Rule("R03", "row", "Sai kiểu dữ liệu", "Ô cần số hoặc ngày nhưng ghi chữ."),
    Rule("R04", "row", "Số ngoài khoảng cho phép", "Số liệu ngoài khoảng hợp lý."),
    Rule("R05", "row", "Nội dung quá dài", "Nội dung vượt độ dài cho phép."),
    Rule("R06", "row", "Số bộ phận lớn hơn tổng số", "Tỷ lệ không thể vượt 100 %."),
    Rule("R07", "row", "Họ và tên chưa đầy đủ", "Cần họ và tên đầy đủ để nhận diện người được đề nghị."),
    Rule("R08", "row", "Tập thể do mình đứng đầu không có trong trang Tập thể",
         "Người lãnh đạo, quản lý chỉ được xét khi tập thể mình đứng đầu cũng được đề nghị."),
    Rule("R09", "row", "STT bị trùng", "STT dùng để chỉ tập thể nên không được trùng."),
    Rule("R10", "row", "Không được chọn Không áp dụng",
         "Tiêu chí này bắt buộc đánh giá với cơ quan, đơn vị."),
    Rule("R11", "row", "Một người được đề nghị hai lần", "Mỗi người chỉ được đề nghị một lần."),
    Rule("R12", "row", "Ô có giá trị lỗi của Excel", "Ô báo lỗi (#VALUE!, #REF!…) không có giá trị dùng được."),
    # ---- warnings: reported, nothing changed
    Rule("W01", "warning", "Chữ gõ bằng bảng mã cũ đã được chuyển sang Unicode",
         "Chữ TCVN3 (ABC) hoặc VNI đã được chuyển; hãy kiểm tra lại chính tả."),
    Rule("W02", "warning", "Số ghi dạng chữ đã được hiểu theo cách viết", "Hãy kiểm tra số đã được hiểu đúng."),
    Rule("W03", "warning", "Cách ghi khác đã được quy về mức trong danh sách",
         "Viết tắt hoặc cách ghi khác đã được hiểu theo danh sách chọn."),
    Rule("W04", "warning", "Ngày ghi dạng chữ đã được hiểu theo ngày/tháng/năm", "Hãy kiểm tra ngày."),
    Rule("W05", "warning", "Năm học ghi theo cách khác", "Năm học đã được hiểu theo dạng 2018-2019."),
    Rule("W06", "warning", "Tên trang tính đã bị đổi", "Trang đã được nhận ra dù tên khác biểu mẫu."),
    Rule("W07", "warning", "Cột đã bị đổi tên, đổi chỗ hoặc chèn thêm",
         "Cột được nhận ra theo tiêu đề; cột lạ bị bỏ qua."),
    Rule("W08", "warning", "Thông tin đơn vị khác danh mục", "Tổng hợp dùng thông tin trong danh mục."),
    Rule("W09", "warning", "Chưa đủ tỷ lệ Lao động tiên tiến cho Tập thể lao động tiên tiến",
         "Theo quy định thi đua, khen thưởng."),
    Rule("W10", "warning", "Chưa đủ điều kiện Tập thể lao động xuất sắc", "Theo quy định thi đua, khen thưởng."),
    Rule("W11", "warning", "Số Chiến sĩ thi đua cơ sở vượt tỷ lệ", "Theo quy định thi đua, khen thưởng."),
    Rule("W12", "warning", "Người này cũng được đơn vị khác đề nghị", "Cần thống nhất đơn vị đề nghị."),
    Rule("W13", "warning", "Phần được khóa của biểu mẫu đã bị sửa",
         "Biểu mẫu bị sửa có thể làm sai việc tự kiểm tra; nên dùng biểu mẫu gốc."),
    Rule("W14", "warning", "Tệp đã được thay bằng tệp mới hơn của cùng đơn vị",
         "Chỉ tệp mới nhất của mỗi đơn vị được tổng hợp."),
]
RULES: dict[str, Rule] = {rule.id: rule for rule in _RULES}
