"""The scoring criteria (config/tieu_chi.toml, SPEC §6) as typed, validated objects.

Staff edit the TOML file; everything here is checked against the template's columns and the label
sets, so that a typo becomes a message naming the entry instead of a wrong score.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pipeline.config.labels import LabelSet
from schemas.rules import show_value
from schemas.submission import CollectiveRow, IndividualRow, column_specs

METHODS = ("muc_do", "bang", "ty_le", "binh_quan")
KINDS = {"tap_the": CollectiveRow, "ca_nhan": IndividualRow}


@dataclass(frozen=True)
class Threshold:
    """``points`` when the value is ≥ ``bound`` (or > ``bound`` when ``strict``)."""

    bound: float
    points: float
    strict: bool = False

    def reached_by(self, value: float) -> bool:
        """Whether ``value`` reaches this threshold."""
        return value > self.bound if self.strict else value >= self.bound


@dataclass(frozen=True)
class Criterion:
    """One scored criterion."""

    code: str
    name: str
    method: str
    points: float
    column: str | None = None
    numerator: str | None = None
    denominator: str | None = None
    table: Mapping[str, float] | None = None
    thresholds: tuple[Threshold, ...] = ()


@dataclass(frozen=True)
class Group:
    """A group of criteria (nhóm tiêu chí)."""

    name: str
    criteria: tuple[Criterion, ...]

    @property
    def points(self) -> float:
        """Maximum points of the group."""
        return sum(c.points for c in self.criteria)


@dataclass(frozen=True)
class Gate:
    """A condition a nomination must meet; ``leader`` marks the leader's-collective gate."""

    column: str
    accepted: tuple[str, ...]
    reason: str
    leader: bool = False


@dataclass(frozen=True)
class Target:
    """What is scored: a collective model or individuals."""

    code: str
    name: str
    kind: str  # "tap_the" or "ca_nhan"
    model: str | None  # loai_mo_hinh of collectives
    gates: tuple[Gate, ...]
    groups: tuple[Group, ...]


@dataclass(frozen=True)
class Criteria:
    """The whole criteria file."""

    version: str
    rating_percent: Mapping[str, float]
    comprehensive_score: float
    comprehensive_group: float
    field_score: float
    field_group: float
    quotas: Mapping[str, int]
    plausibility: Mapping[str, float]
    targets: tuple[Target, ...]

    def target(self, code: str) -> Target:
        """The target with ``code``."""
        return next(t for t in self.targets if t.code == code)


def parse_criteria(raw: Mapping[str, Any], vocab: Mapping[str, LabelSet], source: str
                   ) -> tuple[Criteria | None, list[str]]:
    """Validate and build the criteria.

    Args:
        raw: parsed TOML of tieu_chi.toml.
        vocab: the label sets of one school year (levels named in the file must exist there).
        source: file name, for messages.

    Returns:
        The criteria (None when unusable) and the Vietnamese problems found.
    """
    problems: list[str] = []

    def number(table: Mapping[str, Any], key: str, where: str, *, low: float = 0, high: float | None = None
               ) -> float:
        value = table.get(key)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < low or (
                high is not None and value > high):
            span = f"từ {low:g} đến {high:g}" if high is not None else f"từ {low:g} trở lên"
            problems.append(f'{source}, {where}: {key} = {show_value(value)}, cần một số {span}.')
            return 0.0
        return float(value)

    ratings = raw.get("diem_muc_do")
    rating_percent: dict[str, float] = {}
    if not isinstance(ratings, Mapping):
        problems.append(f"{source}: thiếu mục [diem_muc_do] (phần trăm điểm cho Tốt, Khá, Trung bình, "
                        "Chưa thực hiện).")
    else:
        known = vocab["muc_do"].codes if "muc_do" in vocab else []
        for level, _ in ratings.items():
            if level not in known:
                problems.append(f'{source}, mục [diem_muc_do]: mức "{level}" không có trong bộ nhãn muc_do; '
                                f"cần một trong: {', '.join(known)}.")
            rating_percent[level] = number(ratings, level, "mục [diem_muc_do]", high=100)

    classes = _table(raw, "xep_loai")
    if not classes:
        problems.append(f"{source}: thiếu mục [xep_loai] (ngưỡng xếp loại điển hình).")
    quotas_raw = _table(raw, "chi_tieu")
    quotas = {k: int(number(quotas_raw, k, "mục [chi_tieu]")) for k in quotas_raw}
    plaus_raw = _table(raw, "hop_ly")
    plausibility = {k: number(plaus_raw, k, "mục [hop_ly]", high=100) for k in plaus_raw}

    targets: list[Target] = []
    raw_targets = raw.get("doi_tuong")
    if not isinstance(raw_targets, list) or not raw_targets:
        problems.append(f"{source}: thiếu các khối [[doi_tuong]] (đối tượng chấm điểm).")
        raw_targets = []
    for number_, block in enumerate(raw_targets, start=1):
        target = _parse_target(block, number_, vocab, source, problems, number)
        if target is not None:
            targets.append(target)
    for code in quotas:
        if code not in {t.code for t in targets}:
            problems.append(f'{source}, mục [chi_tieu]: "{code}" không phải mã đối tượng nào; cần một trong: '
                            f"{', '.join(t.code for t in targets)}.")
    if problems:
        return None, problems
    return Criteria(
        version=str(raw.get("phien_ban", "")),
        rating_percent=rating_percent,
        comprehensive_score=number(classes, "toan_dien_diem", "mục [xep_loai]", high=100),
        comprehensive_group=number(classes, "toan_dien_nhom", "mục [xep_loai]", high=100),
        field_score=number(classes, "linh_vuc_diem", "mục [xep_loai]", high=100),
        field_group=number(classes, "linh_vuc_nhom", "mục [xep_loai]", high=100),
        quotas=quotas,
        plausibility=plausibility,
        targets=tuple(targets),
    ), problems


