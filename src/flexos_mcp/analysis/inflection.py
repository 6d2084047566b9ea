"""English singular/plural for entity names, and the name-shape conversions around them.

Entity names come from screens ("lessons", "Lesson plans", "new-lesson-form") and must become one
canonical singular PascalCase name with a correct plural (tables are named by the plural). A small
rule set plus explicit exception lists is enough for the nouns apps are made of; it is deliberately
not a general-purpose inflector.
"""

from __future__ import annotations

import functools
import re
import unicodedata

_IRREGULAR_PLURALS = {
    "person": "people",
    "child": "children",
    "man": "men",
    "woman": "women",
    "mouse": "mice",
    "goose": "geese",
    "foot": "feet",
    "tooth": "teeth",
    "ox": "oxen",
    "quiz": "quizzes",
    "criterion": "criteria",
    "phenomenon": "phenomena",
    "cactus": "cacti",
    "fungus": "fungi",
    "nucleus": "nuclei",
    "syllabus": "syllabi",
    "alumnus": "alumni",
    "stimulus": "stimuli",
    "matrix": "matrices",
    "vertex": "vertices",
    "appendix": "appendices",
    "die": "dice",
}
_IRREGULAR_SINGULARS = {plural: singular for singular, plural in _IRREGULAR_PLURALS.items()}

# Nouns whose plural is the same word.
_INVARIANT = {
    "equipment",
    "information",
    "money",
    "species",
    "series",
    "fish",
    "sheep",
    "deer",
    "news",
    "data",
    "metadata",
    "feedback",
    "software",
    "hardware",
    "media",
    "staff",
    "analytics",
    "furniture",
    "advice",
    "music",
    "homework",
    "content",
    "evidence",
    "knowledge",
    "progress",
    "research",
    "traffic",
    "access",
    "audio",
    "physics",
    "mathematics",
    "economics",
    "ethics",
    "politics",
    "chaos",
    "kudos",
}
# Singular nouns ending in "s": singularize leaves them alone, pluralize adds -es.
_SINGULAR_ENDING_IN_S = {
    "canvas",
    "atlas",
    "alias",
    "bias",
    "lens",
    "status",
    "bus",
    "campus",
    "virus",
    "bonus",
    "census",
    "focus",
    "chorus",
    "circus",
    "genius",
    "octopus",
    "apparatus",
    "consensus",
}
# -f / -fe nouns that take -ves (most -f nouns do not: roofs, chefs, beliefs, proofs).
_F_TO_VES = {
    "leaf",
    "knife",
    "life",
    "wife",
    "half",
    "shelf",
    "wolf",
    "thief",
    "calf",
    "loaf",
    "self",
    "elf",
    "scarf",
    "wharf",
}
_VES_TO_F = {(word[:-2] if word.endswith("fe") else word[:-1]) + "ves": word for word in _F_TO_VES}
# -o nouns that take -es (the rest take -s: photos, videos, studios, portfolios).
_O_TO_OES = {"hero", "potato", "tomato", "echo", "veto", "torpedo", "embargo"}
# -sis -> -ses (analysis -> analyses).
_SIS_PLURALS = {
    "analyses",
    "crises",
    "theses",
    "diagnoses",
    "hypotheses",
    "synopses",
    "parentheses",
    "emphases",
    "oases",
    "syntheses",
}
# -us nouns whose plural is -uses (status -> statuses), so "statuses" is not "statuse".
_US_PLURALS = {
    "statuses",
    "bonuses",
    "campuses",
    "viruses",
    "buses",
    "censuses",
    "choruses",
    "focuses",
    "prospectuses",
    "syllabuses",
    "geniuses",
    "octopuses",
    "apparatuses",
    "circuses",
    "consensuses",
    "corpuses",
}
# Plurals ending in -ies / -ches that keep their "ie" / "e" in the singular.
_IES_KEEP_E = {
    "movies",
    "cookies",
    "calories",
    "selfies",
    "zombies",
    "rookies",
    "smoothies",
    "brownies",
    "prairies",
    "hippies",
    "pies",
    "ties",
    "lies",
}
_CHES_KEEP_E = {"caches", "niches", "headaches", "moustaches", "avalanches"}

_LAST_WORD = re.compile(r"([A-Z]?[a-z]+|[A-Z]+|[0-9]+)$")


