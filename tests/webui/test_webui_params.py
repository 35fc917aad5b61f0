"""Query-string parsing: every bad value is refused with a Dutch message, before it reaches the store."""

import pytest
from werkzeug.datastructures import MultiDict

from kennisbank.core.errors import BadRequest
from kennisbank.webui.params import parse_search

FACETS = {"kinds": ["positiedocument", "rapport"], "organisations": ["ECBO", "Platform"], "years": [2021, 2025]}


def parse(**args):
    multi = MultiDict()
    for key, value in args.items():
        for v in value if isinstance(value, list) else [value]:
            multi.add(key, v)
    return parse_search(multi, FACETS)


def test_defaults():
    assert parse(q="  leraren  ") == {
        "query": "leraren", "k": 10, "kinds": None, "organisations": None,
        "year_from": None, "year_to": None, "mode": "hybrid",
    }


def test_all_parameters_and_repeated_filters():
    got = parse(q="x", k="5", kind=["rapport", "positiedocument", "rapport"], organisation="ECBO",
                year_from="2020", year_to="2024", mode="bm25")
    assert got["k"] == 5
    assert got["kinds"] == ["rapport", "positiedocument"]
    assert got["organisations"] == ["ECBO"]
    assert (got["year_from"], got["year_to"], got["mode"]) == (2020, 2024, "bm25")


def test_empty_filter_values_mean_no_filter():
    got = parse(q="x", kind="", organisation="", year_from="", year_to="", k="", mode="")
    assert (got["kinds"], got["organisations"], got["year_from"], got["k"], got["mode"]) == (None, None, None, 10, "hybrid")


def test_control_characters_become_spaces():
    assert parse(q="leraar\x00opleiding")["query"] == "leraar opleiding"


@pytest.mark.parametrize(
    "args, message",
    [
        ({"q": ""}, "Vul een zoekvraag in"),
        ({"q": "   \t "}, "Vul een zoekvraag in"),
        ({"q": "\x00"}, "Vul een zoekvraag in"),
        ({}, "Vul een zoekvraag in"),
        ({"q": "a" * 1001}, "te lang (1001 tekens)"),
        ({"q": "x", "k": "abc"}, "moet een geheel getal zijn"),
        ({"q": "x", "k": "1.5"}, "moet een geheel getal zijn"),
        ({"q": "x", "k": "0"}, "tussen 1 en 50"),
        ({"q": "x", "k": "51"}, "tussen 1 en 50"),
        ({"q": "x", "k": "-3"}, "tussen 1 en 50"),
        ({"q": "x", "k": "9" * 400}, "moet een geheel getal zijn"),
        ({"q": "x", "k": "٣"}, "moet een geheel getal zijn"),  # an Arabic-Indic digit: int() would take it
        ({"q": "x", "year_from": "２０２０"}, "moet een geheel getal zijn"),  # full-width 2020
        ({"q": "x", "year_from": "twintig"}, "Het jaar ‘vanaf’ moet een geheel getal zijn"),
        ({"q": "x", "year_to": "99999"}, "tussen 1000 en 9999"),
        ({"q": "x", "year_from": "2024", "year_to": "2020"}, "ligt na het jaar"),
        ({"q": "x", "mode": "magic"}, "Onbekende zoekmethode"),
        ({"q": "x", "kind": "boek"}, "Onbekende soort: “boek”"),
        ({"q": "x", "organisation": "NASA"}, "Onbekende organisatie"),
    ],
)
def test_bad_input_is_refused_with_a_dutch_message(args, message):
    with pytest.raises(BadRequest) as info:
        parse(**args)
    assert info.value.status == 400
    assert message in info.value.message


def test_query_of_exactly_1000_characters_is_fine():
    assert len(parse(q="a" * 1000)["query"]) == 1000
