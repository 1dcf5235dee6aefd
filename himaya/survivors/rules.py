"""Pure rules of the survivors app (no database)."""

import datetime
import functools
import itertools
import re
from dataclasses import dataclass

from himaya.core import bounds
from himaya.core.codes import ALPHABET as CODE_ALPHABET
from himaya.core.crypto import ascii_digits, normalise, strip_invisible
from himaya.survivors.models import ConsentPurpose, DuplicateReason, MigrationStatus

ADULT_AGE = 18
# The oldest estimated age a worker may give (the year it points to must also be plausible).
MAX_ESTIMATED_AGE = 120


def age_problem(age: int, *, today: datetime.date) -> str | None:
    """Why an estimated age (in whole years) cannot be taken, as a short code, or ``None``."""
    if age < 0 or age > MAX_ESTIMATED_AGE:
        return "implausible_age"
    if not bounds.is_plausible_birth_year(today.year - age, today=today):
        return "implausible_age"
    return None


def birth_year_from_age(age: int, *, today: datetime.date) -> int:
    """The year of birth that an age (in whole years) given today points to."""
    if age_problem(age, today=today) is not None:
        raise ValueError("age out of range")
    return today.year - age


def birth_problem(
    *, date_of_birth: datetime.date | None, birth_year: int | None, today: datetime.date
) -> str | None:
    """Why a date and a year of birth cannot be recorded together, as a short code, or ``None``.

    A date of birth lies between the first of January of the earliest birth year and
    today; a year of birth between that year and this one; both, when given, agree.
    """
    if date_of_birth is not None:
        if not bounds.is_plausible_birth_date(date_of_birth, today=today):
            return "implausible_birth_date"
        if birth_year is not None and birth_year != date_of_birth.year:
            return "year_does_not_match_date"
    if birth_year is not None and not bounds.is_plausible_birth_year(birth_year, today=today):
        return "implausible_birth_year"
    return None


def visible_text(value: str | None) -> str:
    """The text without invisible format characters (Unicode Cf) and outer spaces."""
    return strip_invisible(value or "").strip()


NAME_FIELDS = ("name_ar", "name_latin")


def name_problems(*, name_ar: str, name_latin: str) -> list[tuple[str, str]]:
    """What is wrong with the two names, as (field, short code) pairs; empty when nothing.

    A name typed with only invisible characters (zero-width spaces, joiners, direction
    marks) is refused: it looks empty to every reader and would match every other such
    name. At least one of the two names must have something visible.
    """
    names = {"name_ar": name_ar or "", "name_latin": name_latin or ""}
    problems = [
        (field, "name_invisible")
        for field, value in names.items()
        if value.strip() and not visible_text(value)
    ]
    if not problems and not any(visible_text(value) for value in names.values()):
        problems.append(("name_ar", "name_required"))
    return problems


def age_on(
    birth_year: int | None,
    *,
    date_of_birth: datetime.date | None = None,
    on: datetime.date,
) -> int | None:
    """The survivor's age on ``on``, in whole years; ``None`` when it is not known.

    With a date of birth, the years completed on that day. With a year of birth only
    (most records), the age reached during the calendar year of ``on`` (the indicators
    count ages by calendar year). A birth after ``on`` gives ``None``, as no birth at all.
    """
    if date_of_birth is not None:
        if date_of_birth > on:
            return None
        had_birthday = (on.month, on.day) >= (date_of_birth.month, date_of_birth.day)
        return on.year - date_of_birth.year - (0 if had_birthday else 1)
    if birth_year is None or birth_year > on.year:
        return None
    return on.year - birth_year


