"""Loading and checking the staff-edited configuration in ``config/`` (SPEC §3).

Files: ``cai_dat.toml`` (settings), ``bo_nhan.toml`` (label sets), ``tieu_chi.toml`` (criteria) and
``don_vi.xlsx`` (roster). Every problem found becomes one Vietnamese line naming the file, the entry and
what is expected; :class:`ConfigError` carries them all, and the CLI exits with status 2.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline.config.criteria import parse_criteria
from pipeline.config.labels import LabelSet, Vocabulary, parse_label_sets
from pipeline.config.limits import Limits, parse_limits
from pipeline.config.register import REGISTER_FILE, Register, read_register, received_in
from pipeline.config.roster import check_roster, read_roster, units_in_year
from pipeline.config.schoolyear import parse_school_year, years_between
from pipeline.config.year import Settings, YearConfig
from pipeline.vi.numbers import vi_number
from schemas.rules import show_value
from schemas.submission import SHEET_MODELS, column_specs

SETTINGS_FILE = "cai_dat.toml"
LABELS_FILE = "bo_nhan.toml"
CRITERIA_FILE = "tieu_chi.toml"
ROSTER_FILE = "don_vi.xlsx"
CONFIG_FILES = (SETTINGS_FILE, LABELS_FILE, CRITERIA_FILE, ROSTER_FILE)  # required
LOADED_FILES = (*CONFIG_FILES, REGISTER_FILE)  # the received register is optional

SETTINGS_TEXT = {  # key → what it is, for messages
    "co_quan_cap_tren": "tên cơ quan cấp trên (dòng 1 góc trái văn bản)",
    "co_quan_ban_hanh": "tên cơ quan ban hành (dòng 2 góc trái văn bản)",
    "ten_co_quan": "tên cơ quan ban hành viết trong câu văn (ví dụ Công đoàn Giáo dục tỉnh)",
    "ky_hieu": "ký hiệu viết tắt của cơ quan trong số văn bản (ví dụ CĐGD)",
    "dia_danh": "địa danh ở dòng ngày tháng",
    "kinh_gui": "nơi gửi văn bản lên cấp trên, ghi sau chữ Kính gửi",
}
SIGNATURE_TEXT = {"tm": "dòng TM. …", "chuc_danh": "chức danh người ký", "ho_ten": "họ tên người ký"}


class ConfigError(Exception):
    """The configuration cannot be used; ``problems`` are the Vietnamese messages."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Config:
    """Everything in ``config/``, checked; :meth:`for_year` resolves one school year of it."""

    directory: Path
    settings: Settings
    label_sets: Mapping[str, list[LabelSet]]
    criteria_raw: Mapping[str, Any]  # parsed TOML: checked against each year's label sets in for_year
    roster: pd.DataFrame
    sha256: str  # of the configuration files' bytes, as loaded
    criteria_sha256: str  # of tieu_chi.toml's bytes, as loaded
    register: Register = field(default_factory=dict)  # so_nhan.xlsx: (school year, unit) → date received
    _years: dict[str, YearConfig] = field(default_factory=dict, compare=False, repr=False)

    def vocab(self, school_year: str) -> dict[str, LabelSet]:
        """The label set of every vocabulary in ``school_year``."""
        found = {name: s for name, versions in self.label_sets.items() for s in versions if s.covers(school_year)}
        missing = sorted(_needed_vocabularies() - found.keys())
        if missing:
            raise ConfigError([f"{self.directory.name}/{LABELS_FILE}: không có bộ nhãn cho năm học {school_year}: "
                               f"{', '.join(missing)}; cần thêm khối áp dụng cho năm học này."])
        return found

    def for_year(self, school_year: str) -> YearConfig:
        """The configuration of one school year: label sets, units, criteria, parsed once.

        Raises:
            ConfigError: when the label sets or the criteria do not fit that year.
        """
        if school_year not in self._years:
            vocab = self.vocab(school_year)
            criteria, problems = parse_criteria(self.criteria_raw, vocab, f"{self.directory.name}/{CRITERIA_FILE}")
            if criteria is None:
                raise ConfigError(problems)
            units = units_in_year(self.roster, school_year)
            self._years[school_year] = YearConfig(
                school_year=school_year, settings=self.settings, vocab=vocab,
                vocabularies={name: Vocabulary(label_set) for name, label_set in vocab.items()}, units=units,
                roster=units.set_index("ma_don_vi"), codes=frozenset(units["ma_don_vi"]), criteria=criteria,
                config_sha256=self.sha256, criteria_sha256=self.criteria_sha256,
                received=received_in(self.register, school_year))
        return self._years[school_year]

    def known_years(self) -> list[str]:
        """School years for which every vocabulary has a label set."""
        years = set()
        for versions in self.label_sets.values():
            for label_set in versions:
                last = label_set.last or self.settings.school_year
                years.update(years_between(label_set.first, last))
        return sorted(y for y in years if _needed_vocabularies() <= {
            n for n, versions in self.label_sets.items() for s in versions if s.covers(y)})

    def check_year(self, school_year: str | None) -> str:
        """Validate a school year given on the command line (None = the settings' current year)."""
        if school_year is None:
            return self.settings.school_year
        year = parse_school_year(school_year)
        if year is None:
            raise ConfigError([f'Năm học "{school_year}" không hợp lệ; cần dạng 2018-2019.'])
        self.vocab(year)
        return year


