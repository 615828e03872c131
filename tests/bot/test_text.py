from bot.text import MAX_MESSAGE_CHARS, fold, has_letters, normalize_message


def test_typographic_apostrophes_become_straight() -> None:
    assert normalize_message("Provence-Alpes-Côte d’Azur") == "Provence-Alpes-Côte d'Azur"


def test_control_characters_and_spaces_are_cleaned() -> None:
    assert normalize_message("  une\u00a0commune\u200b\x00  ") == "une commune"


def test_long_messages_are_cut() -> None:
    assert len(normalize_message("a" * 10_000)) == MAX_MESSAGE_CHARS


def test_fold_ignores_case_accents_hyphens_and_apostrophes() -> None:
    assert fold("Provence-Alpes-Côte d’Azur") == "provence alpes cote d azur"
    assert fold("ÎLE-DE-FRANCE") == "ile de france"


def test_has_letters() -> None:
    assert has_letters("33000")
    assert not has_letters("😀 !!! ...")
    assert not has_letters("")
