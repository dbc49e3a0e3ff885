"""Vietnamese collation (CLDR ``vi``) in pure Python, and the order of people's names.

Owns one thing: the sort order of Vietnamese text. :func:`collation_key` reproduces what ICU gives for
``Collator.createInstance(Locale("vi"))`` at its default (tertiary) strength, without PyICU, which ships
no wheels. :func:`person_sort_key` orders full names the Vietnamese way: tên, then tên đệm, then họ.

How the key is built (the UCA model, reduced to what Vietnamese needs):

* Text is NFD-normalised, so NFC and NFD input give equal keys. Each character becomes a collation
  element ``(primary, secondary, tertiary)``; the key is the tuple of non-zero weights per level, compared
  level by level, as in an ICU sort key.
* Primary: the CLDR vi tailoring ``&a<ă<â &d<đ &e<ê &o<ô<ơ &u<ư`` on top of the root order, which is
  whitespace < punctuation < symbols < currency < digits < Latin letters < other scripts. Spaces and
  punctuation are *not* ignorable: ICU's default is ``alternate=non-ignorable``, so "a b" < "ab".
  ``ă â ê ô ơ ư`` are contractions of a base letter with breve, circumflex or horn, found also when a
  tone mark of lower combining class stands between them (NFD of "ặ" is ``a + dot below + breve``).
* Secondary: combining marks in root order with the vi tailoring ``&̀<<̉<<̃<<́<<̣``, i.e. the tones
  ngang < huyền < hỏi < ngã < sắc < nặng. CLDR vi compares secondaries forwards (no French accents):
  "aá" < "áa", as ICU confirms.
* Tertiary: lowercase before uppercase, then compatibility variants (fullwidth, superscript, NBSP…).

Checked against ICU 72 (CLDR 42) on random Vietnamese names, syllables and mixed strings: Vietnamese
letters in any case, a–z, digits, whitespace, the punctuation in ``ROOT_PUNCTUATION_ORDER`` and the marks
U+0300–U+036F agree exactly. Known deviations, all outside Vietnamese text: punctuation and symbols
not in that table sort after those of their class by code point; other scripts sort after Latin by
code point (ICU orders them by script); marks outside U+0300–U+036F sort after the known ones; a few
letters are approximated (ð, ſ, œ), and so are the tertiary weights of compatibility variants. ICU
itself orders some stacks of non-Vietnamese marks differently in NFC and NFD (precomposed ơ + U+0302
contracts as ô, decomposed as ơ); this module always follows the NFD result.
"""

from __future__ import annotations

import functools
import re
import unicodedata

CollationKey = tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]
"""A sort key: primary, secondary and tertiary weights, compared in that order."""

# Vietnamese alphabet (29 letters) with the foreign letters f, j, w, z at their root (a–z) places.
KEY_CACHE = 1 << 17  # distinct names whose keys are kept: a name repeats across rows, sorts and files
ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"

# Base letter + combining mark that the vi tailoring turns into a letter of its own.
CONTRACTIONS: dict[str, dict[str, str]] = {
    "a": {"\u0306": "ă", "\u0302": "â"},
    "e": {"\u0302": "ê"},
    "o": {"\u0302": "ô", "\u031b": "ơ"},
    "u": {"\u031b": "ư"},
}

# Root order of whitespace, ASCII and common Latin-1/typographic punctuation, symbols and currency
# signs (₫ included), read off ICU 72 (CLDR 42).
ROOT_PUNCTUATION_ORDER = (
    "\t\n\v\f\r\x85\u2028\u2029 _-–—,;:!¡?¿.·'‘’‚‛‹›\"“”„‟«»()[]{}§¶@*/\\&#%‰†‡•′"
    "`´^¯¨¸°©®+±÷×<=>¬|¦~¤¢$£¥₫€"
)

# Secondary order of the combining marks U+0300–U+036F under ICU 72 vi; marks in one group are equal.
# The tones (0300 0309 0303 0301 0323) follow the tailoring; the rest is the root order.
SECONDARY_ORDER = """
0332 | 0313 | 0314 | 0300 | 0309 | 0303 | 0301 | 0323 | 0306 | 0302 | 030C | 030A | 0342 | 0308 | 030B
| 0307 | 0338 | 0327 | 0328 | 0304
| 030D 030E 0312 0315 031A 033D 033E 033F 0346 034A 034B 034C 0350 0351 0352 0357 035B 035D 035E
| 0316 0317 0318 0319 031C 031D 031E 031F 0320 0329 032A 032B 032C 032F 0333 033A 033B 033C 0347 0348
  0349 034D 034E 0353 0354 0355 0356 0359 035A 035C 035F 0362
| 0336 0337 | 0335 | 0305 | 030F | 0310 | 0311 | 031B | 0321 | 0322 | 0324 | 0325 | 0326 | 032D | 032E
| 0330 | 0331 | 0334 | 0339 | 0345 | 0358 | 0360 | 0361
"""
COMMON = 1  # secondary and tertiary weight of a plain letter; every mark weighs more
MARK_GROUPS = SECONDARY_ORDER.split("|")
MARK_WEIGHTS = {
    chr(int(code, 16)): COMMON + rank for rank, group in enumerate(MARK_GROUPS, 1) for code in group.split()
}
UNKNOWN_MARK = COMMON + len(MARK_GROUPS) + 1  # plus the code point, for marks outside the table

