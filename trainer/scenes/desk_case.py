"""The open case: what a worker at the desk can see of it, and the buttons that act on it.

The panel shows the referral (who made it, when, what was said and how worrying it reads),
each check asked for and its answer with the exercise's story behind it, the team leader's
advice with its reasons, and the decision or handover once made. The text scrolls when it
is taller than the panel; the buttons sit at its foot (checks, then the threshold, then the
priority and Record decision), each group in shorter words when that saves a row, so a
small window with large text keeps room for the case. The hidden truth is not here: it
waits for the debrief.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import pygame

from sim.desk_api import NoticeAsKnown
from sim.entities import Level
from trainer.desk import DutyDesk
from trainer.desk_records import LEVEL_LABELS, PRIORITY_LABELS, Finding
from trainer.exercise import ShiftPlan
from trainer.scenes.common import Scroller, mark, panel, text_block
from trainer.scenes.desk_frame import CaseNames, DeskLayout, OpenCase
from trainer.theme import CONCERN_BANDS, INK, MUTED, STATUS_MARKS, draw_icon
from trainer.ui import App
from trainer.wording import (
    AGENCY_LABELS,
    CONCERN_LABELS,
    SOURCE_LABELS,
    check_words,
    concern_words,
    fact_words,
    free_play_said,
    hours_minutes,
    join_words,
    leader_advice,
    need_words,
)

LEVEL_KEYS = {
    Level.NO_FURTHER_ACTION: pygame.K_1,
    Level.CHILD_IN_NEED: pygame.K_2,
    Level.CHILD_PROTECTION: pygame.K_3,
}
LEVEL_SHORT = {
    Level.NO_FURTHER_ACTION: "NFA",
    Level.CHILD_IN_NEED: "Child in need",
    Level.CHILD_PROTECTION: "Child protection",
}
PRIORITY_KEYS = {
    "immediate": pygame.K_q,
    "within_24_hours": pygame.K_w,
    "within_7_days": pygame.K_e,
}
PRIORITY_SHORT = {
    "immediate": "Immediate",
    "within_24_hours": "24 hours",
    "within_7_days": "7 days",
}
INFO_ACTION_NAMES = {
    "database": "Database",
    "addendum": "Record addendum",
    "file": "Paper file",
    "agency": "Agency",
    "visit": "Home visit",
    "team_leader": "Team leader",
}

# Shorter words for the case panel's buttons, by button name, used for a group of buttons
# when they save a row (a narrow window or large text), so the case's text keeps its room.
# The level words are the marks the in-tray shows for a decision.
COMPACT_LABELS = {
    "database": "Database",
    "addendum": "Addendum",
    "file": "File",
    "agency": "Agency",
    "visit": "Visit",
    "team_leader": "Team leader",
    "level1": "CIN",
    "level2": "CP",
    "record": "Record",
}

# A button of the case panel: name, label, shortcut, action, enabled, style.
ButtonSpec = tuple[str, str, int | None, Callable[[], object], bool, str | None]
ButtonRow = list[tuple[ButtonSpec, int]]


@dataclass(frozen=True, slots=True)
class CaseButtons:
    """What the case panel's buttons do: the scene's actions on the open case."""

    open_dialog: Callable[[str], None]
    read_addendum: Callable[[], None]
    request_file: Callable[[], None]
    visit: Callable[[], None]
    ask_team_leader: Callable[[], None]
    choose_level: Callable[[Level], None]
    choose_priority: Callable[[str], None]
    record_decision: Callable[[], None]


class CasePanel:
    """The centre panel: the open case's text (scrolling) over its buttons. A panel that
    cannot act (a replay, watched by a class) has no buttons, and its text takes the room
    they would have had."""

    def __init__(
        self,
        *,
        app: App,
        desk: DutyDesk,
        plan: ShiftPlan,
        names: CaseNames,
        layout: DeskLayout,
        choices: OpenCase,
        buttons: CaseButtons,
        acts: bool = True,
    ) -> None:
        self.app = app
        self.desk = desk
        self.plan = plan
        self.names = names
        self.layout = layout
        self.choices = choices
        self.buttons = buttons
        self.acts = acts
        self.scroll = Scroller()

    # -- buttons --------------------------------------------------------------------------

    def _rows(self, groups: list[list[ButtonSpec]]) -> list[ButtonRow]:
        """Buttons in rows that fit the case panel; each group starts a new row, and takes
        its shorter words when they need fewer rows than the full ones."""
        rows: list[ButtonRow] = []
        for group in groups:
            full = self._flow(group)
            short = self._flow([(s[0], COMPACT_LABELS.get(s[0], s[1]), *s[2:]) for s in group])
            rows += short if len(short) < len(full) else full
        return rows

    def _flow(self, group: list[ButtonSpec]) -> list[ButtonRow]:
        """One group's buttons left to right, as wide as their words, in as many rows as
        the panel's width needs."""
        room = self.layout.centre_rect.width - 24
        rows: list[ButtonRow] = [[]]
        used = 0
        for spec in group:
            width = min(room, self.app.button_width(spec[1], spec[2]))
            if rows[-1] and used + width > room:
                rows.append([])
                used = 0
            rows[-1].append((spec, width))
            used += width + 6
        return rows

    def _groups(self, case_id: int) -> list[list[ButtonSpec]]:
        """The checks; and while the case waits for a decision, the thresholds, and the
        priorities with Record decision."""
        info = self._check_buttons(case_id)
        if case_id not in self.desk.undecided():
            return [info]
        return [info, *self._decision_buttons()]

    def _check_buttons(self, case_id: int) -> list[ButtonSpec]:
        desk, act = self.desk, self.buttons
        free = not desk.busy() and not desk.ended
        labels = {f.label for f in desk.findings_for(case_id)}
        can_file = free and desk.record_found(case_id) and "paper file" not in labels
        # Offered only while the record found has an addendum nobody has read: the search
        # says one waits, as a system that cannot correct an entry must (report 4.5).
        addendum: list[ButtonSpec] = []
        if desk.case(case_id).addendum_waiting:
            addendum = [("addendum", "Open addendum", pygame.K_o, act.read_addendum, free, None)]
        return [
            (
                "database",
                "Search database",
                pygame.K_d,
                lambda: act.open_dialog("database"),
                free,
                None,
            ),
            *addendum,
            ("file", "Request file", pygame.K_f, act.request_file, can_file, None),
            ("agency", "Contact agency", pygame.K_g, lambda: act.open_dialog("agency"), free, None),
            (
                "visit",
                "Home visit",
                pygame.K_v,
                act.visit,
                free and "home visit" not in labels,
                None,
            ),
            ("team_leader", "Ask team leader", pygame.K_t, act.ask_team_leader, free, None),
        ]

    def _decision_buttons(self) -> list[list[ButtonSpec]]:
        desk, act, chosen = self.desk, self.buttons, self.choices
        free = not desk.busy() and not desk.ended
        levels: list[ButtonSpec] = [
            (
                f"level{int(level)}",
                LEVEL_SHORT[level],
                key,
                partial(act.choose_level, level),
                free,
                "chosen" if chosen.level_choice == level else None,
            )
            for level, key in LEVEL_KEYS.items()
        ]
        needs_priority = chosen.level_choice not in (None, Level.NO_FURTHER_ACTION)
        prios: list[ButtonSpec] = [
            (
                f"priority:{p}",
                PRIORITY_SHORT[p],
                key,
                partial(act.choose_priority, p),
                free and needs_priority,
                "chosen" if chosen.priority_choice == p else None,
            )
            for p, key in PRIORITY_KEYS.items()
        ]
        ready = chosen.level_choice is not None and (not needs_priority or chosen.priority_choice)
        prios.append(
            (
                "record",
                "Record decision",
                pygame.K_r,
                act.record_decision,
                free and bool(ready),
                "primary",
            )
        )
        return [levels, prios]

    def buttons_top(self) -> int:
        """Where the case panel's buttons start (they sit at its foot, the text above)."""
        cr = self.layout.centre_rect
        selected = self.choices.selected
        if selected is None or not self.acts:
            return cr.bottom
        rows = self._rows(self._groups(selected))
        return cr.bottom - 8 - len(rows) * (self.layout.button_h + 6)

    def build(self, bh: int) -> None:
        """The open case's buttons (none when no case is open)."""
        selected = self.choices.selected
        if selected is None or not self.acts:
            return
        cr = self.layout.centre_rect
        y = self.buttons_top()
        for row in self._rows(self._groups(selected)):
            x = cr.x + 12
            for (name, label, key, action, enabled, style), width in row:
                self.app.button(
                    name, label, (x, y, width, bh), action, key=key, enabled=enabled, style=style
                )
                x += width + 6
            y += bh + 6

    # -- drawing --------------------------------------------------------------------------

    def draw(self, surface: pygame.Surface) -> None:
        t = self.app.type
        cr = self.layout.centre_rect
        top = panel(surface, cr, t)
        selected = self.choices.selected
        if selected is None:
            text_block(
                surface,
                t,
                "No referrals yet. They arrive as the clock runs.",
                pygame.Rect(cr.x + 14, top, cr.width - 28, cr.height),
                "body",
                MUTED,
            )
            return
        inner = pygame.Rect(cr.x + 14, top, cr.width - 30, self.buttons_top() - top - 8)
        y = self.scroll.top(surface, inner)
        y = self._draw_referral(surface, selected, inner, y)
        for notice in self.desk.case(selected).notices:
            y = self._draw_notice(surface, notice, inner, y)
        for finding in self.desk.findings_for(selected):
            y = self._draw_finding(surface, finding, inner.x, y, inner.width, 10**6)
        y = self._draw_status(surface, selected, inner, y + 4)
        self.scroll.finish(surface, y)

    def _draw_referral(
        self, surface: pygame.Surface, case_id: int, inner: pygame.Rect, y: int
    ) -> int:
        """The case's heading, the referral as made and how it reads, and what reached
        the desk from elsewhere (the night team, another agency); returns the next y."""
        t = self.app.type
        case = self.desk.case(case_id)
        thresholds = self.desk.thresholds
        area = pygame.Rect(inner.x, y, inner.width, 10**6)
        y = text_block(surface, t, self.names.who(case_id), area, "heading", bold=True)
        source = SOURCE_LABELS.get(case.source, case.source)
        concern = CONCERN_LABELS.get(case.concern, case.concern)
        line = f"{source}, {hours_minutes(case.arrived_at)}. About {concern}."
        if case.re_referral:
            line += " Referred before."
        area = pygame.Rect(inner.x, y, inner.width, 10**6)
        y = text_block(surface, t, line, area, "small", MUTED) + 4
        ref = self.plan.referrals.get(case.scripted_ref or "")
        band = concern_words(case.referral_signal, thresholds)[1]
        need_text, need_band = need_words(case.need_signal, thresholds)
        said = (
            ref.said
            if ref is not None
            else free_play_said(case.source, case.concern, case.spelling, band, need_band)
        )
        y = text_block(surface, t, f"“{said}”", pygame.Rect(inner.x, y, inner.width, 10**6)) + 4
        x = inner.x
        surface.blit(t.render("The referral shows:", "small", INK), (x, y))
        x += t.width("The referral shows:", "small") + 8
        x += mark(surface, CONCERN_BANDS[band], (x, y), t) + 12
        y = text_block(surface, t, need_text, pygame.Rect(x, y, inner.right - x, 10**6), "small")
        y += 6
        for key in sorted(case.evidence):
            if key in ("edt_visit", "harm_seen"):
                words, b = concern_words(case.evidence[key], thresholds)
                what = "The night team's visit" if key == "edt_visit" else "Another agency"
                surface.blit(t.render(f"{what}: {words}", "small", INK), (inner.x, y))
                y += t.line_height("small")
        return y

    def _draw_notice(
        self, surface: pygame.Surface, notice: NoticeAsKnown, inner: pygame.Rect, y: int
    ) -> int:
        """A notice another agency sent unasked: its icon and how it reads, who sent it
        and when, and what it said."""
        t = self.app.type
        size = t.line_height("small") - 4
        draw_icon(surface, notice.agency, pygame.Rect(inner.x, y + 2, size, size), MUTED)
        x = inner.x + size + 6
        words, band = concern_words(notice.reading, self.desk.thresholds)
        at = x + mark(surface, CONCERN_BANDS[band], (x, y), t, word=words) + 8
        head = pygame.Rect(at, y, inner.right - at, 10**6)
        y = text_block(surface, t, self.notice_heading(notice), head, "small", bold=True)
        area = pygame.Rect(x + 16, y, inner.right - x - 16, 10**6)
        return text_block(surface, t, self.notice_said(notice), area, "small") + 4

    def _draw_status(
        self, surface: pygame.Surface, case_id: int, inner: pygame.Rect, y: int
    ) -> int:
        """The decision (or handover) line and, at induction, a hint: the case's last lines."""
        t = self.app.type
        desk = self.desk
        decision = desk.decision(case_id)
        area = pygame.Rect(inner.x, y, inner.width, 10**6)
        if decision is not None:
            text = f"Decided: {LEVEL_LABELS[decision.level]}"
            if int(decision.level) > 0:
                text += f", {PRIORITY_LABELS[decision.priority].lower()}"
            y = text_block(surface, t, text + ".", area, "body", bold=True)
        elif case_id in desk.handovers:
            kept = join_words([fact_words(f) for f in desk.handovers[case_id]])
            text = f"Handover written: passes on {kept or 'only the referral'}."
            y = text_block(surface, t, text, area, "small")
        if self.plan.difficulty == "induction" and self.plan.hints and decision is None:
            hint = self.plan.hints[int(self.desk.now * 24) % len(self.plan.hints)]
            area = pygame.Rect(inner.x, y + 4, inner.width, 10**6)
            y = text_block(surface, t, f"Hint: {hint}", area, "small", MUTED)
        return y

    def _draw_finding(
        self, surface: pygame.Surface, f: Finding, x: int, y: int, width: int, bottom: int
    ) -> int:
        t = self.app.type
        thresholds = self.desk.thresholds
        label = check_words(f.label)
        if f.action == "agency":
            label = AGENCY_LABELS.get(f.label.split(":")[1], f.label)
        elif f.action != "database":
            label = INFO_ACTION_NAMES.get(f.action, f.action)
        size = t.line_height("small") - 4
        draw_icon(surface, f.action, pygame.Rect(x, y + 2, size, size), MUTED)
        x += size + 6
        width -= size + 6
        if not f.done:
            at = x + mark(surface, STATUS_MARKS["pending"], (x, y), t) + 8
            surface.blit(
                t.render(f"{label}: asked at {hours_minutes(f.requested_at)[4:]}", "small", INK),
                (at, y),
            )
            return y + t.line_height("small") + 2
        if self._corrected(f):
            m, words = STATUS_MARKS["corrected"], "corrected"
        elif f.value is not None:
            words, band = concern_words(f.value, thresholds)
            m = CONCERN_BANDS[band]
        elif f.outcome in ("refused", "missing", "not_seen"):
            m, words = STATUS_MARKS["refused"], f.outcome.replace("_", " ")
        elif f.action == "team_leader":
            m, words = STATUS_MARKS["answered"], "advice"
        else:
            m, words = STATUS_MARKS["nothing"], "nothing found"
        at = x + mark(surface, m, (x, y), t, word=words) + 8
        head = pygame.Rect(at, y, x + width - at, bottom - y)
        detail = f.detail
        if f.outcome == "found" and self.desk.case(f.case_id).addendum_waiting:
            detail += ", not yet read"  # until the addendum is opened
        y = text_block(surface, t, f"{label}: {detail}", head, "small", bold=True)
        story = self.story(f)
        if story:
            area = pygame.Rect(x + 16, y, width - 16, bottom - y)
            y = text_block(surface, t, story, area, "small") + 2
        return y + 2

    def _corrected(self, f: Finding) -> bool:
        """A record entry that an addendum opened since corrects."""
        return f.outcome == "found" and self.desk.entry_corrected(f.case_id)

    # -- the words behind a finding -----------------------------------------------------------

    def notice_heading(self, notice: NoticeAsKnown) -> str:
        """'Police sent a notice at 09:23, unasked': who told the team, and when."""
        agency = AGENCY_LABELS.get(notice.agency, notice.agency.replace("_", " ").capitalize())
        return f"{agency} sent a notice at {hours_minutes(notice.at)[4:]}, unasked"

    def notice_said(self, notice: NoticeAsKnown) -> str:
        """What the notice said, in a sentence: a worry of the agency's own, and how it
        reads by the team's thresholds (an exercise's words for an agency answer a team
        that asks, so they are not used here)."""
        words = concern_words(notice.reading, self.desk.thresholds)[0]
        return (
            "They told the team of a worry about this family without being asked; "
            f"by the team's thresholds it reads as {words}."
        )

    def advice(self, f: Finding) -> str:
        """The team leader's answer with its level, priority and reasons: the evidence the
        desk held when the answer came (the referral and each check with a reading)."""
        case = self.desk.case(f.case_id)
        thresholds = self.desk.thresholds
        evidence = [("the referral", concern_words(case.referral_signal, thresholds)[1])]
        for other in self.desk.findings_for(f.case_id):
            if (
                other.value is not None
                and other.returned_at is not None
                and f.returned_at is not None
                and other.returned_at <= f.returned_at
            ):
                where = check_words(other.label).split(" for ")[0]
                if other.action == "agency":
                    where = f"what {where.lower()} said"
                else:
                    where = f"the {where.lower()}"
                evidence.append((where, concern_words(other.value, thresholds)[1]))
        need = need_words(case.need_signal, thresholds)[1]
        return leader_advice(str(f.outcome), case.concern, evidence, need)

    def story(self, f: Finding) -> str:
        """The exercise's narrative for a check that found something."""
        case = self.desk.case(f.case_id)
        if f.action == "team_leader" and f.done and f.outcome:
            return self.advice(f)
        ref = self.plan.referrals.get(case.scripted_ref or "")
        if ref is None or f.evidence_key is None:
            return ""
        found = ref.findings
        if f.action == "agency":
            asked = f.label.split(":")[1]
            return next((text for name, text in found.agencies.items() if name == asked), "")
        stories = {
            "database": found.database,
            "addendum": found.addendum,
            "file": found.file,
            "visit": found.visit,
        }
        return stories.get(f.action) or ""

    # -- what a headless player reads --------------------------------------------------------

    def _notice_view(self, notice: NoticeAsKnown) -> dict[str, Any]:
        """A notice as a headless player reads it among the case's findings: who sent
        it, when, how it reads, and the words on screen."""
        return {
            "label": f"notice:{notice.agency}",
            "action": "notice",
            "done": True,
            "outcome": "sent",
            "asked_at": notice.at,
            "band": concern_words(notice.reading, self.desk.thresholds)[1],
            "text": f"{self.notice_heading(notice)}. {self.notice_said(notice)}",
        }

    def view(self, case_id: int, spelling_text: str | None) -> dict[str, Any]:
        """The open case as a headless player reads it off the screen (with what is typed
        in the spelling field, if the database dialog is open)."""
        desk = self.desk
        case = desk.case(case_id)
        thresholds = desk.thresholds
        return {
            "case_id": case_id,
            "spelling": case.spelling,
            "suggestions": desk.spelling_suggestions(case_id),
            "concern": case.concern,
            "source": case.source,
            "referral_band": concern_words(case.referral_signal, thresholds)[1],
            "need_band": need_words(case.need_signal, thresholds)[1],
            "record_found": desk.record_found(case_id),
            "addendum_waiting": case.addendum_waiting,
            "findings": [
                {
                    "label": f.label,
                    "action": f.action,
                    "done": f.done,
                    "outcome": f.outcome,
                    "asked_at": f.requested_at,
                    "band": (
                        None
                        if f.value is None or self._corrected(f)
                        else concern_words(f.value, thresholds)[1]
                    ),
                }
                for f in desk.findings_for(case_id)
            ],
            # Drawn with the findings, listed apart so the scripted players keep to the
            # checks they make (their play, and the pinned logs, stay as they were).
            "notices": [self._notice_view(n) for n in case.notices],
            "decided": desk.decision(case_id) is not None,
            "undecided": case_id in desk.undecided(),
            "handover_facts": desk.handover_facts(case_id),
            "handover_written": case_id in desk.handovers,
            "handover_kept": list(desk.handovers.get(case_id, ())),
            "spelling_text": spelling_text,
        }


__all__ = ["CaseButtons", "CasePanel", "LEVEL_KEYS", "PRIORITY_KEYS"]