def is_presumed_child(
    birth_year: int | None,
    *,
    date_of_birth: datetime.date | None = None,
    on: datetime.date,
    assessed_adult: bool | None = None,
) -> bool:
    """Whether the survivor is treated as a child on ``on``: under eighteen, or of an
    unknown age (the presumption of minority: a person whose age is not known is
    protected as a child until shown otherwise).

    ``assessed_adult`` is the result of the survivor's latest age assessment made on or
    before ``on`` (``selectors.assessed_adult``), ``None`` without one. An assessment
    decides when there is one: only an assessment saying adult ends the presumption, and
    one saying child keeps the protection whatever year was given.
    """
    if assessed_adult is not None:
        return not assessed_adult
    age = age_on(birth_year, date_of_birth=date_of_birth, on=on)
    return age is None or age < ADULT_AGE


def age_assessment_problem(
    *, is_adult: bool, estimated_age: int | None, assessed_on: datetime.date, today: datetime.date
) -> str | None:
    """Why an age assessment cannot be recorded, as a short code, or ``None``: a date in
    the future, or an estimated age out of range or at odds with the result."""
    if assessed_on > today:
        return "assessment_in_future"
    if estimated_age is None:
        return None
    if estimated_age < 0 or estimated_age > MAX_ESTIMATED_AGE:
        return "implausible_age"
    if is_adult != (estimated_age >= ADULT_AGE):
        return "assessment_result_inconsistent"
    return None


# Statuses under international protection: never disclosed to any embassy.
PROTECTED_MIGRATION_STATUSES = frozenset(
    {MigrationStatus.ASYLUM_SEEKER.value, MigrationStatus.REFUGEE.value}
)


def unhcr_problem(*, unhcr_registered: bool, unhcr_reference: str) -> str | None:
    """A UNHCR reference number belongs only to a person registered with UNHCR."""
    if unhcr_reference.strip() and not unhcr_registered:
        return "unhcr_reference_without_registration"
    return None


def is_under_international_protection(*, migration_status: str, unhcr_registered: bool) -> bool:
    """Whether the survivor seeks or holds international protection: an asylum seeker, a
    refugee, or a person registered with UNHCR (who registers only those two)."""
    return migration_status in PROTECTED_MIGRATION_STATUSES or unhcr_registered


def compact_document_number(number: str) -> str:
    """The form of a document number compared for equality.

    Letters and digits only (no spaces, dashes, dots, slashes, other punctuation nor
    invisible characters), the digits of every script as ASCII digits, in upper case.
    """
    folded = ascii_digits(strip_invisible(number or "")).upper()
    return "".join(ch for ch in folded if ch.isalnum())


def is_document_number(number: str) -> bool:
    """Whether a typed document number has something left to compare once compacted."""
    return bool(normalise(compact_document_number(number)))


def duplicate_reason(*, same_document: bool) -> str:
    """Why two survivors were matched: a shared document outweighs a shared name and year."""
    return DuplicateReason.DOCUMENT if same_document else DuplicateReason.NAME_AND_YEAR


def is_over_check_limit(*, checks_in_window: int, limit: int) -> bool:
    """Whether one more duplicate check would exceed ``limit`` checks in the window."""
    return checks_in_window >= limit


def is_duplicate(
    *,
    name_indexes: set[str],
    birth_year: int | None,
    document_indexes: set[str],
    other_name_indexes: set[str],
    other_birth_year: int | None,
    other_document_indexes: set[str],
) -> bool:
    """Two survivors look like one person: same name and year of birth, or same document."""
    names = {value for value in name_indexes if value}
    other_names = {value for value in other_name_indexes if value}
    same_name_and_year = (
        birth_year is not None and birth_year == other_birth_year and bool(names & other_names)
    )
    documents = {value for value in document_indexes if value}
    return same_name_and_year or bool(documents & {v for v in other_document_indexes if v})


# Purposes for which a consent must name its recipient agency, and the kind it must be.
RECIPIENT_REQUIRED = frozenset({ConsentPurpose.REFERRAL.value, ConsentPurpose.EMBASSY.value})
EMBASSY_KIND = "embassy"


