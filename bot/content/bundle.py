"""Validated content: ``Content`` (frozen, indexed) and ``ContentError`` (every problem)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.content.schema import QUESTION_TYPES, AnyQuestion, ClozeCard, Level, MultipleChoice, Resource, Roadmap, Topic
from bot.yamlpos import ContentIssue


class ContentError(Exception):
    """The content folder is invalid; ``issues`` lists every problem."""

    def __init__(self, issues: list[ContentIssue]) -> None:
        self.issues = issues
        errors = [i for i in issues if not i.warning]
        super().__init__(
            f"{len(errors)} content error{'' if len(errors) == 1 else 's'}:\n" + "\n".join(map(str, errors))
        )


@dataclass(frozen=True)
class Content:
    """All content, validated and indexed. Immutable; a reload builds a new one."""

    roadmap: Roadmap
    levels: tuple[Level, ...]
    topics: dict[str, Topic]
    questions: dict[str, AnyQuestion]
    questions_by_topic: dict[str, tuple[AnyQuestion, ...]]
    resources: dict[str, Resource]
    resources_by_topic: dict[str, tuple[Resource, ...]]
    resources_by_level: dict[int, tuple[Resource, ...]]
    # old question id -> new question id (from ``replaces``)
    replaced_by: dict[str, str]
    warnings: tuple[ContentIssue, ...] = field(default=())
    # question id -> (file, line) where it is written, for lint findings
    origins: dict[str, tuple[str, int]] = field(default_factory=dict)
    # diagram file name -> its PNG
    images: dict[str, Path] = field(default_factory=dict)
    # a hash of every loaded file: which content a report refers to
    version: str = ""
    # lint findings (only when loaded with lint=True); they never make content invalid
    lint: tuple[ContentIssue, ...] = field(default=())

    def level(self, number: int) -> Level | None:
        return next((lv for lv in self.levels if lv.number == number), None)

    def topic_questions(self, topic_id: str) -> tuple[AnyQuestion, ...]:
        return self.questions_by_topic.get(topic_id, ())

    def summary(self) -> dict[str, Any]:
        by_type = {t: 0 for t in QUESTION_TYPES}
        for question in self.questions.values():
            by_type[question.type] += 1
        questions = self.questions.values()
        return {
            "levels": len(self.levels),
            "topics": len(self.topics),
            "questions": len(self.questions),
            "questions_by_type": by_type,
            "cloze_notes": len({q.parent for q in questions if isinstance(q, ClozeCard)}),
            "variants": sum(1 for q in questions if isinstance(q, MultipleChoice | ClozeCard) and q.variables),
            "diagrams": sum(1 for q in questions if q.image),
            "links": len(self.resources),
        }