def load_config(directory: Path, *, guard: Callable[[Path, Limits], str | None] | None = None) -> Config:
    """Load and check every configuration file.

    Args:
        directory: the configuration folder.
        guard: checks a spreadsheet within the settings' limits before any parser sees it (the same guard as
            submissions: a stray cell at XFD1048576 in the roster would abort python-calamine); returns why it
            must not be read, or None.

    Raises:
        ConfigError: with every problem found, in Vietnamese.
    """
    name = directory.name or str(directory)
    if not directory.is_dir():
        raise ConfigError([f'Không tìm thấy thư mục cấu hình "{directory}"; cần thư mục chứa '
                           f"{', '.join(CONFIG_FILES)}."])
    problems: list[str] = []
    settings_bytes = _read_bytes(directory / SETTINGS_FILE)
    settings_raw = _read_toml(directory / SETTINGS_FILE, settings_bytes, problems)
    # the spreadsheets pass the guard within the settings' limits; a problem with them is said once, among the
    # settings' own (the limits are parsed again there, with the settings' other problems)
    limits = parse_limits(settings_raw.get("gioi_han") if settings_raw else None, "", [])
    for spreadsheet in (ROSTER_FILE, REGISTER_FILE):
        path = directory / spreadsheet
        refused = guard(path, limits) if guard is not None and path.is_file() else None
        if refused is not None:
            raise ConfigError([f"{name}/{spreadsheet}: {refused}."])
    loaded = {file: settings_bytes if file == SETTINGS_FILE else _read_bytes(directory / file)
              for file in LOADED_FILES}  # each file read once
    labels_raw = _read_toml(directory / LABELS_FILE, loaded[LABELS_FILE], problems)
    criteria_raw = _read_toml(directory / CRITERIA_FILE, loaded[CRITERIA_FILE], problems)
    roster_raw, roster_problems = read_roster(directory / ROSTER_FILE, loaded[ROSTER_FILE])
    problems += roster_problems
    register, register_problems = read_register(directory / REGISTER_FILE, loaded[REGISTER_FILE])
    problems += register_problems
    if problems:
        raise ConfigError(problems)
    assert settings_raw is not None and labels_raw is not None and criteria_raw is not None
    assert roster_raw is not None

    settings = _parse_settings(settings_raw, f"{name}/{SETTINGS_FILE}", problems)
    label_sets, label_problems = parse_label_sets(labels_raw, f"{name}/{LABELS_FILE}")
    problems += label_problems
    if problems:
        raise ConfigError(problems)
    assert settings is not None
    hashes = _hash(loaded), hashlib.sha256(loaded[CRITERIA_FILE] or b"").hexdigest()
    config = Config(directory, settings, label_sets, criteria_raw, pd.DataFrame(), *hashes)
    years = config.known_years()
    if settings.school_year not in years:
        raise ConfigError([f'{name}/{SETTINGS_FILE}: nam_hoc_hien_tai = "{settings.school_year}" nhưng '
                           f"{name}/{LABELS_FILE} không có đủ bộ nhãn cho năm học này."])
    vocab_by_year = {year: config.vocab(year) for year in years}
    roster, roster_problems = check_roster(roster_raw, vocab_by_year, f"{name}/{ROSTER_FILE}")
    problems += roster_problems
    _, criteria_problems = parse_criteria(criteria_raw, vocab_by_year[settings.school_year],
                                          f"{name}/{CRITERIA_FILE}")
    problems += criteria_problems
    if problems:
        raise ConfigError(problems)
    return Config(directory, settings, label_sets, criteria_raw, roster, *hashes, register=register)