def consent_recipient_problem(*, purpose: str, recipient_kind: str | None) -> str | None:
    """Why a (purpose, recipient) pair is not acceptable, as a short code, or ``None``."""
    if purpose in RECIPIENT_REQUIRED and recipient_kind is None:
        return "recipient_required"
    if purpose == ConsentPurpose.EMBASSY and recipient_kind != EMBASSY_KIND:
        return "recipient_not_embassy"
    return None


def consent_stands(
    *, given_on: datetime.date, withdrawn_on: datetime.date | None, on: datetime.date
) -> bool:
    """A consent covers ``on`` from the day it is given until the day it is withdrawn.

    This is the one consent rule; ``selectors.standing_consents`` is its query form.
    """
    return given_on <= on and (withdrawn_on is None or withdrawn_on > on)


def open_consent_covers(purpose: str) -> bool:
    """Whether a consent naming no recipient covers every recipient for ``purpose``.

    It does, except for an embassy: only a consent naming that very embassy counts.
    """
    return purpose != ConsentPurpose.EMBASSY


def withdrawal_problem(
    *, given_on: datetime.date, withdrawn_on: datetime.date | None, on: datetime.date
) -> str | None:
    """Why a consent cannot be withdrawn on ``on``, as a short code, or ``None``."""
    if withdrawn_on is not None:
        return "already_withdrawn"
    if on < given_on:
        return "before_given"
    return None


# --- search terms -------------------------------------------------------------------------
#
# Search finds people by partial names in either script, common spelling variants, a phone
# number in any digit form, the end of a public code or a document number. Every value is
# reduced here to plain terms (kind, text); ``indexes.search_token`` turns each into a keyed
# token, so that the database holds no term in clear.

WORD = "word"  # a name word and its prefixes from PREFIX_FROM letters on
SOUND = "sound"  # the phonetic key of a name word, the same for both scripts
PHONE = "phone"  # a phone number as its national significant number
PHONE_TAIL = "phone_tail"  # the last PHONE_TAIL_LENGTH digits of a phone number
CODE = "code"  # the last characters of a public code (CODE_SUFFIX_FROM and more)

PREFIX_FROM = 3
PHONE_TAIL_LENGTH = 7
CODE_SUFFIX_FROM = 4
# Egypt's country calling code: a number written with it or with a leading 0 is one number.
COUNTRY_CALLING_CODE = "20"

# Articles written as words of their own ("El Sayed", "al-Masri"): they carry no identity.
ARTICLES = frozenset({"al", "el", "ul", "ال"})
# First parts of compound names built on عبد ("servant of"), joined to the next word.
ABD_WORDS = frozenset(
    {"عبد", "abd", "abdel", "abdul", "abdal", "abdol", "abdil", "abdoul", "abdell", "abdl"}
)
ARABIC_ARTICLE = "ال"

# Letters by sound class. Vowels (and the letters that write long vowels: alef, waw, yeh,
# ain, hamza) are dropped after the first letter; a leading one becomes "A" (waw and yeh
# become W and Y). ث is written "th" in Latin, so it gives both T and H.
_ARABIC_SOUNDS = {
    "ب": "B", "پ": "B", "ت": "T", "ث": "TH", "ط": "T", "ج": "J", "گ": "J", "ح": "H", "ه": "H",
    "خ": "X", "د": "D", "ض": "D", "ذ": "Z", "ز": "Z", "ظ": "Z", "ر": "R", "س": "S", "ص": "S",
    "ش": "C", "چ": "C", "غ": "G", "ف": "F", "ڤ": "F", "ق": "K", "ك": "K", "ک": "K", "ل": "L",
    "م": "M", "ن": "N",
}  # fmt: skip
_ARABIC_VOWELS = frozenset("اوىيعءئؤ")
_LATIN_DIGRAPHS = {"kh": "X", "gh": "G", "sh": "C", "ch": "C", "ph": "F", "ck": "K"}
_LATIN_SOUNDS = {
    "b": "B", "p": "B", "t": "T", "j": "J", "g": "J", "h": "H", "d": "D", "z": "Z", "r": "R",
    "s": "S", "f": "F", "v": "F", "k": "K", "q": "K", "c": "K", "l": "L", "m": "M", "n": "N",
    "x": "KS",
}  # fmt: skip
_LATIN_VOWELS = frozenset("aeiouyw")


