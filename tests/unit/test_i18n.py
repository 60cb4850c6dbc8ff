"""The catalogue loader (bot/core/i18n.py) and `texts.for_language`: a language is a file, and adding
one needs no code (docs/languages.md, "Adding a language")."""
from __future__ import annotations

import logging
from datetime import date, datetime, timezone

import pytest

from bot.core import i18n, texts

WEDNESDAY = datetime(2026, 9, 30, 11, 30, tzinfo=timezone.utc)  # 13:30 in Copenhagen


def test_a_new_file_is_a_new_language(tmp_path):
    catalogue = i18n.Catalogue(tmp_path)
    assert catalogue.codes() == ["da"]
    assert catalogue.language("sv") is None and catalogue.text("CRISIS_REPLY", "sv") is None
    (tmp_path / "sv.yml").write_text(
        "language: {name: Svenska, switch_words: [SVENSKA]}\n"
        "formats: {when: \"EEEE d MMMM 'kl.' HH:mm\"}\n"
        "responses:\n  utter_goodbye:\n    - text: \"Hej då. Skriv när du vill.\"\n"
        "texts:\n  CRISIS_REPLY: \"Är du i fara, ring 112. Du kan också ringa Livslinien på 70 201 201.\"\n",
        encoding="utf-8")
    assert catalogue.codes() == ["da"]  # the directory is listed once: the file is for the next start
    catalogue = i18n.Catalogue(tmp_path)
    assert catalogue.codes() == ["da", "sv"]
    assert catalogue.text("CRISIS_REPLY", "sv").startswith("Är du i fara")
    assert catalogue.responses("sv")["utter_goodbye"][0]["text"] == "Hej då. Skriv när du vill."
    assert catalogue.language_for_switch_word(" svenska! ") == "sv"
    assert catalogue.format_when(WEDNESDAY, "sv") == "onsdag 30 september kl. 13:30"
    assert catalogue.direction("sv") == i18n.LTR


def test_danish_is_the_source_not_a_file():
    catalogue = i18n.default_catalogue()
    assert catalogue.responses("da") == {} and catalogue.text("CRISIS_REPLY", "da") is None
    assert catalogue.language_for_switch_word("DANSK") == "da"
    assert catalogue.language_for_switch_word("english") == "en"
    assert catalogue.language_for_switch_word("العربية") == "ar"
    assert catalogue.language_for_switch_word("hej") is None and catalogue.language_for_switch_word("") is None


def test_meeting_times_in_the_citizens_language():
    assert i18n.format_when(WEDNESDAY, "da") == "onsdag 30. september kl. 13.30"
    assert i18n.format_when(WEDNESDAY, "en") == "Wednesday 30 September at 13:30"
    assert i18n.format_when(WEDNESDAY, None) == "onsdag 30. september kl. 13.30"
    assert i18n.format_when(WEDNESDAY, "xx") == "onsdag 30. september kl. 13.30"


def test_days_in_the_citizens_language():
    """An agreement's deadline: `formats: day`, Danish where a catalogue has none (ar.yml)."""
    christmas_eve = date(2026, 12, 24)
    assert i18n.format_day(christmas_eve, "en") == "Thursday 24 December"
    for language in ("da", None, "xx", "ar"):
        assert i18n.format_day(christmas_eve, language) == "torsdag 24. december", language


def test_text_for_language_falls_back_to_danish_and_says_which(caplog):
    assert texts.for_language("CRISIS_REPLY", "da") == texts.CRISIS_REPLY
    assert texts.for_language("CRISIS_REPLY", None) == texts.CRISIS_REPLY
    assert texts.for_language("CRISIS_REPLY", "en").startswith("If you are in danger, call 112.")
    assert "112" in texts.for_language("CRISIS_REPLY", "ar")
    with caplog.at_level(logging.WARNING, logger="bot.core.texts"):
        assert texts.for_language("TURN_LOST", "ar") == texts.TURN_LOST  # Arabic lacks it: Danish
        assert texts.for_language("TURN_LOST", "xx") == texts.TURN_LOST  # no such catalogue: Danish
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "TURN_LOST" in logged and texts.TURN_LOST not in logged  # the name, never the text
    with pytest.raises(KeyError):
        texts.for_language("NO_SUCH_TEXT", "en")


@pytest.mark.parametrize("content, problem", [
    ("responses: [1, 2]\n", "mapping"),
    ("responses:\n  utter_x: hello\n", "utter_x"),
    ("texts:\n  CRISIS_REPLY: [1]\n", "CRISIS_REPLY"),
    ("language: {direction: sideways}\n", "direction"),
    ("unknown_section: {}\n", "top level"),
    ("texts: {a: 'b'\n", "YAML"),
    ("texts:\n  CRISIS_REPLY: 'a'\n  CRISIS_REPLY: 'b'\n", "duplicate key 'CRISIS_REPLY'"),  # not the last one silently
])
def test_a_broken_file_is_refused_by_name(tmp_path, content, problem):
    (tmp_path / "xx.yml").write_text(content, encoding="utf-8")
    with pytest.raises(i18n.CatalogueError, match=problem) as refused:
        i18n.Catalogue(tmp_path).language("xx")
    assert "xx.yml" in str(refused.value)


def test_only_language_codes_are_files(tmp_path):
    (tmp_path / "README.yml").write_text("x: 1\n", encoding="utf-8")
    (tmp_path / "en.yml").write_text("texts: {}\n", encoding="utf-8")
    catalogue = i18n.Catalogue(tmp_path)
    assert catalogue.codes() == ["da", "en"]
    assert catalogue.language("../en") is None and catalogue.language("README") is None


def test_every_rasa_endpoints_file_names_the_catalogue_nlg(tmp_path):
    """Development, production (deploy/, which tests/topology.py runs) and the tests' stack."""
    import yaml

    from tests.stack import Stack
    from tests.trackers import ROOT

    stack_endpoints = Stack(tmp_path)._endpoints()
    for path in (ROOT / "endpoints.yml", ROOT / "deploy" / "endpoints.yml", stack_endpoints):
        assert yaml.safe_load(path.read_text(encoding="utf-8"))["nlg"] == {"type": "bot.channels.nlg.CatalogueNLG"}, path
