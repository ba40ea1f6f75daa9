"""Literal extraction: the values a request states, typed and normalised, with their context."""

from __future__ import annotations

import pytest

from hardgen.agents import QueryLiteral, extract_literals, find_enum_mentions, match_enum


def kinds(text: str) -> list[tuple[str, object]]:
    return [(lit.kind, lit.value) for lit in extract_literals(text) if lit.kind != "phrase"]


def of_kind(text: str, kind: str) -> list[object]:
    return [lit.value for lit in extract_literals(text) if lit.kind == kind]


def test_quoted_strings_in_every_quote_style_but_not_apostrophes() -> None:
    text = """Post "Ship it" and 'Lunch at noon' then “curly one” — Bob's car isn't O'Hare"""
    assert of_kind(text, "quoted") == ["Ship it", "Lunch at noon", "curly one"]
    # Nothing inside a quoted string is read as another literal.
    assert of_kind('Say "meet at 5pm on 2024-05-01"', "date") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("book 2 tickets", [("number", 2)]),
        ("it weighs 3.75 kg", [("number", 3.75)]),
        ("a population of 1,250,000", [("number", 1250000)]),
        ("three nights", [("number", 3)]),
        ("pay $1,200.50 now", [("amount", 1200.5), ("code", "USD")]),
        ("send 30 euros", [("amount", 30), ("code", "EUR")]),
        ("EUR 40 please", [("code", "EUR"), ("amount", 40)]),
        ("a 15% tip", [("percent", 15)]),
        ("set it to -4 degrees", [("number", -4)]),
    ],
)
def test_numbers_amounts_and_percentages(text: str, expected: list[tuple[str, object]]) -> None:
    assert kinds(text) == expected


def test_number_units_are_the_noun_that_follows() -> None:
    (nights,) = [lit for lit in extract_literals("stay 3 nights") if lit.kind == "number"]
    assert nights.unit == "night"
    (amount,) = [lit for lit in extract_literals("convert 250 EUR") if lit.kind == "amount"]
    assert amount.unit == "EUR" and amount.text == "250 EUR"


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("on 2024-05-03", "date", "2024-05-03"),
        ("on 2024/5/3", "date", "2024-05-03"),
        ("on 05/03/2024", "date", "2024-05-03"),
        ("on 25/03/2024", "date", "2024-03-25"),
        ("on March 5, 2025", "date", "2025-03-05"),
        ("on 5th of March 2025", "date", "2025-03-05"),
        ("on Dec 24", "date", "12-24"),
        ("at 2024-05-03T14:30", "datetime", "2024-05-03T14:30:00"),
        ("at 2024-05-03T14:30:15Z", "datetime", "2024-05-03T14:30:15"),
        ("at 14:30", "time", "14:30"),
        ("at 2:15 pm", "time", "14:15"),
        ("at 9am", "time", "09:00"),
        ("at noon", "time", "12:00"),
    ],
)
def test_dates_and_times_are_normalised(text: str, kind: str, value: str) -> None:
    assert of_kind(text, kind) == [value]


def test_a_date_followed_by_a_time_also_reads_as_one_datetime() -> None:
    found = extract_literals("Schedule it on 2024-06-01 at 14:30")
    assert [lit.value for lit in found if lit.kind == "datetime"] == ["2024-06-01T14:30:00"]
    assert [lit.value for lit in found if lit.kind == "date"] == ["2024-06-01"]


def test_emails_urls_and_paths() -> None:
    text = "Mail bob.smith+x@mail.example.org the file report.txt from /home/alice/docs and https://example.com/a?b=1."
    assert of_kind(text, "email") == ["bob.smith+x@mail.example.org"]
    assert of_kind(text, "url") == ["https://example.com/a?b=1"]
    assert of_kind(text, "path") == ["report.txt", "/home/alice/docs"]
    assert of_kind("move it into the archive folder", "path") == ["archive"]
    assert of_kind("open the current folder", "path") == []


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("cancel order O-1042", "O-1042"),
        ("ticket ABC-123 is open", "ABC-123"),
        ("message USR002 now", "USR002"),
        ("order #77", "77"),
        ("look up user_17", "user_17"),
        ("invoice INV-2024-001", "INV-2024-001"),
        ("the token ab12cd34ef", "ab12cd34ef"),
    ],
)
def test_identifiers(text: str, value: str) -> None:
    assert of_kind(text, "id") == [value]


