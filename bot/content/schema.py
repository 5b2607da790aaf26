"""The content schema: levels, sections, topics, resources and the question types, as
frozen pydantic models that forbid unknown keys. No Discord here."""

from __future__ import annotations

import functools
import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool, model_validator

from bot.content.cloze import Part, parse_cloze
from bot.content.expr import CONSTANTS, FUNCTIONS

SLUG_RE = r"^[a-z0-9]+(-[a-z0-9]+)*$"
Slug = Annotated[str, Field(pattern=SLUG_RE, max_length=80)]
# Topic ids travel inside button ids (custom_id ≤ 100 characters), so they are shorter.
TopicId = Annotated[str, Field(pattern=SLUG_RE, max_length=48)]
RESOURCE_TYPES = ("docs", "course", "book", "article", "paper", "video", "tool", "community")
QUESTION_TYPES = ("multiple_choice", "true_false", "flashcard", "cloze")
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


URL_RE = re.compile(r"(?i)(https?://|www\.)")


def _no_url(text: str) -> str:
    if URL_RE.search(text):
        raise ValueError("see: names a source in plain text (book, chapter, paper title), not a URL")
    return text


# A source named in plain text: a book chapter, lecture notes, a paper by name — never a URL.
SeeText = Annotated[Text200, AfterValidator(_no_url)]
ImageName = Annotated[str, Field(pattern=r"^[a-z0-9]+([-_][a-z0-9]+)*\.png$", max_length=80)]
VariableName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,15}$")]


class Option(_Model):
    # ``expr: 2*a + b`` is shorthand for ``text: "{= 2*a + b}"`` (numeric variants only).
    text: Text300
    expr: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    correct: StrictBool = False

    @model_validator(mode="before")
    @classmethod
    def _expr_text(cls, data: object) -> object:
        if isinstance(data, dict) and "expr" in data:
            if "text" in data:
                raise ValueError("an option has either text or expr, not both")
            return {**data, "text": "{= " + str(data["expr"]) + "}"}
        return data


class Variable(_Model):
    """A drawn value: an integer in ``min``…``max``, a grid ``min``, ``min+step``, … ≤ ``max``,
    or one of ``choices``."""

    min: float | None = None
    max: float | None = None
    step: float | None = Field(default=None, gt=0)
    choices: tuple[float, ...] | None = Field(default=None, min_length=1, max_length=100)

    @model_validator(mode="after")
    def _one_kind(self) -> Variable:
        if self.choices is not None:
            if self.min is not None or self.max is not None or self.step is not None:
                raise ValueError("a variable has either choices or min/max, not both")
            return self
        if self.min is None or self.max is None:
            raise ValueError("a variable needs min and max (or choices)")
        if self.min > self.max:
            raise ValueError(f"min {self.min:g} is greater than max {self.max:g}")
        if self.step is None and not (self.min.is_integer() and self.max.is_integer()):
            raise ValueError("min and max must be integers unless a step is given")
        if len(self.values()) > 10_000:
            raise ValueError("a variable may take at most 10,000 values")
        return self

    def values(self) -> tuple[float, ...]:
        """Every value it can take."""
        if self.choices is not None:
            return self.choices
        return _grid(float(self.min or 0), float(self.max or 0), self.step or 1.0)


@functools.lru_cache(maxsize=4096)
def _grid(low: float, high: float, step: float) -> tuple[float, ...]:
    count = int((high - low) / step + 1e-9) + 1
    return tuple(round(low + k * step, 10) for k in range(min(count, 10_001)))


class _Common(_Model):
    id: Slug
    explanation: Text1500
    difficulty: Literal["easy", "medium", "hard"] | None = None
    resource: Slug | None = None
    see: SeeText | None = None
    image: ImageName | None = None
    replaces: tuple[Slug, ...] = ()
    # Questions a reader compared with this one and found to ask a different fact: the
    # near-duplicate lint no longer lists the pair (ids of questions or of cloze notes).
    distinct: tuple[Slug, ...] = ()
    # Set by the loader, not by authors.
    topic: str = Field(default="", exclude=True)


class _Variants(_Model):
    """Numeric variants: values drawn per card and review, shown through placeholders."""

    variables: dict[VariableName, Variable] | None = Field(default=None, min_length=1, max_length=8)
    where: tuple[Annotated[str, Field(min_length=1, max_length=300)], ...] = ()
    decimals: int = Field(default=2, ge=0, le=6)

    @model_validator(mode="after")
    def _names(self) -> _Variants:
        reserved = set(FUNCTIONS) | set(CONSTANTS) | {"and", "or", "not"}
        clash = sorted(set(self.variables or {}) & reserved)
        if clash:
            raise ValueError(f"variable name {clash[0]!r} is reserved (a function, constant or keyword)")
        if self.where and not self.variables:
            raise ValueError("where: needs variables:")
        return self


class _QuestionBase(_Common):
    prompt: Text1000


class MultipleChoice(_QuestionBase, _Variants):
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
        if not self.variables and any(o.expr is not None for o in self.options):
            raise ValueError("an option with expr: needs variables: on the question")
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


class Cloze(_Common, _Variants):
    """A cloze as written: ``text`` with ``{{cN::answer}}`` deletions. The loader expands it
    into one ``ClozeCard`` per deletion number."""

    type: Literal["cloze"]
    text: Text1000


class ClozeCard(_QuestionBase, _Variants):
    """One card of a cloze: deletion ``number`` hidden. ``prompt`` is the cloze text as written;
    ``id`` is ``<cloze id>-c<number>``."""

    type: Literal["cloze"]
    number: int
    parent: str

    @property
    def parts(self) -> tuple[Part, ...]:
        return parse_cloze(self.prompt)


Question = Annotated[MultipleChoice | TrueFalse | Flashcard | Cloze, Field(discriminator="type")]


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
    description: Text300 | None = None
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


AnyQuestion = MultipleChoice | TrueFalse | Flashcard | ClozeCard
# Self-rated after *Show answer* (flashcards and cloze cards).
SelfRated = Flashcard | ClozeCard
