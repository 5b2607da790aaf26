"""Every lint rule with a fixture that breaks it; lint never makes content invalid."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.content import ContentError, format_summary, load_content
from bot.content.lint import cue_table, lint_content, rule_counts
from bot.services import load_linted
from tests.content.test_errors import make

HEAD = "topic: algebra\nquestions:\n"


def tf(index: int, prompt: str, answer: bool) -> str:
    return (
        f"  - id: algebra-tf-{index}\n    type: true_false\n    prompt: {prompt}\n"
        f"    answer: {str(answer).lower()}\n    explanation: Because.\n    resource: book\n"
    )


def card(index: int, prompt: str, answer: str, source: str = "    resource: book\n") -> str:
    return (
        f"  - id: algebra-card-{index}\n    type: flashcard\n    prompt: {prompt}\n"
        f"    answer: {answer}\n    explanation: Because.\n{source}"
    )


def findings(tmp_path: Path, body: str) -> list[str]:
    content = load_content(make(tmp_path, algebra=HEAD + body), lint=True)
    return [str(issue).removeprefix(tmp_path.name + "/") for issue in content.lint]


def test_a_clean_fixture_has_no_findings(tmp_path: Path) -> None:
    body = tf(1, "Addition of integers is commutative.", True) + card(1, "What is 3 × 4?", '"12"')
    assert findings(tmp_path, body) == []


def test_cue_words_keyed_mostly_false_are_an_error(tmp_path: Path) -> None:
    statements = [
        ("A sum of squares is always positive.", False),
        ("Every matrix has an inverse.", False),
        ("A prime number must be odd.", False),
        ("Division is never undefined.", False),
        ("Only even numbers are integers.", False),
        ("Zero is completely without a sign.", True),
        ("Subtraction is always commutative.", False),
    ]
    body = "".join(tf(i, text, answer) for i, (text, answer) in enumerate(statements))
    found = findings(tmp_path, body)
    assert len(found) == 1
    assert found[0].startswith("questions/level-0/algebra.yaml:3:1: error: algebra-tf-0: absolute cue words")
    assert "1 True vs 6 False" in found[0] and found[0].endswith("[cue-words]")
    content = load_content(make(tmp_path / "again", algebra=HEAD + body))
    table = cue_table(content)
    assert (table["absolute"].true, table["absolute"].false, table["absolute"].lopsided) == (1, 6, True)
    assert (table["hedged"].true, table["hedged"].false) == (0, 0)


def test_cue_words_spread_over_both_keys_pass(tmp_path: Path) -> None:
    statements = [
        ("A sum of squares can be zero.", True),
        ("A product of two negatives can be negative.", False),
        ("Squares are usually larger than their root.", True),
        ("Adding zero usually changes a number.", False),
        ("A fraction may have a zero numerator.", True),
        ("Dividing by a negative number may keep the sign.", False),
    ]
    body = "".join(tf(i, text, answer) for i, (text, answer) in enumerate(statements))
    assert findings(tmp_path, body) == []


def test_near_duplicate_questions_are_listed(tmp_path: Path) -> None:
    body = card(1, "What does the derivative of a function measure at a point?", "Its instantaneous rate of change")
    body += card(2, "What does a function's derivative measure at one point?", "The instantaneous rate of change")
    found = findings(tmp_path, body)
    assert len(found) == 1
    assert found[0].startswith("questions/level-0/algebra.yaml:9:1: warning: algebra-card-2: near-duplicate of")
    assert "algebra-card-1 (" in found[0] and found[0].endswith("[near-duplicate]")


def test_a_pair_marked_distinct_is_not_listed_and_unknown_ids_are_refused(tmp_path: Path) -> None:
    body = card(1, "What does the derivative of a function measure at a point?", "Its instantaneous rate of change")
    body += card(2, "What does a function's derivative measure at one point?", "The instantaneous rate of change")
    marked = body + "    distinct: [algebra-card-1]\n"
    assert findings(tmp_path / "marked", marked) == []
    with pytest.raises(ContentError, match="distinct: 'algebra-card-9' is not a question of the content"):
        load_content(make(tmp_path / "bad", algebra=HEAD + body + "    distinct: [algebra-card-9]\n"))


def test_a_long_flashcard_answer_is_a_warning(tmp_path: Path) -> None:
    long = " ".join(["word"] * 31)
    found = findings(tmp_path, card(1, "What is a long answer?", long))
    assert len(found) == 1 and "31 words" in found[0] and "[flashcard-answer-length]" in found[0]
    assert ": warning: " in found[0]


def test_a_flashcard_asking_two_questions_is_an_error(tmp_path: Path) -> None:
    for index, prompt in enumerate(
        ["What is a group? What is a ring?", "What is a group? And a ring?", "What is a group, and why does it matter?"]
    ):
        found = findings(tmp_path / str(index), card(1, f'"{prompt}"', "A set with an operation"))
        assert len(found) == 1 and ": error: " in found[0] and "[flashcard-two-questions]" in found[0], prompt


def test_a_multiple_choice_key_much_longer_than_its_distractors_is_a_warning(tmp_path: Path) -> None:
    body = """\
  - id: algebra-mc
    type: multiple_choice
    prompt: What is an identity element?
    options:
      - text: An element e with e·a = a·e = a for every element a of the set
        correct: true
      - text: The largest element
      - text: A zero divisor
      - text: Any inverse
    explanation: Because.
    resource: book
"""
    found = findings(tmp_path, body)
    assert len(found) == 1 and "[key-length]" in found[0] and ": warning: " in found[0]


def test_a_question_without_a_source_is_a_warning(tmp_path: Path) -> None:
    found = findings(tmp_path, card(1, "What is 3 × 4?", '"12"', source=""))
    assert found == [
        "questions/level-0/algebra.yaml:3:1: warning: algebra-card-1: no source: add resource: or see: [no-source]"
    ]
    with_see = card(1, "What is 3 × 4?", '"12"', source="    see: Any arithmetic textbook, chapter 1\n")
    assert findings(tmp_path / "see", with_see) == []


def test_lint_findings_never_make_content_invalid(tmp_path: Path) -> None:
    content = load_content(make(tmp_path, algebra=HEAD + card(1, '"Why? And how?"', "So", source="")))
    assert rule_counts(lint_content(content)) == {"flashcard-two-questions": (1, 0), "no-source": (0, 1)}


def test_the_bot_loads_content_with_lint_errors_and_logs_them(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    folder = make(tmp_path, algebra=HEAD + card(1, '"Why? And how?"', "So") + card(2, "Why?", "So", source=""))
    with caplog.at_level(logging.DEBUG, logger="bot.services"):
        content = load_linted(folder)
    assert len(content.questions) == 2
    [summary, finding] = caplog.records  # the warning (no source) is only counted
    assert summary.levelno == logging.WARNING
    assert summary.getMessage().startswith(
        "content lint: 1 errors, 1 warnings (flashcard-two-questions 1, no-source 1)"
    )
    assert finding.levelno == logging.WARNING and "algebra-card-1: flashcard prompt asks two" in finding.getMessage()
    assert format_summary(content).endswith(
        "Lint: 1 errors, 1 warnings (not a reason to refuse the content; see `python -m bot content check`)."
    )
