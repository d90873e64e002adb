"""The data contract for scenario files (scenarios/*.yaml) and persona cards (personas/*.yaml).

A scenario says what the coachee is told, which persona they meet, what the persona
knows (notes, some only revealed when trust is earned), how the persona moves, and how
the attempt is judged. A persona card says who the persona is and how they talk.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

from simulator.core.codes import check_codes

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", min_length=2, max_length=64)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Move(StrEnum):
    """What the persona does next. Code chooses the move; the model only voices it."""

    deflect = "deflect"  # evasive, vague, guarded: the resting move at low trust
    defend = "defend"  # defensive and short, after blame or dismissal
    escalate = "escalate"  # raises the temperature: anger, pressure, threat
    test_limit = "test_limit"  # pushes against a limit that was stated
    disengage = "disengage"  # checks out: short, distracted, wants to leave
    engage = "engage"  # answers properly, a little warmer
    open_up = "open_up"  # reveals something it was holding back
    accept = "accept"  # accepts an alternative, a limit or a proposal
    agree_next_step = "agree_next_step"  # commits to a concrete next step
    stay_in_role = "stay_in_role"  # the coachee tried to break the fiction; stay in it


class Difficulty(StrEnum):
    easy = "easy"
    standard = "standard"
    hard = "hard"


class Voice(Strict):
    """How the persona talks; short concrete descriptions carry small models best."""

    style: Text = Field(description="One or two sentences on tone, pace and word choice.")
    quirks: list[Text] = Field(default_factory=list, description="Verbal habits, e.g. 'trails off with \"so, yeah\"'.")


class Persona(Strict):
    """A persona card (personas/<id>.yaml). Everything here may shape the voice; none of it is quoted."""

    id: Slug
    name: Text = Field(description="The name the persona goes by in the script, e.g. 'Stan'.")
    pronouns: Literal["she/her", "he/him", "they/them"] = Field(
        default="they/them", description="How stage directions speak of the persona: 'answering what she enjoyed'."
    )
    role: Text = Field(description="A phrase that follows 'Stan is': e.g. 'an IT developer on the web team'.")
    background: Text = Field(description="Who they are, in a few sentences, written as a scene description.")
    wants: list[Text] = Field(min_length=1, description="What they want out of the conversation.")
    fears: list[Text] = Field(default_factory=list)
    voice: Voice
    never_says: list[Text] = Field(default_factory=list, description="Things out of character for them.")


class Note(Strict):
    """A piece of scenario knowledge the persona can draw on, retrieved per turn.

    `text` is what the persona knows, in plain words. `reveal` gates it: `always` notes may
    colour any reply, `on_trust` notes are what the persona hides until the coachee earns it
    (only offered to the model on an `open_up` move or at high trust). `coach_note` is for
    coaches reviewing the attempt; it is never put in a prompt.
    """

    id: Slug
    topic: Text
    text: Text
    reveal: str = Field(default="always", pattern="^(always|on_trust)$")
    coach_note: str | None = None


MAX_LINE_WORDS = 40


class MoveScript(Strict):
    """How the persona voices one move in this scenario."""

    direction: Text = Field(
        description="Stage direction put in the speaker cue, e.g. 'vague, doesn't admit confusion'."
    )
    lines: list[Text] = Field(
        min_length=2, description="Authored in-character lines: examples and the guard's fallback."
    )

    @field_validator("direction")
    @classmethod
    def _plain_direction(cls, direction: str) -> str:
        if re.search(r"[()\[\]*:\n]", direction):
            raise ValueError("a direction is plain words: no brackets, asterisks, colons or line breaks")
        return direction

    @field_validator("lines")
    @classmethod
    def _spoken_lines(cls, lines: list[str]) -> list[str]:
        for line in lines:
            if re.search(r"[()\[\]*\n]", line):
                raise ValueError(f"a line is spoken words only (no brackets, asterisks or line breaks): {line!r}")
            if len(line.split()) > MAX_LINE_WORDS:
                raise ValueError(f"a line has at most {MAX_LINE_WORDS} words: {line!r}")
        return lines


class Reaction(Strict):
    """How one behaviour code moves the persona's state (per coachee turn carrying the code)."""

    trust: float = 0.0
    frustration: float = 0.0


class SupportReactions(Strict):
    """How the persona takes a concrete offer of help and pressure that ignores its situation.

    The engine finds both in each coachee line (simulator/engine/support.py), on top of the
    behaviour codes, and scales them by difficulty like the codes' reactions. Leave a
    reaction out for the engine's default; list a kind under `ignore` where it makes no
    sense for this persona (no change to the state, no move).
    """

    offer: Reaction | None = Field(
        default=None, description="A concrete offer of help ('I'll take two of your tickets'); default +6 trust."
    )
    pressure: Reaction | None = Field(
        default=None,
        description="Pressure without support ('by Friday, whatever else is on your plate'); default -8 trust.",
    )
    ignore: list[Literal["offer", "pressure"]] = Field(default_factory=list)
    concessions: list[Text] = Field(
        default_factory=list,
        description="Words for what the limit refuses ('lead role', 'for free'): an offer naming one gives in, "
        "so it is not help. A line coded capitulation never is.",
    )