def _needed_vocabularies() -> set[str]:
    """Every label set the template's columns refer to."""
    needed = {meta["vocab"] for model in SHEET_MODELS.values() for meta in column_specs(model).values()
              if meta.get("vocab") and meta["vocab"] != "don_vi"}
    return needed | {"muc_do"}


TEXT_MAX_BYTES = 1024 * 1024  # a settings, label or criteria file is a few KB; a larger one is not ours


def _read_bytes(path: Path) -> bytes | None:
    """A configuration file's bytes (None when it is missing): parsed and hashed from this one read.

    Raises:
        ConfigError: when a text file is too large to be a configuration file (it is not read).
    """
    if not path.is_file():
        return None
    if path.suffix == ".toml" and path.stat().st_size > TEXT_MAX_BYTES:
        raise ConfigError([f"{path.parent.name}/{path.name}: tệp {vi_number(path.stat().st_size // 1024)} KB, cần "
                           f"một tệp cấu hình dưới {TEXT_MAX_BYTES // 1024} KB (tệp chữ chép từ bản mẫu, lưu bằng "
                           "Notepad)."])
    return path.read_bytes()


def _read_toml(path: Path, data: bytes | None, problems: list[str]) -> dict[str, Any] | None:
    source = f"{path.parent.name}/{path.name}"
    if data is None:
        problems.append(f"Không tìm thấy tệp cấu hình {source}.")
        return None
    try:
        return tomllib.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        problems.append(f"{source}: tệp không ở dạng UTF-8; cần lưu lại bằng Notepad, chọn Encoding UTF-8.")
    except tomllib.TOMLDecodeError as error:
        problems.append(f"{source}: sai cú pháp ({_explain_toml(error)}); cần sửa đúng dạng "
                        "khóa = \"giá trị\" như các dòng mẫu.")
    return None


# tomllib's English reasons, in words staff understand.
_TOML_REASONS = {
    "Invalid value": 'giá trị không hợp lệ — chữ phải đặt trong dấu ngoặc kép "…"',
    "Expected '=' after a key in a key/value pair": "thiếu dấu = sau tên khóa",
    "Cannot overwrite a value": "một khóa được ghi hai lần",
    "Cannot declare": "một mục được khai báo hai lần",
    "Unclosed array": "thiếu dấu ] đóng danh sách",
    "Unclosed inline table": "thiếu dấu } đóng",
    "Unterminated string": 'thiếu dấu " đóng chuỗi chữ',
    "Illegal character": "có ký tự không hợp lệ (ví dụ xuống dòng giữa chuỗi chữ)",
    "Invalid statement": "dòng không đúng dạng khóa = giá trị",
    "Expected newline or end of document after a statement": "sau giá trị còn chữ thừa (mỗi dòng một khóa = giá "
                                                             "trị; số không viết số 0 ở đầu, chữ đặt trong \"…\")",
    "Invalid initial character for a key part": "tên khóa không hợp lệ (có thể thừa dấu phẩy)",
    "Unescaped '\\' in a string": 'có dấu \\ trong chuỗi chữ: viết \\\\ hoặc dùng dấu nháy đơn \'…\'',
    'Expected "\'\'\'"': "thiếu dấu \'\'\' đóng chuỗi chữ nhiều dòng",
}
_TOML_UNKNOWN = "tệp không đúng dạng TOML ở chỗ này (mở bản mẫu config/cai_dat.toml để so)"


