"""The web chat page's words: the page itself (bot/service/templates/chat.html), the widget's
(static/webchat.js), "Din side" (static/ownpage.js) and the words of the data "Din side" shows
(bot/citizens/own_page.py). Danish is the source, here and only here; another language has them in
its catalogue's `page:` section (bot/i18n/<code>.yml, docs/languages.md) under the same names.

The page is in one language, never a mix (docs/decisions.md, "The web chat page's language"): the
citizen's language when its catalogue has every name below, else Danish. A partial `page:` section
is not used (a WARNING names what it lacks), so an Arabic citizen whose catalogue has no page gets the
Danish page left-to-right, not Danish words in a right-to-left page; the chat's own bubbles each take
their own direction (static/chat.css, webchat.js).

`{name}` is a placeholder: filled by the server (str.format) or by the page's scripts (the same
syntax). `date_day` and `date_short` are Babel date patterns, not words."""
from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from bot.core import i18n

_log = logging.getLogger(__name__)

DANISH: Mapping[str, str] = MappingProxyType({
    # The page (chat.html); `title` is the widget's title too.
    "title": "Skriv med os",
    "to_own_page": "Se din side",
    "intro": "Skriv TJEK IND for at sige, hvordan det går. Skriv RING, så ringer din koordinator. "
             "Er det akut, så ring 112.",
    "link_closed": "Linket virker ikke længere. Skriv til os på SMS, så sender vi et nyt link.",
    "link_expired": "Dit link er udløbet. Skriv til os på SMS, så sender vi et nyt link.",
    "noscript": "Webchatten kræver JavaScript. Du kan også skrive til os på SMS.",
    "own_heading": "Din side",
    "own_intro": "Her kan du se dine møder og jeres aftaler. Du kan også se, hvordan du har haft det. "
                 "Din koordinator kan også se det.",
    "meetings_heading": "Dine næste møder",
    "meetings_none": "Du har ingen møder lige nu.",
    "goals_heading": "Dine mål",
    "goals_none": "Du har ingen mål endnu. Dem skriver I sammen.",
    "agreements_heading": "Jeres aftaler",
    "agreements_none": "Der er ingen aftaler endnu.",
    "checkins_heading": "Sådan har du haft det",
    "checkins_intro": "Det er dine svar, når du har tjekket ind. Det nyeste står øverst.",
    "chart_alt": "Dine svar som tegning. Listen herunder siger det samme.",
    "checkins_none": "Du har ikke tjekket ind endnu. Skriv TJEK IND i chatten.",
    "own_failed": "Vi kan ikke vise din side lige nu. Prøv igen senere.",
    # The widget (webchat.js).
    "widget_subtitle": "Din koordinator ser det, du skriver",
    "widget_input_hint": "Skriv her...",
    "widget_connecting": "Forbinder...",
    "widget_send": "Send",
    "widget_message_label": "Din besked",
    "widget_messages_label": "Beskeder",
    # "Din side" (ownpage.js).
    "place": "Sted: {place}",
    "who": "Hvem: {who}",
    "due": "Senest: {due}",
    "step_done": "Gjort: {step}",
    "tick_mine": "Jeg har gjort det",
    "tick_theirs": "Det er gjort",
    "untick": "Fortryd",
    "ticked": "Godt gået. Trinnet står nu som gjort.",
    "unticked": "Trinnet står nu som ikke gjort.",
    "tick_link_dead": "Dit link virker ikke længere. Skriv til os på SMS, så sender vi et nyt.",
    "tick_step_gone": "Trinnet findes ikke længere.",
    "tick_failed": "Det gik ikke. Prøv igen senere.",
    "mattered_most": "Det fyldte mest: {areas}.",
    "link_until": "Dit link virker til {when}.",
    # The data of "Din side" (bot/citizens/own_page.py).
    "colour_green": "grøn",
    "colour_yellow": "gul",
    "colour_red": "rød",
    # The meeting's kind as the citizen says it.
    "kind_opstartssamtale": "Første samtale",
    "kind_netvaerksmoede": "Netværksmøde",
    "kind_opfoelgning": "Opfølgning",
    "kind_afslutningssamtale": "Sidste samtale",
    "kind_andet": "Møde",
    "reply_confirmed": "Du har sagt, at du kommer.",
    "reply_cannot_come": "Du har sagt, at du ikke kan komme.",
    # The citizen's own answer to "has it been done?" (bot/meetings/agreements.py, record_follow_up).
    "done_yes": "Det er gjort.",
    "done_no": "Det er ikke gjort endnu.",
    "done_unknown": "Du vidste det ikke, da vi spurgte.",
    "not_asked": "Ikke tjekket endnu.",
    # Who does an agreement or a step that is the citizen's own (a step's owner "Du").
    "you": "Du",
    "questions_answered": "Du har svaret på spørgsmålene {date}",
    "date_day": "EEEE d. MMM",  # "tirsdag 24. nov."
    "date_short": "d. MMM",  # "24. nov."
})

# What the page's scripts read (chat.html hands them over as JSON: the CSP allows no inline script).
SCRIPT_NAMES = (
    "title", "widget_subtitle", "widget_input_hint", "widget_connecting", "widget_send", "widget_message_label",
    "widget_messages_label", "place", "who", "due", "step_done", "tick_mine", "tick_theirs", "untick", "ticked",
    "unticked", "tick_link_dead", "tick_step_gone", "tick_failed", "mattered_most", "link_until",
)


@dataclass(frozen=True)
class PageLanguage:
    code: str  # <html lang>
    direction: str  # <html dir>: ltr or rtl
    texts: Mapping[str, str]  # every name of DANISH

    def __getitem__(self, name: str) -> str:
        return self.texts[name]

    def script_texts(self) -> dict[str, str]:
        return {name: self.texts[name] for name in SCRIPT_NAMES}


DANISH_PAGE = PageLanguage(i18n.DANISH, i18n.LTR, DANISH)
_warned: set[tuple[str, str]] = set()  # (catalogue directory, code): said once per process


def page_language(code: str | None, catalogue: i18n.Catalogue | None = None) -> PageLanguage:
    """The page for a citizen whose language is `code` (or a code from a URL: anything that is no
    catalogue's gives Danish): that language when its catalogue's `page:` has every name of DANISH,
    else Danish."""
    if not code or code == i18n.DANISH:
        return DANISH_PAGE
    catalogue = catalogue or i18n.default_catalogue()
    language = catalogue.language(code)
    if language is None:
        return DANISH_PAGE
    missing = [name for name in DANISH if name not in language.page]
    if missing:
        if language.page and (str(catalogue.directory), code) not in _warned:  # a translation under way
            _warned.add((str(catalogue.directory), code))
            _log.warning("page texts: %s lacks %s; the web chat page is Danish", code, ", ".join(missing))
        return DANISH_PAGE
    return PageLanguage(code, language.direction, MappingProxyType({name: language.page[name] for name in DANISH}))
