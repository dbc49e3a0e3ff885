"""Tests for pipeline.samples.fakenames: deterministic, plausible fictional Vietnamese people."""

from __future__ import annotations

import random
import unicodedata
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.samples.fakenames import ETHNIC_WEIGHTS_HOA_BINH, FEMALE, MALE, NAMING, Person, make_person
from pipeline.vi.text import is_vietnamese_syllable

DRAWS = 5_000
TONE_MARKS = {"\u0300": "huyền", "\u0301": "sắc", "\u0309": "hỏi", "\u0303": "ngã", "\u0323": "nặng"}
MALE_ONLY_MIDDLE = {"Văn", "Seo", "A"}
FEMALE_ONLY_MIDDLE = {"Thị", "Mùi"}


@pytest.fixture(scope="module")
def people() -> list[Person]:
    """5,000 people drawn with the defaults (Hòa Bình mix, 70 % women)."""
    rng = random.Random(2017)
    return [make_person(rng) for _ in range(DRAWS)]


def surname_counts(people: list[Person], dan_toc: str) -> Counter[str]:
    """Count the surnames (first word) of one ethnic group."""
    return Counter(p.ho_ten.split()[0] for p in people if p.dan_toc == dan_toc)


def test_same_seed_gives_same_people() -> None:
    first = [make_person(random.Random(42)) for _ in range(3)]
    rng_a, rng_b = random.Random(7), random.Random(7)
    assert [make_person(rng_a) for _ in range(200)] == [make_person(rng_b) for _ in range(200)]
    assert first[0] == first[1] == first[2]


def test_different_seeds_give_different_people() -> None:
    rng_a, rng_b = random.Random(1), random.Random(2)
    assert [make_person(rng_a) for _ in range(20)] != [make_person(rng_b) for _ in range(20)]


def test_default_weights_describe_hoa_binh() -> None:
    assert sum(ETHNIC_WEIGHTS_HOA_BINH.values()) == pytest.approx(1.0)
    assert max(ETHNIC_WEIGHTS_HOA_BINH, key=ETHNIC_WEIGHTS_HOA_BINH.__getitem__) == "Mường"
    assert set(ETHNIC_WEIGHTS_HOA_BINH) <= set(NAMING)


@pytest.mark.parametrize("dan_toc", list(ETHNIC_WEIGHTS_HOA_BINH))
def test_ethnic_shares_follow_the_weights(people: list[Person], dan_toc: str) -> None:
    share = sum(p.dan_toc == dan_toc for p in people) / DRAWS
    assert share == pytest.approx(ETHNIC_WEIGHTS_HOA_BINH[dan_toc], abs=0.03)


def test_about_seventy_percent_are_women(people: list[Person]) -> None:
    assert sum(p.gioi_tinh == FEMALE for p in people) / DRAWS == pytest.approx(0.7, abs=0.03)
    assert {p.gioi_tinh for p in people} == {FEMALE, MALE}


@pytest.mark.parametrize(("dan_toc", "most_common"), [("Kinh", "Nguyễn"), ("Mường", "Bùi")])
def test_most_common_surname(people: list[Person], dan_toc: str, most_common: str) -> None:
    assert surname_counts(people, dan_toc).most_common(1)[0][0] == most_common


def test_names_are_diverse(people: list[Person]) -> None:
    assert len(surname_counts(people, "Kinh")) >= 20
    assert len({p.ho_ten for p in people}) >= DRAWS // 2
    assert len({p.ho_ten.split()[-1] for p in people if p.gioi_tinh == FEMALE}) >= 50


def test_names_have_two_words_always_and_three_mostly(people: list[Person]) -> None:
    word_counts = [len(p.ho_ten.split()) for p in people]
    assert min(word_counts) >= 2
    assert max(word_counts) <= 4
    assert sum(n >= 3 for n in word_counts) / DRAWS >= 0.95
    assert sum(n == 4 for n in word_counts) > 0  # "Thị Thu"-style two-word middle names occur


