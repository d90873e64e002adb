"""One rehearsal: how a coachee line becomes a stored, guarded persona reply.

    coachee line ─► validate ─► code ─► store (committed before any model call)
    reply ─► state' = update(state, codes) ─► move = director.choose(state') ─► notes
          ─► prompt (script or chat) ─► model, streamed ─► guard (retry, fallback) ─► store

The UI, the terminal command and the tests all drive this class; none of them talk to
the model, the index or the database on their own.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from evals.coding.speech import code_spoken
from evals.scoring.report import Report, is_current
from simulator.core.models.calls import ModelRestarting
from simulator.core.schema import Difficulty, Move, Note, Scenario
from simulator.core.text import near_repeat
from simulator.engine import commitments, director, guard, relevance, smuggled_rules, voice
from simulator.engine.asks import Ask, AskKind, read_ask
from simulator.engine.debrief import NothingToScore, ScoringFailed, debrief
from simulator.engine.retrieval import Retrieved
from simulator.engine.services import Services
from simulator.engine.state import PersonaState, initial_state, update
from simulator.storage.models import Attempt, Turn, User
from simulator.storage.policy import Viewer, may_talk

log = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 2000
OPENING_MOVE = "opening"
FRESH_NOTES_PER_TURN = 1  # notes added after the coachee's line cost reply time on the local model
LEAD_NOTES_PER_TURN = 2  # notes added before it are read while the coachee types, so they come free
MAX_NOTE_DISTANCE = 0.78  # cosine distance past which a note is not about what was said
STRONG_NOTE_DISTANCE = 0.6  # close enough to the coachee's new line to be worth its prompt tokens
RETRY_TEMPERATURE = 1.0  # a retry that samples like the first try tends to fail like it
RETRY_ASKS = (
    ("repeat", "in new words"),
    ("narrates", "speaking as I"),
    ("how it feels", "naming the feeling"),
)  # a problem's word → what the retry's cue adds
RETRIES = 2  # more tries after the first; they cost time only when a line is rejected
FORTHCOMING = frozenset({Move.engage, Move.open_up})  # moves on which a fact question gets its fact
# Moves too curt to answer anything; on the others a guarded persona still states a plain
# fact it would tell anyone (an `always` note: when the review is, what the CEO needs).
CURT = frozenset({Move.defend, Move.escalate, Move.disengage, Move.stay_in_role})
WARM_UP_WAIT_S = 120.0  # past this a reply stops waiting for its read-ahead and goes ahead

_warm_ups: dict[tuple[int, int], threading.Event] = {}  # (store, attempt id) -> its read-ahead in flight
_warm_ups_lock = threading.Lock()


class MessageError(ValueError):
    """A coachee message that cannot be sent as it is (empty, too long)."""


class ModelUnavailable(RuntimeError):
    """The model could not answer; the coachee's turn is stored and the reply can be retried.

    ``restarting`` is True when the model server died and is being started again, so a
    retry in a moment will work."""

    def __init__(self, message: str, *, restarting: bool = False) -> None:
        super().__init__(message)
        self.restarting = restarting


def validate_message(text: str) -> str:
    text = text.strip()
    if not text:
        raise MessageError("Your message is empty. Type what you would say.")
    if len(text) > MAX_MESSAGE_CHARS:
        raise MessageError(
            f"Your message is {len(text):,} characters; the limit is {MAX_MESSAGE_CHARS:,}. "
            "In a real conversation that would be a speech: shorten it and send it again."
        )
    return text


def _whole_words(text: str) -> str:
    """Text up to its last complete word: a half-streamed word is shown once it is whole."""
    cut = text.rfind(" ")
    return text[:cut] if cut > 0 else ""


def _chunk_text(chunk: Any) -> str:
    content = getattr(chunk, "content", chunk)
    return content if isinstance(content, str) else ""


@dataclass
class Reply:
    """The outcome of one persona turn, for callers that want more than the text."""

    turn: Turn
    streamed: str = ""
    problems: list[str] = field(default_factory=list)

    @property
    def replaced(self) -> bool:
        """True when what was streamed is not what was kept (the guard stepped in)."""
        return self.streamed.strip() != self.turn.text


class ReadOnly(MessageError):
    """Someone other than the coachee (their coach) has the attempt open: they may read, not talk."""


class Rehearsal:
    def __init__(self, services: Services, attempt: Attempt, viewer: Viewer) -> None:
        self.services = services
        self.attempt = attempt
        self.viewer = viewer
        self.scenario: Scenario = services.catalog.scenario(attempt.scenario_id, attempt.scenario_version)
        self.persona = services.catalog.persona_for(self.scenario)
        self.difficulty = Difficulty(attempt.difficulty)
        self.cast = voice.Cast(self.scenario, self.persona)
        self.last_reply: Reply | None = None

    # ---- lifecycle -------------------------------------------------------------------
    @classmethod
    def start(
        cls,
        services: Services,
        user: User,
        scenario_id: str,
        difficulty: str | None = None,
        assignment_id: int | None = None,
        round_id: int | None = None,
        version: int | None = None,
    ) -> Rehearsal:
        """A new attempt with the persona's opening line; `version` 0 tries an author's draft,
        None takes the scenario as new attempts get it (the file, or the latest published)."""
        scenario = services.catalog.scenario(scenario_id, version)
        level = Difficulty(difficulty or scenario.default_difficulty)
        attempt = services.store.create_attempt(
            user, scenario_id, level.value, services.backend_label, assignment_id, round_id, scenario.version
        )
        state = initial_state(scenario, level)
        services.store.add_turn(
            attempt.id,
            "persona",
            scenario.opening,
            state=state.model_dump(),
            move=OPENING_MOVE,
            direction=voice.direction_for(scenario, scenario.resting_move),
            notes=[],
        )
        return cls(services, attempt, Viewer.of(user))

    @classmethod
    def resume(cls, services: Services, attempt_id: int, viewer: Viewer) -> Rehearsal:
        """The attempt as `viewer` may see it; KeyError ("not found") when it does not exist
        or is not theirs to read, so a guessed number reveals nothing."""
        attempt = services.store.attempt(attempt_id, viewer)
        if attempt is None:
            raise KeyError(f"attempt {attempt_id} not found")
        return cls(services, attempt, viewer)

    @property
    def read_only(self) -> bool:
        """True for a reader who is not the coachee (a coach reviewing, an admin)."""
        return not may_talk(self.viewer, self.attempt)

    def _check_owner(self) -> None:
        if self.read_only:
            raise ReadOnly("Only the coachee who rehearsed this attempt can continue, replay or end it.")

    def again(self) -> Rehearsal:
        """A new attempt at the same scenario, difficulty and assignment, from the opening line."""
        self._check_owner()
        user = self.services.store.accounts.get(self.attempt.user_id)
        assert user is not None, "the owner of an attempt exists"
        attempt = self.attempt
        test_chat = 0 if attempt.scenario_version == 0 else None  # a test chat stays one; others get the latest
        return Rehearsal.start(
            self.services,
            user,
            self.scenario.id,
            attempt.difficulty,
            attempt.assignment_id,
            attempt.round_id,
            test_chat,
        )

    def branch(self, keep: int) -> Rehearsal:
        """A new attempt with the first `keep` turns of this one, to try a different line."""
        self._check_owner()
        if keep < 1:
            raise ValueError("the opening line is always kept")
        return Rehearsal(self.services, self.services.store.branch(self.attempt.id, keep), self.viewer)

    def end(self) -> Report | None:
        """Ends the attempt, then scores it and saves the feedback report with it.

        The attempt is ended first, so a failure while scoring loses nothing: the report is
        None when the coachee said nothing; any other failure raises `ScoringFailed` with
        the reason, and `score()` can be called again later."""
        self._check_owner()
        self.services.store.end_attempt(self.attempt.id)
        self._reload()
        try:
            return self.score()
        except NothingToScore:
            return None
        except Exception as exc:
            log.exception("scoring attempt %s failed", self.attempt.id)
            raise ScoringFailed(
                f"Scoring failed ({type(exc).__name__}: {exc}). The attempt is saved and can be scored again."
            ) from exc

    def score(self) -> Report:
        """Scores the attempt and saves its feedback report (replacing an earlier one)."""
        self._check_owner()
        report = debrief(self.services, self.attempt, self.viewer)
        self.services.store.save_report(self.attempt.id, report.model_dump(mode="json"))
        self._reload()
        return report

    def _reload(self) -> None:
        self.attempt = self.services.store.attempt(self.attempt.id, self.viewer) or self.attempt

    def report(self) -> Report | None:
        """The saved feedback report, if the attempt has been scored."""
        saved = self.attempt.report
        if not is_current(saved):
            return None
        return Report.model_validate(saved)

    def warm_up(self) -> None:
        """Has the local model evaluate everything known before the coachee's next line (the
        scene, the dialogue, the notes it brings up, the coachee's speaker cue), so the reply
        only costs the new line's tokens. Run it in the background while the coachee reads
        or types; a no-op for models that keep no prompt state between calls."""
        if self.services.prompt_style != "script" or not getattr(self.services.model, "reuse_prefix", False):
            return
        turns = self.turns()
        if turns[-1].role != "persona":
            return
        prompt = voice.script_lead_in(self.cast, self._history(turns), self._lead_notes(turns))
        done = threading.Event()
        key = self._warm_up_key
        with _warm_ups_lock:
            if key in _warm_ups:
                return
            _warm_ups[key] = done
        try:
            self.services.model.invoke(prompt, max_tokens=1)
        except Exception as exc:  # a failed warm-up only means a slower first reply
            log.warning("model warm-up failed: %s", exc)
        finally:
            with _warm_ups_lock:
                _warm_ups.pop(key, None)
            done.set()

    def _wait_for_warm_up(self) -> None:
        """Lets this attempt's read-ahead finish before the reply is asked for. Sent at
        once, the reply would race it: the server would give it another slot and evaluate
        the whole prompt again, twice the work for the slowest first token."""
        with _warm_ups_lock:
            done = _warm_ups.get(self._warm_up_key)
        if done is not None:
            done.wait(WARM_UP_WAIT_S)

    @property
    def _warm_up_key(self) -> tuple[int, int]:
        return id(self.services.store), self.attempt.id

    # ---- reading ---------------------------------------------------------------------
    def turns(self) -> list[Turn]:
        return self.services.store.turns(self.attempt.id, self.viewer)

    @property
    def ended(self) -> bool:
        return self.attempt.status == "ended"

    @property
    def pending(self) -> bool:
        """A coachee turn is waiting for its reply (the model failed, or the page reloaded)."""
        turns = self.turns()
        return bool(turns) and turns[-1].role == "coachee"

    def state(self) -> PersonaState:
        persona_turns = [t for t in self.turns() if t.role == "persona" and t.state]
        return PersonaState.model_validate(persona_turns[-1].state)

    # ---- a coachee turn --------------------------------------------------------------
    def submit(self, text: str) -> Turn:
        """Validates, codes and commits the coachee's line; the model is not called here."""
        self._check_owner()
        if self.ended:
            raise MessageError("This attempt has ended. Start a new one or replay from a turn.")
        text = validate_message(text)
        turns = self.turns()
        context = next((t.text for t in reversed(turns) if t.role == "persona"), None)
        # only what was said to the persona moves it, as only that is scored
        earlier = [t.text for t in turns if t.role == "coachee"]
        [coded] = code_spoken(self.services.coder, [(text, context)], [self.scenario.briefing.coachee_name], earlier)
        lead = [n.id for n in self._lead_notes(turns)]
        return self.services.store.add_turn(
            self.attempt.id,
            "coachee",
            text,
            codes=sorted(coded.codes),
            cues=dict(coded.cues),
            unsure=sorted(set(coded.unsure) & coded.codes),
            notes=lead,
        )

    # ---- a persona turn --------------------------------------------------------------
    def reply(self) -> Reply:
        for _ in self.reply_stream():
            pass
        assert self.last_reply is not None
        return self.last_reply

    def reply_stream(self) -> Iterator[str]:
        """Streams the persona's reply to the pending coachee turn(s), then stores it.

        Yields text as it arrives, already cleaned. If the guard rejects the reply, the
        stored turn holds the retried or fallback line (`last_reply.replaced` is True).
        Raises ModelUnavailable if the model cannot be reached; nothing is lost then.
        """
        self._check_owner()
        if self.ended:
            raise MessageError("This attempt has ended. Start a new one or replay from a turn.")
        turns = self.turns()
        if not turns or turns[-1].role != "coachee":
            raise MessageError("There is no message waiting for a reply.")
        plan = self._plan(turns)
        ctx = self._guard_context(turns, plan.notes, plan.move)
        streamed, raw, problems = "", "", []
        self._wait_for_warm_up()
        stream = self._stream(plan)
        for delta in stream:
            raw += delta
            shown = _whole_words(guard.clean(raw, ctx))
            if guard.live_problems(shown, ctx):
                stream.close()  # stop generating: nothing more of this reply will be shown
                break
            if shown.startswith(streamed) and len(shown) > len(streamed):
                yield shown[len(streamed) :]
                streamed = shown
        verdict = guard.check(raw, ctx)
        if verdict.ok and verdict.text.startswith(streamed) and len(verdict.text) > len(streamed):
            yield verdict.text[len(streamed) :]  # the last word, held back while it could still change
            streamed = verdict.text
        text, fallback, more = self._choose(plan, turns, ctx, verdict)
        problems += more
        admitted = [n for n in plan.notes if n.reveal == "on_trust" and n.id in plan.state.revealed]
        state = commitments.remember(
            plan.state, text, plan.move, plan.ask, admitted if plan.move == Move.open_up else []
        )
        turn = self.services.store.add_turn(
            self.attempt.id,
            "persona",
            text,
            state=state.model_dump(),
            move=plan.move.value,
            direction=plan.direction,
            notes=[n.id for n in plan.notes],
            guard={"problems": problems, "fallback": fallback, "reason": plan.reason},
        )
        self.last_reply = Reply(turn, streamed, problems)

    # ---- internals -------------------------------------------------------------------
    @dataclass(frozen=True)
    class _Plan:
        state: PersonaState
        move: Move
        reason: str
        direction: str
        notes: tuple[Note, ...]
        fresh_notes: tuple[Note, ...]
        history: list[voice.Line]
        ask: Ask
        answer: str = ""  # on a forthcoming move, the note that answers the question: the reply should use it

    def _plan(self, turns: list[Turn]) -> Rehearsal._Plan:
        last_persona = max(i for i, t in enumerate(turns) if t.role == "persona")
        state = PersonaState.model_validate(turns[last_persona].state)
        decision = director.Decision(self.scenario.resting_move, "")
        for turn in turns[last_persona + 1 :]:
            codes = frozenset(turn.codes or [])
            unsure = frozenset(turn.unsure or []) & codes
            role_break = guard.is_role_break(turn.text)
            state = update(
                state, codes, self.scenario, self.difficulty, text=turn.text, role_break=role_break, unsure=unsure
            )
            decision = director.choose(
                state,
                codes - (unsure & director.HOSTILE),  # a line that may not be hostile is not answered as if it were
                self.scenario,
                self.difficulty,
                role_break=role_break,
                hidden_left=self._hidden_left(state),
            )
        history = self._history(turns)
        shown = {n.id for line in history for n in line.notes}
        ask = read_ask(turns[-1].text, frozenset(turns[-1].codes or []))
        retrieved = self._retrieve(turns, decision.move, state, _query(ask, turns))
        fresh = tuple(
            r.note
            for r in retrieved
            if r.note.id not in shown and (r.distance <= STRONG_NOTE_DISTANCE or r.note.reveal == "on_trust")
        )[:FRESH_NOTES_PER_TURN]
        lead = [n for line in history[last_persona + 1 :] for n in line.notes]  # brought up before the line
        drawn = [r.note for r in retrieved if r.note.id in shown or r.note in fresh]
        notes = tuple(dict.fromkeys(lead + drawn))  # all the reply draws on, all in its prompt
        revealed = [n.id for n in notes if n.reveal == "on_trust"]
        state = director.after_move(state, decision.move, revealed)
        direction = f"{voice.direction_for(self.scenario, decision.move)}, {self._answering(ask, state)}"
        answer = self._answer(ask, decision.move, retrieved)
        return Rehearsal._Plan(state, decision.move, decision.reason, direction, notes, fresh, history, ask, answer)

    @staticmethod
    def _answer(ask: Ask, move: Move, retrieved: list[Retrieved]) -> str:
        """The note that holds the fact a question asks for, which the reply must then use:
        any close note on a forthcoming move, a plain (`always`) one on a guarded move, none
        on a curt move or for other asks."""
        if ask.kind != AskKind.fact or move in CURT:
            return ""
        close = (r.note for r in retrieved if r.distance <= STRONG_NOTE_DISTANCE)
        return next((n.text for n in close if move in FORTHCOMING or n.reveal == "always"), "")

    def _answering(self, ask: Ask, state: PersonaState) -> str:
        """What the reply answers, for the speaker cue; with a proposal, the time the persona
        itself offered or agreed to before, so the reply does not contradict it."""
        cue = ask.cue(self.scenario.briefing.coachee_name, self.persona.name, self.persona.pronouns)
        said = commitments.reminder(state, self.persona.name) if ask.kind == AskKind.proposal else ""
        return f"{cue}; {said}" if said else cue

    def _hidden_left(self, state: PersonaState) -> bool:
        return any(n.reveal == "on_trust" and n.id not in state.revealed for n in self.scenario.notes)

    def _retrieve(
        self, turns: list[Turn], move: Move, state: PersonaState, query: str = "", k: int = 2
    ) -> list[Retrieved]:
        """Notes near the conversation so far: those the persona may share, and on an
        `open_up` move also one it was keeping back. Failures mean no notes, not no reply."""
        index = self.services.index
        if index is None or move == Move.stay_in_role:
            return []
        query = query or " ".join(t.text for t in turns[-3:]) + " " + voice.direction_for(self.scenario, move)
        locked = tuple(n.id for n in self.scenario.notes if n.reveal == "on_trust" and n.id not in state.revealed)
        try:
            found: list[Retrieved] = index.retrieve(self.scenario, query, k=k, reveal="any", exclude=locked)
            if move == Move.open_up and locked:
                secret = index.retrieve(self.scenario, query, k=1, reveal="on_trust", exclude=tuple(state.revealed))
                found = secret + found
        except Exception:  # retrieval is grounding, not a reason to lose the turn
            log.exception("note retrieval failed; replying without notes")
            return []
        return [r for r in found if r.distance <= MAX_NOTE_DISTANCE or r.note.reveal == "on_trust"]

    def _lead_notes(self, turns: list[Turn]) -> tuple[Note, ...]:
        """The note the conversation so far brings to the persona's mind before the coachee
        speaks; it goes into the script ahead of their line, so it can be evaluated early."""
        state = PersonaState.model_validate(next(t.state for t in reversed(turns) if t.role == "persona" and t.state))
        query = " ".join(t.text for t in turns[-2:])
        shown = {n.id for line in self._history(turns) for n in line.notes}
        found = self._retrieve(turns, self.scenario.resting_move, state, query, k=2 * LEAD_NOTES_PER_TURN)
        return tuple(r.note for r in found if r.note.id not in shown)[:LEAD_NOTES_PER_TURN]

    def _history(self, turns: list[Turn]) -> list[voice.Line]:
        by_id = {n.id: n for n in self.scenario.notes}
        seen: set[str] = set()
        lines = []
        for t in turns:
            cap = LEAD_NOTES_PER_TURN if t.role == "coachee" else FRESH_NOTES_PER_TURN
            fresh = tuple(by_id[i] for i in (t.notes or []) if i in by_id and i not in seen)[:cap]
            seen.update(n.id for n in fresh)
            lines.append(voice.Line(t.role, self._scripted(t), t.direction, fresh))
        return lines

    def _scripted(self, turn: Turn) -> str:
        """A line as the model reads it. A coachee line that sets rules for the replies ("start
        every answer with…") is shown as what it does, not in its words: a small model
        follows an instruction it can read, on this reply and every later one."""
        if turn.role == "coachee" and smuggled_rules.detect(turn.text).about_replies:
            return f"(tries to tell {self.persona.name} how to answer; {self.persona.name} won't play along)"
        return turn.text

    def _stream(self, plan: Rehearsal._Plan, **params: Any) -> Iterator[str]:
        model = self.services.model
        try:
            if self.services.prompt_style == "chat":
                prompt: Any = voice.chat_messages(self.cast, plan.history, plan.direction, plan.notes)
                chunks = model.stream(prompt, **params)
            else:
                prompt = voice.script_prompt(self.cast, plan.history, plan.direction, plan.fresh_notes)
                chunks = model.stream(prompt, stop=["\n", f"{self.cast.coachee_cue}:"], **params)
            for chunk in chunks:
                yield _chunk_text(chunk)
        except ModelRestarting as exc:
            raise ModelUnavailable(str(exc), restarting=True) from exc
        except Exception as exc:  # any other failure of the backend is reported the same way
            raise ModelUnavailable(f"{self.services.backend_label or 'The model'} did not answer: {exc}") from exc

    def _complete(self, plan: Rehearsal._Plan, **params: Any) -> str:
        return "".join(self._stream(plan, **params))

    def _guard_context(self, turns: list[Turn], notes: tuple[Note, ...], move: Move) -> guard.GuardContext:
        in_prompt = {n.id for n in notes} | {i for t in turns for i in (t.notes or [])}
        hidden = [self.persona.background, self.scenario.setting, *self.scenario.briefing.tips]
        hidden += [n.coach_note for n in self.scenario.notes if n.coach_note]
        hidden += [n.text for n in self.scenario.notes if n.reveal == "on_trust" and n.id not in in_prompt]
        return guard.GuardContext(
            persona_name=self.persona.name,
            persona_cue=self.cast.persona_cue,
            coachee_name=self.scenario.briefing.coachee_name,
            coachee_cue=self.cast.coachee_cue,
            hidden_texts=tuple(hidden),
            previous_lines=tuple(t.text for t in turns if t.role == "persona"),
            other_moods=voice.example_lines(self.scenario, exclude=move),
            never_says=tuple(self.persona.never_says),
            last_coachee_line=turns[-1].text,
            rules=smuggled_rules.in_force([t.text for t in turns if t.role == "coachee"]),
            notes=tuple(n.text for n in notes),
            self_words=self._self_words(),
        )

    def _self_words(self) -> tuple[str, ...]:
        """How notes name the persona ("they" is left out: it names others as often)."""
        subject = self.persona.pronouns.split("/")[0]
        return (self.persona.name.split()[0].lower(), *([subject] if subject != "they" else []))

    def _choose(
        self, plan: Rehearsal._Plan, turns: list[Turn], ctx: guard.GuardContext, first: guard.Verdict
    ) -> tuple[str, bool, list[str]]:
        """The line to keep: the model's if the guard passes it and it answers the coachee's
        line; else a retry's; else the authored line for the move that best answers it, or
        the closest model line when no authored one does. Returns (line, fallback, problems)."""
        problems: list[str] = []
        candidates: list[tuple[relevance.Relevance, str]] = []
        verdict: guard.Verdict | None = first
        for attempt in range(1 + RETRIES):
            if verdict is None:
                verdict = guard.check(
                    self._complete(self._retry_plan(plan, problems), temperature=RETRY_TEMPERATURE), ctx
                )
            prefix = f"retry {attempt}: " if attempt else ""
            problems += [prefix + p for p in verdict.problems]
            checked, verdict = verdict, None
            if not checked.ok:
                continue
            judged = self._relevance(plan, checked.text)
            if judged.responsive:
                return checked.text, False, problems
            problems.append(f"{prefix}does not answer the line: {judged.why}")
            candidates.append((judged, checked.text))
        authored = self._fallback_line(plan, turns)
        if candidates and not self._relevance(plan, authored).responsive:
            return max(candidates, key=lambda c: c[0].score)[1], False, problems
        return authored, True, problems

    @staticmethod
    def _retry_plan(plan: Rehearsal._Plan, problems: list[str]) -> Rehearsal._Plan:
        """The plan for a retry: after a line that repeated an earlier one the cue asks for
        new words, after one that narrated a note it asks for "I" (a few tokens after the
        cached prompt, so it costs next to nothing)."""
        asks = [ask for trigger, ask in RETRY_ASKS if any(trigger in p for p in problems)]
        return replace(plan, direction=", ".join([plan.direction, *asks])) if asks else plan

    def _relevance(self, plan: Rehearsal._Plan, line: str) -> relevance.Relevance:
        index = self.services.index
        try:
            embed = index.embed if index else None
            return relevance.judge(plan.ask, line, [n.text for n in plan.notes], embed, answer=plan.answer)
        except Exception:  # the check is a refinement: without embeddings, keep the line
            log.exception("relevance check failed")
            return relevance.Relevance(True, 1.0, "not checked")

    def _fallback_line(self, plan: Rehearsal._Plan, turns: list[Turn]) -> str:
        """The authored line for the move, not said before in this attempt, that best
        answers the coachee's line (in turn when none does)."""
        lines = self._fresh_authored(plan.move, turns)
        fitting = [line for line in lines if self._relevance(plan, line).responsive]
        if fitting and len(fitting) < len(lines):
            return max(fitting, key=lambda line: self._relevance(plan, line).score)
        return lines[len(turns) % len(lines)]

    def _fresh_authored(self, move: Move, turns: list[Turn]) -> list[str]:
        """The move's authored lines not said, nor nearly said, before in this attempt (all, once all were)."""
        script = self.scenario.moves.get(move) or self.scenario.moves[self.scenario.resting_move]
        said = [t.text for t in turns if t.role == "persona"]
        return [line for line in script.lines if not near_repeat(line, said)] or list(script.lines)


def _query(ask: Ask, turns: list[Turn]) -> str:
    """Retrieval is keyed on what the line asks: its question (twice: it weighs most) and
    topic, then the line itself and the persona's line before it for context."""
    before = next((t.text for t in reversed(turns[:-1]) if t.role == "persona"), "")
    return " ".join(x for x in (ask.said, ask.said, ask.topic, turns[-1].text, before) if x)
