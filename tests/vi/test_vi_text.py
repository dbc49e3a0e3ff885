"""Tests for pipeline.vi.text (cleaning, matching keys) and pipeline.vi.legacy (TCVN3 and VNI text)."""

from __future__ import annotations

import shutil
import subprocess
import unicodedata
from collections.abc import Callable
from random import Random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.vi.legacy import (
    TCVN3,
    TCVN3_TO_UNICODE,
    VNI,
    VNI_TO_UNICODE,
    convert_legacy,
    detect_legacy,
    encoding_of_font,
    fix_legacy,
)
from pipeline.vi.text import canonical_key, clean_text, is_vietnamese_syllable, loose_key

TONES = ("\u0301", "\u0300", "\u0309", "\u0303", "\u0323")  # sắc, huyền, hỏi, ngã, nặng (VNI row order)
VOWELS = "aăâeêioôơuưy"


def nfc(text: str) -> str:
    """Return text in NFC."""
    return unicodedata.normalize("NFC", text)


def nfd(text: str) -> str:
    """Return text in NFD."""
    return unicodedata.normalize("NFD", text)


# The 134 precomposed Vietnamese letters: 12 vowels x 5 tones, ă â ê ô ơ ư đ, each in both cases.
LOWER_LETTERS = [nfc(vowel + tone) for vowel in VOWELS for tone in TONES] + list("ăâêôơưđ")
PRECOMPOSED = LOWER_LETTERS + [letter.upper() for letter in LOWER_LETTERS]
FONTS = (None, ".VnTime", ".VnTimeH", "VNI-Times")