def _sound_classes(word: str) -> list[str]:
    """The word as a list of sound classes, vowels as "" (the first letter kept apart)."""
    classes: list[str] = []
    index = 0
    while index < len(word):
        pair = word[index : index + 2]
        char = word[index]
        if pair in _LATIN_DIGRAPHS:
            classes.append(_LATIN_DIGRAPHS[pair])
            index += 2
            continue
        if char in _ARABIC_SOUNDS:
            classes.append(_ARABIC_SOUNDS[char])
        elif char in _LATIN_SOUNDS:
            classes.append(_LATIN_SOUNDS[char])
        elif char in _ARABIC_VOWELS or char in _LATIN_VOWELS:
            classes.append({"و": "W", "w": "W", "ي": "Y", "y": "Y"}.get(char, "A") + "?")
        elif char.isdigit():
            classes.append(char)
        index += 1
    return classes


def _skeleton(word: str, *, keep_leading_vowel: bool) -> str:
    """Consonant classes of the word, doubled letters once, a final H (ta marbuta, ha)
    dropped; the leading vowel kept as A, W or Y when ``keep_leading_vowel``."""
    out: list[str] = []
    sounds = _sound_classes(word)
    for position, sound in enumerate(sounds):
        if sound.endswith("?"):
            if position == 0 and keep_leading_vowel:
                out.append(sound[0])
            continue
        for letter in sound:
            if not out or out[-1] != letter:
                out.append(letter)
    if len(out) > 1 and sounds[-1] == "H":
        out.pop()
    return "".join(out)


def _without_article(word: str) -> str:
    """The word without an attached Arabic article, when enough is left of it."""
    if word.startswith(ARABIC_ARTICLE) and len(word) > len(ARABIC_ARTICLE) + 1:
        return word[len(ARABIC_ARTICLE) :]
    return word


def phonetic_key(word: str) -> str:
    """A key shared by the usual spellings of one name in Arabic and Latin script.

    The word (normalised) is reduced to classes of consonants: فاطمة, Fatma, Fatima and
    Fatimah give FTM; محمد, Mohamed and Muhammad give MHMD. Vowels are dropped except a
    leading one, so that Mona (MN) and Amina (AMN) stay apart. Compounds of عبد (عبد الله,
    Abdallah, Abdullah, Abdel Rahman, Abdulrahman) give ABD and the key of the rest,
    without its article. The key is deliberately coarse: it finds variants, and some
    different names share one (Mohamed and Mahmoud both give MHMD).
    """
    if word.startswith("عبد") and len(word) > 3:
        rest = _without_article(word[3:])
        return "ABD" + _skeleton(rest, keep_leading_vowel=False)
    if word.startswith("abd") and len(word) > 3:
        rest = word[3:]
        if rest[:1] in "aeiou":
            rest = rest[1:]
        if rest.startswith("l") and len(rest) > 1:
            rest = rest[1:]
        return "ABD" + _skeleton(rest, keep_leading_vowel=False)
    return _skeleton(word, keep_leading_vowel=True)


def name_words(text: str) -> list[str]:
    """The words of a name (normalised), articles standing alone left out and compounds
    of عبد joined to the word they govern ("Abd El Rahman" → "abdelrahman")."""
    words = normalise(text or "").split()
    joined: list[str] = []
    index = 0
    while index < len(words):
        word = words[index]
        if word in ABD_WORDS and index + 1 < len(words):
            following = words[index + 1]
            if following in ARTICLES and index + 2 < len(words):
                joined.append(word + following + words[index + 2])
                index += 3
                continue
            joined.append(word + following)
            index += 2
            continue
        if word not in ARTICLES:
            joined.append(word)
        index += 1
    return joined


