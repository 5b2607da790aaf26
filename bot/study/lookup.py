"""Finding the topic a learner meant: forgiving of case, punctuation and typos. No Discord.

Used by autocomplete (ranked suggestions) and by every command or setting that takes a
topic name (resolving one topic, or refusing with a clear message)."""

from __future__ import annotations

import difflib

from bot.content import Content, Topic
from bot.errors import NotFound

SUGGESTIONS = 25  # Discord shows at most 25 autocomplete choices


def normalise(text: str) -> str:
    """Lower case, punctuation as spaces, single spaces: "K-Means " → "k means"."""
    return " ".join("".join(ch if ch.isalnum() else " " for ch in text.casefold()).split())


def _score(query: str, topic: Topic) -> float:
    name, tid = normalise(topic.name), normalise(topic.id)
    words = name.split() + tid.split()
    if query in (name, tid):
        return 100.0
    if name.startswith(query) or tid.startswith(query):
        return 90.0
    if any(word.startswith(query) for word in words):
        return 80.0
    if query in name or query in tid:
        return 70.0
    ratio = max(
        difflib.SequenceMatcher(None, query, name).ratio(),
        difflib.SequenceMatcher(None, query, tid).ratio(),
        max((difflib.SequenceMatcher(None, query, word).ratio() for word in words), default=0.0),
    )
    return 60.0 * ratio if ratio >= 0.6 else 0.0


def rank_topics(content: Content, query: str, limit: int = SUGGESTIONS) -> list[Topic]:
    """Topics best matching ``query``, best first: exact, prefix, word prefix, substring, then
    close misspellings; roadmap order breaks ties. An empty query lists the roadmap."""
    wanted = normalise(query)
    topics = list(content.topics.values())
    if not wanted:
        return topics[:limit]
    scored = [(score, i, topic) for i, topic in enumerate(topics) if (score := _score(wanted, topic)) > 0]
    scored.sort(key=lambda item: (-item[0], item[1]))
    return [topic for _, _, topic in scored[:limit]]


def find_topic(content: Content, text: str) -> Topic | None:
    """The topic a learner meant: an id, an exact name, or a clearly best fuzzy match;
    None when nothing (or more than one thing) fits."""
    if text in content.topics:
        return content.topics[text]
    ranked = rank_topics(content, text, limit=2)
    if not ranked:
        return None
    wanted = normalise(text)
    best = ranked[0]
    if len(ranked) == 1 or wanted in (normalise(best.name), normalise(best.id)):
        return best
    first = difflib.SequenceMatcher(None, wanted, normalise(best.name)).ratio()
    second = difflib.SequenceMatcher(None, wanted, normalise(ranked[1].name)).ratio()
    return best if first - second > 0.15 or wanted in normalise(best.name) else None


def resolve_topic(content: Content, text: str) -> str:
    """A topic id from what a learner typed or picked; NotFound with a hint otherwise."""
    topic = find_topic(content, text)
    if topic is None:
        raise NotFound(
            f"I don't know a topic called {text!r}. Start typing and pick one of the suggestions.",
            title="Unknown topic",
        )
    return topic.id
