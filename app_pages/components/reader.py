"""Who reads a transcript or a report, so the same component can address the coachee ("your
feedback") or tell someone else about them ("Sam's feedback")."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Reader:
    """`coachee` is the name of the person whose attempt it is, when someone else reads it
    (a coach, a workshop); None when the coachee reads their own."""

    coachee: str | None = None

    @property
    def name(self) -> str:
        """Who said the coachee's lines: "You" or "Sam"."""
        return self.coachee or "You"

    @property
    def possessive(self) -> str:
        """At the start of a heading: "Your" or "Sam's"."""
        return f"{self.coachee}'s" if self.coachee else "Your"

    @property
    def has(self) -> str:
        """Mid-sentence: "you have" or "Sam has"."""
        return f"{self.coachee} has" if self.coachee else "you have"


YOU = Reader()
