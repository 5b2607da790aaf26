"""Loading a content folder: YAML with positions, schema validation, and the checks across
files (ids, prerequisites, resources, replacements), every problem reported at once with its
file, line and column."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from bot.content import cards
from bot.content.bundle import Content, ContentError
from bot.content.cloze import ClozeError
from bot.content.lint import lint_content
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
    QuestionFile,
    Resource,
    Roadmap,
    Topic,
    TrueFalse,
    _Model,
)
from bot.yamlpos import ContentIssue, Doc, Pos, parse_yaml


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


def load_content(folder: Path | str, *, lint: bool = False) -> Content:
    """Load and validate a content folder; raise ContentError listing every problem. With
    ``lint``, the style and bank-wide rules run too: their findings are in ``Content.lint``
    (they never make content invalid)."""
    folder = Path(folder)
    issues: list[ContentIssue] = []

    def rel(path: Path) -> str:
        try:
            return str(path.relative_to(folder.parent)) if folder.parent != path else str(path)
        except ValueError:
            return str(path)

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
        where = rel(path)
        doc = parse_yaml(path, where, issues)
        if doc is None:
            continue
        qf = _validate(QuestionFile, doc, where, issues)
        if qf is not None:
            qfiles.append((where, doc, qf))

    if roadmap is None or rdoc is None:
        raise ContentError(issues)
    images = folder / "images"
    content = _cross_check(roadmap, (rdoc, rel(roadmap_path)), qfiles, issues, (images, rel(images)))
    if any(not i.warning for i in issues):
        raise ContentError(issues)
    version = _version([roadmap_path, *_question_files(folder), *sorted(images.glob("*.png"))], folder)
    content = replace(content, version=version)
    if lint:
        content = replace(content, lint=tuple(lint_content(content)))
    return content


def _version(paths: list[Path], folder: Path) -> str:
    """A short hash of every loaded file (names and bytes): which content a report refers to."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


QuestionFiles = list[tuple[str, Doc, QuestionFile]]
Written = MultipleChoice | TrueFalse | Flashcard | Cloze


