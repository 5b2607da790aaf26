"""Expected failures that users see as a friendly, specific message."""

from __future__ import annotations


class UserFacingError(Exception):
    """An expected failure: its message is shown to the user (ephemerally), not logged."""

    def __init__(self, message: str, *, title: str = "Can't do that") -> None:
        super().__init__(message)
        self.message = message
        self.title = title


class NotFound(UserFacingError):
    def __init__(self, message: str) -> None:
        super().__init__(message, title="Not found")


class InvalidInput(UserFacingError):
    def __init__(self, message: str) -> None:
        super().__init__(message, title="Invalid input")


class NotAllowed(UserFacingError):
    def __init__(self, message: str) -> None:
        super().__init__(message, title="Not allowed")


class StaleInteraction(UserFacingError):
    """A button or select that no longer applies (already answered, removed content)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, title="Nothing to do")