class DifficultyLevel(Strict):
    """Difficulty scales how fast the persona warms up and how easily it flares."""

    description: Text
    trust_gain: float = Field(default=1.0, gt=0, description="Multiplier on positive trust changes.")
    frustration_gain: float = Field(default=1.0, gt=0, description="Multiplier on frustration increases.")
    limit_tests: int = Field(
        default=1, ge=0, description="Times the persona pushes back on a limit before it can accept."
    )
    start_trust: float = Field(default=35.0, ge=0, le=100)
    start_frustration: float = Field(default=30.0, ge=0, le=100)


class Goal(Strict):
    """A scenario goal and how it is judged from the transcript."""

    id: Slug
    description: Text
    judged_by: Text = Field(description="What a judge looks for in the transcript, in plain words.")
    codes: Annotated[list[str], AfterValidator(check_codes)] = Field(
        default_factory=list, description="Behaviour codes that are evidence for the goal."
    )
    markers: list[Text] = Field(
        default_factory=list, description="Words or phrases in coachee turns that are evidence."
    )


class Limit(Strict):
    """The boundary the coachee must set, if the scenario calls for one."""

    needed: bool
    description: str = ""
    pushback: list[Text] = Field(default_factory=list, description="What the persona asks for that the limit refuses.")

    @model_validator(mode="after")
    def _described_when_needed(self) -> Limit:
        if self.needed and not self.description.strip():
            raise ValueError("a needed limit must have a description")
        return self


class Weights(Strict):
    listening: float = Field(ge=0, le=1)
    limit_setting: float = Field(ge=0, le=1)
    goals: float = Field(ge=0, le=1)

    @model_validator(mode="after")
    def _sum_to_one(self) -> Weights:
        total = self.listening + self.limit_setting + self.goals
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"weights must add up to 1 (they add up to {total:g})")
        return self


class Briefing(Strict):
    """What the coachee is told before starting: their side of the story only."""

    coachee_role: Text = Field(
        description="Who the coachee plays, a phrase after 'Jack is': e.g. 'the new VP of client relationships'."
    )
    coachee_name: Text = Field(description="The coachee's name in the script, e.g. 'Jack'.")
    situation: Text
    your_goal: Text
    tips: list[Text] = Field(default_factory=list)


class Scenario(Strict):
    """A scenario file (scenarios/<id>.yaml)."""

    id: Slug
    title: Text
    summary: Text = Field(description="One line for the scenario library.")
    persona: Slug = Field(description="Id of a persona card in personas/.")
    skills: list[Text] = Field(min_length=1)
    briefing: Briefing
    setting: Text = Field(description="The scene, as a neutral narrator sets it in the script: no secrets.")
    opening: Text = Field(description="The persona's first line.")
    default_difficulty: Difficulty = Difficulty.standard
    resting_move: Move = Field(default=Move.deflect, description="What the persona does when nothing moves it.")
    pressure_move: Move = Field(
        default=Move.defend, description="How the persona reacts when pushed: defend (Stan), escalate, disengage."
    )
    difficulty: dict[Difficulty, DifficultyLevel]
    notes: list[Note] = Field(min_length=3)
    moves: dict[Move, MoveScript]
    reactions: dict[str, Reaction] = Field(
        default_factory=dict, description="Per behaviour code; overrides the engine's defaults for this scenario."
    )
    support: SupportReactions = Field(
        default_factory=SupportReactions,
        description="How the persona reacts to offers of help and to pressure; the engine's defaults when left out.",
    )
    goals: list[Goal] = Field(min_length=1)
    limit: Limit
    weights: Weights
    coachee_talk_share: float = Field(
        default=0.5, gt=0, lt=1, description="The coachee's share of the words above which listening loses points."
    )
    better_lines: dict[str, list[Text]] = Field(
        default_factory=dict,
        description="Per behaviour code, lines a coach would suggest here: the report's better phrasings "
        "when no LLM is configured.",
    )
    version: int | None = Field(
        default=None,
        ge=0,
        description="Set by the app for a scenario written in it (the published version; 0 for the author's "
        "draft); leave it out in files.",
    )

    @field_validator("reactions", "better_lines")
    @classmethod
    def _known_code_keys(cls, by_code: dict) -> dict:
        check_codes(by_code)
        return by_code

    @model_validator(mode="after")
    def _consistent(self) -> Scenario:
        missing = [level.value for level in Difficulty if level not in self.difficulty]
        if missing:
            raise ValueError(f"difficulty levels missing: {', '.join(missing)}")
        required = {Move.engage, Move.open_up, Move.stay_in_role, Move.agree_next_step, Move.escalate}
        required |= {self.resting_move, self.pressure_move}
        if self.limit.needed:
            required |= {Move.test_limit, Move.accept}
        absent = sorted(m.value for m in required - set(self.moves))
        if absent:
            raise ValueError(f"moves missing: {', '.join(absent)}")
        ids = [n.id for n in self.notes]
        if len(ids) != len(set(ids)):
            raise ValueError("note ids must be unique")
        if self.limit.needed and self.weights.limit_setting == 0:
            raise ValueError("a scenario that needs a limit must weigh limit_setting above 0")
        return self
