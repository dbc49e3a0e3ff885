"""The command line: ``python -m pipeline <lệnh>`` — a thin shell over the stage modules (SPEC §10).

Everything printed is Vietnamese. Exit status: 0 when the run completed (rejected files are results),
2 for a usage or configuration error, 1 for an internal failure (the details go to a log file, never a
traceback on screen).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import traceback
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path

from pipeline import __version__
from pipeline.config.load import Config, ConfigError
from pipeline.vi.numbers import vi_number

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2

# argparse's own words, in Vietnamese (argparse looks its strings up through gettext at call time).
_ARGPARSE_VI = {
    "usage: ": "Cách dùng: ",
    "positional arguments": "Tham số",
    "options": "Tùy chọn",
    "show this help message and exit": "hiện hướng dẫn này rồi thoát",
    "show program's version number and exit": "hiện phiên bản chương trình rồi thoát",
    "the following arguments are required: %s": "thiếu tham số bắt buộc: %s",
    "unrecognized arguments: %s": "không hiểu tham số: %s",
    "invalid choice: %(value)r (choose from %(choices)s)": "lựa chọn không hợp lệ: %(value)r (chọn một trong %(choices)s)",
    "argument %(argument_name)s: %(message)s": "tham số %(argument_name)s: %(message)s",
    "expected one argument": "cần một giá trị",
    "expected at least one argument": "cần ít nhất một giá trị",
    "expected at most one argument": "cần nhiều nhất một giá trị",
    "ignored explicit argument %r": "bỏ qua giá trị %r",
    "invalid %(type)s value: %(value)r": "giá trị không hợp lệ: %(value)r",
    "%(prog)s: error: %(message)s\n": "%(prog)s: lỗi: %(message)s\n",
    "not allowed with argument %s": "không dùng cùng với tham số %s",
    "one of the arguments %s is required": "cần một trong các tham số %s",
    "ambiguous option: %(option)s could match %(matches)s": "tùy chọn không rõ: %(option)s có thể là %(matches)s",
}


def _vi_gettext(message: str) -> str:
    return _ARGPARSE_VI.get(message, message)


def _vi_ngettext(singular: str, plural: str, n: int) -> str:
    return _vi_gettext(singular if n == 1 else plural)


argparse._ = _vi_gettext  # type: ignore[attr-defined]
argparse.ngettext = _vi_ngettext  # type: ignore[attr-defined]


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors exit with status 2 and a hint in Vietnamese."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: lỗi: {message}\nXem thêm: {self.prog} --help\n")


def build_parser() -> argparse.ArgumentParser:
    """The parser of every command, with Vietnamese help."""
    parser = _Parser(
        prog="python -m pipeline",
        description="Tổng hợp hồ sơ đề nghị biểu dương điển hình tiên tiến của các công đoàn cơ sở ngành "
                    "Giáo dục. Mỗi lệnh có hướng dẫn riêng: python -m pipeline <lệnh> --help",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}",
                        help="hiện phiên bản chương trình rồi thoát")  # argparse's default help is English
    commands = parser.add_subparsers(dest="command", title="Các lệnh", metavar="<lệnh>", parser_class=_Parser)

    def command(name: str, help_text: str, description: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=description)
        sub.set_defaults(command=name)
        return sub

    def year(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("--year", metavar="NĂM_HỌC",
                         help="năm học, ví dụ 2018-2019 (mặc định: năm học hiện tại trong config/cai_dat.toml)")

    def config(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("--config", metavar="THƯ_MỤC", type=Path, default=Path("config"),
                         help="thư mục cấu hình (mặc định: config)")

    def inbox(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("--inbox", metavar="THƯ_MỤC", type=Path, default=Path("inbox"),
                         help="thư mục chứa các tệp các trường gửi về (mặc định: inbox)")

    def outbox(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("--outbox", metavar="THƯ_MỤC", type=Path, default=Path("outbox"),
                         help="thư mục ghi kết quả (mặc định: outbox)")

    sub = command("template", "tạo biểu mẫu Excel gửi các trường",
                  "Tạo biểu mẫu điển hình tiên tiến của một năm học, ghi vào "
                  "outbox/<năm học>/template/Mau_DienHinh_<năm học>.xlsx (danh mục có hàng nghìn đơn vị: mỗi địa "
                  "bàn một biểu mẫu, Mau_DienHinh_<năm học>_<địa bàn>.xlsx).")
    year(sub)
    config(sub)
    outbox(sub)

    sub = command("consolidate", "tổng hợp các tệp trong inbox",
                  "Đọc, kiểm tra, chấm điểm mọi tệp trong inbox; ghi bản tổng hợp, phản hồi cho từng đơn vị "
                  "và manifest.json vào outbox/<năm học>/.")
    year(sub)
    config(sub)
    inbox(sub)
    outbox(sub)
    sub.add_argument("--rollup", action="store_true",
                     help="tổng hợp cấp trên: inbox chứa các bản tổng hợp TongHop_DienHinh của các cơ quan cấp dưới "
                          "(chấm lại theo tiêu chí cấp này)")
    sub.add_argument("--workers", metavar="N", type=int, default=None,
                     help="số tiến trình đọc tệp và ghi phản hồi song song (mặc định: theo số nhân CPU; 0: làm "
                          "tất cả trong một tiến trình, chậm hơn nhưng ít bộ nhớ nhất)")

    sub = command("check", "kiểm tra một hay nhiều tệp, không ghi gì",
                  "Kiểm tra các tệp như khi tổng hợp và in các lỗi, cảnh báo; không ghi tệp nào.")
    sub.add_argument("files", metavar="TỆP", nargs="+", type=Path, help="các tệp Excel cần kiểm tra")
    year(sub)
    config(sub)

    sub = command("demo", "tạo dữ liệu mẫu (hư cấu) vào inbox",
                  "Điền biểu mẫu cho các đơn vị trong danh mục bằng dữ liệu hư cấu, có một phần tệp cố ý "
                  "sai để thử chương trình.")
    year(sub)
    sub.add_argument("--units", metavar="N", type=int, help="số đơn vị (mặc định: cả danh mục mẫu)")
    sub.add_argument("--seed", metavar="S", type=int, default=2020, help="hạt giống ngẫu nhiên (mặc định: 2020)")
    sub.add_argument("--faulty", metavar="TỶ_LỆ", type=float, default=0.15,
                     help="tỷ lệ tệp có lỗi, từ 0 đến 1 (mặc định: 0.15)")
    sub.add_argument("--period", action="store_true",
                     help="cả giai đoạn: dữ liệu mẫu liên tục qua các năm học đến năm hiện tại (mỗi năm một thư mục "
                          "con của --inbox), biểu mẫu và bản tổng hợp từng năm vào --outbox, rồi tổng kết giai đoạn")
    config(sub)
    inbox(sub)
    sub.add_argument("--outbox", type=Path, default=Path("outbox"), metavar="THƯ_MỤC",
                     help="với --period: thư mục kết quả (mặc định: outbox)")

    sub = command("review", "tổng kết giai đoạn nhiều năm học",
                  "Tổng kết giai đoạn: điển hình qua các năm học, nhân tố mới, xu hướng theo địa bàn, cấp học.")
    sub.add_argument("--from", dest="first", metavar="NĂM_HỌC", default="2017-2018",
                     help="năm học đầu (mặc định: 2017-2018)")
    sub.add_argument("--to", dest="last", metavar="NĂM_HỌC", default="2019-2020",
                     help="năm học cuối (mặc định: 2019-2020)")
    config(sub)
    outbox(sub)

    sub = command("bench", "đo tốc độ và bộ nhớ",
                  "Tạo dữ liệu mẫu cho nhiều đơn vị, đo thời gian, số tệp mỗi giây, bộ nhớ tối đa.")
    sub.add_argument("--units", metavar="N", type=int, default=700, help="số đơn vị (mặc định: 700)")
    sub.add_argument("--repeat", metavar="K", type=int, default=1,
                     help="số lần đo chương trình và mức sàn, báo trung vị (mặc định: 1; mục tiêu đo với 3)")
    year(sub)
    config(sub)
    return parser


PROBLEMS_SHOWN = 20  # configuration problems listed (one wrong column of a 50,000-row roster is 50,000 of them)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; return the exit status."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(encoding="utf-8", errors="replace")
    if not sys.warnoptions:  # a library's warning is English for maintainers (python -W shows them), never for staff
        warnings.simplefilter("ignore")
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    handler = _HANDLERS.get(args.command, _not_yet)
    try:
        return handler(args)
    except ConfigError as error:
        print("Lỗi cấu hình — cần sửa rồi chạy lại:", file=sys.stderr)
        for problem in error.problems[:PROBLEMS_SHOWN]:
            print(f"  • {problem}", file=sys.stderr)
        if len(error.problems) > PROBLEMS_SHOWN:
            print(f"  … và {vi_number(len(error.problems) - PROBLEMS_SHOWN)} lỗi khác: sửa các lỗi trên rồi chạy lại để "
                  "xem tiếp.", file=sys.stderr)
        return EXIT_USAGE
    except PermissionError as error:  # an output open in Excel on Windows, a read-only folder…
        where = error.filename2 or error.filename or ""
        print(f'Không ghi được "{where}": tệp đang mở (trong Excel?) hoặc thư mục không cho ghi. Hãy đóng tệp '
              "hoặc chọn thư mục khác rồi chạy lại; các tệp kết quả cũ vẫn còn nguyên.", file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        print("\nĐã dừng theo yêu cầu; các tệp kết quả cũ không bị thay đổi.", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the summary piped into a program that stopped reading (| head): the run is done
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error when Python exits
        except (OSError, ValueError, AttributeError):
            pass
        return EXIT_OK
    except OSError as error:  # writing an output: a full or read-only disk, a path too long…
        if not (error.filename2 or error.filename):
            return _internal_error()  # not about a file: a fault of ours
        from pipeline.intake.discover import describe_write_error

        print(f'Không ghi được "{error.filename2 or error.filename}" ({describe_write_error(error)}). Hãy sửa rồi chạy '
              "lại; các tệp kết quả cũ vẫn còn nguyên.", file=sys.stderr)
        return EXIT_FAILURE
    except Exception:  # noqa: BLE001 — the last line of defence: no traceback reaches a user
        return _internal_error()


def _internal_error() -> int:
    """Log the exception being handled for the maintainers; tell the user where the log is."""
    log = Path(tempfile.gettempdir()) / f"pipeline-loi-{dt.datetime.now():%Y%m%d-%H%M%S}.log"
    log.write_text(traceback.format_exc(), encoding="utf-8")
    print(f"Lỗi nội bộ của chương trình (không phải lỗi của dữ liệu). Chi tiết đã ghi vào {log}; "
          "xin gửi tệp này cho bộ phận kỹ thuật.", file=sys.stderr)
    return EXIT_FAILURE


def _load(directory: Path) -> Config:
    """The configuration, through the orchestrator (which guards its workbook like any submission)."""
    from pipeline.run import load_configuration

    return load_configuration(directory)


def _template(args: argparse.Namespace) -> int:
    from pipeline.run import make_template

    config = _load(args.config)
    year, templates = make_template(config, config.check_year(args.year), args.outbox)
    if len(templates) == 1:
        print(f"Đã tạo biểu mẫu năm học {year.school_year}:")
        print(f"  {templates[0].path}")
        print(f"  {templates[0].units} đơn vị trong danh sách chọn mã đơn vị; gửi tệp này cho các trường.")
        return EXIT_OK
    print(f"Danh mục có {vi_number(len(year.units))} đơn vị, quá nhiều cho một danh sách chọn mã: đã tạo "
          f"{len(templates)} biểu mẫu năm học {year.school_year}, mỗi địa bàn một biểu mẫu. Gửi mỗi trường biểu mẫu "
          "của địa bàn mình:")
    for template in templates:
        print(f"  {template.path}  ({template.area}: {template.units} đơn vị)")
    return EXIT_OK


class _Progress:
    """A one-line progress bar on stderr (only when it is a terminal)."""

    def __init__(self, label: str) -> None:
        self.total, self.done, self.label, self.live = 0, 0, label, False

    def start(self, total: int) -> None:
        self.total = total
        self.live = sys.stderr.isatty() and total > 0

    def step(self, step: int) -> None:
        self.done += step
        if self.live:
            filled = int(30 * self.done / self.total)
            print(f"\r{self.label} [{'#' * filled}{'.' * (30 - filled)}] {self.done}/{self.total}", end="",
                  file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.live:
            print(file=sys.stderr)


def _consolidate(args: argparse.Namespace) -> int:
    from pipeline.intake.outcome import STATUS_LABEL
    from pipeline.run import Progress, RunError, consolidate_year

    config = _load(args.config)
    year = config.check_year(args.year)
    bar = _Progress("Đang đọc các tệp")
    if args.workers is not None and args.workers < 0:
        print(f"--workers {args.workers}: cần một số từ 0 trở lên (0: một tiến trình).", file=sys.stderr)
        return EXIT_USAGE
    try:
        done = consolidate_year(config, year, args.inbox, args.outbox, progress=Progress(bar.start, bar.step),
                                rollup=args.rollup, workers=args.workers)
    except RunError as error:
        print(error, file=sys.stderr)
        return EXIT_USAGE
    finally:
        bar.close()
    intake = done.intake
    counts: dict[str, int] = {}
    for outcome in intake.outcomes:
        counts[outcome.status] = counts.get(outcome.status, 0) + 1
    what = "Tổng hợp cấp trên (các bản tổng hợp của cơ quan cấp dưới)" if args.rollup else "Tổng hợp"
    print(f"{what} năm học {year}: {len(intake.outcomes)} tệp trong {args.inbox}")
    width = max(len(label) for label in STATUS_LABEL.values())
    for status, label in STATUS_LABEL.items():
        print(f"  {label:<{width}}  {counts.get(status, 0):>5}")
    print(f"  {'Số lỗi / cảnh báo':<{width}}  {sum(o.errors for o in intake.outcomes):>5} / "
          f"{sum(o.warnings for o in intake.outcomes)}")
    figures = dict(done.consolidation.figures)
    for label in ("Tập thể được đề nghị", "Tập thể đề nghị biểu dương", "Cá nhân được đề nghị",
                  "Cá nhân đề nghị biểu dương"):
        print(f"  {label:<{width}}  {figures[label]:>5}")
    print(f"Kết quả: {done.folder}")
    print(f"  bản tổng hợp: {done.summary}")
    print(f"  hồ sơ đề nghị (tờ trình và danh sách, để trình ký): {done.dossier}")
    unknown = len(done.unattributed)
    whom = f"{len(done.feedback)} đơn vị" + (f" và {unknown} tệp chưa rõ đơn vị" if unknown else "")
    print(f"  phản hồi cho {whom} ({len(done.marked)} tệp đánh dấu ô lỗi): "
          f"{done.folder / 'phan_hoi'}")
    print(f"  danh sách tệp đã xử lý: {done.manifest}")
    return EXIT_OK


def _check(args: argparse.Namespace) -> int:
    from pipeline.intake.outcome import STATUS_LABEL
    from pipeline.run import RunError, check_files

    config = _load(args.config)
    try:
        intake = check_files(config, config.check_year(args.year), args.files)
    except RunError as error:
        print(error, file=sys.stderr)
        return EXIT_USAGE
    for outcome in intake.outcomes:
        unit = f" — đơn vị {outcome.unit}" if outcome.unit else ""
        reason = f" ({outcome.reason})" if outcome.reason else ""
        print(f"{outcome.file.path}{unit}: {STATUS_LABEL[outcome.status]}{reason}; "
              f"{outcome.errors} lỗi, {outcome.warnings} cảnh báo")
        for finding in outcome.findings:
            print(f"  [{finding.rule}] {finding.message()}")
    return EXIT_OK


def _demo(args: argparse.Namespace) -> int:
    from pipeline.samples.demo import clear_demo_inbox, mark_demo_inbox, write_demo

    config = _load(args.config)
    year = config.check_year(args.year)
    if not 0 <= args.faulty <= 1:
        print(f"--faulty {args.faulty}: cần một tỷ lệ từ 0 đến 1, ví dụ 0.15.", file=sys.stderr)
        return EXIT_USAGE
    if args.units is not None and args.units < 1:
        print(f"--units {args.units}: cần một số đơn vị lớn hơn 0.", file=sys.stderr)
        return EXIT_USAGE
    inbox: Path = args.inbox
    if args.period:
        return _demo_period(args, config)
    refusal = clear_demo_inbox(inbox)
    if refusal is not None:
        print(refusal, file=sys.stderr)
        return EXIT_USAGE
    result = write_demo(config, year, inbox, units=args.units, seed=args.seed, faulty=args.faulty)
    mark_demo_inbox(result)
    faulty_files = len(result.expected)
    print(f"Đã tạo {result.submissions} tệp bài nộp mẫu (hư cấu) năm học {year} trong {inbox}:")
    print(f"  {result.submissions - faulty_files} tệp bình thường, {faulty_files} tệp cố ý có lỗi (hạt giống "
          f"{args.seed}), và {len(result.files) - result.submissions} tệp không phải bài nộp")
    if result.config_dir is not None:
        print(f"  danh mục {args.units} đơn vị mẫu ở {result.config_dir}; tổng hợp với --config {result.config_dir}")
    return EXIT_OK


def _review(args: argparse.Namespace) -> int:
    from pipeline.run import RunError, review_period

    config = _load(args.config)
    try:
        done = review_period(config, args.first, args.last, args.outbox)
    except RunError as error:
        print(error, file=sys.stderr)
        return EXIT_USAGE
    period = done.period
    print(f"Tổng kết giai đoạn {period.years[0]} đến {period.years[-1]}: đã đọc bản tổng hợp {len(period.present)} "
          f"năm học ({', '.join(period.present)})")
    for note in period.notes:
        print(f"  • {note}")
    figures = period.figures.set_index("chi_tieu")
    last = period.present[-1]
    width = 44
    for label, value in (
            ("Tập thể được nhận ra qua các năm", len(period.collectives)),
            ("Cá nhân được nhận ra qua các năm", len(period.individuals)),
            (f"Tập thể là điển hình năm {last}", figures.loc["Tập thể là điển hình", last]),
            (f"Cá nhân là điển hình năm {last}", figures.loc["Cá nhân là điển hình", last]),
            ("Điển hình của giai đoạn (đề nghị tôn vinh)", len(period.honours_collective) + len(period.honours_individual)),
            ("Trường hợp cần cán bộ xác nhận", int((period.uncertain["xac_nhan"] == "").sum()) if len(period.uncertain)
             else 0)):
        print(f"  {label:<{width}}  {int(value):>5}")
    print(f"Kết quả: {done.path}")
    print("  Cần xác nhận: chép các dòng cần xác nhận (cùng dòng tiêu đề) sang config/lien_ket.xlsx, ghi Có hoặc "
          "Không ở cột cuối, rồi chạy lại lệnh này.")
    return EXIT_OK


def _demo_period(args: argparse.Namespace, config: Config) -> int:
    from pipeline.run import RunError, demo_period

    if args.units is not None or args.year is not None:
        print("--period tạo dữ liệu cho mọi đơn vị của danh mục qua các năm học; không dùng cùng --units hay --year.",
              file=sys.stderr)
        return EXIT_USAGE
    try:
        years, reviewed, rollup = demo_period(config, args.inbox, args.outbox, seed=args.seed, faulty=args.faulty)
    except RunError as error:
        print(error, file=sys.stderr)
        return EXIT_USAGE
    print(f"Chạy thử trên dữ liệu mẫu (hư cấu, hạt giống {args.seed}) cho {len(years)} năm học:")
    for year in years:
        figures = dict(year.consolidated.consolidation.figures)
        print(f"  {year.school_year}: {year.written} tệp bài nộp mẫu ({year.faulty} tệp cố ý có lỗi) trong {year.inbox}; "
              f"{figures['Tập thể đề nghị biểu dương']} tập thể, {figures['Cá nhân đề nghị biểu dương']} cá nhân đề "
              "nghị biểu dương")
    print("Kết quả:")
    for year in years:
        done = year.consolidated
        print(f"  {year.school_year}: biểu mẫu {year.template}")
        print(f"  {'':9}  bản tổng hợp {done.summary}")
        print(f"  {'':9}  hồ sơ đề nghị {done.dossier}")
        print(f"  {'':9}  phản hồi cho {len(done.feedback)} đơn vị: {done.folder / 'phan_hoi'}")
    period = reviewed.period
    pending = int((period.uncertain["xac_nhan"] == "").sum()) if len(period.uncertain) else 0
    print(f"  Tổng kết giai đoạn {period.years[0]} đến {period.years[-1]}: {reviewed.path}")
    print(f"  {'':9}  {len(period.collectives)} tập thể, {len(period.individuals)} cá nhân nhận ra qua các năm; "
          f"{pending} trường hợp cần xác nhận (trang Cần xác nhận)")
    upper = rollup.upper
    print(f"  Tổng hợp cấp trên năm học {years[-1].school_year} (thử lệnh consolidate --rollup, cấu hình "
          f"{rollup.config}): bản tổng hợp của {len(upper.intake.winners)} cơ quan cấp dưới → {upper.summary}")
    return EXIT_OK


def _bench(args: argparse.Namespace) -> int:
    from pipeline.samples.bench import format_results, run_bench

    config = _load(args.config)
    year = config.check_year(args.year)
    if args.units < 1 or args.repeat < 1:
        print(f"--units {args.units} --repeat {args.repeat}: cần số lớn hơn 0.", file=sys.stderr)
        return EXIT_USAGE
    print(f"Đo với {args.units} đơn vị, năm học {year} (tạo dữ liệu mẫu trước, có thể mất vài phút)…")
    print(format_results(run_bench(config, year, args.units, repeat=args.repeat)))
    return EXIT_OK


def _not_yet(args: argparse.Namespace) -> int:
    print(f'Lệnh "{args.command}" chưa có trong phiên bản {__version__} của chương trình.', file=sys.stderr)
    return EXIT_USAGE


_HANDLERS: dict[str, Callable[[argparse.Namespace], int]] = {
    "template": _template,
    "consolidate": _consolidate,
    "check": _check,
    "demo": _demo,
    "bench": _bench,
    "review": _review,
}