def _parse_target(block: Any, index: int, vocab: Mapping[str, LabelSet], source: str, problems: list[str],
                  number: Any) -> Target | None:
    if not isinstance(block, Mapping):
        problems.append(f"{source}, đối tượng thứ {index}: cần một khối [[doi_tuong]].")
        return None
    code = str(block.get("ma", f"thứ {index}"))
    where = f'{source}, đối tượng "{code}"'
    kind = block.get("loai")
    if kind not in KINDS:
        problems.append(f'{where}: loai = {show_value(kind)}, cần "tap_the" hoặc "ca_nhan".')
        return None
    columns = column_specs(KINDS[kind])
    model = block.get("loai_mo_hinh")
    if kind == "tap_the" and model not in vocab["loai_mo_hinh"].codes:
        problems.append(f"{where}: loai_mo_hinh = {show_value(model)}, cần một trong: "
                        f"{', '.join(vocab['loai_mo_hinh'].codes)}.")

    def levels_of(column: str) -> list[str]:
        name = columns[column].get("vocab")
        return vocab[name].codes if isinstance(name, str) and name in vocab else []

    def known_column(value: Any, key: str, at: str, *, enum: bool | None = None) -> bool:
        ok = isinstance(value, str) and value in columns and (
            enum is None or (columns[value]["kind"] == "enum") == enum)
        if not ok:
            wanted = [k for k, m in columns.items() if enum is None or (m["kind"] == "enum") == enum]
            problems.append(f"{at}: {key} = {show_value(value)}, cần tên một cột của trang "
                            f"{'Tập thể' if kind == 'tap_the' else 'Cá nhân'}: {', '.join(wanted)}.")
        return ok

    gates: list[Gate] = []
    for gate in block.get("dieu_kien", []):
        at = f"{where}, điều kiện {show_value(gate.get('cot') if isinstance(gate, Mapping) else gate)}"
        if not isinstance(gate, Mapping) or not known_column(gate.get("cot"), "cot", at, enum=True):
            continue
        reason = str(gate.get("ly_do", "")).strip() or f"Không đạt điều kiện {gate['cot']}"
        if gate.get("lanh_dao"):
            gates.append(Gate(gate["cot"], (), reason, leader=True))
            continue
        accepted = gate.get("chap_nhan")
        if not isinstance(accepted, list) or not accepted:
            problems.append(f"{at}: thiếu chap_nhan (các mức được chấp nhận).")
            continue
        for level in accepted:
            if level not in levels_of(gate["cot"]):
                problems.append(f'{at}: mức "{level}" không có trong bộ nhãn của cột; cần một trong: '
                                f"{', '.join(levels_of(gate['cot']))}.")
        gates.append(Gate(gate["cot"], tuple(accepted), reason))

    groups: list[Group] = []
    for group in block.get("nhom", []):
        name = str(group.get("ten", "")).strip() if isinstance(group, Mapping) else ""
        if not name:
            problems.append(f"{where}: một nhóm thiếu ten.")
            continue
        criteria: list[Criterion] = []
        for item in group.get("tieu_chi", []):
            crit_code = str(item.get("ma", "")) if isinstance(item, Mapping) else ""
            at = f'{where}, nhóm "{name}", tiêu chí "{crit_code}"'
            if not crit_code:
                problems.append(f"{where}, nhóm \"{name}\": một tiêu chí thiếu ma.")
                continue
            method = item.get("cach_tinh")
            if method not in METHODS:
                problems.append(f"{at}: cach_tinh = {show_value(method)}, cần một trong: {', '.join(METHODS)}.")
                continue
            points = number(item, "diem", at)
            if points <= 0:
                problems.append(f"{at}: diem cần lớn hơn 0.")
            crit = _parse_criterion(item, crit_code, method, points, at, known_column, levels_of, problems,
                                    number)
            if crit is not None:
                criteria.append(crit)
        if not criteria:
            problems.append(f'{where}, nhóm "{name}": cần ít nhất một tiêu chí.')
        groups.append(Group(name, tuple(criteria)))
    if not groups:
        problems.append(f"{where}: cần ít nhất một nhóm tiêu chí ([[doi_tuong.nhom]]).")
    return Target(code, str(block.get("ten", code)), kind, model if kind == "tap_the" else None,
                  tuple(gates), tuple(groups))