# Real Vietnamese text: names, places (Hoà Bình first), school and form words, tricky syllables.
CORPUS = """
Nguyễn Thị Hương; Bùi Văn Đức; Trần Thị Thu Hà; Lê Văn Hùng; Phạm Thị Ngọc Ánh; Hoàng Minh Tuấn
Huỳnh Thị Thanh Thúy; Phan Văn Dũng; Vũ Thị Thuỷ; Võ Quốc Bảo; Đặng Thị Kim Oanh; Đỗ Hữu Nghĩa
Hồ Thị Mỹ Linh; Ngô Quang Vinh; Dương Thị Quỳnh Như; Lý Văn Lợi; Đào Thị Hồng Nhung; Đinh Công Khánh
Mai Thị Phương Thảo; Trương Văn Thắng; Lưu Thị Bích Ngọc; Lâm Hoàng Phúc; Tạ Thị Diệu Linh; Hà Văn Toàn
Cao Thị Huyền Trang; Quách Văn Hòa; Tô Thị Lan Anh; Thái Văn Hải; Vương Thị Yến; Triệu Văn Khoa
Kiều Thị Loan; Lương Văn Sơn; Mạc Thị Hằng; Tôn Nữ Hoài Thương; Thân Văn Tài; Châu Thị Kiều Diễm
Chu Văn An; Doãn Thị Hạnh; Giang Văn Trung; La Thị Xuân; Phùng Văn Cường; Tăng Thị Mai; Từ Văn Lực
Văn Thị Hoà; Âu Thị Ngân; Đàm Văn Quý; Lục Thị Qúy; Nông Văn Dền; Lò Thị Hiền; Hứa Văn Tiến
Kim Thị Cúc; Sầm Văn Tín; Ông Thị Thu; Ninh Văn Khải; Thạch Thị Sương; Tống Văn Nghị; Diệp Thị Tuyết
Đoàn Văn Quyết; Cù Thị Huệ; Bạch Văn Trọng; Hàn Thị Vân; Khổng Văn Toản; Mã Thị Liên; Nghiêm Văn Thiện
Giáp Thị Khuyên; Lã Văn Chiến; Phó Thị Duyên; Phí Văn Thịnh; Trịnh Thị Uyên; Nguyễn Ngọc Khuê
Trần Văn Khoẻ; Lê Thị Khỏe; Phạm Văn Huỷ; Hoàng Thị Hủy; Nguyễn Thị Gia; Trần Thị Giạ
Hòa Bình; Lương Sơn; Mường; Kim Bôi; Lạc Sơn; Tân Lạc; Mai Châu; Đà Bắc; Cao Phong; Yên Thủy; Lạc Thủy
Kỳ Sơn; Thái Bình; Nam Định; Ninh Bình; Thanh Hóa; Nghệ An; Hà Tĩnh; Quảng Bình; Quảng Trị
Thừa Thiên Huế; Đà Nẵng; Quảng Ngãi; Bình Định; Phú Yên; Khánh Hòa; Ninh Thuận; Bình Thuận; Kon Tum
Gia Lai; Đắk Lắk; Đắk Nông; Lâm Đồng; Bình Phước; Tây Ninh; Bình Dương; Đồng Nai; Bà Rịa Vũng Tàu
Long An; Tiền Giang; Bến Tre; Trà Vinh; Vĩnh Long; Đồng Tháp; An Giang; Kiên Giang; Cần Thơ; Hậu Giang
Sóc Trăng; Bạc Liêu; Cà Mau; Lào Cai; Yên Bái; Lai Châu; Sơn La; Điện Biên; Hà Giang; Tuyên Quang
Cao Bằng; Bắc Kạn; Lạng Sơn; Thái Nguyên; Phú Thọ; Vĩnh Phúc; Bắc Giang; Bắc Ninh; Quảng Ninh
Hải Dương; Hải Phòng; Hưng Yên; Hà Nam; Hà Nội; Thành phố Hồ Chí Minh; Buôn Ma Thuột; Krông Pắc
Ea Kar; Chư Prông; Ia Grai; Trường Mầm non Hoa Sen; Trường Tiểu học Kim Đồng
Trường Trung học cơ sở Lê Quý Đôn; Trường Trung học phổ thông Chuyên; Trường Phổ thông Dân tộc Nội trú
Công đoàn Giáo dục huyện; Công đoàn cơ sở; Ban Chấp hành; Giáo viên; Hiệu trưởng; Phó Hiệu trưởng
Nhân viên; Tổ trưởng chuyên môn; Lao động tiên tiến; Chiến sĩ thi đua cơ sở; Tập thể lao động xuất sắc
Tập thể lao động tiên tiến; Bằng khen; Giấy khen; Kỷ luật; Khiển trách; Cảnh cáo; Năm học; Đơn vị
Họ và tên; Chức vụ; Ghi chú; Số thứ tự; Hướng dẫn; Cá nhân; Danh hiệu; Xếp loại; Hoàn thành tốt nhiệm vụ
Hoàn thành xuất sắc nhiệm vụ; Ngày sinh; Giới tính; Nam; Nữ; Quê quán; Dân tộc Kinh; Điện thoại
Tày Thái Mường Nùng Hmông Dao; Thư điện tử; Đạt; Không đạt; Có; Không; Ý kiến; Người lập biểu
Xác nhận của thủ trưởng đơn vị; Ngày tháng năm; Tổng số; Tỷ lệ; Điểm trung bình; Sáng kiến kinh nghiệm
Đề tài khoa học; Phong trào thi đua; Giỏi; Khá; Trung bình; Yếu; Kém
khuya khuỷu ngoằn ngoèo quạu quạnh quý quýt quyển quyết quả quà quẹo quở
giặc giữa giường giếng gìn gì giận giỏi già gieo giúp; người rượu bưởi cười tươi mười lười
thuở huơ khuya tuyệt nguyệt khuyến uyển; thôi thuế thuê huệ tuệ khuê; oải oặt ngoặt hoặc xoắn thoăn
ngoẹo xoong boong; ếch ốc ánh ách ẩm ấm ẩn ở ừ ý ấy ai ao âu ơi ôi ui ưu; nghĩ nghe nghề nghiêng nghìn
kẻ kê kì kỳ kỹ kĩ kiếm kiến kính kịp kết kém; ghế ghi ghé ghét; cá cò cú cơm của cửa cũng cũ cảm cấp cục
ăn uống ở mặc học hành chơi; Anh Em Ông Bà Cô Chú Dì Bác Cậu Mợ Thím
xin chào các bạn hôm nay trời đẹp quá; Hoà Hòa Thuý Thúy Toàn Toản Hoàn Khoa Khoá Khóa Loan Loãn
"""
PHRASES = [phrase.strip() for line in CORPUS.strip().splitlines() for phrase in line.split(";")]
WORDS = sorted({word for phrase in PHRASES for word in phrase.split()})
LOAN_WORDS = {
    "Ea",
    "Grai",
    "Hmông",
    "Kar",
    "Kon",
    "Krông",
    "Kạn",
    "Lắk",
    "Prông",
    "Đắk",
}  # break the orthography

