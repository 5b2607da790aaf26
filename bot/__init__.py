"""AI-roadmap study bot: a Discord study companion with spaced repetition."""

__version__ = "0.1.0"
