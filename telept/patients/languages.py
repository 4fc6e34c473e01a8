"""Language names for the tags patients' records store (BCP 47: `en`, `es`, `zh-Hant`), so
pages say "Spanish", never "es" (Issue 16 item 21).

Names come from Django's table of languages (`django.conf.locale.LANG_INFO`, data only), with
the few languages US clinics often need that Django has no translation for. The edit form
offers `CHOICES`; a stored tag outside them stays selectable under its own name.
"""

from __future__ import annotations

from django.conf.locale import LANG_INFO

# Languages often spoken by patients that Django's table does not name.
EXTRA_NAMES = {
    "zh": "Chinese", "yue": "Cantonese", "cmn": "Mandarin", "tl": "Tagalog",
    "fil": "Filipino", "ht": "Haitian Creole", "so": "Somali", "hmn": "Hmong",
    "ase": "American Sign Language", "am": "Amharic", "ti": "Tigrinya", "gu": "Gujarati",
    "lo": "Lao", "sm": "Samoan", "to": "Tongan", "chk": "Chuukese", "mh": "Marshallese",
    "yi": "Yiddish", "nv": "Navajo", "kar": "Karen", "prs": "Dari", "ps": "Pashto",
}

# What the edit form offers, as people look for them (alphabetical by name).
_OFFERED = ("en", "es", "zh", "yue", "cmn", "zh-Hans", "zh-Hant", "tl", "vi", "ar", "fr", "ko",
            "ru", "pt", "pt-BR", "ht", "de", "it", "pl", "hi", "ur", "bn", "pa", "gu", "fa",
            "prs", "ps", "ja", "el", "he", "yi", "so", "am", "ti", "sw", "hmn", "km", "lo",
            "my", "ne", "th", "uk", "ro", "sq", "hy", "tr", "sm", "to", "chk", "mh", "nv",
            "ase")


def canonical(tag: str) -> str:
    """BCP 47 casing: language lower, script title, region upper (`zh-hant` -> `zh-Hant`)."""
    parts = [p for p in str(tag or "").strip().replace("_", "-").split("-") if p]
    if not parts:
        return ""
    out = [parts[0].lower()]
    for part in parts[1:]:
        if len(part) == 4 and part.isalpha():
            out.append(part.title())
        elif len(part) == 2 and part.isalpha() or len(part) == 3 and part.isdigit():
            out.append(part.upper())
        else:
            out.append(part.lower())
    return "-".join(out)


def language_name(tag: object) -> str:
    """"en" -> "English", "zh-Hant" -> "Traditional Chinese", "es-MX" -> "Mexican Spanish";
    a tag nobody names is shown as is (never an empty string for a stored tag)."""
    text = str(tag or "").strip()
    key = text.lower().replace("_", "-")
    if not key:
        return ""
    for candidate in (key, key.split("-")[0]):
        if candidate in EXTRA_NAMES:
            return EXTRA_NAMES[candidate]
        info = LANG_INFO.get(candidate)
        if info and "name" not in info and info.get("fallback"):
            info = LANG_INFO.get(info["fallback"][0])
        if info and info.get("name"):
            return str(info["name"])
    return text


CHOICES: tuple[tuple[str, str], ...] = tuple(sorted(
    ((canonical(t), language_name(t)) for t in _OFFERED), key=lambda c: c[1]))


def choices_with(current: str) -> list[tuple[str, str]]:
    """The offered languages, plus the stored one when it is not among them."""
    options = list(CHOICES)
    tag = canonical(current)
    if tag and tag.lower() not in {code.lower() for code, _ in options}:
        options.append((tag, language_name(tag)))
    return options
