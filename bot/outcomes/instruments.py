"""The instruments, word for word as the Danish evaluation of Samarbejdsmodellen gives them (seed 004,
Boks 5.1, 5.2 and 10.2; ../shared/notes/004-samarbejdsmodellen.md §2), and how each is scored.

In an SMS every answer is a digit, and every question says which digit means what, with the
standard Danish answer labels (docs/outcomes.md, "Wording"). The statements are the instruments'
own first-person wording; only the framing around them speaks to the citizen as "du".

A citizen of another language reads an instrument in its wording for that language (`translations`:
the instrument's published translation where there is one, word for word; docs/languages.md,
"Placeholder values"), with the same digits; without one, all of it in Danish. The coordinator's
pages and the scores stay as they are."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.core import i18n, texts
from bot.core.errors import Invalid
from bot.core.vocabulary import Code


class InstrumentCode(Code):
    WHO5 = "who5"
    INSPIRE_O = "inspire_o"
    EXPERIENCE = "experience"


@dataclass(frozen=True)
class Wording:
    """What the citizen reads of an instrument in one language."""
    stem: str
    items: tuple[str, ...]
    question: str
    labels: tuple[tuple[int, str], ...]


@dataclass(frozen=True)
class Instrument:
    code: InstrumentCode
    name: str  # as the coordinator reads it
    stem: str  # before each statement, in the SMS
    items: tuple[str, ...]
    question: str  # after the statement: what the digit says
    labels: tuple[tuple[int, str], ...]  # (digit, label), in the order the SMS lists them
    total: bool  # has a 0-100 score (the experience items are reported one by one)
    # language code -> the same items and digits in that language (the module's docstring)
    translations: Mapping[str, Wording] = field(default_factory=dict, hash=False, compare=False)

    def __post_init__(self):
        for code, wording in self.translations.items():
            if len(wording.items) != len(self.items) or [d for d, _ in wording.labels] != [d for d, _ in self.labels]:
                raise ValueError(f"{self.code.value} in {code}: not the same items and digits as the Danish")

    def wording(self, language: str | None) -> tuple[Wording, str]:
        """The instrument as a citizen of `language` reads it, and the language that is in: its
        translation, or the Danish when it has none."""
        translated = self.translations.get(language or i18n.DANISH)
        if translated is not None:
            return translated, str(language)
        return Wording(self.stem, self.items, self.question, self.labels), i18n.DANISH

    @property
    def low(self) -> int:
        return min(digit for digit, _ in self.labels)

    @property
    def high(self) -> int:
        return max(digit for digit, _ in self.labels)

    def check(self, value: int) -> int:
        if not isinstance(value, int) or isinstance(value, bool) or not self.low <= value <= self.high:
            raise Invalid(f"an answer to {self.code.value} is a whole number from {self.low} to {self.high}", "value")
        return value

    def score(self, items: list[int | None]) -> int | None:
        """0-100 once every item is answered; None before, and for instruments without a total."""
        if not self.total or any(value is None for value in items):
            return None
        span = (self.high - self.low) * len(self.items)
        return round(100 * sum(value - self.low for value in items) / span)


# WHO-5: 0-5 per item, raw sum x 4 = 0-100 (the standard method; the report gives the bands).
WHO5 = Instrument(
    code=InstrumentCode.WHO5,
    name="WHO-5 trivsel",
    stem="I de sidste 2 uger",
    items=(
        "har jeg været glad og i godt humør",
        "har jeg følt mig rolig og afslappet",
        "har jeg følt mig aktiv og energisk",
        "er jeg vågnet frisk og udhvilet",
        "har min dagligdag været fyldt med ting, der interesserer mig",
    ),
    question="Hvor meget af tiden passer det på dig? Svar med et tal:",
    labels=((5, "Hele tiden"), (4, "Det meste af tiden"), (3, "Lidt mere end halvdelen af tiden"),
            (2, "Lidt mindre end halvdelen af tiden"), (1, "Lidt af tiden"), (0, "På intet tidspunkt")),
    total=True,
    translations={
        # The WHO's English original (WHO-5, 1998): its statements and answer labels word for word.
        "en": Wording(
            stem="Over the last two weeks,",
            items=(
                "I have felt cheerful and in good spirits",
                "I have felt calm and relaxed",
                "I have felt active and vigorous",
                "I woke up feeling fresh and rested",
                "my daily life has been filled with things that interest me",
            ),
            question="How much of the time is this true for you? Reply with a number:",
            labels=((5, "All of the time"), (4, "Most of the time"), (3, "More than half of the time"),
                    (2, "Less than half of the time"), (1, "Some of the time"), (0, "At no time")),
        ),
    },
)

# Brief INSPIRE-O: the report gives 1-5 in Boks 5.2 and 1-4 in Boks 10.2, both "slet ikke" to
# "rigtig meget". We use 1-5 (Boks 5.2, and the published instrument's five points), scored
# (sum - 5) x 5 = 0-100 (docs/outcomes.md, "Scales").
INSPIRE_O = Instrument(
    code=InstrumentCode.INSPIRE_O,
    name="INSPIRE-O recovery",
    stem="",
    items=(
        "Jeg føler mig støttet af andre mennesker",
        "Jeg har håb og drømme om fremtiden",
        "Jeg har det godt med mig selv",
        "Jeg gør ting, som betyder noget for mig",
        "Jeg føler, at jeg har kontrol over mit liv",
    ),
    question="Hvor meget passer det på dig? Svar med et tal fra 1 til 5:",
    labels=((1, "Slet ikke"), (5, "Rigtig meget")),
    total=True,
    translations={
        # Brief INSPIRE-O is English in origin; these are its five statements as the Danish gives them.
        # To be checked word for word against the published English before an evaluation relies on them.
        "en": Wording(
            stem="",
            items=(
                "I feel supported by other people",
                "I have hopes and dreams for the future",
                "I feel good about myself",
                "I do things that are meaningful to me",
                "I feel in control of my life",
            ),
            question="How much is this true for you? Reply with a number from 1 to 5:",
            labels=((1, "Not at all"), (5, "Very much")),
        ),
    },
)

# The three experience items, 1-5 from "Helt uenig" to "Helt enig", reported one by one.
EXPERIENCE = Instrument(
    code=InstrumentCode.EXPERIENCE,
    name="Oplevelse af samarbejdet",
    stem="",
    items=(
        "Jeg oplever, at der bliver lyttet til mig på møderne med kommunen",
        "Jeg oplever, at kommunen overholder de aftaler, vi laver",
        "Jeg oplever, at de forskellige afdelinger i kommunen samarbejder for at hjælpe mig",
    ),
    question="Hvor enig er du i det? Svar med et tal:",
    labels=((5, "Helt enig"), (4, "Delvist enig"), (3, "Hverken enig eller uenig"), (2, "Delvist uenig"),
            (1, "Helt uenig")),
    total=False,
    translations={
        # The evaluation's own items (no published English): the Danish in plain English.
        "en": Wording(
            stem="",
            items=(
                "I feel that I am listened to at the meetings with the municipality",
                "I feel that the municipality keeps the agreements we make",
                "I feel that the departments of the municipality work together to help me",
            ),
            question="How much do you agree? Reply with a number:",
            labels=((5, "Completely agree"), (4, "Partly agree"), (3, "Neither agree nor disagree"),
                    (2, "Partly disagree"), (1, "Completely disagree")),
        ),
    },
)

INSTRUMENTS = {instrument.code.value: instrument for instrument in (WHO5, INSPIRE_O, EXPERIENCE)}
# A planned round asks all three, WHO-5 first: its answers are the ones that can raise an alert.
FULL_ROUND = (WHO5.code.value, INSPIRE_O.code.value, EXPERIENCE.code.value)


def instrument(code: str) -> Instrument:
    try:
        return INSTRUMENTS[code]
    except KeyError:
        raise Invalid(f"instrument must be one of {', '.join(INSTRUMENTS)}", "instrument") from None


@dataclass(frozen=True)
class Step:
    """One question of a round: the instrument, the item, and where it stands in the round."""
    instrument: Instrument
    item: int  # 0-based
    number: int  # 1-based, in the whole round
    count: int  # questions in the whole round

    def text(self, language: str | None = i18n.DANISH) -> str:
        """The SMS: where we are, the statement, what to answer, and the labels a line each; in the
        citizen's `language` when the instrument has its wording in it, else all of it in Danish."""
        wording, used = self.instrument.wording(language)
        statement = wording.items[self.item]
        if wording.stem:
            statement = f"{wording.stem} {statement}"
        labels = "\n".join(f"{digit} {label}" for digit, label in wording.labels)
        where = texts.for_language("QUESTION_NUMBER", used).format(number=self.number, count=self.count)
        return f"{where}\n{statement}.\n{wording.question}\n{labels}"


def steps(instruments: list[str]) -> list[Step]:
    pairs = [(instrument(code), item) for code in instruments for item in range(len(instrument(code).items))]
    return [Step(ins, item, number, len(pairs)) for number, (ins, item) in enumerate(pairs, start=1)]


def parse_answer(text: str, ins: Instrument) -> int | None:
    """The digit in a reply ("3", "3.", "jeg siger 4"), if exactly one digit in the instrument's range
    is in it; None otherwise (the caller asks again, kindly)."""
    digits = [int(ch) for ch in text if ch.isdecimal()]  # "²" is isdigit() but not a number int() takes
    if len(digits) != 1 or not ins.low <= digits[0] <= ins.high:
        return None
    return digits[0]
