from bot.nlu_guard import is_facts_only, is_gibberish

TRAINING_WORDS = frozenset({"bonjour", "slt", "commune", "guichet", "vert"})


def test_keyboard_mashing_is_gibberish() -> None:
    assert is_gibberish("zzzzzzzz", TRAINING_WORDS, spacy_known=set())
    assert is_gibberish("qsdkjh zxcmnb", TRAINING_WORDS, spacy_known=set())


def test_known_words_numbers_and_french_words_are_not_gibberish() -> None:
    assert not is_gibberish("slt", TRAINING_WORDS, spacy_known=set())
    assert not is_gibberish("bonjourr", TRAINING_WORDS, spacy_known=set())
    assert not is_gibberish("33000", TRAINING_WORDS, spacy_known=set())
    assert not is_gibberish("une bibliothèque", TRAINING_WORDS, spacy_known={"bibliothèque"})


def test_without_a_training_vocabulary_nothing_is_gibberish() -> None:
    assert not is_gibberish("zzzzzzzz", frozenset(), spacy_known=set())


def test_facts_with_filler_words_only() -> None:
    text = "mon code postal c'est 20090"
    entities = [{"entity": "postal_code", "value": "20090", "start": 22, "end": 27}]
    assert is_facts_only(text, entities)


def test_a_request_around_a_fact_is_not_facts_only() -> None:
    text = "quelles obligations pour une commune ?"
    entities = [{"entity": "establishment_type", "value": "commune", "start": 28, "end": 35}]
    assert not is_facts_only(text, entities)
    assert not is_facts_only("bonjour", [])