# Letters without a decomposition that root collation expands (ß = ss, ø = o + stroke, …), and the
# tertiary variant the expansion carries: ICU sorts ß after SS and æ after AE, ø equal to o + U+0338.
# Expanded letters never contract: "æ" + U+0302 is not "aê", nor is "ø" + U+0302 an "ô".
EXPANSION_TAG = "expansion"
EXPANSIONS = {
    "ß": ("ss", EXPANSION_TAG),
    "æ": ("ae", EXPANSION_TAG),
    "œ": ("oe", EXPANSION_TAG),
    "ø": ("o\u0338", ""),
    "ł": ("l\u0335", ""),
    "ħ": ("h\u0335", ""),
    "ð": ("d\u0335", ""),  # ICU: d with a secondary weight of its own, for which U+0335 stands in
}

# Combining Latin small letters (U+0363–U+036F) are letters in root, not marks.
COMBINING_LETTERS = dict(zip(map(chr, range(0x363, 0x370)), "aeioucdhmrtvx", strict=True))

# Tertiary order of compatibility variants (UCA table of tertiary weights): the early ones interleave
# with case as a < ａ < 𝐚 < ⓐ < A < Ａ < 𝐀 < Ⓐ; the late ones come after all of those.
EARLY_TAGS = ("", "wide", "compat", "font", "circle")
LATE_TAGS = ("small", "narrow", "initial", "medial", "final", "isolated", "super", "sub", "vertical",
             "square", "fraction", "noBreak", EXPANSION_TAG)

# Primary groups, in root order.
WHITESPACE, PUNCTUATION, SYMBOL, CURRENCY, DIGIT, LETTER, OTHER, UNASSIGNED = range(1, 9)
LETTER_SPAN = 0x110001  # room for one letter and every variant of it, ranked by code point
GROUP_SHIFT = 1 << 32  # above any rank, so a group never overlaps the next
LATIN_LETTER = re.compile(r"LATIN (?:SMALL |CAPITAL )?LETTER (?:DOTLESS )?(?:([A-Z])\b)?")


def _tertiary(tag: str, upper: bool) -> int:
    """Return the tertiary weight of a character with a decomposition tag and case."""
    if tag in EARLY_TAGS:
        return COMMON + EARLY_TAGS.index(tag) + len(EARLY_TAGS) * upper
    rank = LATE_TAGS.index(tag) if tag in LATE_TAGS else len(LATE_TAGS)
    return COMMON + 2 * len(EARLY_TAGS) + 2 * rank + upper


def _contract(text: str) -> list[str]:
    """Split NFD text into characters, merging each letter with a mark the vi tailoring contracts.

    Like ICU, a mark also contracts when only marks of lower canonical combining class stand between
    it and its base (a discontiguous match): NFD "ặ" is a + dot below + breve, which is ă + dot below.
    """
    chars = list(unicodedata.normalize("NFD", text))
    for index, char in enumerate(chars):
        partners = CONTRACTIONS.get(char.lower())
        if partners is None:
            continue
        highest = 0  # highest combining class skipped so far; a mark of that class or lower is blocked
        for position in range(index + 1, len(chars)):
            combining_class = unicodedata.combining(chars[position])
            if combining_class == 0:
                break
            if chars[position] in partners and combining_class > highest:
                letter = partners[chars.pop(position)]
                chars[index] = letter.upper() if char.isupper() else letter
                break
            highest = max(highest, combining_class)
    return chars


def _expand(text: str) -> list[tuple[str, str]]:
    """Decompose text into (character, compatibility tag) pairs; the tag is "" for plain text."""
    chars: list[tuple[str, str]] = []
    for char in _contract(text):
        decomposition = unicodedata.decomposition(char)
        lower = char.lower()
        if char in COMBINING_LETTERS:
            chars.append((COMBINING_LETTERS[char], "compat"))
        elif decomposition.startswith("<") and unicodedata.category(char) != "Sk":
            # Spacing accents (´ ¨ ¸, category Sk) are symbols of their own in root, not space + mark.
            tag = decomposition[1 : decomposition.index(">")]
            chars.extend((part, tag) for part in unicodedata.normalize("NFKD", char))
        elif lower in EXPANSIONS:
            expanded, tag = EXPANSIONS[lower]
            expanded = expanded if char == lower else expanded.upper()
            chars.extend((part, tag) for part in expanded)
        else:
            chars.append((char, ""))
    return chars