class _Checker:
    """The checks across files, collecting every problem into ``issues``."""

    def __init__(self, roadmap: Roadmap, rdoc: Doc, rpath: str, issues: list[ContentIssue], images: Path) -> None:
        self.roadmap, self.rdoc, self.rpath, self.issues = roadmap, rdoc, rpath, issues
        self.topics: dict[str, Topic] = {}
        self.level_numbers: set[int] = set()
        self.resources: dict[str, Resource] = {}
        self.images = images
        self.images_used: set[str] = set()
        self.origins: dict[str, tuple[str, int]] = {}

    def error(self, file: str, pos: Pos, msg: str, warning: bool = False) -> None:
        issue = ContentIssue(file, pos[0], pos[1], msg, warning)
        if issue not in self.issues:  # the cards of one cloze share its problems
            self.issues.append(issue)

    def levels(self) -> list[Level]:
        """Levels with their topics numbered and placed; duplicate numbers and ids refused."""
        levels: list[Level] = []
        for li, level in enumerate(self.roadmap.levels):
            if level.number in self.level_numbers:
                self.error(
                    self.rpath, self.rdoc.pos(("levels", li, "number")), f"duplicate level number {level.number}"
                )
            self.level_numbers.add(level.number)
            sections = []
            for si, section in enumerate(level.sections):
                placed = []
                for ti, topic in enumerate(section.topics):
                    if topic.id in self.topics:
                        where = self.rdoc.pos(("levels", li, "sections", si, "topics", ti, "id"))
                        self.error(self.rpath, where, f"duplicate topic id {topic.id!r}")
                        continue
                    copy = topic.model_copy(update={"level": level.number, "section": section.name})
                    self.topics[copy.id] = copy
                    placed.append(copy)
                sections.append(section.model_copy(update={"topics": tuple(placed)}))
            levels.append(level.model_copy(update={"sections": tuple(sections)}))
        return levels

    def _each_topic(self) -> Iterator[tuple[tuple[object, ...], Topic]]:
        for li, level in enumerate(self.roadmap.levels):
            for si, section in enumerate(level.sections):
                for ti, topic in enumerate(section.topics):
                    yield ("levels", li, "sections", si, "topics", ti), topic

    def prerequisites(self) -> dict[str, Pos]:
        """Prerequisites must be topics that come earlier; returns each topic's position."""
        order = {tid: i for i, tid in enumerate(self.topics)}
        positions: dict[str, Pos] = {}
        for loc, topic in self._each_topic():
            positions.setdefault(topic.id, self.rdoc.pos((*loc, "id")))
            for pi, pre in enumerate(topic.prerequisites):
                where = self.rdoc.pos((*loc, "prerequisites", pi))
                if pre not in self.topics:
                    self.error(self.rpath, where, f"prerequisite {pre!r} is not a topic id")
                elif order[pre] >= order[topic.id]:
                    self.error(self.rpath, where, f"prerequisite {pre!r} must come before {topic.id!r} in the roadmap")
        return positions

    def resource_index(self) -> tuple[dict[str, list[Resource]], dict[int, list[Resource]]]:
        """Resources by id, topic and level; unknown levels and topics refused."""
        by_topic: dict[str, list[Resource]] = {}
        by_level: dict[int, list[Resource]] = {}
        for ri, resource in enumerate(self.roadmap.resources):
            if resource.id in self.resources:
                self.error(self.rpath, self.rdoc.pos(("resources", ri, "id")), f"duplicate resource id {resource.id!r}")
                continue
            self.resources[resource.id] = resource
            for index, number in enumerate(resource.levels):
                if number not in self.level_numbers:
                    self.error(
                        self.rpath, self.rdoc.pos(("resources", ri, "levels", index)), f"level {number} does not exist"
                    )
                by_level.setdefault(number, []).append(resource)
            for index, tid in enumerate(resource.topics):
                if tid not in self.topics:
                    where = self.rdoc.pos(("resources", ri, "topics", index))
                    self.error(self.rpath, where, f"topic {tid!r} does not exist")
                by_topic.setdefault(tid, []).append(resource)
        return by_topic, by_level

    def questions(self, files: QuestionFiles) -> tuple[dict[str, AnyQuestion], dict[str, list[AnyQuestion]]]:
        """Questions by id and by topic (cloze expanded into cards): unique ids, known topics,
        resources and images, variants that parse and draw."""
        questions: dict[str, AnyQuestion] = {}
        by_topic: dict[str, list[AnyQuestion]] = {}
        for path, doc, qf in files:
            if qf.topic not in self.topics:
                self.error(path, doc.pos(("topic",)), f"topic {qf.topic!r} does not exist in roadmap.yaml")
                continue
            for qi, written in enumerate(qf.questions):
                for question in self._cards(path, doc, qi, written.model_copy(update={"topic": qf.topic})):
                    if self._place(path, doc, qi, question, questions):
                        by_topic.setdefault(qf.topic, []).append(question)
        return questions, by_topic

    def _cards(self, path: str, doc: Doc, qi: int, written: Written) -> list[AnyQuestion]:
        if not isinstance(written, Cloze):
            return [written]
        try:
            return list(cards.expand_cloze(written))
        except ClozeError as exc:
            where = cards.text_pos(doc, ("questions", qi, "text"), written.text, exc.offset)
            self.error(path, where, f"text: {exc} (at character {exc.offset + 1})")
            return []

    def _place(self, path: str, doc: Doc, qi: int, question: AnyQuestion, questions: dict[str, AnyQuestion]) -> bool:
        id_pos = doc.pos(("questions", qi, "id"))
        if question.id in questions:
            first = self.origins[question.id]
            msg = f"duplicate question id {question.id!r} (first defined in {first[0]}:{first[1]})"
            self.error(path, id_pos, msg)
            return False
        if question.resource is not None and question.resource not in self.resources:
            msg = f"resource {question.resource!r} does not exist in roadmap.yaml"
            self.error(path, doc.pos(("questions", qi, "resource")), msg)
        if question.image is not None:
            self.images_used.add(question.image)
            problem = cards.image_problem(self.images, question.image)
            if problem:
                self.error(path, doc.pos(("questions", qi, "image")), problem)
        for loc, msg in cards.variant_problems(question):
            self.error(path, doc.pos(("questions", qi, *loc)), msg)
        questions[question.id] = question
        self.origins[question.id] = (path, id_pos[0])
        return True

    def unused_images(self, images_rel: str) -> None:
        for name in cards.unused_images(self.images, self.images_used):
            self.error(f"{images_rel}/{name}", (1, 1), "image is not used by any question (add image: or delete it)")

    def replacements(self, files: QuestionFiles, questions: dict[str, AnyQuestion]) -> dict[str, str]:
        """old id → new id from every ``replaces``: the old id must be gone, and replaced once."""
        replaced_by: dict[str, str] = {}
        # a cloze note's replaces: go to its first card
        first_cards = {q.parent: q for q in questions.values() if isinstance(q, ClozeCard) and q.replaces}
        for path, doc, qf in files:
            for qi, written in enumerate(qf.questions):
                question = questions.get(written.id) or first_cards.get(written.id)
                if question is None:
                    continue
                for index, old in enumerate(written.replaces):
                    where = doc.pos(("questions", qi, "replaces", index))
                    if old in questions:
                        self.error(
                            path, where, f"{question.id!r} replaces {old!r}, but {old!r} is still in the content"
                        )
                    elif old in replaced_by and replaced_by[old] != question.id:
                        msg = f"{old!r} is replaced by both {replaced_by[old]!r} and {question.id!r}"
                        self.error(path, where, msg)
                    else:
                        replaced_by[old] = question.id
        return replaced_by

    def distinct_ids(self, files: QuestionFiles, questions: dict[str, AnyQuestion]) -> None:
        """Every ``distinct:`` entry names a question or a cloze note of the content."""
        known = set(questions) | {q.parent for q in questions.values() if isinstance(q, ClozeCard)}
        for path, doc, qf in files:
            for qi, written in enumerate(qf.questions):
                for index, other in enumerate(written.distinct):
                    if other not in known:
                        where = doc.pos(("questions", qi, "distinct", index))
                        self.error(path, where, f"distinct: {other!r} is not a question of the content")

    def enough_questions(self, by_topic: dict[str, list[AnyQuestion]], positions: dict[str, Pos]) -> None:
        for tid in self.topics:
            count = len(by_topic.get(tid, ()))
            if count < MIN_QUESTIONS_PER_TOPIC:
                questions = "question" if count == 1 else "questions"
                msg = f"topic {tid!r} has {count} {questions}; aim for at least {MIN_QUESTIONS_PER_TOPIC}"
                self.error(self.rpath, positions[tid], msg, warning=True)


