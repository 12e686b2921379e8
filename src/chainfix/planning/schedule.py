"""Which days get a strength session (science section 4, R9-R11).

The athlete's usual week (long-run day, hard-run days) is projected forward. A lower-body session
goes after a hard run on the same day, or on another day at least 48 h before the next long run or
race; it is at least 24 h before the next hard run, never on the long-run day or the day before.
Near an A-race the last heavy session is at least 7 days out, one light session 5-6 days out, then
none. After a race there is a rest from strength work. Hours are turned into days with the
assumed times of day in ``dosing.toml`` (runs in the morning, strength in the evening).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import combinations

from chainfix.planning.context import PlanContext
from chainfix.planning.dosing import Dosing
from chainfix.planning.profile import Race

HORIZON_DAYS = 21


@dataclass(frozen=True, slots=True)
class DayInfo:
    """What the calendar says about one day."""

    day: date
    available: bool
    """The athlete can train that weekday."""
    lower_ok: bool
    """Lower-body strength keeps every buffer."""
    hard: bool
    """A hard run is planned that morning (strength after it is ideal, R9)."""
    taper: bool
    """In the light-session window of an A-race (R11)."""
    eccentric_ok: bool
    """Nordic-type eccentric work keeps 48 h to the next hard run (R10)."""
    upper_ok: bool
    """Upper-back/core work is fine (not a long-run, race or rest day, not the day before)."""
    reason: str = ""


class Calendar:
    """The projected running week plus races, and the rules that follow from them."""

    def __init__(self, ctx: PlanContext, dosing: Dosing) -> None:
        self.ctx = ctx
        self.dosing = dosing
        self.races: list[Race] = sorted(ctx.race_list(), key=lambda r: r.date)
        self.days_before_long = dosing.min_days_before(dosing.hours_before_long_run)
        self.days_before_race = dosing.min_days_before(dosing.hours_before_race)
        self.days_before_hard = dosing.min_days_before(dosing.hours_before_hard)
        self.days_before_hard_ecc = dosing.min_days_before(dosing.eccentric_hours_before_hard)
        divisor = dosing.descent_divisors.get("running", 100.0)
        self.big_descent_long_run = ctx.long_run_descent_m / divisor >= dosing.descent_flag_equ
        """The projected long runs carry a descent of at least the R13 flag."""
        self.days_after_descent = -(-dosing.descent_block_hours // 24)

    def is_long_run(self, day: date) -> bool:
        return self.ctx.long_run_weekday is not None and day.weekday() == self.ctx.long_run_weekday

    def is_hard(self, day: date) -> bool:
        return day.weekday() in self.ctx.hard_weekdays or self.is_long_run(day)

    def race_on(self, day: date) -> Race | None:
        for race in self.races:
            if race.date == day:
                return race
        return None

    def _next(self, day: date, test: object) -> int | None:
        """Days from ``day`` to the next later day passing ``test`` (None within the horizon)."""
        for offset in range(1, HORIZON_DAYS):
            if test(day + timedelta(days=offset)):  # type: ignore[operator]
                return offset
        return None

    def info(self, day: date) -> DayInfo:
        d = self.dosing
        available = day.weekday() in self.ctx.days
        reason = ""
        lower_ok = True
        upper_ok = True
        taper = False
        if self.is_long_run(day):
            lower_ok = upper_ok = False
            reason = "long-run day"
        elif self.is_long_run(day + timedelta(days=1)):
            lower_ok = upper_ok = False
            reason = "day before the long run"
        if self.race_on(day) or self.race_on(day + timedelta(days=1)):
            lower_ok = upper_ok = False
            reason = "race"
        to_long = self._next(day, self.is_long_run)
        if to_long is not None and to_long < self.days_before_long:
            lower_ok = False
            reason = reason or "less than 48 h before the long run"
        to_race = self._next(day, lambda x: self.race_on(x) is not None)
        if to_race is not None and to_race < self.days_before_race:
            lower_ok = False
            reason = reason or "less than 48 h before a race"
        to_hard = self._next(day, self.is_hard)
        if to_hard is not None and to_hard < self.days_before_hard:
            lower_ok = False
            reason = reason or "less than 24 h before a hard run"
        eccentric_ok = to_hard is None or to_hard >= self.days_before_hard_ecc
        if self.big_descent_long_run:
            after_long = next(
                (
                    k
                    for k in range(1, self.days_after_descent + 1)
                    if self.is_long_run(day - timedelta(days=k))
                ),
                None,
            )
            if after_long is not None:
                eccentric_ok = False  # R13: no eccentric work for 48 h after a big descent
                if after_long == 1:
                    lower_ok = False
                    reason = reason or "the day after a long run with a big descent"
        blocked = self.ctx.eccentric_blocked_until
        if blocked and day <= date.fromisoformat(blocked):
            eccentric_ok = False
        for race in self.races:
            before = (race.date - day).days
            after = (day - race.date).days
            if 0 <= after <= d.rest_after_race_days[race.priority]:
                lower_ok = upper_ok = False
                reason = reason or f"rest after the race on {race.date.isoformat()}"
            if race.priority == "A" and 0 < before < d.taper_last_heavy_min_days:
                upper_ok = False
                lo, hi = d.taper_light_days
                if lo <= before <= hi:
                    taper = True
                else:
                    lower_ok = False
                    reason = reason or f"taper before the race on {race.date.isoformat()}"
        return DayInfo(
            day=day,
            available=available,
            lower_ok=lower_ok,
            hard=self.is_hard(day) and not self.is_long_run(day),
            taper=taper and lower_ok,
            eccentric_ok=eccentric_ok,
            upper_ok=upper_ok,
            reason=reason,
        )

    def light_race(self, day: date) -> date | None:
        """The A-race whose light-session window (R11) holds ``day``, if any."""
        lo, hi = self.dosing.taper_light_days
        for race in self.races:
            if race.priority == "A" and lo <= (race.date - day).days <= hi:
                return race.date
        return None

    def pick_days(
        self, days: Sequence[date], n: int, previous: Sequence[date], gap: int | None = None
    ) -> list[DayInfo]:
        """Up to ``n`` session days of ``days`` that keep every rule (best first by R9).

        Prefers hard-run days, one light taper day when the week has a taper window, then days
        far apart (also from ``previous`` sessions); never two sessions on one day.
        """
        infos = [self.info(d) for d in days]
        done = {self.light_race(p) for p in previous} - {None}
        candidates = [
            i
            for i in infos
            if i.available and i.lower_ok and not (i.taper and self.light_race(i.day) in done)
        ]
        taper_window = any(i.taper for i in candidates)
        min_gap = gap or self.dosing.min_days_between_sessions  # a hard rule
        for k in range(min(n, len(candidates)), 0, -1):
            for gap in (min_gap,):
                best: tuple[tuple[int, ...], list[DayInfo]] | None = None
                for combo in combinations(candidates, k):
                    if sum(1 for i in combo if i.taper) > 1:
                        continue
                    dates = sorted([*(p for p in previous), *(i.day for i in combo)])
                    gaps = [(b - a).days for a, b in zip(dates, dates[1:], strict=False)]
                    if gaps and min(gaps) < gap:
                        continue
                    own = sorted(i.day for i in combo)
                    own_gaps = [(b - a).days for a, b in zip(own, own[1:], strict=False)]
                    if own_gaps:
                        own_gaps.append(7 - (own[-1] - own[0]).days)
                    score = (
                        int(taper_window and any(i.taper for i in combo)),
                        sum(1 for i in combo if i.hard),
                        min(own_gaps) if own_gaps else 7,
                        -sum(i.day.toordinal() for i in combo),
                    )
                    if best is None or score > best[0]:
                        best = (score, list(combo))
                if best is not None:
                    return sorted(best[1], key=lambda i: i.day)
        return []

    def upper_day(self, days: Sequence[date], previous: Sequence[date] = ()) -> DayInfo | None:
        """An available day for an upper-back/core session when no lower-body day is left.

        Keeps ``min_days_between_sessions`` from the ``previous`` sessions, so the same pull is
        never trained on consecutive days.
        """
        gap = self.dosing.min_days_between_sessions
        for day in days:
            i = self.info(day)
            if any(abs((day - p).days) < gap for p in previous):
                continue
            if i.available and i.upper_ok:
                return i
        return None
