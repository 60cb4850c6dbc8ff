from bot.sms.gsm import in_other_script, is_gsm7, segments, to_gsm7


def test_danish_letters_are_gsm7():
    assert is_gsm7("æøåÆØÅ é") and segments("æøå" * 53) == 1


def test_typographic_characters_are_normalised():
    text = "Mødet – kl. 10 ’i morgen’ “hos os”…"
    assert not is_gsm7(text)
    assert to_gsm7(text) == "Mødet - kl. 10 'i morgen' \"hos os\"..."
    assert is_gsm7(to_gsm7(text))


def test_emoji_become_words_or_disappear():
    assert to_gsm7("Det går 🔴 i dag 😢") == "Det går RØD i dag :("
    assert to_gsm7("Godt 🎉") == "Godt"
    assert is_gsm7(to_gsm7("🦄 ✨ ó"))


def test_only_letters_of_another_script_keep_a_text_as_written():
    """bot/sms/outbox.py: such a text goes in UCS-2; GSM-7 would delete its letters."""
    assert in_other_script("اتصل بالرقم 112") and in_other_script("Привет") and in_other_script("καλά")
    assert not in_other_script("Mødet – ’i morgen’ 🙂 ó ł ΔΩ 112")  # normalised to GSM-7 as before


def test_segment_counts():
    assert segments("a" * 160) == 1
    assert segments("a" * 161) == 2
    assert segments("a" * 306) == 2
    assert segments("a" * 307) == 3
    assert segments("€" * 80) == 1 and segments("€" * 81) == 2  # extension chars cost two septets
    assert segments("–" * 70) == 1 and segments("–" * 71) == 2  # UCS-2
