"""Vietnamese text normalisation: cleaned display text, matching keys and syllable structure.

Owns how a cell's text is tidied for display (:func:`clean_text`), the key on which names and units are
matched (:func:`canonical_key`), the key on which sheet and column headers are matched (:func:`loose_key`)
and the test of whether a word is a well-formed Vietnamese syllable (:func:`is_vietnamese_syllable`),
which the legacy-encoding detector relies on.

Tone placement. Vietnamese writes the same syllable with its tone mark in two places: the "old style"
(``hòa``, ``thúy``, ``khỏe``) and the "new style" (``hoà``, ``thuý``, ``khoẻ``), and hurried typing adds
more (``Qúy``, ``gịa``). :func:`canonical_key` moves the single tone of each syllable to one position
computed from the toneless letters alone, so every spelling of a syllable gives the same key. The key
uses the **new style** (Unikey's option "Đặt dấu oà, uý (thay vì òa, úy)"):

1. on the vowel carrying a hat, breve or horn (``ă â ê ô ơ ư``) — the last one, so ``ươ`` takes it on ơ;
2. else on the only vowel;
3. else, with a final consonant, on the last vowel (``hoàng``, ``toán``);
4. else ``oa``, ``oe``, ``uy`` take it on the second vowel (``hoà``, ``khoẻ``, ``thuý``);
5. else three vowels take it on the middle one (``ngoài``, ``khuỷu``), two on the first (``mái``, ``múa``).

The ``u`` of ``qu`` and the ``i`` of ``gi`` (before another vowel) belong to the initial consonant, so
``Qúy`` and ``Quý`` meet at ``quý``, ``gịa`` and ``giạ`` at ``giạ``. Only the tone's position moves: two
words that differ in a letter or in their tone never get the same key ("Hoa" ≠ "Hòa", "Hương" ≠ "Hưng").
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Final

# Invisible format characters that are deleted rather than turned into a space: text pasted from web
# pages carries zero-width spaces *inside* words, where a space would split "Nguy\u200bễn" in two.
# The soft hyphen U+00AD is deliberately not here: in TCVN3 text it is the letter "ư" (SPEC §5).
ZERO_WIDTH_CHARACTERS: Final = (
    "\u200b\u200c\u200d\u200e\u200f"  # zero-width space, (non-)joiner, LTR/RTL marks
    "\u202a\u202b\u202c\u202d\u202e"  # bidi embeddings and overrides
    "\u2060\u2066\u2067\u2068\u2069"  # word joiner, bidi isolates
    "\ufeff"  # byte-order mark / zero-width no-break space
)
_DELETE_ZERO_WIDTH: Final = str.maketrans("", "", ZERO_WIDTH_CHARACTERS)

# Every kind of whitespace (``\s`` covers tabs, line breaks, NBSP and the Unicode spaces) and every
# other control character becomes one plain space.
_SPACES: Final = re.compile(r"[\s\x00-\x1f\x7f-\x9f]+")

# Tone marks (combining, as found in NFD) and the vowel modifiers that are part of a letter.
GRAVE, ACUTE, TILDE, HOOK, DOT = "\u0300", "\u0301", "\u0303", "\u0309", "\u0323"
TONE_MARKS: Final = frozenset({GRAVE, ACUTE, TILDE, HOOK, DOT})
_MODIFIERS: Final = frozenset({"\u0302", "\u0306", "\u031b"})  # circumflex, breve, horn

VOWELS: Final = frozenset("aăâeêioôơuưy")
_MODIFIED_VOWELS: Final = frozenset("ăâêôơư")
LETTERS: Final = frozenset("abcdefghijklmnopqrstuvwxyzđăâêôơư")
"""Toneless lowercase letters a syllable may be made of (the 29 Vietnamese ones plus f, j, w, z)."""

# Rule 4 above: the nuclei on which old and new style disagree; new style puts the tone on the second.
_NEW_STYLE_SECOND: Final = frozenset({"oa", "oe", "uy"})

# A run of letters and the combining marks that may follow them: one syllable-like word.
_COMBINING_MARKS: Final = "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
_WORD: Final = re.compile(rf"(?:[^\W\d_]|[{_COMBINING_MARKS}])+")

# Syllable structure for is_vietnamese_syllable (standard Vietnamese orthography).
ONSETS: Final = frozenset("b c ch d đ g gh gi h k kh l m n ng ngh nh p ph qu r s t th tr v x".split())
CODAS: Final = frozenset("c ch m n ng nh p t".split())
_STOP_CODAS: Final = frozenset({"c", "ch", "p", "t"})
# Vowel nuclei (with their final glide), by whether a final consonant must not, must or may follow.
NUCLEI_OPEN: Final = frozenset(
    "y ai ao au ay âu ây eo êu ia iu oi ôi ơi ui ưi ưu ua ưa uơ iêu yêu oai oao oay oeo uây uôi ươi ươu"
    " uya uyu".split()
)
NUCLEI_CLOSED: Final = frozenset("ă â iê yê uô ươ uyê oă uâ oo ôô".split())
NUCLEI_EITHER: Final = frozenset("a e ê i o ô ơ u ư oa oe uê uy".split())


def _alternatives(options: frozenset[str]) -> str:
    """Return a regex alternation, longest option first so that "ngh" is tried before "ng"."""
    return "|".join(sorted(options, key=lambda option: (-len(option), option)))


_SYLLABLE: Final = re.compile(
    rf"({_alternatives(ONSETS)})?([{''.join(sorted(VOWELS))}]+)({_alternatives(CODAS)})?"
)


def clean_text(s: str) -> str:
    """Return text as it should be displayed: NFC, single-spaced, trimmed.

    Zero-width and bidi format characters are deleted; tabs, line breaks, NBSP, other Unicode spaces
    and control characters become spaces; runs of spaces collapse to one. The soft hyphen is kept
    because it is a letter in TCVN3 legacy text. Idempotent.

    Args:
        s: Text as read from a cell.

    Returns:
        The cleaned text.
    """
    # Delete before normalising: a zero-width character between a letter and a combining mark would
    # otherwise block composition now and allow it on a second call.
    spaced = _SPACES.sub(" ", s.translate(_DELETE_ZERO_WIDTH))
    return unicodedata.normalize("NFC", spaced).strip(" ")


@functools.lru_cache(maxsize=1 << 17)  # the same names are keyed by the checks, the scoring and the review
def canonical_key(s: str) -> str:
    """Return the key on which names and unit names are matched.

    The text is cleaned (:func:`clean_text`), case-folded and each syllable's tone mark moved to its
    new-style position (see the module docstring), so NFC/NFD input, old/new tone placement, case and
    spacing give equal keys while different words stay different. Idempotent.

    Args:
        s: A person's name, a unit name or any other text.

    Returns:
        The matching key, in NFC.
    """
    folded = unicodedata.normalize("NFC", clean_text(s).casefold())
    return unicodedata.normalize("NFC", _WORD.sub(lambda word: _place_tone(word.group()), folded))


def without_marks(s: str) -> str:
    """The text in plain ASCII letters where it can be (``"Đà Bắc"`` → ``"Da Bac"``), for file names."""
    folded = unicodedata.normalize("NFKD", s.replace("Đ", "D").replace("đ", "d"))
    return "".join(ch for ch in folded if not unicodedata.combining(ch))


def loose_key(s: str) -> str:
    """Return the key on which sheet names and column headers are matched.

    Diacritics are removed (``đ`` becomes ``d``), compatibility forms folded, case folded, and every
    character that is not a letter or a digit dropped, so ``"Hướng dẫn"``, ``"HUONG DAN"`` and
    ``"huong_dan"`` meet.

    Args:
        s: A header label or sheet name.

    Returns:
        The key: lowercase letters and digits only.
    """
    stroked = s.replace("đ", "d").replace("Đ", "D")
    folded = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", stroked).casefold())
    return "".join(char for char in folded if char.isalnum())


def is_vietnamese_syllable(word: str) -> bool:
    """Tell whether a word is a well-formed Vietnamese syllable.

    Checks the initial consonant, the vowel nucleus and the final consonant against standard
    orthography (``k``/``gh``/``ngh`` only before ``e ê i y``, ``ch``/``nh`` only after ``a ê i y``,
    ``ă â iê uô ươ …`` need a final consonant), at most one tone, that a syllable closed by ``c ch p t``
    carries sắc or nặng, and that the tone stands where some writer puts it: new style, old style
    (``hòa``, ``thúy``), or on the ``u`` of ``qu`` and the ``i`` of ``gi`` (``Qúy``, ``gịa``).
    Case-insensitive.

    Args:
        word: One word, without spaces or punctuation.

    Returns:
        True for a syllable such as "Nguyễn", "thuý", "Qúy" or "khuỷu"; False otherwise (including
        loan words such as "Krông" that break these rules, and "caù", whose tone no writer puts there).
    """
    parsed = _split_tone(unicodedata.normalize("NFC", word).casefold())
    if parsed is None:
        return False
    letters, tone, tone_index = parsed
    match = _SYLLABLE.fullmatch("".join(letters))
    if match is None:
        return False
    onset, nucleus, coda = match.group(1) or "", match.group(2), match.group(3) or ""
    if onset == "g" and nucleus == "i":  # "gì", "gìn": the i of gi is the only vowel
        onset, nucleus = "gi", ""
    elif (onset in {"k", "gh", "ngh"} and nucleus[0] not in "eêiy") or (
        onset in {"c", "g", "ng"} and nucleus[0] in "eêiy"
    ):
        return False  # k, gh, ngh go before e ê i y; c, g, ng before the other vowels
    if not _rhyme_is_valid("uy" if (onset, nucleus) == ("qu", "y") else nucleus, coda, tone):  # quýt
        return False
    if tone_index is None or not nucleus:
        return True
    new_style = len(onset) + _tone_position(list(nucleus), closed=coda != "")
    allowed = {new_style}
    if coda == "" and nucleus in _NEW_STYLE_SECOND:
        allowed.add(len(onset))  # old style: hòa, khỏe, thúy
    if onset in {"qu", "gi"}:
        allowed.add(1)  # Qúy, gịa
    return tone_index in allowed


def _rhyme_is_valid(nucleus: str, coda: str, tone: str | None) -> bool:
    """Tell whether a vowel nucleus, final consonant and tone make a Vietnamese rhyme.

    Args:
        nucleus: Toneless vowels ("" for the i of "gì", which then belongs to the initial gi).
        coda: Final consonant, possibly "".
        tone: The tone mark, or None.

    Returns:
        Whether the rhyme is allowed.
    """
    if nucleus in NUCLEI_OPEN:
        valid = coda == ""
    elif nucleus in NUCLEI_CLOSED:
        valid = coda != ""
    else:
        valid = nucleus in NUCLEI_EITHER or nucleus == ""
    if nucleus == "oo":  # only in loans: xoong, boong, (quần) soóc
        valid = (coda == "ng" and tone is None) or (coda == "c" and tone in {ACUTE, DOT})
    if coda in {"ch", "nh"} and nucleus[-1:] not in {"a", "ê", "i", "y", ""}:
        return False
    return valid and (coda not in _STOP_CODAS or tone in {ACUTE, DOT})


def _split_tone(word: str) -> tuple[list[str], str | None, int | None] | None:
    """Split a lowercase word into toneless letters, its tone mark and the letter that carries it.

    Args:
        word: One lowercase word.

    Returns:
        ``(letters, tone, index)``, with ``tone`` and ``index`` None for an unmarked word; or None when
        the word is not made of Vietnamese letters with at most one tone mark.
    """
    letters: list[str] = []
    tone: str | None = None
    tone_index: int | None = None
    for char in unicodedata.normalize("NFD", word):
        if char in TONE_MARKS:
            if tone is not None or not letters:
                return None
            tone, tone_index = char, len(letters) - 1
        elif char in _MODIFIERS:
            if not letters:
                return None
            letters[-1] = unicodedata.normalize("NFC", letters[-1] + char)
        else:
            letters.append(char)
    if not all(letter in LETTERS for letter in letters):
        return None  # also rejects a modifier on the wrong base, or two of them ("ǎ", "ô̆")
    if tone_index is not None and letters[tone_index] not in VOWELS:
        return None
    return letters, tone, tone_index


def _place_tone(word: str) -> str:
    """Move the tone mark of one syllable-like word to its new-style position.

    Words that are not one block of vowels between consonants, or that carry no or several tone
    marks, are returned unchanged (in NFC).

    Args:
        word: One lowercase word, letters and combining marks.

    Returns:
        The word in NFC with its tone mark in canonical position.
    """
    parsed = _split_tone(word)
    if parsed is None or parsed[1] is None:
        return unicodedata.normalize("NFC", word)
    letters, tone, _ = parsed
    vowel_at = [index for index, letter in enumerate(letters) if letter in VOWELS]
    first, last = vowel_at[0], vowel_at[-1] + 1
    if last - first != len(vowel_at):
        return unicodedata.normalize("NFC", word)  # two vowel groups: not one syllable
    if first > 0 and last - first > 1 and (letters[first - 1], letters[first]) in {("q", "u"), ("g", "i")}:
        first += 1  # qu-, gi- before another vowel are initial consonants
    nucleus = letters[first:last]
    position = first + _tone_position(nucleus, closed=last < len(letters))
    letters[position] = unicodedata.normalize("NFC", letters[position] + str(tone))
    return "".join(letters)


def _tone_position(nucleus: list[str], *, closed: bool) -> int:
    """Return the index within the nucleus that carries the tone in the new style.

    Args:
        nucleus: The toneless vowel letters of a syllable.
        closed: Whether a final consonant follows.

    Returns:
        The index of the vowel that takes the tone mark.
    """
    modified = [index for index, vowel in enumerate(nucleus) if vowel in _MODIFIED_VOWELS]
    if modified:
        return modified[-1]
    if len(nucleus) == 1:
        return 0
    if closed or "".join(nucleus) in _NEW_STYLE_SECOND:
        return len(nucleus) - 1
    return 1 if len(nucleus) == 3 else 0