def _parse_criterion(item: Mapping[str, Any], code: str, method: str, points: float, at: str,
                     known_column: Any, levels_of: Any, problems: list[str], number: Any
                     ) -> Criterion | None:
    name = str(item.get("ten", code))
    if method in ("muc_do", "bang"):
        if not known_column(item.get("cot"), "cot", at, enum=True):
            return None
        table: dict[str, float] | None = None
        if method == "bang":
            raw_table = item.get("bang")
            if not isinstance(raw_table, Mapping) or not raw_table:
                problems.append(f'{at}: thiếu bang (điểm theo từng mức), ví dụ bang = {{ "Có" = 10 }}.')
                return None
            table = {}
            for level in raw_table:
                if level not in levels_of(item["cot"]):
                    problems.append(f'{at}: mức "{level}" không có trong bộ nhãn của cột {item["cot"]}; cần một '
                                    f"trong: {', '.join(levels_of(item['cot']))}.")
                table[level] = number(raw_table, level, at, high=points)
        elif "Tốt" not in levels_of(item["cot"]):
            problems.append(f'{at}: cach_tinh "muc_do" chỉ dùng cho cột đánh giá mức độ thực hiện (Tốt, Khá, …); '
                            f'cột {item["cot"]} không phải.')
            return None
        return Criterion(code, name, method, points, column=item["cot"], table=table)
    if not known_column(item.get("tu_so"), "tu_so", at, enum=False):
        return None
    if method == "ty_le" and not known_column(item.get("mau_so"), "mau_so", at, enum=False):
        return None
    thresholds: list[Threshold] = []
    raw_thresholds = item.get("nguong")
    if not isinstance(raw_thresholds, list) or not raw_thresholds:
        problems.append(f"{at}: thiếu nguong, ví dụ nguong = [{{ tu = 70, diem = 15 }}, {{ tu = 50, diem = 10 }}].")
        return None
    for threshold in raw_thresholds:
        if not isinstance(threshold, Mapping) or ("tu" in threshold) == ("tren" in threshold):
            problems.append(f"{at}: mỗi ngưỡng cần đúng một trong tu (từ … trở lên) hoặc tren (trên …), và diem.")
            continue
        key = "tu" if "tu" in threshold else "tren"
        thresholds.append(Threshold(number(threshold, key, at), number(threshold, "diem", at, high=points),
                                    strict=key == "tren"))
    bounds = [t.bound for t in thresholds]
    if bounds != sorted(bounds, reverse=True):
        problems.append(f"{at}: các ngưỡng cần xếp từ cao xuống thấp.")
    return Criterion(code, name, method, points, numerator=item["tu_so"], denominator=item.get("mau_so"),
                     thresholds=tuple(thresholds))


def _table(raw: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    """A TOML table of the file, or an empty one when it is missing or not a table."""
    value = raw.get(key)
    return value if isinstance(value, Mapping) else {}


