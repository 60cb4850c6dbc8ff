"""The citizen's language: one catalogue file per language (docs/languages.md).

Danish is the source and has no catalogue file: its texts are domain.yml's responses and the
constants of bot/core/texts.py. Every other language is one YAML file, `<code>.yml`, in a catalogue
directory (bot/i18n/ unless another is given), with up to five sections:

    language:   {name: English, direction: ltr, switch_words: [ENGLISH, ENGELSK]}
    responses:  domain response name -> variations, exactly as in domain.yml (text, buttons, condition)
    texts:      constant name of bot/core/texts.py -> text
    formats:    {when: ..., when_on_the_hour: ..., day: ...}: Babel date patterns for meeting times and days
    page:       name of bot/core/page_texts.py's DANISH -> text: the web chat page and "Din side"

A file present is a language: adding `xx.yml` adds one, with no change to code. A name its file does
not have falls back to Danish (the callers log it): a partial catalogue (Arabic: the safety reply and
a few short messages) is a valid one.

Pure: reads files, no database, no Rasa. The NLG (bot/channels/nlg.py) overlays the responses;
`bot.core.texts.for_language` serves the texts, `bot.core.page_texts.page_language` the page."""
from __future__ import annotations

import functools
import re
import threading
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from babel import UnknownLocaleError
from babel.dates import format_date, format_datetime

from bot.core.clock import COPENHAGEN
from bot.core.danish_time import format_day as danish_day
from bot.core.danish_time import format_when as danish_when

DANISH = "da"
CATALOGUE_DIR = Path(__file__).resolve().parent.parent / "i18n"
# A language code is the file's name: ISO 639-1 (two letters) or 639-3 (three), lower case.
_CODE = re.compile(r"[a-z]{2,3}")
_SECTIONS = {"language", "responses", "texts", "formats", "page"}
LTR, RTL = "ltr", "rtl"


class CatalogueError(ValueError):
    """A catalogue file that cannot be used as one (the message names the file and the place)."""


@dataclass(frozen=True)
class Language:
    code: str
    name: str  # in the language itself: "English", "العربية"
    direction: str = LTR  # the web chat page's dir attribute
    switch_words: tuple[str, ...] = ()  # whole messages that switch a citizen to this language
    responses: Mapping[str, list[dict[str, Any]]] = field(default_factory=dict)
    texts: Mapping[str, str] = field(default_factory=dict)
    formats: Mapping[str, str] = field(default_factory=dict)
    page: Mapping[str, str] = field(default_factory=dict)  # the web chat page's words (page_texts.py)


DANISH_LANGUAGE = Language(DANISH, "Dansk", LTR, ("DANSK", "DANISH"))


class _UniqueKeyLoader(yaml.SafeLoader):
    """safe_load that refuses a key given twice in one mapping: plain YAML keeps the last one, so a
    second translation of a text would silently replace the first."""

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue  # "<<: *anchor": merged keys may be overridden, that is what it is for
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, Hashable):
                continue  # SafeLoader refuses it with its own message
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep)


def _load(path: Path) -> Language:
    code = path.stem
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_UniqueKeyLoader) or {}
    except yaml.YAMLError as exc:
        raise CatalogueError(f"{path.name}: not valid YAML ({exc})") from None
    if not isinstance(data, dict) or set(data) - _SECTIONS:
        raise CatalogueError(f"{path.name}: the top level must be a mapping of {sorted(_SECTIONS)}")
    meta, responses, texts, formats, page = (data.get(section) or {}
                                             for section in ("language", "responses", "texts", "formats", "page"))
    for section, value in (("language", meta), ("responses", responses), ("texts", texts), ("formats", formats),
                           ("page", page)):
        if not isinstance(value, dict):
            raise CatalogueError(f"{path.name}: {section} must be a mapping")
    for name, variations in responses.items():
        if not isinstance(variations, list) or not variations or not all(
                isinstance(v, dict) and isinstance(v.get("text"), str) for v in variations):
            raise CatalogueError(f"{path.name}: responses.{name} must be a list of variations with a text")
    for section, mapping in (("texts", texts), ("page", page)):
        for name, text in mapping.items():
            if not isinstance(text, str):
                raise CatalogueError(f"{path.name}: {section}.{name} must be a string")
    direction = meta.get("direction", LTR)
    if direction not in (LTR, RTL):
        raise CatalogueError(f"{path.name}: language.direction must be {LTR} or {RTL}")
    return Language(code=code, name=str(meta.get("name") or code), direction=direction,
                    switch_words=tuple(str(w) for w in meta.get("switch_words") or ()),
                    responses=responses, texts=texts, formats=formats, page=page)


