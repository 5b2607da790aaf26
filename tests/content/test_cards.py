"""Cloze cards, numeric variants (and their safe evaluator), diagrams, see: and the content version."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.content import ClozeCard, MultipleChoice, load_content, present, variants
from bot.content.expr import ExprError, parse
from bot.content.lint import variant_issues
from tests.cards_fixture import png
from tests.content.test_errors import errors, make

CLOZE = """\
topic: algebra
questions:
  - id: algebra-sigmoid
    type: cloze
    text: "The sigmoid is σ(x) = {{c1::1 / (1 + e^(−x))}}; its outputs lie in {{c2::(0, 1)::an interval}}."
    explanation: It squashes any real number into (0, 1).
    see: Goodfellow et al., Deep Learning, §6.2
  - id: algebra-two
    type: true_false
    prompt: 2 is even.
    answer: true
    explanation: It is divisible by 2.
"""

VARIANT = """\
topic: algebra
questions:
  - id: algebra-power-rule
    type: multiple_choice
    variables:
      a: {min: 2, max: 9}
      b: {min: 1, max: 5}
    where: ["a != b"]
    prompt: For f(x) = {a}x² + {b}x, what is f′(1)?
    options:
      - expr: 2*a + b
        correct: true
      - expr: a + b
      - text: "{= 2*a} (forgot the b term)"
      - expr: 2*a*b + 100
    explanation: f′(x) = {= 2*a}x + {b}, so f′(1) = {= 2*a + b}.
    resource: book
  - id: algebra-area
    type: cloze
    variables:
      r: {min: 0.5, max: 3, step: 0.5}
    decimals: 1
    text: "A circle of radius {r} has area {{c1::{= pi*r^2}}}."
    explanation: Area is πr².
    see: Any geometry textbook
