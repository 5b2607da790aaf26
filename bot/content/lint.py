"""The content lint: habits a test-wise learner exploits, and style. Errors for rules,
warnings for style; every finding has the file:line of the question it is about. Lint never
makes content invalid: `content check` fails on its errors, the running bot only logs them.

Rules (name: kind):

- ``cue-words`` (error): over the whole bank, true/false statements with an absolute word
  (always never must guaranteed completely only all none every cannot) and those with a hedged
  word (can often usually may might sometimes typically generally) must each be keyed True and
  False in roughly equal measure: with ``CUE_MIN_ITEMS`` or more such statements, the minority
  key must have at least ``CUE_MIN_SHARE`` of them (at most 2 : 1).
- ``near-duplicate`` (warning): two questions whose word sets (prompt plus key or answer,
  lower-cased, without stop words, numbers and plural s; at least 4 words) have a Jaccard
  similarity of ``DUPLICATE_THRESHOLD`` or more (cards of one cloze are not compared, nor a
  pair a reader marked as different facts with ``distinct:``).
- ``flashcard-answer-length`` (warning): a flashcard answer of more than 30 words.
- ``flashcard-two-questions`` (error): a flashcard prompt with more than one ``?``, or ``? And``,
  ``and why``/``and what``/``and how``/… asking a second thing.
- ``key-length`` (warning): a multiple-choice key over 1.5 × its longest distractor and at least
  ``KEY_MIN_CHARS`` characters long.
- ``no-source`` (warning): a question with neither ``resource:`` nor ``see:`` (or whose only
  source is the closed Papers With Code).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from bot.content.bundle import Content
from bot.content.cloze import filled
from bot.content.schema import AnyQuestion, ClozeCard, Flashcard, MultipleChoice, TrueFalse
from bot.content.variants import check_draws, present
from bot.yamlpos import ContentIssue

ABSOLUTE = frozenset(["always", "never", "must", "guaranteed", "completely", "only", "all", "none", "every", "cannot"])
HEDGED = frozenset(["can", "often", "usually", "may", "might", "sometimes", "typically", "generally"])
CUE_MIN_ITEMS = 6
CUE_MIN_SHARE = 1 / 3
DUPLICATE_THRESHOLD = 0.4
DUPLICATE_MIN_WORDS = 4
FLASHCARD_MAX_WORDS = 30
KEY_RATIO = 1.5
CHECK_DRAWS = 200
KEY_MIN_CHARS = 40
CLOSED_SOURCES = frozenset({"papers-with-code"})
TWO_QUESTIONS = re.compile(r"\?\s*and\b|\band\s+(why|what|how|when|where|which|who)\b", re.I)
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "to",
        "in",
        "on",
        "for",
        "and",
        "or",
        "is",
        "are",
        "be",
        "it",
        "its",
        "this",
        "that",
        "with",
        "as",
        "by",
        "at",
        "from",
        "what",
        "which",
        "how",
        "why",
        "when",
        "does",
        "do",
        "you",
        "your",
        "can",
        "into",
        "than",
        "then",
        "their",
        "there",
        "these",
        "those",
    ]
)
_WORD = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class CueCounts:
    """True/false statements with a cue word of one class, by key."""

    true: int
    false: int

    @property
    def lopsided(self) -> bool:
        total = self.true + self.false
        return total >= CUE_MIN_ITEMS and min(self.true, self.false) < CUE_MIN_SHARE * total


def words(text: str) -> list[str]:
    return _WORD.findall(text.casefold().replace("'", ""))


def cue_table(content: Content) -> dict[str, CueCounts]:
    """{"absolute": …, "hedged": …}: how many True- and False-keyed statements carry each class."""
    counts = {"absolute": Counter[bool](), "hedged": Counter[bool]()}
    for question in content.questions.values():
        if isinstance(question, TrueFalse):
            found = set(words(question.prompt))
            if found & ABSOLUTE:
                counts["absolute"][question.answer] += 1
            if found & HEDGED:
                counts["hedged"][question.answer] += 1
    return {name: CueCounts(c[True], c[False]) for name, c in counts.items()}


class _Linter:
    def __init__(self, content: Content) -> None:
        self.content = content
        self.found: list[ContentIssue] = []

    def add(self, question: AnyQuestion, rule: str, message: str, *, warning: bool) -> None:
        file, line = self.content.origins.get(question.id, ("?", 1))
        self.found.append(ContentIssue(file, line, 1, f"{question.id}: {message}", warning, rule))

    def cue_words(self) -> None:
        table = cue_table(self.content)
        for name, counts in table.items():
            if not counts.lopsided:
                continue
            cues = ABSOLUTE if name == "absolute" else HEDGED
            majority = counts.true > counts.false
            items = [
                q
                for q in self.content.questions.values()
                if isinstance(q, TrueFalse) and q.answer == majority and set(words(q.prompt)) & cues
            ]
            examples = ", ".join(q.id for q in items[1:6])
            message = (
                f"{name} cue words are lopsided across the bank: {counts.true} True vs {counts.false} False keys "
                f"(the minority key needs at least a third); reword {'True' if majority else 'False'}-keyed "
                f"statements such as this one" + (f" and {examples}" if examples else "")
            )
            self.add(items[0], "cue-words", message, warning=False)

    def per_question(self) -> None:
        for question in self.content.questions.values():
            if isinstance(question, Flashcard):
                count = len(question.answer.split())
                if count > FLASHCARD_MAX_WORDS:
                    msg = (
                        f"flashcard answer has {count} words (at most {FLASHCARD_MAX_WORDS}; "
                        "move the rest to the explanation)"
                    )
                    self.add(question, "flashcard-answer-length", msg, warning=True)
                if question.prompt.count("?") > 1 or TWO_QUESTIONS.search(question.prompt):
                    msg = "flashcard prompt asks two questions; split it into two cards"
                    self.add(question, "flashcard-two-questions", msg, warning=False)
            if isinstance(question, MultipleChoice):
                self.key_length(question)
            sources = {question.resource} - {None}
            if not question.see and not sources - CLOSED_SOURCES:
                msg = "no source: add resource: or see:" + (
                    " (Papers With Code closed in 2025 and is not a source on its own)" if sources else ""
                )
                self.add(question, "no-source", msg, warning=True)

    def key_length(self, question: MultipleChoice) -> None:
        options = present(question, "lint", 0).options
        key = len(options[question.correct_index])
        longest = max(len(o) for i, o in enumerate(options) if i != question.correct_index)
        if key > KEY_RATIO * longest and key >= KEY_MIN_CHARS:
            msg = f"the key is {key} characters, the longest distractor {longest}: the key stands out by length"
            self.add(question, "key-length", msg, warning=True)

    def near_duplicates(self) -> None:
        items = [(q, set(_normalised(q))) for q in self.content.questions.values()]
        items = [(q, ws) for q, ws in items if len(ws) >= DUPLICATE_MIN_WORDS]
        postings: dict[str, list[int]] = {}
        for index, (_, ws) in enumerate(items):
            for word in ws:
                postings.setdefault(word, []).append(index)
        for index, (question, ws) in enumerate(items):
            shared: Counter[int] = Counter()
            for word in ws:
                shared.update(other for other in postings[word] if other < index)
            for other, common in sorted(shared.items()):
                first, first_words = items[other]
                if _same_note(question, first) or _marked_distinct(question, first):
                    continue
                similarity = common / len(ws | first_words)
                if similarity >= DUPLICATE_THRESHOLD:
                    file, line = self.content.origins.get(first.id, ("?", 1))
                    msg = f"near-duplicate of {first.id} ({file}:{line}), word similarity {similarity:.2f}"
                    self.add(question, "near-duplicate", msg, warning=True)


def _normalised(question: AnyQuestion) -> list[str]:
    """The words that say what a question asks: its prompt (a cloze filled in) and its key or
    answer, lower-cased, without stop words, numbers and plural s."""
    text = filled(question.parts) if isinstance(question, ClozeCard) else question.prompt
    if isinstance(question, MultipleChoice):
        text += " " + question.options[question.correct_index].text
    elif isinstance(question, Flashcard):
        text += " " + question.answer
    out = []
    for word in words(text):
        if word in STOPWORDS or word.isdigit() or len(word) < 2:
            continue
        out.append(word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word)
    return out


def _marked_distinct(first: AnyQuestion, second: AnyQuestion) -> bool:
    """A reader marked the pair as different facts (``distinct:`` on either, by id or cloze note)."""

    def names(question: AnyQuestion) -> set[str]:
        return {question.id, question.parent} if isinstance(question, ClozeCard) else {question.id}

    return bool(set(first.distinct) & names(second) or set(second.distinct) & names(first))


def _same_note(first: AnyQuestion, second: AnyQuestion) -> bool:
    return isinstance(first, ClozeCard) and isinstance(second, ClozeCard) and first.parent == second.parent


def lint_content(content: Content) -> list[ContentIssue]:
    """Every lint finding of ``content`` (see the module docstring for the rules)."""
    linter = _Linter(content)
    linter.cue_words()
    linter.per_question()
    linter.near_duplicates()
    return linter.found


def variant_issues(content: Content, draws: int = CHECK_DRAWS) -> list[ContentIssue]:
    """Every numeric-variant question over ``draws`` draws: an expression that errors or is not
    finite, or a distractor equal to the key once rounded, is an error (rule ``variants``)."""
    linter = _Linter(content)
    for question in content.questions.values():
        for problem in check_draws(question, draws):
            linter.add(question, "variants", problem, warning=False)
    return linter.found


def format_cue_table(content: Content) -> str:
    """The cue-word counts `content check` prints."""
    lines = ["True/false cue words (statements keyed True / False):"]
    for name, counts in cue_table(content).items():
        verdict = "LOPSIDED" if counts.lopsided else "ok"
        lines.append(f"  {name:<8} {counts.true:>4} True / {counts.false:>4} False  {verdict}")
    return "\n".join(lines)


def rule_counts(findings: list[ContentIssue] | tuple[ContentIssue, ...]) -> dict[str, tuple[int, int]]:
    """{rule: (errors, warnings)}."""
    counts: dict[str, tuple[int, int]] = {}
    for issue in findings:
        errors, warnings = counts.get(issue.rule, (0, 0))
        counts[issue.rule] = (errors + (not issue.warning), warnings + issue.warning)
    return counts
