"""Rasa's responses in the citizen's language (bot/channels/nlg.py): the NLG Rasa runs, on a real
database (SQLite and PostgreSQL), called as Rasa calls it (`generate` with a DialogueStateTracker)."""
from __future__ import annotations

import logging
import shutil
from datetime import timedelta

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot.channels import nlg as nlg_module
from bot.channels.nlg import CatalogueNLG
from bot.core import i18n
from bot.db.citizens import create_citizen
from bot.db.coordinators import create_coordinator
from bot.db.database import Database
from tests.conftest import T0
from tests.ports import free_port
from tests.trackers import ROOT

DOMAIN = Domain.load(str(ROOT / "domain.yml"))
DANISH_PHONE, ENGLISH_PHONE, STRANGER = "+4520000001", "+4520000002", "+4520000009"
ASK_CONTACT = "utter_ask_checkin_wants_contact"


@pytest.fixture
def citizens(db):
    def make(session):
        coordinator, _ = create_coordinator(session, "Mette")
        create_citizen(session, name="Bente", phone=DANISH_PHONE, coordinator_id=coordinator.id, consent_at=T0)
        english = create_citizen(session, name="John", phone=ENGLISH_PHONE, coordinator_id=coordinator.id,
                                 consent_at=T0)
        english.language = "en"

    db.call(make)


def tracker(sender: str, **slots) -> DialogueStateTracker:
    tracker = DialogueStateTracker.from_events(sender, [], slots=DOMAIN.slots)
    for name, value in slots.items():
        tracker.update(SlotSet(name, value))
    return tracker


def danish(name: str, index: int = -1) -> str:
    return DOMAIN.responses[name][index]["text"]


async def test_english_for_an_english_citizen_danish_for_the_others(db, citizens):
    nlg = CatalogueNLG(domain=DOMAIN, database=db)
    english = await nlg.generate(ASK_CONTACT, tracker(ENGLISH_PHONE), "sms")
    assert english["text"] == "Should your coordinator call you?" and english["language"] == "en"
    assert [b["title"] for b in english["buttons"]] == ["YES", "NO"]  # the payloads stay "JA", "NEJ"
    assert (await nlg.generate(ASK_CONTACT, tracker(DANISH_PHONE), "sms"))["text"] == danish(ASK_CONTACT)
    assert (await nlg.generate(ASK_CONTACT, tracker(STRANGER), "sms"))["text"] == danish(ASK_CONTACT)


async def test_conditions_and_placeholders_work_as_in_danish(db, citizens):
    nlg = CatalogueNLG(domain=DOMAIN, database=db)
    clarify = await nlg.generate(ASK_CONTACT, tracker(ENGLISH_PHONE, clarify=True), "sms")
    assert clarify["text"] == "I did not quite understand. Should your coordinator call you?"
    prompt = await nlg.generate("utter_ask_checkin_overall", tracker(ENGLISH_PHONE, clarify=False, checkin_prompt="prompt"),
                                "sms")
    assert prompt["text"].startswith("Hi. It is time for your check-in.")
    # A custom action's response= with its values, as Rasa's RemoteAction passes them.
    done = await nlg.generate("utter_checkin_done", tracker(ENGLISH_PHONE), "sms", coordinator="Mette")
    assert done["text"] == "Thank you for your answer. It is saved, and Mette can see it."


async def test_the_focus_question_lists_the_programmes_areas_in_the_citizens_language(db, citizens):
    """{area_list} is no slot: the NLG derives it from checkin_programme in the language the text
    is written in (the form asks with no action-server call; bot/checkins/programmes.py)."""
    nlg = CatalogueNLG(domain=DOMAIN, database=db)
    danish_areas = "1 Krop og helbred, 2 Humør og trivsel, 3 Hverdagen, 4 Familie og netværk, 5 Økonomi og bolig"
    english_areas = ("1 Body and health, 2 Mood and well-being, 3 Everyday life, 4 Family and friends, "
                     "5 Money and housing")
    ask = "utter_ask_checkin_focus"
    first = await nlg.generate(ask, tracker(DANISH_PHONE, checkin_programme="standard", clarify=False), "sms")
    assert first["text"] == f"Hvad fylder mest? Svar med et eller flere tal: {danish_areas}."
    again = await nlg.generate(ask, tracker(ENGLISH_PHONE, checkin_programme="standard", clarify=True), "sms")
    assert again["text"] == f"I did not understand. Reply with numbers: {english_areas}. Or write SKIP."
    # No programme yet (a form restored from an old tracker): the default programme's areas.
    unset = await nlg.generate(ask, tracker(DANISH_PHONE), "sms")
    assert danish_areas in unset["text"]
    # An action's own value comes first.
    told = await nlg.generate(ask, tracker(DANISH_PHONE), "sms", area_list="1 Krop")
    assert told["text"].endswith("tal: 1 Krop.")