def word_terms(word: str) -> set[tuple[str, str]]:
    """The terms a stored name word is found by: the word, its prefixes from
    ``PREFIX_FROM`` letters, and its phonetic key; the same for the word without an
    attached Arabic article (السيد is found by سيد and by El Sayed)."""
    terms: set[tuple[str, str]] = set()
    for form in {word, _without_article(word)}:
        terms.add((WORD, form))
        terms.update((WORD, form[:end]) for end in range(PREFIX_FROM, len(form)))
        key = phonetic_key(form)
        if key:
            terms.add((SOUND, key))
    return terms


def query_word_terms(word: str) -> set[tuple[str, str]]:
    """The terms one typed word may match (any of them): the word itself as a name word or
    prefix, and its phonetic key, with and without an attached Arabic article."""
    terms: set[tuple[str, str]] = set()
    for form in {word, _without_article(word)}:
        terms.add((WORD, form))
        key = phonetic_key(form)
        if key:
            terms.add((SOUND, key))
    return terms


_PHONE_SEPARATORS = re.compile(r"[,;/|]|\s{2,}")
_PHONE_NOISE = re.compile(r"[\s\-+().]")


def national_number(digits: str) -> str:
    """A phone number's national significant number: without an international prefix
    (00 or +) for Egypt, and without the trunk 0 (+20 10…, 0020 10… and 010… are one)."""
    if digits.startswith("00"):
        digits = digits[2:]
        if digits.startswith(COUNTRY_CALLING_CODE):
            digits = digits[len(COUNTRY_CALLING_CODE) :]
        return digits.lstrip("0")
    if digits.startswith(COUNTRY_CALLING_CODE) and len(digits) >= 11:
        return digits[len(COUNTRY_CALLING_CODE) :].lstrip("0")
    return digits.lstrip("0")


def phone_digits(value: str) -> str | None:
    """The digits of a typed phone number (any script), or ``None`` when the text holds
    anything but digits, spaces and the usual signs, or fewer than the tail's digits."""
    compact = _PHONE_NOISE.sub("", ascii_digits(strip_invisible(value or "")))
    if not compact.isdigit() or not compact.isascii() or len(compact) < PHONE_TAIL_LENGTH:
        return None
    return compact


def phone_terms(value: str) -> set[tuple[str, str]]:
    """The terms of a stored phone field: each number in it, as its national significant
    number and as its last digits."""
    terms: set[tuple[str, str]] = set()
    for part in _PHONE_SEPARATORS.split(value or ""):
        digits = phone_digits(part)
        if digits is None:
            continue
        number = national_number(digits)
        terms.add((PHONE, number))
        terms.add((PHONE_TAIL, number[-PHONE_TAIL_LENGTH:]))
    return terms


def query_phone_terms(digits: str) -> set[tuple[str, str]]:
    """The terms a typed number may match: the whole number, or its last digits."""
    number = national_number(digits)
    return {(PHONE, number), (PHONE_TAIL, number[-PHONE_TAIL_LENGTH:])}


def code_body(code: str) -> str:
    """A public code (or a part of it) as its letters and digits, without the prefix."""
    compact = "".join(ch for ch in ascii_digits(code or "").upper() if ch.isalnum())
    return compact[2:] if compact.startswith("SV") else compact


def code_terms(code: str) -> set[tuple[str, str]]:
    """The endings of a public code, with and without its check character, and its
    beginnings, from ``CODE_SUFFIX_FROM`` characters: SV-7K3M-9QXP-R is found by QXPR,
    by 9QXP and by 7K3M."""
    body = code_body(code)
    terms: set[tuple[str, str]] = set()
    for text in (body, body[:-1]):
        terms.update((CODE, text[start:]) for start in range(len(text) - CODE_SUFFIX_FROM + 1))
    terms.update((CODE, body[:end]) for end in range(CODE_SUFFIX_FROM, len(body)))
    return terms