NOT_VIETNAMESE = [
    "", "Hello world", "Total 12,500", "N/A", "2018-2019", "03/04/2024", "12.500", "1.234.567,89",
    "© 2024 Company®", "Price £5 ½ off", "Microsoft® Excel", "naïve café résumé", "Où est la gare ?",
    "Noël", "crème brûlée", "Ça va très bien, merci", "Champs-Élysées", "Müller", "Zürich", "Smørrebrød",
    "Señor Peña", "mañana", "São Paulo", "Ærø", "Façade", "déjà vu", "Dvořák", "Łódź", "×", "÷", "«»",
    "x² + y³", "10 × 20 ÷ 5", "José Martí", "Björk", "Göteborg", "ça", "où", "là", "été", "hôtel",
]  # fmt: skip

# --- independent encoders: built from the encodings' rules, not by inverting the module's tables ---

# TCVN3 by position: 0xA1-0xAE, then 0xB5-0xFE with "_" where VN3 has no letter.
TCVN3_AT_A1 = "ĂÂÊÔƠƯĐăâêôơưđ"
TCVN3_AT_B5 = "àảãáạ_ằẳẵắ_______ặầẩẫấậè_ẻẽéẹềểễếệìỉ___ĩíịò_ỏõóọồổỗốộờởỡớợù_ủũúụừửữứựỳỷỹýỵ"
TCVN3_ENCODE = {
    **{letter: chr(0xA1 + index) for index, letter in enumerate(TCVN3_AT_A1)},
    **{letter: chr(0xB5 + index) for index, letter in enumerate(TCVN3_AT_B5) if letter != "_"},
}

# VNI by composition: base letter + tone character, hat/breve + tone characters, stand-alone letters.
VNI_TONE = dict(zip(TONES, "ùøûõï", strict=True))
VNI_HAT = dict(zip(("", *TONES), "âáàåãä", strict=True))
VNI_BREVE = dict(zip(("", *TONES), "êéèúüë", strict=True))
VNI_I = dict(zip(("", *TONES), "iíìæóò", strict=True))


def vni_encode_letter(letter: str) -> str:
    """Encode one Vietnamese letter (or any other character) the way VNI-Windows types it."""
    upper = letter.isupper()
    lower = letter.lower()
    if lower == "đ":
        return "Ñ" if upper else "ñ"
    base, marks = nfd(lower)[0], nfd(lower)[1:]
    tone = next((mark for mark in marks if mark in TONES), "")
    modifier = next((mark for mark in marks if mark not in TONES), "")
    if base not in "aeiouy" or len(marks) > 2:
        return letter
    if base == "i":
        encoded = VNI_I[tone]
    elif base == "y" and tone == "\u0323":
        encoded = "î"
    elif modifier == "\u0302":
        encoded = base + VNI_HAT[tone]
    elif modifier == "\u0306":
        encoded = base + VNI_BREVE[tone]
    elif modifier == "\u031b":
        encoded = {"o": "ô", "u": "ö"}[base] + VNI_TONE.get(tone, "")
    else:
        encoded = base + VNI_TONE.get(tone, "")
    return encoded.upper() if upper else encoded