async def test_a_response_the_catalogue_lacks_goes_out_in_danish_and_is_logged_by_name(db, citizens, tmp_path, caplog):
    catalogue_dir = tmp_path / "i18n"
    catalogue_dir.mkdir()
    (catalogue_dir / "en.yml").write_text(
        "responses:\n  utter_goodbye:\n    - text: \"Bye.\"\n", encoding="utf-8")
    nlg = CatalogueNLG(EndpointConfig(type="bot.channels.nlg.CatalogueNLG", catalogue=str(catalogue_dir)),
                       DOMAIN, database=db)
    assert (await nlg.generate("utter_goodbye", tracker(ENGLISH_PHONE), "sms"))["text"] == "Bye."
    with caplog.at_level(logging.WARNING, logger="bot.channels.nlg"):
        fallback = await nlg.generate(ASK_CONTACT, tracker(ENGLISH_PHONE), "sms")
        await nlg.generate(ASK_CONTACT, tracker(ENGLISH_PHONE), "sms")
    assert fallback["text"] == danish(ASK_CONTACT)
    assert fallback["language"] == "da"  # so the SMS says "Svar 1 eller 2." under it, in Danish too
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and ASK_CONTACT in warnings[0]  # once per process and name
    assert danish(ASK_CONTACT) not in warnings[0]  # the name, never the text


async def test_a_language_added_as_a_file_is_used_without_code(db, citizens, tmp_path):
    """The adding-a-language check end to end: a copy of the catalogue plus `sv.yml`, a citizen set
    to 'sv', and the NLG speaks Swedish where the file has it and Danish elsewhere."""
    catalogue_dir = tmp_path / "i18n"
    shutil.copytree(i18n.CATALOGUE_DIR, catalogue_dir)
    (catalogue_dir / "sv.yml").write_text(
        "language: {name: Svenska, switch_words: [SVENSKA]}\n"
        "responses:\n  utter_ask_checkin_wants_contact:\n"
        "    - condition: [{type: slot, name: clarify, value: true}]\n"
        "      text: \"Svara JA om din koordinator ska ringa dig. Svara NEJ om inte.\"\n"
        "    - text: \"Ska din koordinator ringa dig? Svara JA eller NEJ.\"\n", encoding="utf-8")

    def swedish(session):
        from bot.db.citizens import citizen_by_phone

        citizen_by_phone(session, DANISH_PHONE).language = "sv"

    db.call(swedish)
    nlg = CatalogueNLG(domain=DOMAIN, database=db, catalogue=i18n.Catalogue(catalogue_dir))
    assert (await nlg.generate(ASK_CONTACT, tracker(DANISH_PHONE), "sms"))["text"].startswith("Ska din koordinator")
    assert (await nlg.generate("utter_goodbye", tracker(DANISH_PHONE), "sms"))["text"] == danish("utter_goodbye")
    assert (await nlg.generate(ASK_CONTACT, tracker(ENGLISH_PHONE), "sms"))["text"].startswith("Should your")


async def test_a_new_model_replaces_the_responses(db, citizens):
    """Rasa sets `responses` anew when it loads a model: the overlay follows."""
    nlg = CatalogueNLG(domain=DOMAIN, database=db)
    await nlg.generate(ASK_CONTACT, tracker(ENGLISH_PHONE), "sms")
    nlg.responses = {**DOMAIN.responses, "utter_new_only_danish": [{"text": "Ny."}]}
    assert (await nlg.generate("utter_new_only_danish", tracker(ENGLISH_PHONE), "sms"))["text"] == "Ny."
    assert await nlg.generate("utter_no_such_response", tracker(ENGLISH_PHONE), "sms") is None


async def test_database_down_gives_danish(caplog):
    unreachable = Database(f"postgresql://root@127.0.0.1:{free_port()}/nowhere")
    try:
        nlg = CatalogueNLG(domain=DOMAIN, database=unreachable)
        with caplog.at_level(logging.WARNING, logger="bot.channels.nlg"):
            message = await nlg.generate(ASK_CONTACT, tracker(ENGLISH_PHONE), "sms")
        assert message["text"] == danish(ASK_CONTACT)
        assert any("OperationalError" in r.getMessage() and ENGLISH_PHONE not in r.getMessage() for r in caplog.records)
    finally:
        unreachable.dispose()


async def test_the_gates_hand_over_is_used_without_a_query_until_it_is_old(db, citizens, clock):
    """The gate reads the citizen for each message and hands the language over; the replies of that
    turn use it. A value older than LANGUAGE_TTL is read again from the database."""
    nlg = CatalogueNLG(domain=DOMAIN, database=db, clock=clock)
    # What the gate would hand over after a switch, by the same clock.
    nlg_module.remember_language(db, DANISH_PHONE, "en", clock.now())
    assert (await nlg.generate(ASK_CONTACT, tracker(DANISH_PHONE), "sms"))["text"].startswith("Should your")
    clock.advance(timedelta(seconds=nlg_module.LANGUAGE_TTL + 1))
    assert (await nlg.generate(ASK_CONTACT, tracker(DANISH_PHONE), "sms"))["text"] == danish(ASK_CONTACT)