def survivor_terms(*, names: list[str], phone: str, code: str) -> set[tuple[str, str]]:
    """Every term a survivor is found by: the words of each name (names in both scripts
    and aliases), the phone numbers and the endings of the public code."""
    terms: set[tuple[str, str]] = set()
    for name in names:
        for word in name_words(name):
            terms |= word_terms(word)
    terms |= phone_terms(phone)
    terms |= code_terms(code)
    return terms


@dataclass(frozen=True)
class SearchTerms:
    """A typed search: every one of ``words`` must match (any term of each), or else one
    term of ``whole`` (a phone number, the end of a code) matches."""

    words: list[set[tuple[str, str]]]
    whole: set[tuple[str, str]]


def search_terms(query: str) -> SearchTerms:
    """The terms of a typed search (see ``SearchTerms``)."""
    whole: set[tuple[str, str]] = set()
    digits = phone_digits(query)
    if digits is not None:
        return SearchTerms(words=[], whole=query_phone_terms(digits))
    body = code_body(query)
    if len(body) >= CODE_SUFFIX_FROM and all(ch in CODE_ALPHABET for ch in body):
        whole.add((CODE, body))
    words = [query_word_terms(word) for word in name_words(query)]
    return SearchTerms(words=words, whole=whole)


def masked_first_name(name: str) -> str:
    """The first word of a name, with only its first two letters shown: فا•••, Fa•••."""
    words = visible_text(name).split()
    if not words:
        return ""
    return words[0][:2] + "•••"


# --- children's safeguards -----------------------------------------------------------

# The smallest best-interests determination panel (a setting overrides it).
BEST_INTERESTS_PANEL_MINIMUM = 3


def panel_members(text: str) -> list[str]:
    """The members of a panel typed one per line (blank lines ignored)."""
    return [line.strip() for line in (text or "").splitlines() if visible_text(line)]


def panel_problem(*, members: list[str], minimum: int) -> str | None:
    """Why a best-interests determination panel cannot decide, as a short code, or ``None``."""
    if len(members) < minimum:
        return "panel_too_small"
    return None


def guardian_end_problem(
    *, appointed_on: datetime.date, ended_on: datetime.date | None, on: datetime.date
) -> str | None:
    """Why a guardian's appointment cannot end on ``on``, as a short code, or ``None``."""
    if ended_on is not None:
        return "already_ended"
    if on < appointed_on:
        return "end_before_appointment"
    return None


def child_assent_problem(*, child_assent: str, reason: str) -> str | None:
    """Why a child's assent as recorded is refused, as a short code, or ``None``: it must be
    given, refused or not asked, and not asked only with a reason."""
    if child_assent not in {"given", "refused", "not_asked"}:
        return "assent_required"
    if child_assent == "not_asked" and not visible_text(reason):
        return "assent_reason_required"
    return None


STATISTICS_AGGREGATES = "aggregates"
STATISTICS_EXCLUDED = "excluded"
STATISTICS_POLICIES = (STATISTICS_AGGREGATES, STATISTICS_EXCLUDED)


def counts_in_statistics(*, consented: bool, policy: str, record_level: bool) -> bool:
    """Whether a survivor's data may be used in statistics.

    A record-level export (one row per person, however anonymised) always needs the
    survivor's standing consent for statistics. Aggregate counts (indicators, tables)
    include a survivor without that consent only where the configured ``policy`` says the
    law allows it (``aggregates``); with ``excluded`` they count consenting survivors only.
    """
    if consented:
        return True
    return not record_level and policy == STATISTICS_AGGREGATES


# --- duplicate matching ------------------------------------------------------------------
#
# Two records of one person are found in two steps. Blocking: each survivor holds a few
# match keys (``match_keys``), stored as keyed digests; only survivors sharing one are
# compared. Scoring (``duplicates.rules``) reduces each compared pair to agreement levels
# and weighs them by Fellegi–Sunter weights estimated from the data. Everything here is
# pure: the callers decrypt and store.