def test_names_are_clean_nfc_title_case(people: list[Person]) -> None:
    for person in people:
        assert unicodedata.normalize("NFC", person.ho_ten) == person.ho_ten
        assert person.ho_ten == " ".join(person.ho_ten.split())
        assert all(word == word.capitalize() for word in person.ho_ten.split())


def test_middle_names_match_gender(people: list[Person]) -> None:
    for person in people:
        middle = set(person.ho_ten.split()[1:-1])
        forbidden = FEMALE_ONLY_MIDDLE if person.gioi_tinh == MALE else MALE_ONLY_MIDDLE
        assert not middle & forbidden, person


def test_typical_middle_names_dominate(people: list[Person]) -> None:
    women = [p for p in people if p.gioi_tinh == FEMALE]
    men = [p for p in people if p.gioi_tinh == MALE and p.dan_toc != "Mông"]
    assert sum("Thị" in p.ho_ten.split()[1:-1] for p in women) / len(women) > 0.5
    assert sum("Văn" in p.ho_ten.split()[1:-1] for p in men) / len(men) > 0.5


def test_given_name_never_repeats_the_middle_name(people: list[Person]) -> None:
    for person in people:
        words = person.ho_ten.split()
        assert words[-1] not in words[1:-1], person


def test_names_use_the_whole_alphabet_and_every_tone(people: list[Person]) -> None:
    decomposed = unicodedata.normalize("NFD", " ".join(p.ho_ten for p in people).lower())
    toneless = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in TONE_MARKS))
    assert set("ăâđêôơư") <= set(toneless)
    assert set(TONE_MARKS) <= set(decomposed)


def test_every_table_word_is_a_vietnamese_syllable() -> None:
    for naming in NAMING.values():
        words = set(naming.surnames)
        for gender in (MALE, FEMALE):
            words |= {w for middle in naming.middle[gender] for w in middle.split()}
            words |= set(naming.given[gender])
        assert [w for w in sorted(words) if not is_vietnamese_syllable(w)] == []


@pytest.mark.parametrize(("female_share", "expected"), [(0.0, {MALE}), (1.0, {FEMALE})])
def test_female_share_at_the_bounds(female_share: float, expected: set[str]) -> None:
    rng = random.Random(3)
    people = [make_person(rng, female_share=female_share) for _ in range(500)]
    assert {p.gioi_tinh for p in people} == expected
    if expected == {MALE}:
        assert not any("Thị" in p.ho_ten.split() for p in people)


def test_custom_ethnic_weights() -> None:
    rng = random.Random(4)
    people = [make_person(rng, ethnic_weights={"Mông": 1, "Kinh": 0}) for _ in range(300)]
    assert {p.dan_toc for p in people} == {"Mông"}
    assert surname_counts(people, "Mông").keys() <= set(NAMING["Mông"].surnames)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"female_share": 1.5}, "female_share"),
        ({"female_share": -0.1}, "female_share"),
        ({"ethnic_weights": {"Chăm": 1.0}}, "Chăm"),
        ({"ethnic_weights": {"Kinh": -1.0, "Mường": 2.0}}, "non-negative"),
        ({"ethnic_weights": {"Kinh": 0.0}}, "positive sum"),
    ],
)
def test_bad_arguments_are_rejected(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make_person(random.Random(0), **kwargs)


@given(seed=st.integers(min_value=0, max_value=2**32), female_share=st.floats(0.0, 1.0))
def test_any_person_is_well_formed(seed: int, female_share: float) -> None:
    person = make_person(random.Random(seed), female_share=female_share)
    words = person.ho_ten.split()
    assert person.dan_toc in NAMING
    assert person.gioi_tinh in {MALE, FEMALE}
    assert 2 <= len(words) <= 4
    assert words[0] in NAMING[person.dan_toc].surnames
    assert unicodedata.normalize("NFC", person.ho_ten) == person.ho_ten