"""


def test_cloze_expands_into_one_card_per_deletion_number(tmp_path: Path) -> None:
    content = load_content(make(tmp_path, algebra=CLOZE))
    first, second = content.questions["algebra-sigmoid-c1"], content.questions["algebra-sigmoid-c2"]
    assert isinstance(first, ClozeCard) and isinstance(second, ClozeCard)
    assert (first.number, second.number, first.parent) == (1, 2, "algebra-sigmoid")
    shown = present(first, "x", 0)
    assert shown.prompt == "The sigmoid is σ(x) = […]; its outputs lie in (0, 1)."
    assert shown.answer == "1 / (1 + e^(−x))"
    assert [text for text, hidden in shown.revealed if hidden] == ["1 / (1 + e^(−x))"]
    assert present(second, "x", 0).prompt == "The sigmoid is σ(x) = 1 / (1 + e^(−x)); its outputs lie in [an interval]."
    summary = content.summary()
    assert (summary["questions_by_type"]["cloze"], summary["cloze_notes"]) == (2, 1)


def test_same_deletion_number_twice_is_hidden_together(tmp_path: Path) -> None:
    text = CLOZE.replace("{{c2::(0, 1)::an interval}}", "{{c1::(0, 1)}}")
    content = load_content(make(tmp_path, algebra=text))
    assert [q for q in content.questions if q.startswith("algebra-sigmoid")] == ["algebra-sigmoid-c1"]
    assert present(content.questions["algebra-sigmoid-c1"], "x", 0).prompt.count("[…]") == 2


def test_nested_cloze_deletions_are_rejected_with_line_and_column(tmp_path: Path) -> None:
    text = CLOZE.replace("{{c1::1 / (1 + e^(−x))}}", "{{c1::1 / {{c2::(1 + e^(−x))}}}}")
    found = errors(make(tmp_path, algebra=text))
    assert len(found) == 1
    # line 5: the opening quote is at column 11, the inner {{ is the text's 33rd character
    assert found[0].startswith("questions/level-0/algebra.yaml:5:44: error: text: cloze deletions cannot nest")


def test_unbalanced_cloze_braces_are_rejected(tmp_path: Path) -> None:
    unclosed = CLOZE.replace("{{c2::(0, 1)::an interval}}", "{{c2::(0, 1)")
    assert "not closed" in errors(make(tmp_path, algebra=unclosed))[0]
    stray = tmp_path / "b"
    found = errors(make(stray, algebra=CLOZE.replace("lie in {{c2", "lie }} in {{c2")))
    assert ":5:" in found[0] and "unbalanced '}}'" in found[0]


def test_cloze_card_ids_must_stay_unique(tmp_path: Path) -> None:
    clash = CLOZE.replace("id: algebra-two", "id: algebra-sigmoid-c2")
    found = errors(make(tmp_path, algebra=clash))
    assert any("duplicate question id 'algebra-sigmoid-c2'" in e for e in found)


def test_variants_are_deterministic_per_card_and_review_number(tmp_path: Path) -> None:
    content = load_content(make(tmp_path, algebra=VARIANT))
    question = content.questions["algebra-power-rule"]
    assert isinstance(question, MultipleChoice)
    first = present(question, "7/algebra-power-rule", 0)
    assert present(question, "7/algebra-power-rule", 0) == first
    later = {present(question, "7/algebra-power-rule", n).prompt for n in range(1, 8)}
    assert later - {first.prompt}, "the next reviews draw other numbers"
    values = dict(first.values)
    assert values["a"] != values["b"]
    assert first.options[0] == str(int(2 * values["a"] + values["b"]))
    assert first.prompt == f"For f(x) = {int(values['a'])}x² + {int(values['b'])}x, what is f′(1)?"
    other_card = {present(question, f"{uid}/algebra-power-rule", 0).prompt for uid in range(8)}
    assert len(other_card) > 1


def test_variant_rounding_and_grids(tmp_path: Path) -> None:
    content = load_content(make(tmp_path, algebra=VARIANT))
    card = content.questions["algebra-area-c1"]
    for number in range(20):
        shown = present(card, "k", number)
        radius = dict(shown.values)["r"]
        assert radius in (0.5, 1.0, 1.5, 2.0, 2.5, 3.0)
        assert shown.answer == f"{3.141592653589793 * radius**2:.1f}".rstrip("0").rstrip(".")


def test_content_check_draws_find_a_distractor_equal_to_the_key(tmp_path: Path) -> None:
    clash = VARIANT.replace("expr: 2*a*b + 100", "expr: a*b + a + b - a*b + a")
    content = load_content(make(tmp_path, algebra=clash))
    found = variant_issues(content, draws=50)
    assert len(found) == 1 and "the same as the key" in found[0].message
    assert found[0].file.endswith("algebra.yaml") and found[0].line == 3


def test_an_expression_failing_in_the_first_draws_is_a_load_error(tmp_path: Path) -> None:
    risky = VARIANT.replace("expr: 2*a*b + 100", "expr: 1 / (a - 5) + 50")
    found = errors(make(tmp_path, algebra=risky.replace("a: {min: 2, max: 9}", "a: {min: 5, max: 5}")))
    assert any(":6:" in e and "cannot be computed: float division by zero" in e for e in found)


def test_content_check_draws_find_a_value_that_is_not_finite(tmp_path: Path) -> None:
    rare = VARIANT.replace("expr: 2*a*b + 100", "expr: 1 / (a - 7) + 5000").replace(
        "a: {min: 2, max: 9}", "a: {min: 2, max: 60}"
    )
    content = load_content(make(tmp_path, algebra=rare))  # the first 10 draws miss a = 7
    found = variant_issues(content, draws=200)
    assert len(found) == 1 and "cannot be computed: float division by zero" in found[0].message


def test_unknown_names_in_placeholders_are_errors_with_line(tmp_path: Path) -> None:
    found = errors(make(tmp_path, algebra=VARIANT.replace("{= 2*a} (forgot", "{= 2*c} (forgot")))
    assert any(":15:" in e and "unknown name 'c'" in e for e in found)
    found = errors(make(tmp_path / "b", algebra=VARIANT.replace('where: ["a != b"]', 'where: ["a !== b"]')))
    assert any("where:" in e for e in found)


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("a.__class__", "attribute access"),
        ("().__class__", "unexpected"),
        ("__import__('os')", "unexpected"),
        ("os", "unknown name 'os'"),
        ("eval(a)", "not an allowed function"),
        ("a[0]", "subscripts"),
        ("a if a else b", "unexpected 'if'"),
        ("a < b", "only allowed in where"),
        ("lambda: 1", "unexpected ':'"),
        ("", "empty"),
        ("2 +", "ends too early"),
    ],
)
def test_the_evaluator_refuses_everything_outside_the_whitelist(text: str, why: str) -> None:
    with pytest.raises(ExprError, match=why):
        parse(text, {"a", "b"})


def test_the_evaluator_computes_the_whitelist() -> None:
    values = {"a": 3.0, "b": 4.0}
    cases = {
        "sqrt(a^2 + b**2)": 5.0,
        "-a + 2*b / 4": -1.0,
        "2^3^2": 512.0,
        "-2^2": -4.0,
        "max(a, b, 1) - min(a, b)": 1.0,
        "round(pi, 2) + floor(e) + ceil(0.2) + abs(-1)": 3.14 + 2 + 1 + 1,
        "log(exp(2)) + log2(8) + log10(100)": 7.0,
    }
    for text, expected in cases.items():
        assert parse(text, set(values)).evaluate(values) == pytest.approx(expected), text
    assert parse("a < b and not (a == b) or b > 10", set(values), logic=True).evaluate(values) == 1.0
    with pytest.raises(ExprError, match="cannot be computed"):
        parse("a / (b - 4)", set(values)).evaluate(values)
    with pytest.raises(ExprError, match="cannot be computed"):
        parse("10 ^ 5000", set(values)).evaluate(values)


def test_image_naming_a_missing_file_is_an_error(tmp_path: Path) -> None:
    text = CLOZE.replace("    see: Goodfellow", "    image: sigmoid-curve.png\n    see: Goodfellow")
    found = errors(make(tmp_path, algebra=text))
    assert len(found) == 1
    assert found[0].startswith("questions/level-0/algebra.yaml:7:12: error: image 'sigmoid-curve.png' does not exist")


def test_images_must_be_pngs_and_used(tmp_path: Path) -> None:
    folder = make(tmp_path, algebra=CLOZE.replace("    see: Goodfellow", "    image: sigmoid.png\n    see: Goodfellow"))
    (folder / "images").mkdir()
    (folder / "images" / "sigmoid.png").write_bytes(png())
    content = load_content(folder)
    assert content.images == {"sigmoid.png": folder / "images" / "sigmoid.png"}
    assert content.summary()["diagrams"] == 2  # both cards of the cloze show it
    (folder / "images" / "unused.png").write_bytes(png())
    assert errors(folder) == [
        "images/unused.png:1:1: error: image is not used by any question (add image: or delete it)"
    ]
    (folder / "images" / "unused.png").unlink()
    (folder / "images" / "sigmoid.png").write_bytes(b"GIF89a not a png")
    assert "is not a PNG file" in errors(folder)[0]


def test_see_is_plain_text_without_urls(tmp_path: Path) -> None:
    found = errors(make(tmp_path, algebra=CLOZE.replace("Goodfellow et al., Deep Learning, §6.2", "https://x.org/p")))
    assert len(found) == 1 and "not a URL" in found[0] and ":7:" in found[0]


def test_content_version_is_a_hash_of_the_files(tmp_path: Path) -> None:
    folder = make(tmp_path, algebra=CLOZE)
    copy = tmp_path.parent / (tmp_path.name + "-copy")
    shutil.copytree(folder, copy)
    first = load_content(folder).version
    assert len(first) == 12 and load_content(copy).version == first
    (copy / "questions" / "level-0" / "algebra.yaml").write_text(CLOZE.replace("2 is even", "4 is even"))
    assert load_content(copy).version != first


def test_a_clash_at_one_combination_of_values_is_found(tmp_path: Path) -> None:
    """The last distractor equals the key 2·a + b only at (a, b) = (4, 4) among 64 × 64 values:
    random draws would likely miss it, so small value sets are checked on every combination."""
    rare = VARIANT.replace("a: {min: 2, max: 9}", "a: {min: 1, max: 64}").replace(
        "b: {min: 1, max: 5}", "b: {min: 1, max: 64}"
    )
    rare = rare.replace('    where: ["a != b"]\n', "")
    rare = rare.replace("expr: 2*a*b + 100", "expr: 2*a + b + (a - 4)^2 + (b - 4)^2")
    content = load_content(make(tmp_path, algebra=rare))
    question = content.questions["algebra-power-rule"]
    assert variants.every_value_set(question) is not None
    found = variant_issues(content, draws=50)
    assert len(found) == 1 and "the same as the key" in found[0].message and "a=4, b=4" in found[0].message