# Particles of filiation ("son of"), carrying no identity of their own.
PARTICLES = frozenset({"بن", "ابن", "بنت", "bin", "ben", "ibn", "bint", "bent"})
# Kunya ("father of", "mother of"): joined to the following name, as one name part.
KUNYA = {"ابو": "ABU", "ابي": "ABU", "ام": "UM", "abu": "ABU", "abou": "ABU", "abo": "ABU"}
KUNYA_LATIN_MOTHER = frozenset({"um", "umm", "om", "omm", "oum"})
# At most this many name parts are used for keys (first, father's, grandfather's, family).
MAX_NAME_PARTS = 4
# Years of birth are blocked in windows of this width, twice, the second shifted by half.
BIRTH_WINDOW = 6


def name_parts(text: str) -> list[str]:
    """The name parts of a full name, each as its phonetic key (``phonetic_key``), for
    either script: particles (بن, ابن, bin, ibn) left out, a kunya (أبو, أم, Abu, Umm)
    joined to the name it governs, compounds of عبد joined (``name_words``)."""
    words = name_words(text)
    parts: list[str] = []
    index = 0
    while index < len(words):
        word = words[index]
        if word in PARTICLES:
            index += 1
            continue
        kunya = KUNYA.get(word) or ("UM" if word in KUNYA_LATIN_MOTHER else None)
        if kunya and index + 1 < len(words):
            parts.append(kunya + part_key(words[index + 1]))
            index += 2
            continue
        key = part_key(word)
        if key:
            parts.append(key)
        index += 1
    return parts


_LATIN_ARTICLES = ("el", "al")
_LATIN_KUNYA = ("abou", "abu")


def part_key(word: str) -> str:
    """The phonetic key of one name part (normalised word) of either script: an attached
    article (السيد, Elsayed) left out, an attached kunya (ابوبكر, Abubakr) kept as ABU,
    the Latin "dh" read as d (Ridha, Reda)."""
    if word.startswith("ابو") and len(word) > 4:
        return "ABU" + phonetic_key(_without_article(word[3:]))
    for kunya in _LATIN_KUNYA:
        if word.startswith(kunya) and len(word) >= len(kunya) + 4:
            return "ABU" + part_key(word[len(kunya) :])
    for article in _LATIN_ARTICLES:
        rest = word[len(article) :]
        if word.startswith(article) and len(rest) >= 4 and rest[0] not in "aeiouy":
            word = rest
            break
    return phonetic_key(_without_article(word).replace("dh", "d"))


@functools.lru_cache(maxsize=200_000)
def name_key(text: str) -> str:
    """One key for a whole name: its parts' keys in order, separated by spaces."""
    return " ".join(name_parts(text))


def birth_windows(year: int | None) -> list[str]:
    """The two overlapping windows of a year of birth: years at most half a window apart
    always share one."""
    if year is None:
        return []
    half = BIRTH_WINDOW // 2
    return [f"a{year // BIRTH_WINDOW}", f"b{(year + half) // BIRTH_WINDOW}"]


def match_keys(
    *,
    names: list[str],
    birth_year: int | None,
    document_numbers: list[str],
    phones: str,
) -> set[str]:
    """The blocking keys of one survivor, in clear (the caller stores keyed digests):

    - every unordered triple of name parts, for a name of three parts or more (swapped
      parts, a missing part and either script still share a triple);
    - every unordered pair of name parts with each window of the birth year, and the
      pair alone for a name of two parts;
    - a name of one part with each window of the birth year;
    - each document number (compacted) and each phone number (national form).
    """
    return match_keys_of_parts(
        parts=[blocking_parts(name) for name in names],
        birth_year=birth_year,
        document_numbers=document_numbers,
        phones=phones,
    )


