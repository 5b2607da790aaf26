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
    Cloze,
    ClozeCard,
    Flashcard,
    Level,
    MultipleChoice,
    Option,
    QuestionFile,
    Resource,
    Roadmap,
    Section,
    SelfRated,
    Topic,
    TrueFalse,
    Variable,
)
from bot.content.variants import Shown, has_variants, present

__all__ = [
    "MIN_QUESTIONS_PER_TOPIC",
    "QUESTION_TYPES",
    "RESOURCE_TYPES",
    "AnyQuestion",
    "Cloze",
    "ClozeCard",
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
    "SelfRated",
    "Shown",
    "Topic",
    "TrueFalse",
    "Variable",
    "format_summary",
    "has_variants",
    "load_content",
    "present",
]
