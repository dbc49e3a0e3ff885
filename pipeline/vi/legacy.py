"""Legacy Vietnamese encodings (TCVN3, VNI) in text that was read as Unicode: detection and conversion.

Owns the two pre-Unicode encodings schools still type in. A workbook typed with a legacy font stores
each legacy byte as the Latin-1 character with that code, so the text arrives as ``C«ng ®oµn Gi¸o dôc``
(TCVN3, ``.VnTime`` fonts) or ``Coâng ñoaøn Giaùo duïc`` (VNI-Windows, ``VNI-Times`` fonts) for "Công
đoàn Giáo dục" (SPEC §5).

Tables. ``TCVN3_TO_UNICODE`` is the basic TCVN 5712:1993 "VN3" (ABC) table: every lowercase letter with
every tone, plus the only capitals it has, Ă Â Ê Ô Ơ Ư Đ (0xA1–0xA7). Checked code by code against glibc
``iconv -f TCVN5712-1``, whose 0xA1–0xFE range agrees with VN3 wherever VN3 defines a letter; the
capitals with tones that only VN1 places in control and free slots are left out on purpose, because a
.VnTime keyboard never produces them. ``VNI_TO_UNICODE`` is the VNI-Windows table, upper and lower case:
a base letter followed by a tone character, a hat/breve-and-tone character, or one stand-alone
character (ơ ô, ư ö, đ ñ, the five toned i's and ỵ î). Both are checked again in the tests against
encoders built independently from the encodings' rules.

Detection (:func:`detect_legacy`) must never flag genuine Unicode Vietnamese, so it works per word
with :func:`~pipeline.vi.text.is_vietnamese_syllable`: a word counts *for* an encoding only when it is
no Vietnamese syllable as read and becomes one when converted (``H­¬ng`` → "Hương"); a syllable that
conversion would break (``tác`` → "tỏc") counts *against*. Genuine Vietnamese words are syllables as
read, so they never count for an encoding; and text holding a letter outside Latin-1 (ư, ơ, đ, ạ…) or a
combining mark is Unicode, not legacy. When both encodings qualify, the larger margin wins, then the
one under which more of the changed words read as Vietnamese.

Known limits:

* TCVN3 has no capitals with tones: ``.VnTimeH`` fonts draw lowercase codes as capitals, so the case is
  in the font, not the text. Given such a font name (``.Vn…H``) the whole text is upper-cased. Without
  it, a word whose ASCII letters are all capitals (two of them, or one beside Ă Â Ê Ô Ơ Ư Đ, as in
  ``TR¦êNG``, ``§øC``) is upper-cased, and so is a whole text in capitals that holds such a word; a
  lone capital stays ambiguous (``Hå`` reads "Hồ", ``TP Hµ`` "TP Hà").
* A word whose legacy form is itself a Unicode syllable (TCVN3 ``Cã`` for "Có", VNI ``Thò`` for
  "Thị") proves nothing, so a cell holding only such words stays unconverted. A legacy file is typed
  in one encoding: detecting on the joined text of a whole sheet and converting each of its cells
  catches those cells too. A font hint only lets a short word without a plain letter count (VNI
  ``ôû`` for "ở"). Text mixing legacy and Unicode in one cell is left as it is.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

from pipeline.vi.text import is_vietnamese_syllable

TCVN3: Final = "TCVN3"
VNI: Final = "VNI"
ENCODINGS: Final = (TCVN3, VNI)

# TCVN 5712:1993 VN3 (ABC) — legacy code point (as a Latin-1 character) to Unicode letter.
TCVN3_TO_UNICODE: Final[dict[str, str]] = {
    # The capitals of the basic table.
    "\u00a1": "Ă", "\u00a2": "Â", "\u00a3": "Ê", "\u00a4": "Ô", "\u00a5": "Ơ", "\u00a6": "Ư", "\u00a7": "Đ",
    # ă â ê ô ơ ư đ; ư is U+00AD, the soft hyphen.
    "\u00a8": "ă", "\u00a9": "â", "\u00aa": "ê", "\u00ab": "ô", "\u00ac": "ơ", "\u00ad": "ư", "\u00ae": "đ",
    # Each row: huyền, hỏi, ngã, sắc, nặng.
    "\u00b5": "à", "\u00b6": "ả", "\u00b7": "ã", "\u00b8": "á", "\u00b9": "ạ",
    "\u00bb": "ằ", "\u00bc": "ẳ", "\u00bd": "ẵ", "\u00be": "ắ", "\u00c6": "ặ",
    "\u00c7": "ầ", "\u00c8": "ẩ", "\u00c9": "ẫ", "\u00ca": "ấ", "\u00cb": "ậ",
    "\u00cc": "è", "\u00ce": "ẻ", "\u00cf": "ẽ", "\u00d0": "é", "\u00d1": "ẹ",
    "\u00d2": "ề", "\u00d3": "ể", "\u00d4": "ễ", "\u00d5": "ế", "\u00d6": "ệ",
    "\u00d7": "ì", "\u00d8": "ỉ", "\u00dc": "ĩ", "\u00dd": "í", "\u00de": "ị",
    "\u00df": "ò", "\u00e1": "ỏ", "\u00e2": "õ", "\u00e3": "ó", "\u00e4": "ọ",
    "\u00e5": "ồ", "\u00e6": "ổ", "\u00e7": "ỗ", "\u00e8": "ố", "\u00e9": "ộ",
    "\u00ea": "ờ", "\u00eb": "ở", "\u00ec": "ỡ", "\u00ed": "ớ", "\u00ee": "ợ",
    "\u00ef": "ù", "\u00f1": "ủ", "\u00f2": "ũ", "\u00f3": "ú", "\u00f4": "ụ",
    "\u00f5": "ừ", "\u00f6": "ử", "\u00f7": "ữ", "\u00f8": "ứ", "\u00f9": "ự",
    "\u00fa": "ỳ", "\u00fb": "ỷ", "\u00fc": "ỹ", "\u00fd": "ý", "\u00fe": "ỵ",
}  # fmt: skip

# VNI-Windows — legacy sequence to Unicode letter. Each row: sắc, huyền, hỏi, ngã, nặng; rows with a
# hat or breve start with the toneless letter. Tone characters: ù ø û õ ï; hat + tone: â á à å ã ä;
# breve + tone: ê é è ú ü ë; capitals use the capital forms of all of them.
VNI_TO_UNICODE: Final[dict[str, str]] = {
    "aù": "á", "aø": "à", "aû": "ả", "aõ": "ã", "aï": "ạ",
    "aâ": "â", "aá": "ấ", "aà": "ầ", "aå": "ẩ", "aã": "ẫ", "aä": "ậ",
    "aê": "ă", "aé": "ắ", "aè": "ằ", "aú": "ẳ", "aü": "ẵ", "aë": "ặ",
    "eù": "é", "eø": "è", "eû": "ẻ", "eõ": "ẽ", "eï": "ẹ",
    "eâ": "ê", "eá": "ế", "eà": "ề", "eå": "ể", "eã": "ễ", "eä": "ệ",
    "í": "í", "ì": "ì", "æ": "ỉ", "ó": "ĩ", "ò": "ị",
    "où": "ó", "oø": "ò", "oû": "ỏ", "oõ": "õ", "oï": "ọ",
    "oâ": "ô", "oá": "ố", "oà": "ồ", "oå": "ổ", "oã": "ỗ", "oä": "ộ",
    "ô": "ơ", "ôù": "ớ", "ôø": "ờ", "ôû": "ở", "ôõ": "ỡ", "ôï": "ợ",
    "uù": "ú", "uø": "ù", "uû": "ủ", "uõ": "ũ", "uï": "ụ",
    "ö": "ư", "öù": "ứ", "öø": "ừ", "öû": "ử", "öõ": "ữ", "öï": "ự",
    "yù": "ý", "yø": "ỳ", "yû": "ỷ", "yõ": "ỹ", "î": "ỵ",
    "ñ": "đ",
    "AÙ": "Á", "AØ": "À", "AÛ": "Ả", "AÕ": "Ã", "AÏ": "Ạ",
    "AÂ": "Â", "AÁ": "Ấ", "AÀ": "Ầ", "AÅ": "Ẩ", "AÃ": "Ẫ", "AÄ": "Ậ",
    "AÊ": "Ă", "AÉ": "Ắ", "AÈ": "Ằ", "AÚ": "Ẳ", "AÜ": "Ẵ", "AË": "Ặ",
    "EÙ": "É", "EØ": "È", "EÛ": "Ẻ", "EÕ": "Ẽ", "EÏ": "Ẹ",
    "EÂ": "Ê", "EÁ": "Ế", "EÀ": "Ề", "EÅ": "Ể", "EÃ": "Ễ", "EÄ": "Ệ",
    "Í": "Í", "Ì": "Ì", "Æ": "Ỉ", "Ó": "Ĩ", "Ò": "Ị",
    "OÙ": "Ó", "OØ": "Ò", "OÛ": "Ỏ", "OÕ": "Õ", "OÏ": "Ọ",
    "OÂ": "Ô", "OÁ": "Ố", "OÀ": "Ồ", "OÅ": "Ổ", "OÃ": "Ỗ", "OÄ": "Ộ",
    "Ô": "Ơ", "ÔÙ": "Ớ", "ÔØ": "Ờ", "ÔÛ": "Ở", "ÔÕ": "Ỡ", "ÔÏ": "Ợ",
    "UÙ": "Ú", "UØ": "Ù", "UÛ": "Ủ", "UÕ": "Ũ", "UÏ": "Ụ",
    "Ö": "Ư", "ÖÙ": "Ứ", "ÖØ": "Ừ", "ÖÛ": "Ử", "ÖÕ": "Ữ", "ÖÏ": "Ự",
    "YÙ": "Ý", "YØ": "Ỳ", "YÛ": "Ỷ", "YÕ": "Ỹ", "Î": "Ỵ",
    "Ñ": "Đ",
}  # fmt: skip

# Decoding also accepts a mark of the other case than its base letter ("Aù", e.g. after a case change
# by hand); the base letter decides the case of the result.
_VNI_DECODE: Final[dict[str, str]] = {
    **{key[0] + key[1].swapcase(): letter for key, letter in VNI_TO_UNICODE.items() if len(key) == 2},
    **VNI_TO_UNICODE,
}
_VNI_SEQUENCE: Final = re.compile("|".join(map(re.escape, sorted(_VNI_DECODE, key=len, reverse=True))))
_TCVN3_TRANSLATION: Final = str.maketrans(TCVN3_TO_UNICODE)

# Characters that never occur in legacy text: Vietnamese letters outside Latin-1, and combining marks.
_UNICODE_ONLY: Final = re.compile(
    "[\u0102\u0103\u0110\u0111\u0128\u0129\u0168\u0169\u01a0\u01a1\u01af\u01b0\u1ea0-\u1ef9\u0300-\u036f]"
)
_VNI_CHARACTERS: Final = {char for key in _VNI_DECODE for char in key if not char.isascii()}
_LEGACY_CHARACTER: Final = re.compile(
    "[" + re.escape("".join(sorted({*TCVN3_TO_UNICODE, *_VNI_CHARACTERS}))) + "]"
)
_TCVN3_WORD: Final = re.compile(r"(?:[^\W\d_]|[" + re.escape("".join(TCVN3_TO_UNICODE)) + "])+")
_VNI_WORD: Final = re.compile(r"[^\W\d_]+")
_LETTER_RUN: Final = re.compile(r"[^\W\d_]+")

# Weights of the evidence, per word that conversion changes. For: it was no Vietnamese syllable and
# becomes one. Of 547,000 accented words in Debian's French, German, Spanish, Italian, Portuguese and
# Norwegian word lists, fewer than 20 do so in each encoding ("dû", "tôt", "laïc"). Against: it was a
# syllable and conversion breaks it ("tác" → "tỏc"), or it is none either way ("Noël" → "Noởl").
_FOR: Final = 2
_BROKEN: Final = 2
_NEITHER: Final = 1


def encoding_of_font(font_name: str | None) -> str | None:
    """Return the legacy encoding a font name implies.

    Args:
        font_name: A cell's font name, if the reader exposes it.

    Returns:
        "TCVN3" for ``.Vn…`` fonts (``.VnTime``, ``.VnArialH``), "VNI" for ``VNI-…`` fonts
        (``VNI-Times``), otherwise None.
    """
    name = (font_name or "").strip().casefold()
    if name.startswith(".vn"):
        return TCVN3
    if name.startswith(("vni-", "vni ", "vni_")):
        return VNI
    return None


def detect_legacy(s: str, font_name: str | None = None) -> str | None:
    """Tell whether text is legacy TCVN3 or VNI Vietnamese read as Unicode.

    Args:
        s: Text from a cell.
        font_name: The cell's font name, if known; a legacy font makes the detector need less
            evidence for its encoding, but never overrides evidence that the text is Unicode.

    Returns:
        "TCVN3", "VNI", or None for anything else (Unicode Vietnamese, English, numbers…).
    """
    if not _LEGACY_CHARACTER.search(s) or _UNICODE_ONLY.search(s):
        return None
    hinted = encoding_of_font(font_name)
    if hinted is not None:
        score, against, _ = _weigh(s, hinted, font_hint=True)
        if score >= _FOR and score >= against:
            return hinted
    ranked: dict[str, tuple[int, int]] = {}
    for encoding in ENCODINGS:
        score, against, agreeing = _weigh(s, encoding, font_hint=False)
        if score >= _FOR and score > against:
            ranked[encoding] = (score - against, agreeing)
    winners = [encoding for encoding, rank in ranked.items() if rank == max(ranked.values())]
    return winners[0] if len(winners) == 1 else None


def convert_legacy(s: str, encoding: str, *, font_name: str | None = None) -> str:
    """Convert legacy-encoded text to Unicode.

    Characters outside the encoding's table are kept. For TCVN3, capitals are restored as described
    in the module docstring (all of the text for a ``.Vn…H`` font).

    Args:
        s: Text in the legacy encoding, as read.
        encoding: "TCVN3" or "VNI".
        font_name: The cell's font name, if known.

    Returns:
        The text in Unicode NFC.

    Raises:
        ValueError: If the encoding is not one of :data:`ENCODINGS`.
    """
    if encoding == TCVN3:
        return unicodedata.normalize("NFC", _restore_capitals(s.translate(_TCVN3_TRANSLATION), font_name))
    if encoding == VNI:
        return unicodedata.normalize("NFC", _decode_vni(s))
    raise ValueError(f"unknown legacy encoding {encoding!r}; expected one of {', '.join(ENCODINGS)}")


def fix_legacy(s: str, font_name: str | None = None) -> tuple[str, str | None]:
    """Convert text to Unicode if it is legacy TCVN3 or VNI.

    Args:
        s: Text from a cell.
        font_name: The cell's font name, if known.

    Returns:
        ``(text, encoding)``: the converted text and the encoding found, or the text unchanged and None.
    """
    encoding = detect_legacy(s, font_name)
    if encoding is None:
        return s, None
    return convert_legacy(s, encoding, font_name=font_name), encoding


def _decode_vni(s: str) -> str:
    """Decode VNI text: each legacy sequence, longest first, becomes its letter; the rest is kept."""
    return _VNI_SEQUENCE.sub(lambda sequence: _VNI_DECODE[sequence.group()], s)


def _weigh(s: str, encoding: str, *, font_hint: bool) -> tuple[int, int, int]:
    """Weigh the evidence that text is in a legacy encoding, word by word.

    Args:
        s: Text from a cell.
        encoding: "TCVN3" or "VNI".
        font_hint: Whether the cell's font names this encoding.

    Returns:
        ``(score, against, agreeing)``: the weight of the words that read as Vietnamese only once
        converted, the weight of those that conversion breaks or leaves meaningless, and the number of
        changed words that read as Vietnamese once converted (which breaks a tie between encodings).
    """
    score = against = agreeing = 0
    pattern = _TCVN3_WORD if encoding == TCVN3 else _VNI_WORD
    for word in pattern.findall(s):
        converted = word.translate(_TCVN3_TRANSLATION) if encoding == TCVN3 else _decode_vni(word)
        if converted == word:
            continue
        syllable_before, syllable_after = is_vietnamese_syllable(word), is_vietnamese_syllable(converted)
        agreeing += syllable_after
        # A single character ("â" → "õ") proves nothing; a lone vowel ("où" → "ó") or a word without
        # a plain letter ("£" → "Ê") proves little, unless the font says the encoding ("ôû" → "ở").
        if font_hint:
            telling = len(word) >= 2
        else:
            telling = len(converted) >= 2 and any(char.isascii() and char.isalpha() for char in converted)
        if syllable_after and not syllable_before and telling:
            score += _FOR
        elif syllable_before and not syllable_after:
            against += _BROKEN
        elif not syllable_after:
            against += _NEITHER
    return score, against, agreeing


def _restore_capitals(converted: str, font_name: str | None) -> str:
    """Upper-case converted TCVN3 text where the typist evidently wrote capitals.

    Args:
        converted: TCVN3 text already mapped to Unicode (its ASCII letters untouched).
        font_name: The cell's font name, if known.

    Returns:
        The text with capitals restored.
    """
    name = (font_name or "").strip()
    if encoding_of_font(name) == TCVN3 and name.endswith("H"):
        return converted.upper()
    # A whole text in capitals needs one word that proves it ("NGUYỄN" in "NGUYÔN V¡N Hå"): an
    # acronym alone does not ("TP Hµ" is "TP Hà").
    proven = any(_capital_word(word) and not word.isascii() for word in _LETTER_RUN.findall(converted))
    if proven and _all_capitals(converted, minimum=2):
        return converted.upper()
    return _LETTER_RUN.sub(
        lambda word: word.group().upper() if _capital_word(word.group()) else word.group(), converted
    )


def _all_capitals(text: str, *, minimum: int) -> bool:
    """Tell whether text has at least ``minimum`` ASCII letters and all of them are capitals."""
    letters = [char for char in text if char.isascii() and char.isalpha()]
    return len(letters) >= minimum and all(char.isupper() for char in letters)


def _capital_word(word: str) -> bool:
    """Tell whether a converted word was typed in capitals: ``TRƯờNG``, ``ĐứC``; not ``Hồ`` or ``Đà``."""
    return _all_capitals(word, minimum=2) or (
        _all_capitals(word, minimum=1) and any(not char.isascii() and char.isupper() for char in word)
    )
