"""Content: the roadmap and question banks, loaded from YAML into frozen typed objects.

Every problem in a content folder is collected and reported at once, each with its file,
line and column and what was expected. No Discord here."""

from bot.content.bundle import Content, ContentError
from bot.content.loader import format_summary, load_content
from bot.content.schema import (
    MIN_QUESTIONS_PER_TOPIC,
    QUESTION_TYPES,
    RESOURCE_TYPES,
    AnyQuestion,
    Flashcard,
    Level,
    MultipleChoice,
    Option,
    QuestionFile,
    Resource,
    Roadmap,
    Section,
    Topic,
    TrueFalse,
)

__all__ = [
    "MIN_QUESTIONS_PER_TOPIC",
    "QUESTION_TYPES",
    "RESOURCE_TYPES",
    "AnyQuestion",
    "Content",
    "ContentError",
    "Flashcard",
    "Level",
    "MultipleChoice",
    "Option",
    "QuestionFile",
    "Resource",
    "Roadmap",
    "Section",
    "Topic",
    "TrueFalse",
    "format_summary",
    "load_content",
]
