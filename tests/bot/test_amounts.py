"""French amounts and quantities: what a buyer types becomes euros, or a re-ask with an example."""

from __future__ import annotations

import pytest

from bot.amounts import AmountError, parse_amount, parse_quantity


@pytest.mark.parametrize(
    ("text", "euros"),
    [
        ("60 millions d'euros", 60_000_000),
        ("60 millions d’euros", 60_000_000),
        ("1,2 M€ HT", 1_200_000),
        ("500 k€", 500_000),
        ("deux millions", 2_000_000),
        ("50 000 €", 50_000),
        ("50\u202f000\u00a0€", 50_000),
        ("1.5 Md€", 1_500_000_000),
        ("60M", 60_000_000),
        ("60M€", 60_000_000),
        ("environ 3 millions", 3_000_000),
        ("50 000 001", 50_000_001),
        ("50.000 €", 50_000),
        ("deux cent mille euros", 200_000),
        ("quatre-vingt-dix mille", 90_000),
        ("2 millions et demi", 2_500_000),
        ("3 millions 500 mille", 3_500_000),
        ("150 keuros", 150_000),
        ("216000", 216_000),
        ("0 €", 0),
    ],
)
def test_parse_amount(text: str, euros: int) -> None:
    assert parse_amount(text) == euros


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("beaucoup", "imprécis"),
        ("plusieurs millions", "imprécis"),
        ("-5 000 €", "négative"),
        ("plus de 50 M€", "seule valeur"),
        ("entre 1 et 2 millions", "seule valeur"),
        ("60 M€ TTC", "hors taxes"),
        ("2000 milliards", "trop élevé"),
        ("", "nombre"),
        ("🙂", "nombre"),
        ("abc", "nombre"),
        ("2 3", "seul tenant"),
        ("60 millions de dollars", "montant"),
    ],
)
def test_parse_amount_refuses_and_gives_an_example(text: str, hint: str) -> None:
    with pytest.raises(AmountError) as error:
        parse_amount(text)
    assert hint in error.value.message
    assert "par exemple" in error.value.message


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("30 véhicules", "nombre", 30),
        ("250 repas", "nombre", 250),
        ("trente", "nombre", 30),
        ("60 000 habitants", "nombre", 60_000),
        ("1,5 million d'habitants", "nombre", 1_500_000),
        ("1 200 m²", "surface", 1200),
        ("1200 m2", "surface", 1200),
        ("1 200 mètres carrés", "surface", 1200),
        ("2 ha", "surface", 20_000),
        ("850", "surface", 850),
    ],
)
def test_parse_quantity(text: str, kind: str, value: float) -> None:
    assert parse_quantity(text, kind) == value  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("une vingtaine", "nombre"),
        ("beaucoup", "nombre"),
        ("grand", "surface"),
        ("-3", "nombre"),
        ("2,5 véhicules", "nombre"),
        ("30 ou 40", "nombre"),
        ("20 km²", "surface"),
        ("1200 litres", "surface"),
    ],
)
def test_parse_quantity_refuses_vague_or_absurd_values(text: str, kind: str) -> None:
    with pytest.raises(AmountError) as error:
        parse_quantity(text, kind)  # type: ignore[arg-type]
    assert "par exemple" in error.value.message