def blocking_parts(name: str) -> list[str]:
    """The parts of a name that its blocking keys combine: the first ``MAX_NAME_PARTS``
    distinct parts of its key, sorted."""
    return sorted(set(list(dict.fromkeys(name_key(name).split()))[:MAX_NAME_PARTS]))


def match_keys_of_parts(
    *,
    parts: list[list[str]],
    birth_year: int | None,
    document_numbers: list[str],
    phones: str,
) -> set[str]:
    """``match_keys`` of names already split by ``blocking_parts`` (a caller that keys many
    people of the same names splits each name once)."""
    keys: set[str] = set()
    windows = birth_windows(birth_year)
    for name in parts:
        if len(name) >= 3:
            for triple in itertools.combinations(name, 3):
                keys.add("tri:" + "|".join(triple))
        elif len(name) == 2:
            keys.add("pair:" + "|".join(name))
        elif len(name) == 1:
            keys.update(f"one:{name[0]}|{window}" for window in windows)
        for pair in itertools.combinations(name, 2):
            keys.update(f"pw:{'|'.join(pair)}|{window}" for window in windows)
    for number in document_numbers:
        compact = compact_document_number(number)
        if normalise(compact):
            keys.add(f"doc:{compact}")
    for kind, text in phone_terms(phones):
        if kind == PHONE:
            keys.add(f"phone:{text}")
    return keys


@dataclass(frozen=True)
class MatchRecord:
    """What the scoring reads of one survivor (decrypted by the caller, never stored)."""

    names: tuple[str, ...]
    birth_year: int | None = None
    date_of_birth: str = ""
    sex: str = ""
    nationality: str = ""
    documents: frozenset[str] = frozenset()
    phones: frozenset[str] = frozenset()
    # Other attributes compared as text (attribute, value), e.g. an address in a
    # linkage benchmark; a survivor's record has none.
    others: tuple[tuple[str, str], ...] = ()


def match_record(
    *,
    names: list[str],
    birth_year: int | None = None,
    date_of_birth: str = "",
    sex: str = "",
    nationality: str = "",
    document_numbers: list[str] | None = None,
    phones: str = "",
    others: dict[str, str] | None = None,
) -> MatchRecord:
    """A ``MatchRecord`` from raw values: unknown sex is missing, numbers compacted, a
    date of birth written as ``YYYY-MM-DD`` (``YYYYMMDD`` and other digit scripts read
    too) and its year taken as the year of birth when none is given."""
    documents = {compact_document_number(number) for number in document_numbers or []}
    born = match_date(date_of_birth or "")
    if birth_year is None and re.fullmatch(r"\d{4}-\d{2}-\d{2}", born, flags=re.ASCII):
        birth_year = int(born[:4])
    return MatchRecord(
        names=tuple(name for name in names if visible_text(name)),
        birth_year=birth_year,
        date_of_birth=born,
        sex="" if sex in {"", "unknown"} else sex,
        nationality=(nationality or "").upper(),
        documents=frozenset(number for number in documents if number),
        phones=frozenset(text for kind, text in phone_terms(phones) if kind == PHONE),
        others=tuple((key, value) for key, value in sorted((others or {}).items()) if value),
    )


def match_date(text: str) -> str:
    """A date of birth as the scoring compares it: ``YYYY-MM-DD`` from that form or from
    ``YYYYMMDD``, in any digit script; other text is kept as given (compared as written)."""
    digits = ascii_digits(strip_invisible(text)).strip()
    if len(digits) == 8 and digits.isascii() and digits.isdigit():
        return f"{digits[:4]}-{digits[4:6]}-{digits[6:]}"
    return digits


# Scores at or above the review threshold wait for a supervisor; the high-precision
# threshold is the lowest that an administrator may allow automatic merging from.
REVIEW_THRESHOLD = 0.80
AUTO_MERGE_MINIMUM = 0.99


def pair_ids(first: int, second: int) -> tuple[int, int]:
    """A pair of survivors in one order, the smaller id first."""
    return (first, second) if first < second else (second, first)
