"""The word-level signals of the fact-check, one kind of generator error each."""

from __future__ import annotations

from engine.generation import claim_signals as sig


def test_numbers_read_words_ordinals_and_digits_alike() -> None:
    assert sig.numbers("moves up from the fifth position; 94% of apps") == {"5", "94"}
    assert sig.numbers("Surround it with two blank lines, 2nd rule") == {"2"}
    assert sig.missing_numbers("four blank lines", "two blank lines") == {"4"}
    assert sig.missing_numbers("Eight of the ten", "8 of the 10 categories") == set()
    assert sig.numbers("one of the first steps, a second later") == set()  # not quantities


def test_opposites_and_negations() -> None:
    assert sig.disagrees(
        "Python allows mixing tabs and spaces.", "Python disallows mixing tabs and spaces."
    )
    assert sig.disagrees("Wildcard imports are recommended.", "Wildcard imports should be avoided.")
    assert sig.disagrees(
        "Send the file and the password together.", "Send the password separately from the file."
    )
    assert sig.disagrees("Use lifts during a fire.", "Never use lifts during a fire.") == "negation"
    assert sig.disagrees("Spaces are preferred.", "Spaces are the preferred method.") is None


def test_enumerations_and_their_items() -> None:
    claim = (
        "Imports are grouped as standard library imports, related third party imports, "
        "test imports, and local application imports."
    )
    source = (
        "Imports should be grouped in the following order: Standard library imports. Related "
        "third party imports. Local application/library specific imports."
    )
    assert sig.unlisted_items(claim, source) == ["test imports"]
    assert sig.unlisted_items(claim.replace("test imports, ", ""), source) == []
    # clauses joined by a comma are not a list
    assert (
        sig.enumerated_items(
            "Before reaching out, ask whether the information is already available and whether "
            "this person is responsible for it."
        )
        == []
    )
    assert sig.enumerated_items("Examples: passwords, API keys and IP addresses.") == [
        "passwords",
        "API keys",
        "IP addresses",
    ]