def tcvn3_encode(text: str) -> str:
    """Encode text as a .VnTime typist would: capitals with tones come out lowercase."""
    return "".join(TCVN3_ENCODE.get(char, TCVN3_ENCODE.get(char.lower(), char)) for char in text)


def vni_encode(text: str) -> str:
    """Encode text in VNI-Windows."""
    return "".join(vni_encode_letter(char) for char in nfc(text))


# --- syllables from the rhymes of Vietnamese; the capital marks the vowel that takes the tone (new style)

RHYMES = """
A Ai Ao Au Ay Ac Ach Am An Ang Anh Ap At Ăc Ăm Ăn Ăng Ăp Ăt Âc Âm Ân Âng Âp Ât Âu Ây
E Ec Em En Eng Eo Ep Et Ê Êch Êm Ên Ênh Êp Êt Êu I Ia Ich Im In Inh Ip It Iu
iÊc iÊm iÊn iÊng iÊp iÊt iÊu O Oc Oi Om On Ong Op Ot
oA oAc oAch oAi oAm oAn oAng oAnh oAp oAt oAy oĂc oĂm oĂn oĂng oĂt oE oEn oEo oEt oOc oOng
Ô Ôc Ôi Ôm Ôn Ông Ôp Ôt Ơ Ơi Ơm Ơn Ơp Ơt U Ua Uc Ui Um Un Ung Up Ut
uÂn uÂng uÂt uÂy uÊ uÊch uÊnh uÔc uÔi uÔm uÔn uÔng uÔt uƠ
uY uYa uYch uyÊn uyÊt uYnh uYt uYu Ư Ưa Ưc Ưi Ưng Ưt Ưu ưƠc ưƠi ưƠm ưƠn ưƠng ưƠp ưƠt ưƠu
Y yÊm yÊn yÊt yÊu
""".split()
OLD_STYLE = {"oA": "Oa", "oE": "Oe", "uY": "Uy"}  # open oa, oe, uy: old style marks the first vowel
FREE_ONSETS = [
    "",
    "b",
    "ch",
    "d",
    "đ",
    "h",
    "kh",
    "l",
    "m",
    "n",
    "nh",
    "ph",
    "r",
    "s",
    "t",
    "th",
    "tr",
    "v",
    "x",
]


def onsets_for(rhyme: str) -> list[str]:
    """Return the initial consonants that standard spelling allows before a rhyme."""
    first = rhyme[0].lower()
    if rhyme.lower().startswith("yê"):
        return [""]
    if first == "y":
        return ["", "h", "k", "l", "m", "s", "t", "v", "qu"]
    if first == "i":
        return [*FREE_ONSETS[1:], "k", "gh", "ngh"] if rhyme.lower().startswith("iê") else [*FREE_ONSETS, "k"]
    if first in "eê":
        return [*FREE_ONSETS, "k", "gh", "ngh", "gi", "qu"]
    return [*FREE_ONSETS, "c", "g", "ng", "gi", *(["qu"] if first in "aăâơ" else [])]


def tones_for(rhyme: str) -> tuple[str, ...]:
    """Return the tones a rhyme takes: only sắc and nặng after c, ch, p, t; "oong" takes none."""
    if rhyme.lower() == "oong":
        return ("",)
    if rhyme.lower().endswith(("c", "ch", "p", "t")):
        return ("\u0301", "\u0323")
    return ("", *TONES)


def spell(onset: str, rhyme: str, tone: str) -> str:
    """Spell a syllable with the tone on the vowel the rhyme marks with a capital."""
    return nfc(onset + "".join(char.lower() + (tone if char.isupper() else "") for char in rhyme))