def _restore_case(template: str, word: str) -> str:
    """Give `word` the capitalisation of `template` (Person -> People, PERSON -> PEOPLE)."""
    if len(template) > 1 and template.isupper():
        return word.upper()
    if template[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


def _split_last_word(name: str) -> tuple[str, str]:
    match = _LAST_WORD.search(name)
    if not match:
        return name, ""
    return name[: match.start()], match.group(1)


def _plural_word(word: str) -> str:
    if word in _INVARIANT:
        return word
    if word in _IRREGULAR_PLURALS:
        return _IRREGULAR_PLURALS[word]
    if word in _F_TO_VES:
        return (word[:-2] if word.endswith("fe") else word[:-1]) + "ves"
    if word.endswith("sis"):
        return word[:-3] + "ses"
    if word.endswith(("s", "x", "z", "ch", "sh")):
        return word + "es"
    if word.endswith("y") and len(word) > 1 and word[-2] not in "aeiou":
        return word[:-1] + "ies"
    if word in _O_TO_OES:
        return word + "es"
    return word + "s"


def _singular_word(word: str) -> str:
    if word in _INVARIANT or word in _SINGULAR_ENDING_IN_S:
        return word
    if word in _IRREGULAR_SINGULARS:
        return _IRREGULAR_SINGULARS[word]
    if word in _VES_TO_F:
        return _VES_TO_F[word]
    if word in _SIS_PLURALS:
        return word[:-3] + "sis"
    if word in _US_PLURALS:
        return word[:-2]
    if word in _IES_KEEP_E or word in _CHES_KEEP_E:
        return word[:-1]
    if word.endswith("ies") and len(word) > 3:
        return word[:-3] + "y"
    if word.endswith("oes"):
        return word[:-2] if word[:-2] in _O_TO_OES else word[:-1]
    if word.endswith("zzes"):
        return word[:-3]
    if word.endswith(("sses", "xes", "ches", "shes")):
        return word[:-2]
    if word.endswith(("ss", "us", "is")):
        return word
    if word.endswith("s") and len(word) > 1:
        return word[:-1]
    return word


@functools.lru_cache(maxsize=4096)  # entity inference asks for the same few names many times per page
def pluralize(name: str) -> str:
    """Plural of a name, inflecting only its last word: LessonPlan -> LessonPlans,
    Category -> Categories, Person -> People, lesson_plan -> lesson_plans."""
    head, word = _split_last_word(name)
    if not word or word.isdigit():
        return name
    return head + _restore_case(word, _plural_word(word.lower()))


def singularize(name: str) -> str:
    """Singular of a name, inflecting only its last word: Categories -> Category,
    People -> Person, lesson_plans -> lesson_plan. A singular name is returned unchanged."""
    head, word = _split_last_word(name)
    if not word or word.isdigit():
        return name
    return head + _restore_case(word, _singular_word(word.lower()))


def ascii_fold(text: str) -> str:
    """Drop accents and anything non-ASCII: identifiers must be plain ASCII everywhere we emit them."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def words_of(name: str) -> list[str]:
    """Split any identifier or phrase into lowercase words: fullName, full-name, full_name and
    "Full name" all give ["full", "name"]."""
    return list(_cached_words(name) if len(name) <= 200 else _split_words(name))


@functools.lru_cache(maxsize=16384)  # the same class names and entity names recur on every page
def _cached_words(name: str) -> tuple[str, ...]:
    return _split_words(name)


def _split_words(name: str) -> tuple[str, ...]:
    text = ascii_fold(name)
    text = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", text)
    text = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1 \2", text)
    return tuple(w for w in re.split(r"[^A-Za-z0-9]+", text.lower()) if w)


_ALNUM_OR_SPACE = bytes(c if c < 128 and chr(c).isalnum() else 32 for c in range(256))


def word_set(text: str) -> set[str]:
    """set(words_of(text)), fast for a long text (a whole page): words never span a character
    other than an ASCII letter or digit, so each distinct run of those is split once (cached)."""
    folded = text if text.isascii() else ascii_fold(text)
    runs = set(folded.encode("ascii").translate(_ALNUM_OR_SPACE).split())
    return {w for run in runs for w in _cached_words(run.decode("ascii"))}


def snake_case(name: str) -> str:
    """fullName / full-name / "Full name" -> full_name; a leading digit gets an "f_" prefix so the
    result is always a valid identifier (or "" when nothing usable is left)."""
    joined = "_".join(words_of(name))
    if joined[:1].isdigit():
        joined = "f_" + joined
    return joined


def pascal_case(name: str) -> str:
    """lesson plan / lesson-plan / lesson_plan -> LessonPlan."""
    return "".join(w[:1].upper() + w[1:] for w in words_of(name))


def entity_name_from_phrase(phrase: str) -> str:
    """A phrase naming things ("lesson plans", "LessonPlans", "lesson-plan") -> the singular
    PascalCase entity name (LessonPlan); "" when the phrase has no letters."""
    words = [w for w in words_of(phrase) if w.isalpha()]
    if not words:
        return ""
    words[-1] = singularize(words[-1])
    return "".join(w[:1].upper() + w[1:] for w in words)