def _primary(char: str) -> int:
    """Return the primary weight of a character that is not a combining mark."""
    lower = char.lower() if len(char.lower()) == 1 else char
    category = unicodedata.category(char)
    if lower in ALPHABET:
        group, rank = LETTER, ALPHABET.index(lower) * LETTER_SPAN
    elif category[0] == "L" and (latin := LATIN_LETTER.match(unicodedata.name(char, ""))):
        # Other Latin letters (ı, ƀ, ŧ…) follow the letter their name is built on; the rest follow z.
        base = latin.group(1).lower() if latin.group(1) else "z"
        group, rank = LETTER, ALPHABET.index(base) * LETTER_SPAN + 1 + ord(lower)
    elif category == "Nd":
        group, rank = DIGIT, unicodedata.digit(char, 0)
    elif category in ("Co", "Cs", "Cn"):
        group, rank = UNASSIGNED, ord(char)
    else:
        group = {"Z": WHITESPACE, "P": PUNCTUATION, "S": SYMBOL}.get(category[0], OTHER)
        group = CURRENCY if category == "Sc" else group
        if char in ROOT_PUNCTUATION_ORDER:
            group = WHITESPACE if char.isspace() else group
            rank = ROOT_PUNCTUATION_ORDER.index(char)
        else:
            rank = len(ROOT_PUNCTUATION_ORDER) + ord(char)
    return group * GROUP_SHIFT + rank


def _is_ignorable(char: str) -> bool:
    """Tell whether a character carries no weight at all (controls, format characters, selectors)."""
    category = unicodedata.category(char)
    if category == "Cc":
        return char not in ROOT_PUNCTUATION_ORDER
    return category == "Cf" or char == "\u034f" or "VARIATION SELECTOR" in unicodedata.name(char, "")


@functools.lru_cache(maxsize=KEY_CACHE)
def collation_key(text: str) -> CollationKey:
    """Return a key that sorts text in ICU/CLDR Vietnamese order at tertiary strength.

    Args:
        text: Any string, NFC or NFD; it is normalised here.

    Returns:
        Primary, secondary and tertiary weights; ``sorted(words, key=collation_key)`` gives the order
        of ``icu.Collator.createInstance(icu.Locale("vi"))``.

    Examples:
        >>> sorted(["ạ", "á", "ă", "à", "a", "ả", "ã"], key=collation_key)
        ['a', 'à', 'ả', 'ã', 'á', 'ạ', 'ă']
    """
    primaries: list[int] = []
    secondaries: list[int] = []
    tertiaries: list[int] = []
    for char, tag in _expand(text):
        if _is_ignorable(char):
            pass
        elif unicodedata.category(char) in ("Mn", "Me"):
            # A mark outside U+0300–U+036F sorts after all known ones (deviation, see module docstring).
            secondaries.append(MARK_WEIGHTS.get(char, UNKNOWN_MARK + ord(char)))
            tertiaries.append(_tertiary(tag, upper=False))
        else:
            primaries.append(_primary(char))
            secondaries.append(COMMON)
            tertiaries.append(_tertiary(tag, upper=char.isupper() or char.istitle()))
    return tuple(primaries), tuple(secondaries), tuple(tertiaries)


@functools.lru_cache(maxsize=KEY_CACHE)
def person_sort_key(full_name: str) -> tuple[CollationKey, CollationKey, CollationKey]:
    """Return a key that orders full names by tên, then tên đệm, then họ.

    A Vietnamese name is written họ (family name, first word), tên đệm (middle words), tên (given
    name, last word); lists of people sort by the given name first. Each part compares with
    :func:`collation_key` at all its levels before the next part is looked at.

    Args:
        full_name: The name as written, e.g. "Nguyễn Thị Ánh"; extra whitespace is ignored. A one-word
            name is a tên with no tên đệm and no họ.

    Returns:
        The keys of tên, tên đệm (middle words joined by one space) and họ.

    Examples:
        >>> sorted(["Lê Văn Bình", "Trần Thị Ánh", "Nguyễn Văn An"], key=person_sort_key)
        ['Nguyễn Văn An', 'Trần Thị Ánh', 'Lê Văn Bình']
    """
    words = full_name.split()
    given = words[-1] if words else ""
    middle = " ".join(words[1:-1])
    family = words[0] if len(words) > 1 else ""
    return collation_key(given), collation_key(middle), collation_key(family)
