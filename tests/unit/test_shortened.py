"""Shortened text is cut between words, never inside one, and keeps the end that says what is wrong."""

from hypothesis import given
from hypothesis import strategies as st

from core.values import shortened

WORDS = st.lists(st.text(alphabet="abcdéz'-_0", min_size=1, max_size=40), min_size=1, max_size=40)


@given(words=WORDS, spaces=st.sampled_from([" ", "  ", "\n"]), limit=st.integers(min_value=5, max_value=120))
def test_a_shortened_text_fits_and_holds_only_whole_words_of_the_original(words, spaces, limit):
    text = spaces.join(words)
    shown = shortened(text, limit)
    assert len(shown) <= limit
    if len(text) <= limit:
        assert shown == text
    else:
        assert "…" in shown
        assert all(word in words for word in shown.replace("…", " ").split())


def test_the_end_of_a_message_survives_a_long_echo_at_its_start():
    echo = "'" + "the family moved house several times " * 20 + "'"
    shown = shortened(f"{echo} is not one of the valid values", 120)
    assert shown.startswith("'the family moved house")
    assert shown.endswith(" is not one of the valid values")
    assert " … " in shown


def test_a_single_word_too_long_to_show_is_left_out_whole():
    assert shortened("x" * 500 + " is not a date", 60) == "… is not a date"
    assert shortened("y" * 500, 60) == "…"
