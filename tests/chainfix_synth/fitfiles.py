"""FIT files from planned activities, written with :class:`chainfix.fit.encode.FitWriter`.

The recorded detail is generated with numpy from the plan's seed, so it is deterministic and
consistent with the plan's totals:

- distance rises monotonically to exactly ``distance_m``; ``enhanced_speed`` is the speed over
  the interval ending at each record;
- the altitude profile is a chain of monotonic climbs and descents whose sums are the planned
  ascent and descent (within the 0.2 m resolution of ``enhanced_altitude`` per turning point);
- heart rate averages ``avg_hr`` (to within about 1 bpm) and peaks at exactly ``max_hr``;
- laps (every 1 km running, 5 km cycling, one for strength; at each step of a structured
  intervals or tempo workout with ``workout_laps``) add up exactly to the session:
  distance, timer and elapsed time, and the planned ascent and descent;
- a pause (``elapsed_s > timer_s``) is one timer stop/start pair with no records inside.

Records are written every ``round(1 / hz)`` whole seconds (FIT timestamps are whole seconds).
"""

from __future__ import annotations

import gzip
import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any

import numpy as np

from chainfix.fit.encode import FitWriter, encode_rows
from chainfix.fit.encode_fields import degrees_to_semicircles
from chainfix_synth.personas import Device, PlannedActivity

__all__ = ["Track", "activity_fit", "gzipped", "monitoring_fit", "planned_laps", "track"]

_SEMI = 2**31 / 180.0
_EARTH_M_PER_DEG = 111_320.0


@dataclass(slots=True)
class Track:
    """Per-record arrays for one leg; times in seconds from the leg's start."""

    active: np.ndarray
    """Timer (moving) time of each record."""
    clock: np.ndarray
    """Wall-clock seconds of each record (pauses included), integers."""
    heart_rate: np.ndarray
    distance: np.ndarray | None = None
    speed: np.ndarray | None = None
    altitude: np.ndarray | None = None
    lat: np.ndarray | None = None
    lon: np.ndarray | None = None
    """Positions in semicircles."""
    cadence: np.ndarray | None = None
    power: np.ndarray | None = None
    pause_at: int | None = None
    """Index of the last record before the pause, if any."""

    def __len__(self) -> int:
        return len(self.active)


# ---------------------------------------------------------------------------------------------
# Track generation