SYLLABLES = [
    (onset, rhyme, tone) for rhyme in RHYMES for onset in onsets_for(rhyme) for tone in tones_for(rhyme)
]
NEW_STYLE = [spell(*syllable) for syllable in SYLLABLES]
OLD_STYLE_WORDS = [
    spell(onset, OLD_STYLE.get(rhyme, rhyme), tone) for onset, rhyme, tone in SYLLABLES if rhyme in OLD_STYLE
]
GENUINE_WORDS = sorted({*NEW_STYLE, *OLD_STYLE_WORDS, *WORDS})


def every_placement(word: str) -> list[str]:
    """Return the word with its one tone mark moved to each of its vowels in turn."""
    letters = [nfc("".join(mark for mark in nfd(char) if mark not in TONES)) for char in word]
    tone = next((mark for mark in nfd(word) if mark in TONES), "")
    return [
        nfc("".join(letters[:index]) + letter + tone + "".join(letters[index + 1 :]))
        for index, letter in enumerate(letters)
        if letter.lower() in VOWELS
    ]


vietnamese_letters = st.sampled_from([*PRECOMPOSED, *"abcdeghiklmnopqrstuvxyABCDEGHIKLMNOPQRSTUVXY"])
# Vietnamese letters mixed with loose marks, spaces and invisible characters: the hard cases of keys.
messy_vietnamese = st.text(
    st.one_of(
        vietnamese_letters,
        st.sampled_from([*TONES, "\u0302", "\u0306", "\u031b", " ", "\u00a0", "\u200b", "\n"]),
    )
)
genuine_phrases = st.lists(st.sampled_from(GENUINE_WORDS), min_size=1, max_size=6).map(" ".join)


# --- clean_text ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  Nguyễn\u00a0Thị\tHương \n", "Nguyễn Thị Hương"),
        (nfd("Bùi Văn Đức"), "Bùi Văn Đức"),
        ("Hòa\r\nBình", "Hòa Bình"),
        ("Lương\u2028Sơn\u3000\u2003 ", "Lương Sơn"),
        ("Nguy\u200bễn\ufeff Thị", "Nguyễn Thị"),
        ("Trường  THCS\x0b\x0cKim   Đồng", "Trường THCS Kim Đồng"),
        ("H\u00ad\u00acng", "H\u00ad\u00acng"),  # the soft hyphen is TCVN3's ư: kept
        ("Ho\u200ba\u0300", "Hoà"),  # a zero-width space no longer blocks composition
        ("", ""),
        (" \t\n ", ""),
    ],
)
def test_clean_text(raw: str, expected: str) -> None:
    assert clean_text(raw) == expected


@given(st.one_of(st.text(), messy_vietnamese))
def test_clean_text_is_idempotent_and_nfc(text: str) -> None:
    cleaned = clean_text(text)
    assert clean_text(cleaned) == cleaned
    assert unicodedata.is_normalized("NFC", cleaned)
    assert "  " not in cleaned
    assert cleaned == cleaned.strip(" ")


# --- canonical_key ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Hòa", "Hoà"),
        ("Thúy", "Thuý"),
        ("Qúy", "Quý"),
        ("khỏe", "khoẻ"),
        ("Hủy", "Huỷ"),
        ("gịa", "giạ"),
        ("Quách Văn Hòa", "QUÁCH VĂN HOÀ"),
        ("Nguyễn  Thị\u00a0Hương", "nguyễn thị hương"),
        (nfd("Bùi Văn Đức"), "bùi văn đức"),
        ("Yên Thủy", "Yên Thuỷ"),
        ("Khánh Hòa", "khánh hoà"),
        ("Ngoằn ngoèo", "ngoằn ngoèo"),
    ],
)
def test_canonical_key_equal(first: str, second: str) -> None:
    assert canonical_key(first) == canonical_key(second)