def _cross_check(
    roadmap: Roadmap,
    roadmap_doc: tuple[Doc, str],
    files: QuestionFiles,
    issues: list[ContentIssue],
    images: tuple[Path, str],
) -> Content:
    rdoc, rpath = roadmap_doc
    checker = _Checker(roadmap, rdoc, rpath, issues, images[0])
    levels = checker.levels()
    positions = checker.prerequisites()
    resources_by_topic, resources_by_level = checker.resource_index()
    questions, by_topic = checker.questions(files)
    replaced_by = checker.replacements(files, questions)
    checker.distinct_ids(files, questions)
    checker.enough_questions(by_topic, positions)
    checker.unused_images(images[1])
    return Content(
        roadmap=roadmap,
        levels=tuple(levels),
        topics=checker.topics,
        questions=questions,
        questions_by_topic={k: tuple(v) for k, v in by_topic.items()},
        resources=checker.resources,
        resources_by_topic={k: tuple(v) for k, v in resources_by_topic.items()},
        resources_by_level={k: tuple(v) for k, v in resources_by_level.items()},
        replaced_by=replaced_by,
        warnings=tuple(issue for issue in issues if issue.warning),
        origins=checker.origins,
        images={name: images[0] / name for name in sorted(checker.images_used)},
    )


def format_summary(content: Content) -> str:
    counts = content.summary()
    by_type = counts["questions_by_type"]
    types = ", ".join(f"{n} {t.replace('_', '-')}" for t, n in by_type.items() if t != "cloze")
    types += f", {by_type['cloze']} cloze cards from {counts['cloze_notes']} cloze notes"
    lines = [
        f"Content OK: {counts['levels']} levels, {counts['topics']} topics, "
        f"{counts['questions']} questions ({types}), {counts['variants']} with numeric variants, "
        f"{counts['diagrams']} with diagrams, {counts['links']} links."
    ]
    lines += [str(w) for w in content.warnings]
    if content.lint:
        errors = sum(not issue.warning for issue in content.lint)
        lines.append(
            f"Lint: {errors} errors, {len(content.lint) - errors} warnings "
            "(not a reason to refuse the content; see `python -m bot content check`)."
        )
    return "\n".join(lines)
