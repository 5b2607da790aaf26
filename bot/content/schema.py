"""The content schema: levels, sections, topics, resources and the question types, as
frozen pydantic models that forbid unknown keys. No Discord here."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, model_validator

SLUG_RE = r"^[a-z0-9]+(-[a-z0-9]+)*$"
Slug = Annotated[str, Field(pattern=SLUG_RE, max_length=80)]
# Topic ids travel inside button ids (custom_id ≤ 100 characters), so they are shorter.
TopicId = Annotated[str, Field(pattern=SLUG_RE, max_length=48)]
RESOURCE_TYPES = ("docs", "course", "book", "article", "paper", "video", "tool", "community")
QUESTION_TYPES = ("multiple_choice", "true_false", "flashcard")
MIN_QUESTIONS_PER_TOPIC = 6


# Non-blank text of at most N characters (what Discord can display there).
Text16 = Annotated[str, Field(min_length=1, max_length=16, pattern=r"\S")]
Text100 = Annotated[str, Field(min_length=1, max_length=100, pattern=r"\S")]
Text200 = Annotated[str, Field(min_length=1, max_length=200, pattern=r"\S")]
Text256 = Annotated[str, Field(min_length=1, max_length=256, pattern=r"\S")]
Text300 = Annotated[str, Field(min_length=1, max_length=300, pattern=r"\S")]
Text1000 = Annotated[str, Field(min_length=1, max_length=1000, pattern=r"\S")]
Text1500 = Annotated[str, Field(min_length=1, max_length=1500, pattern=r"\S")]
Text2000 = Annotated[str, Field(min_length=1, max_length=2000, pattern=r"\S")]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Option(_Model):
    text: Text300
    correct: StrictBool = False


class _QuestionBase(_Model):
    id: Slug
    prompt: Text1000
    explanation: Text1500
    difficulty: Literal["easy", "medium", "hard"] | None = None
    resource: Slug | None = None
    replaces: tuple[Slug, ...] = ()
    # Set by the loader, not by authors.
    topic: str = Field(default="", exclude=True)


class MultipleChoice(_QuestionBase):
    type: Literal["multiple_choice"]
    options: tuple[Option, ...] = Field(min_length=3, max_length=5)

    @model_validator(mode="after")
    def _one_correct(self) -> MultipleChoice:
        count = sum(o.correct for o in self.options)
        if count != 1:
            raise ValueError(f"a multiple-choice question needs exactly one correct option, found {count}")
        texts = [o.text.casefold() for o in self.options]
        if len(set(texts)) != len(texts):
            raise ValueError("two options have the same text")
        return self

    @property
    def correct_index(self) -> int:
        return next(i for i, o in enumerate(self.options) if o.correct)


class TrueFalse(_QuestionBase):
    type: Literal["true_false"]
    answer: StrictBool


class Flashcard(_QuestionBase):
    type: Literal["flashcard"]
    answer: Text1000


Question = Annotated[MultipleChoice | TrueFalse | Flashcard, Field(discriminator="type")]


class QuestionFile(_Model):
    topic: Slug
    questions: tuple[Question, ...] = Field(min_length=1)


class Topic(_Model):
    id: TopicId
    # 100: a select option's label; the level view lists names in an embed.
    name: Text100
    description: Text1000
    prerequisites: tuple[Slug, ...] = ()
    level: int = Field(default=-1, exclude=True)
    section: str | None = Field(default=None, exclude=True)


class Section(_Model):
    name: Text200 | None = None
    topics: tuple[Topic, ...] = Field(min_length=1)


class Level(_Model):
    number: int = Field(ge=0, le=99)
    name: Text200
    emoji: Text16 = "📘"
    description: Text1000
    sections: tuple[Section, ...] = Field(min_length=1)

    @property
    def topics(self) -> tuple[Topic, ...]:
        return tuple(t for s in self.sections for t in s.topics)

    @property
    def title(self) -> str:
        return f"Level {self.number} – {self.name}"


class Resource(_Model):
    id: Slug
    title: Text256
    url: Annotated[str, Field(pattern=r"^https?://[^\s/$.?#][^\s]*$", max_length=512)]
    type: Literal["docs", "course", "book", "article", "paper", "video", "tool", "community"]
    group: Text200
    levels: tuple[int, ...] = ()
    topics: tuple[Slug, ...] = ()


class Roadmap(_Model):
    title: Text256
    description: Text2000
    levels: tuple[Level, ...] = Field(min_length=1)
    resources: tuple[Resource, ...] = ()


AnyQuestion = MultipleChoice | TrueFalse | Flashcard