@pytest.mark.parametrize(
    ("first", "second"),
    [("Hoa", "Hòa"), ("Hương", "Hưng"), ("Hoà", "Hóa"), ("Thủy", "Thùy"), ("Quý", "Quỳ"), ("Lan", "Lân")],
)
def test_canonical_key_different(first: str, second: str) -> None:
    assert canonical_key(first) != canonical_key(second)


@pytest.mark.parametrize(
    ("text", "key"),
    [("Nguyễn Thị Hòa", "nguyễn thị hoà"), ("Lục Thị Qúy", "lục thị quý"), ("Hòa Bình", "hoà bình"),
     ("KHỎE", "khoẻ"), ("Café", "café"), ("José", "josé")],
)  # fmt: skip
def test_canonical_key_values(text: str, key: str) -> None:
    assert canonical_key(text) == key


def test_canonical_key_every_tone_placement_of_every_syllable_is_one_key() -> None:
    keys: dict[str, tuple[str, str]] = {}
    for (onset, rhyme, tone), word in zip(SYLLABLES, NEW_STYLE, strict=True):
        spellings = {nfc(variant) for variant in every_placement(word)} | {nfd(word), word.upper()}
        assert len({canonical_key(spelling) for spelling in spellings}) == 1, spellings
        toneless = nfc(onset + rhyme.lower())
        assert keys.setdefault(canonical_key(word), (toneless, tone)) == (toneless, tone), word


@given(genuine_phrases, st.randoms())
def test_canonical_key_ignores_placement_case_and_form(phrase: str, rng: Random) -> None:
    moved = " ".join(rng.choice(every_placement(word) or [word]) for word in phrase.split())
    key = canonical_key(phrase)
    assert canonical_key(moved) == key
    assert canonical_key(nfd(moved.upper())) == key
    assert canonical_key(key) == key


@given(st.one_of(st.text(), messy_vietnamese))
def test_canonical_key_is_idempotent_and_form_blind(text: str) -> None:
    key = canonical_key(text)
    assert canonical_key(key) == key
    assert canonical_key(nfd(text)) == canonical_key(nfc(text))


# --- loose_key -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "key"),
    [("Hướng dẫn", "huongdan"), ("HUONG DAN", "huongdan"), ("huong_dan", "huongdan"),
     ("Hướng\ndẫn ", "huongdan"), (nfd("Hướng dẫn"), "huongdan"), ("Đơn vị", "donvi"),
     ("Họ và tên\n(ghi đầy đủ)", "hovatenghidaydu"), ("Số TT", "sott"),
     ("Năm học 2024-2025", "namhoc20242025"), ("Ｃá nhân", "canhan")],
)  # fmt: skip
def test_loose_key(label: str, key: str) -> None:
    assert loose_key(label) == key


@given(st.text())
def test_loose_key_is_idempotent(text: str) -> None:
    key = loose_key(text)
    assert loose_key(key) == key
    assert all(char.isalnum() for char in key)


# --- is_vietnamese_syllable ------------------------------------------------------------------------------


def test_every_real_spelling_is_a_syllable() -> None:
    rejected = [word for word in GENUINE_WORDS if not is_vietnamese_syllable(word) and word not in LOAN_WORDS]
    assert rejected == []


@pytest.mark.parametrize(
    "word", ["Krông", "caù", "tỏc", "tac", "C«ng", "Coâng", "H­¬ng", "Hoàaa", "ka", "ce", "gha", "xyz", "hòá"]
)
def test_not_a_syllable(word: str) -> None:
    assert not is_vietnamese_syllable(word)


# --- legacy tables ---------------------------------------------------------------------------------------


def test_tcvn3_table_matches_the_positional_table() -> None:
    assert len(TCVN3_AT_B5) == 0xFE - 0xB5 + 1
    assert {code: letter for letter, code in TCVN3_ENCODE.items()} == TCVN3_TO_UNICODE
    assert sorted(TCVN3_ENCODE) == sorted([*LOWER_LETTERS, *"ĂÂÊÔƠƯĐ"])