def _times(
    a: PlannedActivity, step: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, int | None]:
    active = np.arange(0, a.timer_s, step, dtype=np.float64)
    active = np.append(active, float(a.timer_s))
    clock = active.copy()
    pause_at = None
    pause = a.elapsed_s - a.timer_s
    if pause > 0 and len(active) > 4:
        pause_at = int(rng.integers(len(active) // 3, 2 * len(active) // 3))
        clock[pause_at + 1 :] += pause
    return active, clock.astype(np.int64), pause_at


def _smooth_noise(
    u: np.ndarray, rng: np.random.Generator, amp: float, waves: int = 4
) -> np.ndarray:
    out = np.zeros_like(u)
    for _ in range(waves):
        freq = rng.uniform(1.0, 9.0)
        out += np.sin(2 * math.pi * (freq * u + rng.uniform(0, 1)))
    return 1.0 + amp * out / math.sqrt(waves)


def _shape(a: PlannedActivity, u: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Relative speed over the fraction ``u`` of timer time (intervals: 6 repetitions between
    0.2 and 0.85, each fast for 55 % of its cycle; see :func:`_step_fractions`)."""
    v = _smooth_noise(u, rng, 0.05)
    if a.kind == "intervals":
        inner = (u > 0.2) & (u < 0.85)
        phase = ((u - 0.2) / 0.65 * 6) % 1.0
        v = np.where(inner, np.where(phase < 0.55, 1.25, 0.75), 0.85) * v
    elif a.kind == "tempo":
        v = np.where((u > 0.2) & (u < 0.85), 1.1, 0.85) * v
    warm = np.clip(u * max(a.timer_s, 1) / 90.0, 0, 1)
    return v * (0.7 + 0.3 * warm)


def _altitude_fn(a: PlannedActivity, rng: np.random.Generator) -> Any:
    """x in [0, 1] (fraction of distance) -> altitude, monotonic between turning points."""
    ascent, descent = float(a.ascent_m or 0), float(a.descent_m or 0)
    n_up = 0 if ascent <= 0 else int(min(8, max(1, round(ascent / 120))))
    n_down = 0 if descent <= 0 else int(min(8, max(1, round(descent / 120))))
    dirs: list[int] = []
    ups, downs = n_up, n_down
    turn = 1 if rng.random() < 0.6 else -1
    while ups or downs:
        if (turn > 0 and ups) or not downs:
            dirs.append(1)
            ups -= 1
        else:
            dirs.append(-1)
            downs -= 1
        turn = -turn
    if not dirs:
        return lambda x: np.full_like(x, a.start_alt_m)
    deltas = np.zeros(len(dirs))
    up_idx = [i for i, d in enumerate(dirs) if d > 0]
    down_idx = [i for i, d in enumerate(dirs) if d < 0]
    if up_idx:
        deltas[up_idx] = ascent * rng.dirichlet(np.full(len(up_idx), 3.0))
    if down_idx:
        deltas[down_idx] = -descent * rng.dirichlet(np.full(len(down_idx), 3.0))
    lengths = rng.dirichlet(np.full(len(dirs), 4.0))
    edges = np.concatenate(([0.0], np.cumsum(lengths)))
    edges[-1] = 1.0
    base = a.start_alt_m + np.concatenate(([0.0], np.cumsum(deltas)))

    def altitude(x: np.ndarray) -> np.ndarray:
        k = np.clip(np.searchsorted(edges, x, side="right") - 1, 0, len(dirs) - 1)
        f = np.clip((x - edges[k]) / lengths[k], 0.0, 1.0)
        return base[k] + deltas[k] * (f * f * (3 - 2 * f))

    return altitude


def _lag(x: np.ndarray, step: int, tau_s: float) -> np.ndarray:
    """Exponential smoothing (first-order lag) of ``x`` sampled every ``step`` seconds."""
    n = len(x)
    width = min(n, int(5 * tau_s / step) + 1)
    kernel = np.exp(-np.arange(width) * step / tau_s)
    num = np.convolve(x, kernel)[:n]
    den = np.cumsum(kernel)[np.minimum(np.arange(n), width - 1)]
    return num / den


def _heart_rate(
    a: PlannedActivity, effort: np.ndarray, active: np.ndarray, step: int, rng: np.random.Generator
) -> np.ndarray:
    avg, peak = float(a.avg_hr or 140), float(a.max_hr or (a.avg_hr or 140) + 12)
    hr = _lag(effort, step, 25.0)
    hr = avg + (hr - hr.mean()) * 22.0
    hr -= (hr[0] - (avg - 35)) * np.exp(-active / 120.0)  # warm-up
    hr += rng.normal(0, 1.0, len(hr))
    hr += avg - hr.mean()
    hr = np.clip(hr, 50, peak)
    hr = np.rint(hr + (avg - hr.mean()))
    hr = np.clip(hr, 50, peak)
    hr[int(np.argmax(hr))] = peak
    return hr


def track(a: PlannedActivity, hz: float = 1.0) -> Track:
    """Generate the per-record detail of one single-sport activity or leg."""
    step = max(1, round(1 / hz))
    rng = np.random.default_rng(a.seed)
    active, clock, pause_at = _times(a, step, rng)
    u = active / max(a.timer_s, 1)
    if a.distance_m is None:  # strength and other stationary sessions
        effort = _strength_effort(a, active)
        hr = _heart_rate(a, effort, active, step, rng)
        return Track(active, clock, hr, pause_at=pause_at)

    altitude_of = _altitude_fn(a, rng)
    v = _shape(a, u, rng)
    dt = np.diff(active, prepend=0.0)
    for _ in range(2):  # slow down on climbs, speed up on descents
        dist = np.cumsum(v * dt)
        x = dist / dist[-1]
        grade = np.gradient(altitude_of(x), dist + 1e-9 * np.arange(len(dist)))
        v = _shape(a, u, np.random.default_rng(a.seed + 1)) * np.exp(
            -4.0 * np.clip(grade, -0.25, 0.3)
        )
    inc = v * dt
    total = float(a.distance_m)
    distance = np.round(np.cumsum(inc) * (total / inc.sum()) * 100) / 100  # whole centimetres
    distance[-1] = total
    speed = np.diff(distance, prepend=0.0) / np.where(dt > 0, dt, 1.0)
    speed[0] = speed[1] if len(speed) > 1 else 0.0
    altitude = altitude_of(distance / total)

    heading = rng.uniform(0, 2 * math.pi) + 1.2 * (_smooth_noise(distance / total, rng, 1.0, 3) - 1)
    step_m = np.diff(distance, prepend=0.0)
    lat0, lon0 = float(a.start_lat or 0.0), float(a.start_lon or 0.0)
    lat = lat0 + np.cumsum(step_m * np.cos(heading)) / _EARTH_M_PER_DEG
    lon = lon0 + np.cumsum(step_m * np.sin(heading)) / (
        _EARTH_M_PER_DEG * math.cos(math.radians(lat0))
    )

    rel = speed / (total / a.timer_s)
    hr = _heart_rate(a, rel, active, step, rng)
    cadence = None
    if a.avg_cadence:
        swing = 6.0 if a.sport == "running" else 5.0
        cadence = np.rint(a.avg_cadence + swing * (rel - 1) + rng.normal(0, 1.2, len(rel)))
        cadence = np.clip(cadence, 30, 140)
    power = None
    if a.avg_power_w:
        raw = np.clip(rel, 0.3, 2.0) ** 1.5 * (1 + 0.8 * np.clip(grade, -0.1, 0.15) * 10)
        raw = np.clip(raw + rng.normal(0, 0.08, len(raw)), 0, None)
        power = np.rint(raw / raw.mean() * a.avg_power_w)
    return Track(
        active,
        clock,
        hr,
        distance=distance,
        speed=speed,
        altitude=altitude,
        lat=np.rint(lat * _SEMI),
        lon=np.rint(lon * _SEMI),
        cadence=cadence,
        power=power,
        pause_at=pause_at,
    )


def _strength_effort(a: PlannedActivity, active: np.ndarray) -> np.ndarray:
    effort = np.full(len(active), 0.2)
    if not a.sets:
        return effort
    t = a.timer_s - sum(s.duration_s for s in a.sets)  # warm-up and cool-down time
    t = max(t * 0.6, 0.0)
    for s in a.sets:
        if s.set_type == "active":
            effort[(active >= t) & (active < t + s.duration_s + 20)] = 1.0
        t += s.duration_s
    return effort


# ---------------------------------------------------------------------------------------------
# FIT writing


def _np_time(start: datetime) -> np.datetime64:
    return np.datetime64(start.astimezone(UTC).replace(tzinfo=None), "s")


def _step_fractions(a: PlannedActivity) -> list[float]:
    """Where a watch following the run's structured workout laps, as fractions of timer time
    (matching :func:`_shape`); empty when it auto-laps by distance."""
    if not a.workout_laps or a.kind not in ("intervals", "tempo"):
        return []
    if a.kind == "tempo":
        return [0.2, 0.85]
    starts = [0.2 + k * 0.65 / 6 for k in range(6)]
    return sorted([*starts, *(s + 0.55 * 0.65 / 6 for s in starts), 0.85])


def _laps(a: PlannedActivity, tr: Track) -> list[tuple[int, int]]:
    """(first, last) record index of each lap; consecutive laps share a boundary record."""
    n = len(tr)
    if tr.distance is None or n < 2:
        return [(0, n - 1)]
    steps = _step_fractions(a)
    if steps:
        marks = np.array(steps) * a.timer_s
        cuts = sorted({int(i) for i in np.searchsorted(tr.active, marks)} - {0, n - 1})
        bounds = [0, *cuts, n - 1]
        return list(zip(bounds[:-1], bounds[1:], strict=True))
    marks = np.arange(_lap_m(a), float(tr.distance[-1]), _lap_m(a))
    cuts = sorted({int(i) for i in np.searchsorted(tr.distance, marks)} - {0, n - 1})
    bounds = [0, *cuts, n - 1]
    return list(zip(bounds[:-1], bounds[1:], strict=True))


def _lap_m(a: PlannedActivity) -> float:
    return 1000.0 if a.sport == "running" else 5000.0


def planned_laps(a: PlannedActivity) -> int:
    """How many laps :func:`activity_fit` writes for one leg (auto-lap by distance)."""
    if not a.distance_m:
        return 1
    steps = _step_fractions(a)
    if steps:
        return len(steps) + 1
    return len(np.arange(_lap_m(a), a.distance_m, _lap_m(a))) + 1


def _split_total(total: int, parts: np.ndarray) -> list[int]:
    """Integers proportional to ``parts`` summing exactly to ``total`` (largest remainder)."""
    weights = np.clip(parts, 0, None)
    if total <= 0 or weights.sum() <= 0:
        return [0] * len(parts) if total <= 0 else [total] + [0] * (len(parts) - 1)
    exact = weights / weights.sum() * total
    out = np.floor(exact).astype(int)
    for i in np.argsort(-(exact - out), kind="stable")[: total - int(out.sum())]:
        out[i] += 1
    return [int(x) for x in out]


def _record_columns(a: PlannedActivity, tr: Track, start: np.datetime64) -> dict[str, np.ndarray]:
    cols: dict[str, np.ndarray] = {"timestamp": start + tr.clock.astype("timedelta64[s]")}
    if tr.distance is not None:
        assert tr.lat is not None and tr.lon is not None
        cols["position_lat"] = tr.lat
        cols["position_long"] = tr.lon
        cols["distance"] = tr.distance
        cols["enhanced_speed"] = tr.speed  # type: ignore[assignment]
        cols["enhanced_altitude"] = tr.altitude  # type: ignore[assignment]
    cols["heart_rate"] = tr.heart_rate
    if tr.cadence is not None:
        cols["cadence"] = tr.cadence
    if tr.power is not None:
        cols["power"] = tr.power
    return cols


def _device_messages(w: FitWriter, device: Device, when: datetime, file_type: str) -> None:
    w.add(
        "file_id",
        type=file_type,
        manufacturer=device.manufacturer,
        product=device.product,
        serial_number=device.serial_number,
        time_created=when,
    )
    w.add(
        "device_info",
        timestamp=when,
        device_index="creator",
        manufacturer=device.manufacturer,
        product=device.product,
        serial_number=device.serial_number,
        software_version=device.software_version,
    )


def _write_leg(
    w: FitWriter,
    a: PlannedActivity,
    tr: Track,
    start: datetime,
    records: bool,
    session_index: int,
    first_lap: int,
) -> int:
    """Write one leg's records, laps and session; returns the number of laps written."""
    t0 = _np_time(start)
    rows = encode_rows("record", _record_columns(a, tr, t0)) if records else None
    laps = _laps(a, tr)
    ascent = descent = [0] * len(laps)
    if tr.altitude is not None:
        rises = np.diff(tr.altitude, prepend=tr.altitude[0])
        lap_up = np.array([np.clip(rises[i + 1 : j + 1], 0, None).sum() for i, j in laps])
        lap_down = np.array([np.clip(-rises[i + 1 : j + 1], 0, None).sum() for i, j in laps])
        ascent = _split_total(a.ascent_m or 0, lap_up)
        descent = _split_total(a.descent_m or 0, lap_down)

    def at(i: int) -> datetime:
        return start + timedelta(seconds=int(tr.clock[i]))

    def put(lo: int, hi: int) -> None:
        if rows is not None:
            w.add_rows(rows, lo, hi)

    written = 0
    for k, (i, j) in enumerate(laps):
        # A later leg's first record would repeat the previous leg's last timestamp: skip it.
        lo = (0 if session_index == 0 else 1) if k == 0 else i + 1
        resume = None if tr.pause_at is None else tr.pause_at + 1
        if resume is not None and lo <= resume <= j:
            put(lo, resume)
            w.add(
                "event", timestamp=at(resume - 1), event="timer", event_type="stop", event_group=0
            )
            restart = at(resume - 1) + timedelta(seconds=a.elapsed_s - a.timer_s)
            w.add("event", timestamp=restart, event="timer", event_type="start", event_group=0)
            put(resume, j + 1)
        else:
            put(lo, j + 1)
        hr = tr.heart_rate[i : j + 1]
        fields: dict[str, Any] = dict(
            message_index=first_lap + k,
            timestamp=at(j),
            start_time=at(i),
            event="lap",
            event_type="stop",
            lap_trigger="session_end"
            if k == len(laps) - 1
            else ("manual" if _step_fractions(a) else "distance"),
            sport=a.sport,
            sub_sport=a.sub_sport,
            total_elapsed_time=float(tr.clock[j] - tr.clock[i]),
            total_timer_time=float(tr.active[j] - tr.active[i]),
            avg_heart_rate=round(float(hr.mean())),
            max_heart_rate=int(hr.max()),
        )
        if tr.distance is not None:
            assert tr.speed is not None and tr.lat is not None and tr.lon is not None
            dist = float(tr.distance[j] - tr.distance[i])
            timer = float(tr.active[j] - tr.active[i]) or 1.0
            fields.update(
                total_distance=dist,
                enhanced_avg_speed=dist / timer,
                enhanced_max_speed=float(tr.speed[i + 1 : j + 1].max()),
                total_ascent=ascent[k],
                total_descent=descent[k],
                start_position_lat=int(tr.lat[i]),
                start_position_long=int(tr.lon[i]),
                end_position_lat=int(tr.lat[j]),
                end_position_long=int(tr.lon[j]),
            )
            if tr.cadence is not None:
                fields["avg_cadence"] = round(float(tr.cadence[i : j + 1].mean()))
            if tr.power is not None:
                fields["avg_power"] = round(float(tr.power[i : j + 1].mean()))
        w.add("lap", **fields)
        written += 1
    session: dict[str, Any] = dict(
        message_index=session_index,
        timestamp=start + timedelta(seconds=a.elapsed_s),
        start_time=start,
        event="session",
        event_type="stop",
        trigger="activity_end",
        sport=a.sport,
        sub_sport=a.sub_sport,
        total_elapsed_time=float(a.elapsed_s),
        total_timer_time=float(a.timer_s),
        total_calories=a.calories,
        avg_heart_rate=a.avg_hr,
        max_heart_rate=a.max_hr,
        first_lap_index=first_lap,
        num_laps=len(laps),
    )
    if a.distance_m is not None:
        assert tr.speed is not None and tr.lat is not None and tr.lon is not None
        session.update(
            total_distance=a.distance_m,
            enhanced_avg_speed=a.distance_m / a.timer_s,
            enhanced_max_speed=float(tr.speed.max()),
            total_ascent=a.ascent_m,
            total_descent=a.descent_m,
            start_position_lat=degrees_to_semicircles(a.start_lat or 0.0),
            start_position_long=degrees_to_semicircles(a.start_lon or 0.0),
        )
    if a.avg_cadence:
        session["avg_cadence"] = a.avg_cadence
    if a.avg_power_w:
        session["avg_power"] = a.avg_power_w
        session["max_power"] = int(tr.power.max()) if tr.power is not None else None
    w.add("session", **session)
    return written


def _write_sets(w: FitWriter, a: PlannedActivity, start: datetime) -> None:
    t = start + timedelta(seconds=max((a.timer_s - sum(s.duration_s for s in a.sets)) * 0.6, 0))
    for index, s in enumerate(a.sets):
        end = t + timedelta(seconds=s.duration_s)
        fields: dict[str, Any] = dict(
            timestamp=end,
            start_time=t,
            duration=s.duration_s,
            set_type=s.set_type,
            message_index=index,
        )
        if s.set_type == "active":
            fields.update(
                repetitions=s.reps,
                weight=s.weight_kg,
                category=list(s.category),
                category_subtype=list(s.subtype),
                weight_display_unit=s.weight_display_unit,
            )
        w.add("set", **fields)
        t = end


def activity_fit(planned: PlannedActivity, records: bool = True, hz: float = 1.0) -> bytes:
    """A FIT activity file for ``planned`` (one session per multisport leg).

    Messages: file_id, device_info, timer start event, records with laps after each lap's
    records, a session per leg, set messages for strength, the timer stop event and activity
    (with ``local_timestamp``). ``records=False`` leaves out the records but keeps everything
    else identical; ``hz`` < 1 thins the records (``hz=0.2``: one every 5 s).
    """
    device = planned.device
    if device is None:
        raise ValueError(f"{planned.name}: a manual entry has no device and no FIT file")
    w = FitWriter()
    start = planned.start_utc
    _device_messages(w, device, start, "activity")
    w.add("event", timestamp=start, event="timer", event_type="start", event_group=0)
    legs = planned.parts
    lap_index = 0
    leg_start = start
    for index, leg in enumerate(legs):
        tr = track(leg, hz)
        if leg.sets:
            _write_sets(w, leg, leg_start)
        lap_index += _write_leg(w, leg, tr, leg_start, records, index, lap_index)
        leg_start = leg_start + timedelta(seconds=leg.elapsed_s)
    end = start + timedelta(seconds=sum(leg.elapsed_s for leg in legs))
    w.add("event", timestamp=end, event="timer", event_type="stop_all", event_group=0)
    w.add(
        "activity",
        timestamp=end,
        total_timer_time=float(sum(leg.timer_s for leg in legs)),
        num_sessions=len(legs),
        type="auto_multi_sport" if planned.is_multisport else "manual",
        event="activity",
        event_type="stop",
        local_timestamp=end.astimezone(planned.local_tz),
    )
    return w.to_bytes()


def monitoring_fit(
    day: date, device: Device, utc_offset_s: int = 3600, seed: int = 0, interval_min: int = 15
) -> bytes:
    """A day of wellness monitoring (FIT file type ``monitoring_b``): not an activity."""
    rng = np.random.default_rng(seed)
    tz = timezone(timedelta(seconds=utc_offset_s))
    start = datetime.combine(day, time(0, 0), tz)
    w = FitWriter()
    _device_messages(w, device, start, "monitoring_b")
    w.add(
        "monitoring_info",
        timestamp=start,
        local_timestamp=start,
        activity_type=["walking", "running"],
        cycles_to_distance=[0.75, 1.1],
        cycles_to_calories=[0.05, 0.07],
        resting_metabolic_rate=1650,
    )
    steps = 0
    for k in range(24 * 60 // interval_min):
        when = start + timedelta(minutes=interval_min * (k + 1))
        awake = 7 <= when.hour < 23
        steps += int(rng.integers(50, 1200)) if awake else 0
        w.add(
            "monitoring",
            timestamp=when,
            activity_type="walking",
            steps=steps,
            active_time=float(steps) * 0.6,
            distance=round(steps * 0.75, 2),
            active_calories=steps // 25,
        )
        w.add("monitoring", timestamp=when, heart_rate=int(rng.integers(52, 95 if awake else 62)))
    return w.to_bytes()


def gzipped(data: bytes) -> bytes:
    """``data`` as a deterministic ``.gz`` (no file name, zero mtime), like ``foo.fit.gz``."""
    return gzip.compress(data, compresslevel=9, mtime=0)
