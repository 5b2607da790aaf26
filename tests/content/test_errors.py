"""Broken content is reported all at once, each error with file, line and column."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from bot.content import ContentError, load_content

ROADMAP = """\
title: Test roadmap
description: A tiny roadmap for tests.
levels:
  - number: 0
    name: Basics
    description: The basics.
    sections:
      - name: Math
        topics:
          - id: algebra
            name: Algebra
            description: Symbols and rules.
          - id: calculus
            name: Calculus
            description: Change.
            prerequisites: [algebra]
resources:
  - id: book
    title: A book
    url: https://example.org/book
    type: book
    group: Books
    levels: [0]
    topics: [algebra]
"""

QUESTIONS = """\
topic: algebra
questions:
  - id: algebra-one
    type: multiple_choice
    prompt: What is 1 + 1?
    options:
      - text: "2"
        correct: true
      - text: "3"
      - text: "4"
    explanation: One plus one is two.
  - id: algebra-two
    type: true_false
    prompt: 2 is even.
    answer: true
    explanation: It is divisible by 2.
"""


def make(tmp_path: Path, roadmap: str = ROADMAP, **files: str) -> Path:
    (tmp_path / "questions" / "level-0").mkdir(parents=True)
    (tmp_path / "roadmap.yaml").write_text(roadmap)
    files.setdefault("algebra", QUESTIONS)
    for name, text in files.items():
        (tmp_path / "questions" / "level-0" / f"{name}.yaml").write_text(textwrap.dedent(text))
    return tmp_path


def errors(folder: Path) -> list[str]:
    with pytest.raises(ContentError) as exc:
        load_content(folder)
    return [str(i).removeprefix(folder.name + "/") for i in exc.value.issues if not i.warning]


def test_valid_fixture_loads(tmp_path: Path) -> None:
    c = load_content(make(tmp_path))
    assert len(c.questions) == 2
    assert any("calculus" in str(w) and "0 question" in str(w) for w in c.warnings)


def test_unknown_key(tmp_path: Path) -> None:
    bad = QUESTIONS.replace(
        "    explanation: It is divisible by 2.", "    explanation: It is divisible by 2.\n    hint: x"
    )
    [e] = errors(make(tmp_path, algebra=bad))
    assert e.startswith("questions/level-0/algebra.yaml:17:5: error: unknown key 'hint' in questions.1")


def test_missing_field(tmp_path: Path) -> None:
    bad = QUESTIONS.replace("    explanation: One plus one is two.\n", "")
    [e] = errors(make(tmp_path, algebra=bad))
    assert e.startswith("questions/level-0/algebra.yaml:3:5: error: missing required field 'explanation'")


def test_duplicate_question_id(tmp_path: Path) -> None:
    other = QUESTIONS.replace("topic: algebra", "topic: calculus").replace("algebra-two", "calculus-two")
    [e] = errors(make(tmp_path, calculus=other))
    assert e.startswith("questions/level-0/calculus.yaml:3:9: error: duplicate question id 'algebra-one'")
    assert "algebra.yaml:3" in e


def test_unknown_topic(tmp_path: Path) -> None:
    bad = QUESTIONS.replace("topic: algebra", "topic: geometry")
    [e] = errors(make(tmp_path, algebra=bad))
    assert e.startswith("questions/level-0/algebra.yaml:1:8: error: topic 'geometry' does not exist")


@pytest.mark.parametrize("correct_flags,found", [((False, False, False), 0), ((True, True, False), 2)])
def test_multiple_choice_needs_exactly_one_correct(tmp_path: Path, correct_flags: tuple[bool, ...], found: int) -> None:
    opts = "".join(
        f'      - text: "{v}"\n        correct: {str(c).lower()}\n' for v, c in zip("234", correct_flags, strict=True)
    )
    bad = QUESTIONS.split("    options:\n")[0] + "    options:\n" + opts + QUESTIONS.split('      - text: "4"\n')[1]
    [e] = errors(make(tmp_path, algebra=bad))
    assert e.startswith("questions/level-0/algebra.yaml:3:5: error: questions.0: ")
    assert f"exactly one correct option, found {found}" in e


def test_unknown_resource_type(tmp_path: Path) -> None:
    [e] = errors(make(tmp_path, ROADMAP.replace("type: book", "type: podcast")))
    assert e.startswith("roadmap.yaml:21:11: error: resources.0.type: unknown type 'podcast'")
    assert "docs, course, book" in e


def test_text_too_long_for_discord(tmp_path: Path) -> None:
    bad = QUESTIONS.replace("prompt: What is 1 + 1?", "prompt: " + "x" * 1001)
    [e] = errors(make(tmp_path, algebra=bad))
    assert e.startswith("questions/level-0/algebra.yaml:5:13: error: questions.0.prompt: text is 1001 characters")
    assert "limit 1000" in e


def test_invalid_yaml_syntax(tmp_path: Path) -> None:
    bad = QUESTIONS.replace("    answer: true", "    answer: [true")
    [e] = errors(make(tmp_path, algebra=bad))
    assert e.startswith("questions/level-0/algebra.yaml:")
    assert "invalid YAML" in e
    line = int(e.split(":")[1])
    assert 16 <= line <= 18


def test_bad_tab_indentation_reports_line(tmp_path: Path) -> None:
    bad = QUESTIONS.replace("  - id: algebra-two", "\t- id: algebra-two")
    [e] = errors(make(tmp_path, algebra=bad))
    assert ":12:" in e and "invalid YAML" in e


def test_unknown_question_type(tmp_path: Path) -> None:
    bad = QUESTIONS.replace("type: true_false", "type: essay")
    [e] = errors(make(tmp_path, algebra=bad))
    assert e.startswith("questions/level-0/algebra.yaml:12:5: error: questions.1: unknown question type 'essay'")


def test_unknown_prerequisite_and_resource_reference(tmp_path: Path) -> None:
    roadmap = ROADMAP.replace("prerequisites: [algebra]", "prerequisites: [geometry]")
    bad = QUESTIONS.replace(
        "    explanation: One plus one is two.", "    explanation: One plus one is two.\n    resource: missing-book"
    )
    errs = errors(make(tmp_path, roadmap, algebra=bad))
    assert any(e.startswith("roadmap.yaml:16:29: error: prerequisite 'geometry' is not a topic id") for e in errs)
    assert any("algebra.yaml:12:15: error: resource 'missing-book' does not exist" in e for e in errs)


def test_all_errors_reported_at_once(tmp_path: Path) -> None:
    roadmap = ROADMAP.replace("prerequisites: [algebra]", "prerequisites: [geometry]")
    bad = QUESTIONS.replace("topic: algebra", "topic: geometry")
    broken = "topic: calculus\nquestions: [\n"
    errs = errors(make(tmp_path, roadmap, algebra=bad, calculus=broken))
    assert len(errs) == 3


def test_duplicate_yaml_key(tmp_path: Path) -> None:
    bad = QUESTIONS.replace("    answer: true", "    answer: true\n    answer: false")
    [e] = errors(make(tmp_path, algebra=bad))
    assert ":16:5: error: duplicate key 'answer'" in e


def test_replaces_must_name_a_removed_question(tmp_path: Path) -> None:
    bad = QUESTIONS.replace("    answer: true", "    answer: true\n    replaces: [algebra-one]")
    [e] = errors(make(tmp_path, algebra=bad))
    assert "'algebra-two' replaces 'algebra-one', but 'algebra-one' is still in the content" in e


def test_cli_reports_errors_and_exits_nonzero(tmp_path: Path) -> None:
    import subprocess
    import sys

    folder = make(tmp_path / "c", ROADMAP.replace("type: book", "type: podcast"))
    r = subprocess.run(
        [sys.executable, "-m", "bot", "content", "check", str(folder)], capture_output=True, text=True, timeout=60
    )
    assert r.returncode == 1
    assert "roadmap.yaml:21:11: error:" in r.stderr and "1 error in" in r.stderr