@pytest.mark.skipif(shutil.which("iconv") is None, reason="needs iconv")
def test_tcvn3_table_matches_glibc_iconv() -> None:
    codes = sorted(TCVN3_TO_UNICODE)
    result = subprocess.run(
        ["iconv", "-f", "TCVN5712-1", "-t", "UTF-8"],
        input=bytes(map(ord, codes)),
        capture_output=True,
        check=False,
    )
    if result.returncode != 0:
        pytest.skip("iconv has no TCVN5712-1")
    assert dict(zip(codes, result.stdout.decode(), strict=True)) == TCVN3_TO_UNICODE


def test_vni_table_matches_the_encoding_rules() -> None:
    assert {vni_encode_letter(letter): letter for letter in PRECOMPOSED} == VNI_TO_UNICODE
    assert len(VNI_TO_UNICODE) == len(PRECOMPOSED) == 134


@pytest.mark.parametrize("letter", PRECOMPOSED)
def test_every_letter_round_trips_through_vni(letter: str) -> None:
    assert convert_legacy(vni_encode(letter), VNI) == letter
    assert convert_legacy(vni_encode(f"x{letter}y"), VNI) == f"x{letter}y"


@pytest.mark.parametrize("letter", [*LOWER_LETTERS, *"ĂÂÊÔƠƯĐ"])
def test_every_letter_round_trips_through_tcvn3(letter: str) -> None:
    assert convert_legacy(tcvn3_encode(letter), TCVN3) == letter
    assert convert_legacy(tcvn3_encode(f"x{letter}y"), TCVN3) == f"x{letter}y"


@given(
    st.text(st.sampled_from([*PRECOMPOSED, *"abcdeghiklmnopqrstuvxyABCDEGHIKLMNOPQRSTUVXY", " ", "1", "-"]))
)
def test_random_text_round_trips_through_vni(text: str) -> None:
    assert convert_legacy(vni_encode(text), VNI) == text


@given(st.text(st.sampled_from([*LOWER_LETTERS, *"ĂÂÊÔƠƯĐ", *"abcdeghiklmnopqrstuvxy", " ", "1", "-"])))
def test_random_text_round_trips_through_tcvn3(text: str) -> None:
    assert convert_legacy(tcvn3_encode(text), TCVN3) == text


@given(st.text(st.sampled_from([*LOWER_LETTERS, *"abcdeghiklmnopqrstuvxy", " ", "1"])))
def test_capitals_font_upper_cases_tcvn3(text: str) -> None:
    assert convert_legacy(tcvn3_encode(text), TCVN3, font_name=".VnTimeH") == text.upper()


