"""The web chat page's words (bot/core/page_texts.py) and their catalogues' `page:` sections
(docs/languages.md): English has every one with the same placeholders, no catalogue has a name the
Danish lacks, the scripts and the template use only names that exist and keep no Danish of their own,
and the page is in the citizen's language only when its catalogue has all of the page (docs/decisions.md,
"The web chat page's language")."""
from __future__ import annotations

import logging
import re
import string
from datetime import date

import pytest
import yaml
from babel.dates import format_date

from bot.core import i18n
from bot.core.config import ROOT
from bot.core.page_texts import DANISH, DANISH_PAGE, SCRIPT_NAMES, page_language

CATALOGUE = i18n.default_catalogue()
OTHERS = [code for code in CATALOGUE.codes() if code != i18n.DANISH]
STATIC = ROOT / "bot" / "service" / "static"
SCRIPTS = [STATIC / "webchat.js", STATIC / "ownpage.js"]
TEMPLATE = ROOT / "bot" / "service" / "templates" / "chat.html"
PATTERNS = ("date_day", "date_short")
MAX_SENTENCE_WORDS = 15  # as for the English SMS texts (tests/unit/test_i18n_catalogues.py)


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def code_only(path) -> str:
    """The script without its comments (they may quote the Danish)."""
    return "\n".join(line for line in path.read_text(encoding="utf-8").splitlines()
                     if not line.strip().startswith("//"))


def test_english_has_the_whole_page_with_the_same_placeholders():
    english = CATALOGUE.language("en").page
    assert sorted(set(DANISH) - set(english)) == [], "bot/i18n/en.yml page: lacks these (docs/languages.md)"
    for name, text in DANISH.items():
        assert placeholders(english[name]) == placeholders(text), name
    assert page_language("en").code == "en"


@pytest.mark.parametrize("code", OTHERS)
def test_no_leftovers_and_the_same_placeholders_in_every_catalogue(code):
    page = CATALOGUE.language(code).page
    assert sorted(set(page) - set(DANISH)) == [], f"{code}: page names the Danish does not have"
    for name, text in page.items():
        assert placeholders(text) == placeholders(DANISH[name]), f"{code}: page.{name}"


@pytest.mark.parametrize("code", [i18n.DANISH, *OTHERS])
def test_the_date_patterns_are_babels(code):
    page = page_language(code)
    for name in PATTERNS:
        assert format_date(date(2026, 12, 1), page[name], locale=page.code).strip(), (code, name)


def test_english_sentences_are_short():
    for name, text in CATALOGUE.language("en").page.items():
        if name not in PATTERNS:
            for sentence in re.split(r"(?<=[.!?])\s+", text):
                assert len(sentence.split()) <= MAX_SENTENCE_WORDS, (name, sentence)


def test_the_scripts_and_the_template_use_names_that_exist_and_keep_no_danish():
    assert set(SCRIPT_NAMES) <= set(DANISH)
    used = set()
    for script in SCRIPTS:
        source = code_only(script)
        # t("name", ...) and t(yes ? "name" : "other")
        for call in re.findall(r"\bt\(([^(){]*)", source):
            used |= set(re.findall(r'"(\w+)"', call))
        for name, text in DANISH.items():
            if name not in PATTERNS and len(text) > 4:
                assert text.split("{")[0].strip() not in source, (script.name, name)
    assert used and used <= set(SCRIPT_NAMES), sorted(used - set(SCRIPT_NAMES))
    template = re.sub(r"\{#.*?#\}", "", TEMPLATE.read_text(encoding="utf-8"), flags=re.S)  # not its comments
    in_template = set(re.findall(r"\{\{ page\.(\w+) \}\}", template)) - {"code", "direction"}
    assert in_template and in_template <= set(DANISH), sorted(in_template - set(DANISH))
    for name in in_template:
        assert DANISH[name] not in template, name  # one place for the Danish: page_texts.py


def _catalogue(tmp_path, code: str, page: dict, direction: str = "ltr") -> i18n.Catalogue:
    (tmp_path / f"{code}.yml").write_text(
        yaml.safe_dump({"language": {"name": code, "direction": direction}, "page": page}, allow_unicode=True),
        encoding="utf-8")
    return i18n.Catalogue(tmp_path)


def test_the_page_is_the_citizens_language_only_when_its_catalogue_has_all_of_it(tmp_path, caplog):
    whole = {name: f"[{text}]" for name, text in DANISH.items()}
    (tmp_path / "a").mkdir()
    rtl = page_language("fa", _catalogue(tmp_path / "a", "fa", whole, "rtl"))
    assert (rtl.code, rtl.direction, rtl["title"]) == ("fa", "rtl", "[Skriv med os]")
    assert rtl.script_texts() == {name: whole[name] for name in SCRIPT_NAMES}

    (tmp_path / "b").mkdir()
    partial = _catalogue(tmp_path / "b", "fa", {"title": "عنوان"}, "rtl")
    with caplog.at_level(logging.WARNING, logger="bot.core.page_texts"):
        assert page_language("fa", partial) is DANISH_PAGE  # Danish, and so left-to-right
        assert page_language("fa", partial) is DANISH_PAGE
    [warning] = caplog.records  # said once
    assert "fa lacks" in warning.getMessage() and "to_own_page" in warning.getMessage()

    (tmp_path / "c").mkdir()
    none = _catalogue(tmp_path / "c", "fa", {}, "rtl")
    assert page_language("fa", none) is DANISH_PAGE
    for code in (None, "", "da", "xx", "../en", "EN", "e" * 1000):
        assert page_language(code, none) is DANISH_PAGE, code
    assert DANISH_PAGE.direction == "ltr" and DANISH_PAGE.code == "da"


def test_a_page_text_must_be_a_string(tmp_path):
    (tmp_path / "fa.yml").write_text("page:\n  title: [a, b]\n", encoding="utf-8")
    with pytest.raises(i18n.CatalogueError, match="page.title must be a string"):
        i18n.Catalogue(tmp_path).language("fa")


def test_a_language_babel_does_not_know_gets_danish_dates_not_a_500():
    # A catalogue may add a code Babel lacks ("xyz"): the citizen's own page shows Danish dates.
    from datetime import date

    from bot.core.i18n import format_date_in
    from bot.core.page_texts import DANISH_PAGE

    assert format_date_in(date(2026, 11, 24), DANISH_PAGE["date_day"], "xyz") == format_date_in(
        date(2026, 11, 24), DANISH_PAGE["date_day"], "da")