def test_codes_are_upper_case_words_but_not_common_abbreviations() -> None:
    assert of_kind("Buy AAPL and fly LIS to BER, OK? I am at 5 PM", "code") == ["AAPL", "LIS", "BER"]


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("Send a message to Alice Baker", ["Alice Baker"]),
        ("What's the weather in New York and Rio de Janeiro?", ["New York", "Rio de Janeiro"]),
        ("Paris is lovely", ["Paris"]),
        ("Please email Chen about it", ["Chen"]),
        ("Book the hotel on Monday, March 3", []),
        ("Where is Charles de Gaulle airport?", ["Charles de Gaulle"]),
    ],
)
def test_proper_nouns_skip_sentence_openers_and_calendar_words(text: str, names: list[str]) -> None:
    assert of_kind(text, "proper_noun") == names


def test_tool_words_opening_a_sentence_are_not_names() -> None:
    assert of_kind("Zap Alice", "proper_noun") == ["Zap Alice"]
    assert of_kind_common("Zap Alice", ["zap"]) == ["Alice"]
    assert of_kind("Email Alice", "proper_noun") == ["Alice"]


def of_kind_common(text: str, common: list[str]) -> list[object]:
    return [lit.value for lit in extract_literals(text, common_words=common) if lit.kind == "proper_noun"]


def test_cue_phrases_stop_at_the_next_request() -> None:
    found = [lit for lit in extract_literals("Tell Bob saying see you soon and book a table") if lit.kind == "phrase"]
    assert [(p.value, p.cue) for p in found] == [("see you soon", "saying")]
    titled = [
        lit.value
        for lit in extract_literals("Create a note titled Weekly Report, then share it")
        if lit.kind == "phrase"
    ]
    assert titled == ["Weekly Report"]
    # A quoted value after the cue is the value; no phrase duplicates it.
    assert [lit.kind for lit in extract_literals('saying "hi there"')] == ["quoted"]


def test_context_words_before_and_after() -> None:
    lit = next(x for x in extract_literals("Fly from Lisbon to Berlin") if x.value == "Berlin")
    assert lit.before[-1] == "to" and lit.before[-2] == "lisbon"
    first = next(x for x in extract_literals("Fly from Lisbon to Berlin") if x.value == "Lisbon")
    assert first.after == ("to", "berlin")


def test_literals_do_not_overlap_except_phrases() -> None:
    text = "Send 'hi' to alice@example.com about order O-7 on 2024-01-02 at 10:00 for $5, twice, Alice Baker"
    solid = [x for x in extract_literals(text) if x.kind != "phrase" and x.cue != "combined"]
    for a in solid:
        for b in solid:
            if a is not b:
                assert not a.overlaps(b), (a, b)
    assert all(isinstance(x, QueryLiteral) for x in solid)


def test_enum_mentions() -> None:
    options = ["economy", "premium_economy", "business", "firstClass"]
    assert match_enum("a premium economy seat", options) == ("premium_economy", 2, 17)
    assert match_enum("in first class", options) == ("firstClass", 3, 14)
    assert match_enum("nothing here", options) is None
    assert match_enum("orders that were cancelled", ["CANCELED", "shipped"]) == ("CANCELED", 17, 26)
    assert find_enum_mentions("convert EUR to GBP", ["USD", "EUR", "GBP"]) == [("EUR", 8, 11), ("GBP", 15, 18)]
    assert match_enum("size 3 please", [1, 2, 3]) == (3, 5, 6)