def _explain_toml(error: tomllib.TOMLDecodeError) -> str:
    """tomllib's message, with its position and reason in Vietnamese."""
    text = str(error)
    reason, _, position = text.rpartition(" (at ")
    said = next((vi for en, vi in _TOML_REASONS.items() if reason.startswith(en)), _TOML_UNKNOWN)
    if position.startswith("line "):
        line, _, column = position.removeprefix("line ").rstrip(")").partition(", column ")
        return f"dòng {line}, cột {column}: {said}"
    return f"cuối tệp: {said}"  # tomllib says "at end of document": something opened was never closed


def _parse_settings(raw: Mapping[str, Any], source: str, problems: list[str]) -> Settings | None:
    def text(table: Mapping[str, Any], key: str, what: str, prefix: str = "") -> str:
        value = table.get(key)
        if not isinstance(value, str) or not value.strip():
            problems.append(f'{source}: {prefix}{key} = {show_value(value)}, cần {what} (một dòng chữ trong dấu "").')
            return ""
        return value.strip()

    year = parse_school_year(raw.get("nam_hoc_hien_tai"))
    if year is None:
        problems.append(f"{source}: nam_hoc_hien_tai = {show_value(raw.get('nam_hoc_hien_tai'))}, cần một năm học "
                        'dạng "2019-2020".')
    values = {key: text(raw, key, what) for key, what in SETTINGS_TEXT.items()}
    recipients = _recipients(raw.get("noi_nhan"), source, problems)
    sign = raw.get("ky_ten") if isinstance(raw.get("ky_ten"), Mapping) else {}
    if not sign:
        problems.append(f"{source}: thiếu mục [ky_ten] (tm, chuc_danh, ho_ten của người ký).")
    signature = {key: text(sign, key, what, "[ky_ten] ") for key, what in SIGNATURE_TEXT.items()} if sign else {}
    deadlines: dict[str, dt.date] = {}
    raw_deadlines = raw.get("han_nop", {})
    if not isinstance(raw_deadlines, Mapping):
        problems.append(f"{source}: han_nop cần là mục [han_nop] với các dòng \"2019-2020\" = \"30/06/2020\".")
        raw_deadlines = {}
    for key, value in raw_deadlines.items():
        deadline_year = parse_school_year(key)
        date = _parse_date(value)
        if deadline_year is None or date is None:
            problems.append(f'{source}, mục [han_nop]: "{key}" = {show_value(value)}, cần năm học dạng "2019-2020" và '
                            'ngày dạng "30/06/2020".')
            continue
        deadlines[deadline_year] = date
    limits = parse_limits(raw.get("gioi_han"), source, problems)
    if problems or year is None:
        return None
    return Settings(year, values["co_quan_cap_tren"], values["co_quan_ban_hanh"], values["ten_co_quan"],
                    values["ky_hieu"],
                    values["dia_danh"], values["kinh_gui"], recipients, signature["tm"], signature["chuc_danh"],
                    signature["ho_ten"], deadlines, limits)


def _recipients(value: Any, source: str, problems: list[str]) -> tuple[str, ...]:
    """``noi_nhan``: a list of lines (one line alone is accepted); the marks staff may have typed
    ("- ", ";" or "." at the end) are dropped, since the documents add them."""
    lines = [value] if isinstance(value, str) else value
    if not isinstance(lines, list) or not lines or not all(isinstance(line, str) and line.strip("-;. ")
                                                           for line in lines):
        problems.append(f'{source}: noi_nhan = {show_value(value)}, cần danh sách nơi nhận, mỗi nơi một dòng chữ, '
                        'ví dụ noi_nhan = ["Như Kính gửi", "Lưu: VT"].')
        return ()
    return tuple(" ".join(line.strip().removeprefix("-").rstrip(";.").split()) for line in lines)


def _parse_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        return None
    try:
        return dt.datetime.strptime(value.strip(), "%d/%m/%Y").date()
    except ValueError:
        return None


def _hash(loaded: Mapping[str, bytes | None]) -> str:
    """SHA-256 over the configuration files' bytes as loaded, in a fixed order (for the manifest)."""
    digest = hashlib.sha256()
    for name in LOADED_FILES:
        digest.update(name.encode())
        digest.update(loaded[name] or b"")
    return digest.hexdigest()
