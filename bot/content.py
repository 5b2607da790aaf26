"""Content: the roadmap and question banks, loaded from YAML into frozen typed objects.

Every problem in a content folder is collected and reported at once, each with its file,
line and column and what was expected. No Discord import here.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, ValidationError, model_validator

from bot.yamlpos import ContentIssue, Doc, Pos, parse_yaml

SLUG_RE = r"^[a-z0-9]+(-[a-z0-9]+)*$"
Slug = Annotated[str, Field(pattern=SLUG_RE, max_length=80)]
# Topic ids travel inside button ids (custom_id ≤ 100 characters), so they are shorter.
TopicId = Annotated[str, Field(pattern=SLUG_RE, max_length=48)]
RESOURCE_TYPES = ("docs", "course", "book", "article", "paper", "video", "tool", "community")
QUESTION_TYPES = ("multiple_choice", "true_false", "flashcard")
MIN_QUESTIONS_PER_TOPIC = 6


def _text(max_length: int) -> Any:
    return Annotated[str, Field(min_length=1, max_length=max_length, pattern=r"\S")]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Option(_Model):
    text: _text(300)  # type: ignore[valid-type]
    correct: StrictBool = False


class _QuestionBase(_Model):
    id: Slug
    prompt: _text(1000)  # type: ignore[valid-type]
    explanation: _text(1500)  # type: ignore[valid-type]
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
        n = sum(o.correct for o in self.options)
        if n != 1:
            raise ValueError(f"a multiple-choice question needs exactly one correct option, found {n}")
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
    answer: _text(1000)  # type: ignore[valid-type]


Question = Annotated[MultipleChoice | TrueFalse | Flashcard, Field(discriminator="type")]


class QuestionFile(_Model):
    topic: Slug
    questions: tuple[Question, ...] = Field(min_length=1)


class Topic(_Model):
    id: TopicId
    # 100: a select option's label; the level view lists names in an embed.
    name: _text(100)  # type: ignore[valid-type]
    description: _text(1000)  # type: ignore[valid-type]
    prerequisites: tuple[Slug, ...] = ()
    level: int = Field(default=-1, exclude=True)
    section: str | None = Field(default=None, exclude=True)


class Section(_Model):
    name: _text(200) | None = None  # type: ignore[valid-type]
    topics: tuple[Topic, ...] = Field(min_length=1)


class Level(_Model):
    number: int = Field(ge=0, le=99)
    name: _text(200)  # type: ignore[valid-type]
    emoji: _text(16) = "📘"  # type: ignore[valid-type]
    description: _text(1000)  # type: ignore[valid-type]
    sections: tuple[Section, ...] = Field(min_length=1)

    @property
    def topics(self) -> tuple[Topic, ...]:
        return tuple(t for s in self.sections for t in s.topics)

    @property
    def title(self) -> str:
        return f"Level {self.number} – {self.name}"


class Resource(_Model):
    id: Slug
    title: _text(256)  # type: ignore[valid-type]
    url: Annotated[str, Field(pattern=r"^https?://[^\s/$.?#][^\s]*$", max_length=512)]
    type: Literal["docs", "course", "book", "article", "paper", "video", "tool", "community"]
    group: _text(200)  # type: ignore[valid-type]
    levels: tuple[int, ...] = ()
    topics: tuple[Slug, ...] = ()


class Roadmap(_Model):
    title: _text(256)  # type: ignore[valid-type]
    description: _text(2000)  # type: ignore[valid-type]
    levels: tuple[Level, ...] = Field(min_length=1)
    resources: tuple[Resource, ...] = ()


AnyQuestion = MultipleChoice | TrueFalse | Flashcard


class ContentError(Exception):
    """The content folder is invalid; ``issues`` lists every problem."""

    def __init__(self, issues: list[ContentIssue]) -> None:
        self.issues = issues
        errors = [i for i in issues if not i.warning]
        super().__init__(f"{len(errors)} content error(s):\n" + "\n".join(map(str, errors)))


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

    def level(self, number: int) -> Level | None:
        return next((lv for lv in self.levels if lv.number == number), None)

    def topic_questions(self, topic_id: str) -> tuple[AnyQuestion, ...]:
        return self.questions_by_topic.get(topic_id, ())

    def summary(self) -> dict[str, Any]:
        by_type = {t: 0 for t in QUESTION_TYPES}
        for q in self.questions.values():
            by_type[q.type] += 1
        return {
            "levels": len(self.levels),
            "topics": len(self.topics),
            "questions": len(self.questions),
            "questions_by_type": by_type,
            "links": len(self.resources),
        }


def _describe(err: dict[str, Any]) -> str:
    kind, msg = err["type"], err["msg"]
    loc = [p for p in err["loc"] if not (isinstance(p, str) and p in QUESTION_TYPES)]
    where = ".".join(str(p) for p in loc)
    if kind == "extra_forbidden":
        return f"unknown key {loc[-1]!r}" + (f" in {'.'.join(map(str, loc[:-1]))}" if loc[:-1] else "")
    if kind == "missing":
        return f"missing required field {loc[-1]!r}" + (f" in {'.'.join(map(str, loc[:-1]))}" if loc[:-1] else "")
    if kind == "string_too_long":
        limit = err.get("ctx", {}).get("max_length")
        return f"{where}: text is {len(err['input'])} characters, more than Discord can display here (limit {limit})"
    if kind == "union_tag_invalid":
        return (
            f"{where}: unknown question type {err['input'].get('type')!r}; expected one of {', '.join(QUESTION_TYPES)}"
        )
    if kind == "union_tag_not_found":
        return f"{where}: missing field 'type' ({', '.join(QUESTION_TYPES)})"
    if kind == "literal_error" and loc and loc[-1] == "type":
        return f"{where}: unknown type {err['input']!r}; expected one of {', '.join(RESOURCE_TYPES)}"
    if kind == "string_pattern_mismatch" and loc and loc[-1] in ("id", "topic", "resource"):
        return f"{where}: {err['input']!r} is not a valid id (lowercase letters, digits and single hyphens)"
    msg = msg.removeprefix("Value error, ")
    return f"{where}: {msg}" if where else msg


def _validate(model: type[_Model], doc: Doc, rel: str, issues: list[ContentIssue]) -> Any:
    try:
        return model.model_validate(doc.data)
    except ValidationError as exc:
        for err in exc.errors():
            loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p in QUESTION_TYPES))
            key = err["type"] == "extra_forbidden"
            line, col = doc.pos(loc, key=key)
            issues.append(ContentIssue(rel, line, col, _describe(dict(err))))
        return None


# ---------------------------------------------------------------- loading


def _question_files(folder: Path) -> Iterator[Path]:
    qdir = folder / "questions"
    if qdir.is_dir():
        yield from sorted(p for p in qdir.rglob("*") if p.suffix in (".yaml", ".yml"))


def load_content(folder: Path | str) -> Content:
    """Load and validate a content folder; raise ContentError listing every problem."""
    folder = Path(folder)
    issues: list[ContentIssue] = []

    def rel(p: Path) -> str:
        try:
            return str(p.relative_to(folder.parent)) if folder.parent != p else str(p)
        except ValueError:
            return str(p)

    roadmap_path = folder / "roadmap.yaml"
    roadmap: Roadmap | None = None
    rdoc: Doc | None = None
    if not roadmap_path.is_file():
        issues.append(ContentIssue(rel(roadmap_path), 1, 1, "roadmap.yaml is missing"))
    else:
        rdoc = parse_yaml(roadmap_path, rel(roadmap_path), issues)
        if rdoc is not None:
            roadmap = _validate(Roadmap, rdoc, rel(roadmap_path), issues)

    qfiles: list[tuple[str, Doc, QuestionFile]] = []
    for path in _question_files(folder):
        r = rel(path)
        doc = parse_yaml(path, r, issues)
        if doc is None:
            continue
        qf = _validate(QuestionFile, doc, r, issues)
        if qf is not None:
            qfiles.append((r, doc, qf))

    if roadmap is None or rdoc is None:
        raise ContentError(issues)
    content = _cross_check(roadmap, rdoc, rel(roadmap_path), qfiles, issues)
    if any(not i.warning for i in issues):
        raise ContentError(issues)
    assert content is not None
    return content


def _cross_check(
    roadmap: Roadmap,
    rdoc: Doc,
    rpath: str,
    qfiles: list[tuple[str, Doc, QuestionFile]],
    issues: list[ContentIssue],
) -> Content:
    def err(file: str, pos: Pos, msg: str, warning: bool = False) -> None:
        issues.append(ContentIssue(file, pos[0], pos[1], msg, warning))

    levels: list[Level] = []
    topics: dict[str, Topic] = {}
    seen_numbers: set[int] = set()
    for li, level in enumerate(roadmap.levels):
        if level.number in seen_numbers:
            err(rpath, rdoc.pos(("levels", li, "number")), f"duplicate level number {level.number}")
        seen_numbers.add(level.number)
        sections = []
        for si, section in enumerate(level.sections):
            new_topics = []
            for ti, topic in enumerate(section.topics):
                loc: tuple[Any, ...] = ("levels", li, "sections", si, "topics", ti, "id")
                if topic.id in topics:
                    err(rpath, rdoc.pos(loc), f"duplicate topic id {topic.id!r}")
                    continue
                t = topic.model_copy(update={"level": level.number, "section": section.name})
                topics[t.id] = t
                new_topics.append(t)
            sections.append(section.model_copy(update={"topics": tuple(new_topics)}))
        levels.append(level.model_copy(update={"sections": tuple(sections)}))
    order = {tid: i for i, tid in enumerate(topics)}
    topic_pos: dict[str, Pos] = {}
    for li, level in enumerate(roadmap.levels):
        for si, section in enumerate(level.sections):
            for ti, topic in enumerate(section.topics):
                topic_pos.setdefault(topic.id, rdoc.pos(("levels", li, "sections", si, "topics", ti, "id")))

    for li, level in enumerate(roadmap.levels):
        for si, section in enumerate(level.sections):
            for ti, topic in enumerate(section.topics):
                for pi, pre in enumerate(topic.prerequisites):
                    loc = ("levels", li, "sections", si, "topics", ti, "prerequisites", pi)
                    if pre not in topics:
                        err(rpath, rdoc.pos(loc), f"prerequisite {pre!r} is not a topic id")
                    elif order[pre] >= order[topic.id]:
                        err(rpath, rdoc.pos(loc), f"prerequisite {pre!r} must come before {topic.id!r} in the roadmap")

    resources: dict[str, Resource] = {}
    by_topic: dict[str, list[Resource]] = {}
    by_level: dict[int, list[Resource]] = {}
    for ri, res in enumerate(roadmap.resources):
        if res.id in resources:
            err(rpath, rdoc.pos(("resources", ri, "id")), f"duplicate resource id {res.id!r}")
            continue
        resources[res.id] = res
        for i, n in enumerate(res.levels):
            if n not in seen_numbers:
                err(rpath, rdoc.pos(("resources", ri, "levels", i)), f"level {n} does not exist")
            by_level.setdefault(n, []).append(res)
        for i, tid in enumerate(res.topics):
            if tid not in topics:
                err(rpath, rdoc.pos(("resources", ri, "topics", i)), f"topic {tid!r} does not exist")
            by_topic.setdefault(tid, []).append(res)

    questions: dict[str, AnyQuestion] = {}
    where: dict[str, str] = {}
    by_qtopic: dict[str, list[AnyQuestion]] = {}
    replaced_by: dict[str, str] = {}
    for r, doc, qf in qfiles:
        if qf.topic not in topics:
            err(r, doc.pos(("topic",)), f"topic {qf.topic!r} does not exist in roadmap.yaml")
            continue
        for qi, q in enumerate(qf.questions):
            if q.id in questions:
                err(
                    r,
                    doc.pos(("questions", qi, "id")),
                    f"duplicate question id {q.id!r} (first defined in {where[q.id]})",
                )
                continue
            if q.resource is not None and q.resource not in resources:
                err(
                    r, doc.pos(("questions", qi, "resource")), f"resource {q.resource!r} does not exist in roadmap.yaml"
                )
            q = q.model_copy(update={"topic": qf.topic})
            questions[q.id] = q
            where[q.id] = f"{r}:{doc.pos(('questions', qi, 'id'))[0]}"
            by_qtopic.setdefault(qf.topic, []).append(q)
    for r, doc, qf in qfiles:
        for qi, q in enumerate(qf.questions):
            for ri_, old in enumerate(q.replaces):
                pos = doc.pos(("questions", qi, "replaces", ri_))
                if old in questions:
                    err(r, pos, f"{q.id!r} replaces {old!r}, but {old!r} is still in the content")
                elif old in replaced_by and replaced_by[old] != q.id:
                    err(r, pos, f"{old!r} is replaced by both {replaced_by[old]!r} and {q.id!r}")
                else:
                    replaced_by[old] = q.id

    for tid in topics:
        n = len(by_qtopic.get(tid, ()))
        if n < MIN_QUESTIONS_PER_TOPIC:
            err(
                rpath,
                topic_pos[tid],
                f"topic {tid!r} has {n} question(s); aim for at least {MIN_QUESTIONS_PER_TOPIC}",
                warning=True,
            )

    return Content(
        roadmap=roadmap,
        levels=tuple(levels),
        topics=topics,
        questions=questions,
        questions_by_topic={k: tuple(v) for k, v in by_qtopic.items()},
        resources=resources,
        resources_by_topic={k: tuple(v) for k, v in by_topic.items()},
        resources_by_level={k: tuple(v) for k, v in by_level.items()},
        replaced_by=replaced_by,
        warnings=tuple(i for i in issues if i.warning),
    )


def format_summary(content: Content) -> str:
    s = content.summary()
    types = ", ".join(f"{n} {t.replace('_', '-')}" for t, n in s["questions_by_type"].items())
    lines = [
        f"Content OK: {s['levels']} levels, {s['topics']} topics, "
        f"{s['questions']} questions ({types}), {s['links']} links."
    ]
    lines += [str(w) for w in content.warnings]
    return "\n".join(lines)
