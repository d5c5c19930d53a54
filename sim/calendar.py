"""The team's working week.

Simulated time is measured in days from Monday 00:00 of the first week. The front
door is open on working days between an opening and a closing hour; referrals keep
arriving at night and at weekends, but screening and assessment only move during
working time. Timescales ("decided within one working day", "initial assessment
within seven working days") are counted in working days of open hours.

Bank holidays are ignored, as the scenario brief allows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

HOURS_PER_DAY = 24.0


@dataclass(frozen=True, slots=True)
class WorkingCalendar:
    """Open hours of the team; `always_open` gives a 24/7 calendar (used by verification)."""

    open_hour: float = 9.0
    close_hour: float = 17.0
    working_days_per_week: int = 5
    always_open: bool = False
    # Derived once: these are read on every calendar sum.
    hours_per_working_day: float = field(init=False, repr=False, compare=False)
    _week: float = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        per_day = HOURS_PER_DAY if self.always_open else self.close_hour - self.open_hour
        days = 7 if self.always_open else self.working_days_per_week
        object.__setattr__(self, "hours_per_working_day", per_day)
        object.__setattr__(self, "_week", per_day * days)

    def _week_hours(self) -> float:
        return self._week

    def working_hours_until(self, t: float) -> float:
        """Working hours elapsed between time 0 and time `t` (days)."""
        if self.always_open:
            return t * HOURS_PER_DAY
        # Written without min/max and helper calls: this is the model's most frequent
        # calendar sum (benchmarks/bench_model.py).
        week, rem = divmod(t, 7.0)
        day = int(rem)
        hours = week * self._week
        per_day = self.hours_per_working_day
        if day >= self.working_days_per_week:
            return hours + self.working_days_per_week * per_day
        into = (rem - day) * HOURS_PER_DAY - self.open_hour
        if into <= 0.0:
            into = 0.0
        elif into > per_day:
            into = per_day
        return hours + day * per_day + into

    def time_at_working_hours(self, w: float) -> float:
        """Earliest time (days) at which `w` working hours have elapsed since time 0."""
        if self.always_open:
            return w / HOURS_PER_DAY
        per_day = self.hours_per_working_day
        week, rem = divmod(w, self._week_hours())
        day = int(rem // per_day)
        into_day = rem - day * per_day
        if day >= self.working_days_per_week:  # float edge at the very end of a week
            day, into_day = self.working_days_per_week - 1, per_day
        if into_day == 0.0 and day > 0:
            # Exactly at a day boundary: the earliest moment is the previous close.
            day, into_day = day - 1, per_day
        return week * 7.0 + day + (self.open_hour + into_day) / HOURS_PER_DAY

    def is_open(self, t: float) -> bool:
        if self.always_open:
            return True
        rem = t % 7.0
        day = int(rem)
        if day >= self.working_days_per_week:
            return False
        hour = (rem - day) * HOURS_PER_DAY
        return self.open_hour <= hour < self.close_hour

    def next_open(self, t: float) -> float:
        """`t` itself when the team is at work, else the next opening time."""
        if self.is_open(t):
            return t
        w = self.working_hours_until(t)
        # Opening time is the first instant after the close at which working time grows.
        start = self.time_at_working_hours(w)
        if start > t:
            return start
        week_start = math.floor(t / 7.0) * 7.0
        rem = t - week_start
        day = int(rem)
        hour = (rem - day) * HOURS_PER_DAY
        if day < self.working_days_per_week and hour < self.open_hour:
            return week_start + day + self.open_hour / HOURS_PER_DAY
        next_day = day + 1
        if next_day >= self.working_days_per_week:
            return week_start + 7.0 + self.open_hour / HOURS_PER_DAY
        return week_start + next_day + self.open_hour / HOURS_PER_DAY

    def add_working_hours(self, t: float, hours: float) -> float:
        """Time at which `hours` of work started at `t` is finished."""
        start = self.next_open(t)
        return self.time_at_working_hours(self.working_hours_until(start) + hours)

    def add_working_days(self, t: float, days: float) -> float:
        return self.add_working_hours(t, days * self.hours_per_working_day)

    def working_days_between(self, a: float, b: float) -> float:
        """Working days of open time between `a` and `b` (b >= a)."""
        return (
            self.working_hours_until(b) - self.working_hours_until(a)
        ) / self.hours_per_working_day

    def weekday(self, t: float) -> int:
        """0 = Monday ... 6 = Sunday."""
        return int(t % 7.0)

    def hour(self, t: float) -> float:
        return (t % 1.0) * HOURS_PER_DAY