class Catalogue:
    """The catalogue files of one directory. The directory is listed once, at first use, and each
    file read once, at its first use: a file added later is a language for the next Catalogue (the
    next start of the process). The gate asks for switch words on every message, so neither is
    read again."""

    def __init__(self, directory: Path | str = CATALOGUE_DIR):
        self.directory = Path(directory)
        self._languages: dict[str, Language] = {}
        self._lock = threading.Lock()

    @functools.cached_property
    def _codes(self) -> tuple[str, ...]:
        files = sorted(p.stem for p in self.directory.glob("*.yml") if _CODE.fullmatch(p.stem))
        return (DANISH, *(c for c in files if c != DANISH))

    @functools.cached_property
    def _switch_words(self) -> dict[str, str]:
        """Casefolded switch word -> code; a word two files claim is the first code's."""
        words: dict[str, str] = {}
        for code in self._codes:
            language = self.language(code)
            for word in language.switch_words if language else ():
                words.setdefault(word.casefold(), code)
        return words

    def codes(self) -> list[str]:
        """Danish first, then every catalogue file present, by code."""
        return list(self._codes)

    def language(self, code: str | None) -> Language | None:
        """None for a code without a file (or not a code at all)."""
        if code == DANISH:
            return DANISH_LANGUAGE
        if not isinstance(code, str) or code not in self._codes:
            return None
        with self._lock:
            if code not in self._languages:
                path = self.directory / f"{code}.yml"
                if not path.is_file():  # removed since it was listed
                    return None
                self._languages[code] = _load(path)
            return self._languages[code]

    def responses(self, code: str | None) -> Mapping[str, list[dict[str, Any]]]:
        """The language's own responses (none for Danish: those are the domain's)."""
        language = self.language(code)
        return language.responses if language else {}

    def text(self, name: str, code: str | None) -> str | None:
        """The language's text for a constant of bot/core/texts.py; None when it has none."""
        language = self.language(code)
        return language.texts.get(name) if language else None

    def direction(self, code: str | None) -> str:
        language = self.language(code)
        return language.direction if language else LTR

    def language_for_switch_word(self, message: str) -> str | None:
        """The code of the language whose switch word is the whole message ("English", " DANSK!")."""
        word = message.strip(" .!?").casefold()
        return self._switch_words.get(word) if word else None

    def format_when(self, instant: datetime, code: str | None, zone: ZoneInfo = COPENHAGEN) -> str:
        """A meeting time as the language says it; Danish when its catalogue has no pattern."""
        language = self.language(code)
        formats = language.formats if language else {}
        local = instant.astimezone(zone)
        pattern = formats.get("when_on_the_hour" if local.minute == 0 else "when") or formats.get("when")
        if not pattern or code == DANISH:
            return danish_when(instant, zone)
        try:
            return format_datetime(local, pattern, locale=code)
        except (UnknownLocaleError, ValueError):
            return danish_when(instant, zone)  # a code Babel does not know: Danish, as for any gap

    def format_day(self, day: date, code: str | None) -> str:
        """A day (an agreement's deadline) as the language says it ("Thursday 24 December"); Danish
        ("torsdag 24. december") when its catalogue has no `day` pattern."""
        language = self.language(code)
        pattern = (language.formats if language else {}).get("day")
        if not pattern or code == DANISH:
            return danish_day(day)
        try:
            return format_date(day, pattern, locale=code)
        except (UnknownLocaleError, ValueError):
            return danish_day(day)


def format_date_in(day: date, pattern: str, code: str) -> str:
    """A date by a Babel pattern in the language `code`; in Danish for a code Babel does not know (a
    catalogue may add a language Babel lacks): never an error for the citizen."""
    try:
        return format_date(day, pattern, locale=code)
    except (UnknownLocaleError, ValueError):
        return format_date(day, pattern, locale=DANISH)


@functools.cache
def default_catalogue() -> Catalogue:
    """bot/i18n/: the catalogue every process uses."""
    return Catalogue(CATALOGUE_DIR)


def languages() -> list[str]:
    return default_catalogue().codes()


def responses(language: str | None) -> Mapping[str, list[dict[str, Any]]]:
    return default_catalogue().responses(language)


def text(name: str, language: str | None) -> str | None:
    return default_catalogue().text(name, language)


def direction(language: str | None) -> str:
    return default_catalogue().direction(language)


def language_for_switch_word(message: str) -> str | None:
    return default_catalogue().language_for_switch_word(message)


def format_when(instant: datetime, language: str | None, zone: ZoneInfo = COPENHAGEN) -> str:
    return default_catalogue().format_when(instant, language, zone)


def format_day(day: date, language: str | None) -> str:
    return default_catalogue().format_day(day, language)
