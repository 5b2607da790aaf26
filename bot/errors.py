"""What the user reads when a request cannot be done, or has nothing to do.

``UserFacingError``s are expected: their message is shown to the user privately, never
logged. Every one carries a title that says what went wrong ("Unknown time zone", "Not
your quiz"), and a message that says what to do next. ``Notice`` is not an error at all:
a valid request with nothing to do ("All caught up") gets a neutral reply with the next
step, never an error title.
"""

from __future__ import annotations


class UserFacingError(Exception):
    """An expected failure: its title and message are shown to the user (privately)."""

    neutral = False

    def __init__(self, message: str, *, title: str) -> None:
        super().__init__(message)
        self.message = message
        self.title = title


class InvalidInput(UserFacingError):
    """The request's options cannot be used as given (the title names which and why)."""


class NotFound(UserFacingError):
    """Something the request names does not exist (an unknown topic, level, channel)."""


class NotAllowed(UserFacingError):
    """The user may not do this (someone else's view, a missing permission)."""


class StaleInteraction(UserFacingError):
    """A button or menu that no longer applies (already answered, ended, removed)."""


class Notice(UserFacingError):
    """Not an error: a valid request with nothing to do right now, and what to do instead."""

    neutral = True