# --- conversion and detection ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("legacy", "font", "unicode", "encoding"),
    [
        ("C«ng ®oµn Gi¸o dôc", None, "Công đoàn Giáo dục", TCVN3),
        ("H\u00ad¬ng", None, "Hương", TCVN3),
        ("NguyÔn ThÞ H\u00ad¬ng", None, "Nguyễn Thị Hương", TCVN3),
        ("Bïi V¨n §øc", None, "Bùi Văn Đức", TCVN3),
        ("Hßa B×nh", None, "Hòa Bình", TCVN3),
        ("L\u00ad¬ng S¬n", None, "Lương Sơn", TCVN3),
        ("M\u00adêng", None, "Mường", TCVN3),
        ("Tr\u00adêng THCS Hå Tïng MËu", None, "Trường THCS Hồ Tùng Mậu", TCVN3),
        ("TR¦êNG THCS", None, "TRƯỜNG THCS", TCVN3),
        ("NGUYÔN V¡N Hå", None, "NGUYỄN VĂN HỒ", TCVN3),
        ("§µ N½ng", None, "Đà Nẵng", TCVN3),
        ("TP Hµ Néi", None, "TP Hà Nội", TCVN3),
        ("§øC", None, "ĐỨC", TCVN3),
        ("§/c NguyÔn", None, "Đ/c Nguyễn", TCVN3),
        ("c«ng ®oµn gi¸o dôc", ".VnTimeH", "CÔNG ĐOÀN GIÁO DỤC", TCVN3),
        ("Ngäc", None, "Ngọc", TCVN3),
        ("Coâng ñoaøn Giaùo duïc", None, "Công đoàn Giáo dục", VNI),
        ("Nguyeãn Thò Höông", None, "Nguyễn Thị Hương", VNI),
        ("Buøi Vaên Ñöùc", None, "Bùi Văn Đức", VNI),
        ("Hoøa Bình", None, "Hòa Bình", VNI),
        ("Löông Sôn", None, "Lương Sơn", VNI),
        ("Möôøng", None, "Mường", VNI),
        ("TRÖÔØNG THCS LEÂ QUYÙ ÑOÂN", None, "TRƯỜNG THCS LÊ QUÝ ĐÔN", VNI),
        ("Khaù", None, "Khá", VNI),
        ("ôû", "VNI-Times", "ở", VNI),  # too short to tell without the font
    ],
)
def test_fix_legacy(legacy: str, font: str | None, unicode: str, encoding: str) -> None:
    assert detect_legacy(legacy, font) == encoding
    assert fix_legacy(legacy, font) == (unicode, encoding)
    assert convert_legacy(legacy, encoding, font_name=font) == unicode


@pytest.mark.parametrize(
    ("font", "encoding"),
    [(".VnTime", TCVN3), (".VnArialH", TCVN3), ("VNI-Times", VNI), ("Times New Roman", None), (None, None)],
)
def test_encoding_of_font(font: str | None, encoding: str | None) -> None:
    assert encoding_of_font(font) == encoding


def test_convert_legacy_rejects_an_unknown_encoding() -> None:
    with pytest.raises(ValueError, match="VISCII"):
        convert_legacy("abc", "VISCII")


@pytest.mark.parametrize("font", FONTS)
@pytest.mark.parametrize("text", [*PRECOMPOSED, *WORDS, *PHRASES, " ".join(PHRASES)])
def test_genuine_vietnamese_is_never_legacy(text: str, font: str | None) -> None:
    assert detect_legacy(text, font) is None
    assert fix_legacy(text, font) == (text, None)


@pytest.mark.parametrize("text", NOT_VIETNAMESE)
def test_other_text_is_not_legacy(text: str) -> None:
    assert detect_legacy(text) is None
    assert detect_legacy(text, "Times New Roman") is None


@given(genuine_phrases, st.sampled_from(FONTS))
def test_random_genuine_words_are_never_legacy(phrase: str, font: str | None) -> None:
    assert detect_legacy(phrase, font) is None
    assert detect_legacy(phrase.upper(), font) is None


@pytest.mark.parametrize(("encode", "encoding"), [(tcvn3_encode, TCVN3), (vni_encode, VNI)])
def test_legacy_corpus_is_detected(encode: Callable[[str], str], encoding: str) -> None:
    encoded = [encode(phrase) for phrase in PHRASES if encode(phrase) != phrase]
    found = [detect_legacy(phrase) for phrase in encoded]
    assert set(found) <= {encoding, None}
    # Misses: phrases whose every changed word also reads as Unicode (TCVN3 "Cã", VNI "Sôn La"), and
    # loan words ("Đắk Lắk").
    assert found.count(None) <= len(encoded) // 30
    assert detect_legacy(" ".join(encoded)) == encoding


@pytest.mark.parametrize(("text", "font"), [("ôû", None), ("ë", ".VnTime"), ("ë", None), ("Cã", None)])
def test_too_little_evidence(text: str, font: str | None) -> None:
    assert detect_legacy(text, font) is None
