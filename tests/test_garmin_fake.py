"""The fake Garmin Connect itself: shapes, auth, paging, calendar, activities, fault injection."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from chainfix.testing.fake_garmin import DEFAULT_TOKEN, FakeGarminConnect, localhost_only

requests = pytest.importorskip("requests")


@pytest.fixture(autouse=True)
def _offline() -> Iterator[None]:
    """Nothing in this module may reach beyond 127.0.0.1."""
    with localhost_only():
        yield


REAL_ACTIVITIES = (
    Path(__file__).resolve().parents[2]
    / "shared"
    / "fixtures"
    / "real"
    / "McSwaggalot__garmin-strength"
    / "activities-1-100.json"
)

WORKOUT: dict[str, Any] = {
    "workoutName": "w",
    "description": "d",
    "sportType": {"sportTypeId": 5, "sportTypeKey": "strength_training"},
    "workoutSegments": [
        {
            "segmentOrder": 1,
            "workoutSteps": [
                {
                    "type": "RepeatGroupDTO",
                    "stepOrder": 1,
                    "numberOfIterations": 2,
                    "workoutSteps": [
                        {
                            "type": "ExecutableStepDTO",
                            "stepOrder": 2,
                            "stepType": {"stepTypeId": 3},
                            "category": "HIP_RAISE",
                            "exerciseName": "HIP_RAISE",
                        }
                    ],
                }
            ],
        }
    ],
}


@pytest.fixture
def fake() -> Iterator[FakeGarminConnect]:
    with FakeGarminConnect() as server:
        yield server


class Api:
    def __init__(self, fake: FakeGarminConnect, token: str = DEFAULT_TOKEN) -> None:
        self.base = fake.url
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"

    def __call__(self, method: str, path: str, **kwargs: Any) -> Any:
        return self.session.request(method, self.base + path, timeout=5, **kwargs)


def test_every_endpoint_needs_a_valid_token(fake: FakeGarminConnect) -> None:
    assert Api(fake, "wrong")("GET", "/workout-service/workouts").status_code == 401
    assert requests.get(fake.url + "/userprofile-service/socialProfile", timeout=5).status_code == (
        401
    )
    assert Api(fake)("GET", "/userprofile-service/socialProfile").json()["displayName"] == (
        "fake-athlete"
    )
    assert Api(fake)("GET", "/nope").status_code == 404


def test_workout_crud_and_shapes(fake: FakeGarminConnect) -> None:
    api = Api(fake)
    created = api("POST", "/workout-service/workout", json=WORKOUT).json()
    workout_id = created["workoutId"]
    assert created["ownerId"] == fake.owner_id and created["createdDate"].endswith(".0")
    step = created["workoutSegments"][0]["workoutSteps"][0]
    assert isinstance(step["stepId"], int) and isinstance(step["workoutSteps"][0]["stepId"], int)
    [summary] = api("GET", "/workout-service/workouts", params={"start": 0, "limit": 10}).json()
    assert "workoutSegments" not in summary and summary["description"] == "d"
    assert api("GET", f"/workout-service/workout/{workout_id}").json()["workoutName"] == "w"
    assert (
        api(
            "PUT", f"/workout-service/workout/{workout_id}", json=WORKOUT | {"workoutName": "v"}
        ).status_code
        == 204
    )
    assert fake.workouts[workout_id]["workoutName"] == "v"
    assert fake.workouts[workout_id]["createdDate"] == created["createdDate"]
    scheduled = api("POST", f"/workout-service/schedule/{workout_id}", json={"date": "2027-02-01"})
    entry = scheduled.json()
    assert entry["calendarDate"] == "2027-02-01" and entry["workout"]["workoutId"] == workout_id
    assert api("GET", f"/workout-service/schedule/{entry['workoutScheduleId']}").status_code == 200
    assert api("DELETE", f"/workout-service/workout/{workout_id}").status_code == 204
    assert fake.schedules == {}  # deleting a workout removes its calendar entries
    assert api("DELETE", f"/workout-service/workout/{workout_id}").status_code == 404
    assert api("PUT", f"/workout-service/workout/{workout_id}", json=WORKOUT).status_code == 404
    assert (
        api(
            "POST", f"/workout-service/schedule/{workout_id}", json={"date": "2027-02-01"}
        ).status_code
        == 404
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"workoutName": ""}, "workoutName is required"),
        ({"sportType": None}, "sportType is required"),
        ({"workoutSegments": []}, "workoutSegments is required"),
    ],
)
def test_invalid_workouts_are_refused(
    fake: FakeGarminConnect, change: dict[str, Any], message: str
) -> None:
    response = Api(fake)("POST", "/workout-service/workout", json=WORKOUT | change)
    assert (response.status_code, response.json()["message"]) == (400, message)
    assert fake.workouts == {}


def test_unknown_category_is_http_400(fake: FakeGarminConnect) -> None:
    bad = json.loads(json.dumps(WORKOUT))
    bad["workoutSegments"][0]["workoutSteps"][0]["workoutSteps"][0]["category"] = "UNASSIGNED"
    response = Api(fake)("POST", "/workout-service/workout", json=bad)
    assert (response.status_code, response.json()["message"]) == (400, "Invalid category")


def test_workout_list_pages(fake: FakeGarminConnect) -> None:
    for n in range(5):
        fake.add_workout(WORKOUT | {"workoutName": f"w{n}"})
    page = Api(fake)("GET", "/workout-service/workouts", params={"start": 3, "limit": 10}).json()
    assert [w["workoutName"] for w in page] == ["w3", "w4"]


def test_calendar_month_is_zero_based_and_spills_like_connect() -> None:
    with FakeGarminConnect() as fake, FakeGarminConnect(calendar_spill=False) as strict:
        for server in (fake, strict):
            workout_id = server.add_workout(WORKOUT)
            server.add_schedule(workout_id, date(2027, 2, 1))
            server.add_activity(b"x", start_local=datetime(2027, 1, 15, 7))
        january = Api(fake)("GET", "/calendar-service/year/2027/month/0").json()
        assert january["month"] == 0 and january["numOfDaysInMonth"] == 31
        kinds = sorted((i["itemType"], i["date"]) for i in january["calendarItems"])
        assert kinds == [("activity", "2027-01-15"), ("workout", "2027-02-01")]
        strict_january = Api(strict)("GET", "/calendar-service/year/2027/month/0").json()
        assert [i["itemType"] for i in strict_january["calendarItems"]] == ["activity"]
        february = Api(fake)("GET", "/calendar-service/year/2027/month/1").json()
        [item] = [i for i in february["calendarItems"] if i["itemType"] == "workout"]
        assert set(item) >= {"id", "workoutId", "date", "title", "itemType"}


def test_activities_filter_sort_page_count_and_download(fake: FakeGarminConnect) -> None:
    api = Api(fake)
    ids = [
        fake.add_activity(f"fit{n}".encode(), start_local=datetime(2026, 9, n + 1, 7))
        for n in range(5)
    ]
    path = "/activitylist-service/activities/search/activities"
    newest = api("GET", path, params={"start": 0, "limit": 2}).json()
    assert [a["activityId"] for a in newest] == [ids[4], ids[3]]
    window = api(
        "GET",
        path,
        params={"startDate": "2026-09-02", "endDate": "2026-09-04", "sortOrder": "asc"},
    ).json()
    assert [a["activityId"] for a in window] == ids[1:4]
    assert api("GET", path, params={"start": 20, "limit": 20}).json() == []
    assert api("GET", path, params={"activityType": "running"}).json() == []
    assert api("GET", "/activitylist-service/activities/count").json() == {"totalCount": 5}
    response = api("GET", f"/download-service/files/activity/{ids[0]}")
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert archive.read(f"{ids[0]}_ACTIVITY.fit") == b"fit0"


@pytest.mark.skipif(not REAL_ACTIVITIES.is_file(), reason="shared fixtures not present")
def test_real_activity_summaries_can_be_seeded(fake: FakeGarminConnect) -> None:
    real = json.loads(REAL_ACTIVITIES.read_text("utf-8"))[0]
    activity_id = fake.add_activity(b"fit", summary=real)
    assert activity_id == real["activityId"]
    [listed] = Api(fake)("GET", "/activitylist-service/activities/search/activities").json()
    assert listed == real


def test_faults_by_index_and_by_endpoint(fake: FakeGarminConnect) -> None:
    api = Api(fake)
    fake.inject("500", at=1)
    fake.inject("429", method="POST", path="/schedule/")
    assert api("GET", "/workout-service/workouts").status_code == 200  # call 0
    assert api("GET", "/workout-service/workouts").status_code == 500  # call 1
    created = api("POST", "/workout-service/workout", json=WORKOUT)
    assert created.status_code == 200
    workout_id = created.json()["workoutId"]
    assert (
        api(
            "POST", f"/workout-service/schedule/{workout_id}", json={"date": "2027-01-01"}
        ).status_code
        == 429
    )
    assert fake.schedules == {}
    assert [c.fault for c in fake.calls] == [None, "500", None, "429"]


def test_dropped_and_lost_responses(fake: FakeGarminConnect) -> None:
    api = Api(fake)
    fake.inject("drop", method="POST")
    with pytest.raises(requests.ConnectionError):
        api("POST", "/workout-service/workout", json=WORKOUT)
    assert fake.workouts == {}
    fake.inject("lost_response", method="POST")
    with pytest.raises(requests.ConnectionError):
        api("POST", "/workout-service/workout", json=WORKOUT)
    assert len(fake.workouts) == 1  # done on the server, the answer was lost
    assert [(c.status, c.fault, c.applied) for c in fake.calls] == [
        (None, "drop", False),
        (None, "lost_response", True),
    ]
    assert api("GET", "/workout-service/workouts").status_code == 200  # the server lives on


def test_token_endpoint_refreshes_only_known_refresh_tokens(fake: FakeGarminConnect) -> None:
    _, refresh = fake.issue_token(refresh=True)
    url = fake.url + "/di-oauth2-service/oauth/token"
    ok = requests.post(url, data={"grant_type": "refresh_token", "refresh_token": refresh})
    assert ok.status_code == 200 and ok.json()["access_token"] in fake.valid_tokens
    bad = requests.post(url, data={"grant_type": "refresh_token", "refresh_token": "x"})
    assert bad.status_code == 400


def test_misuse_is_reported(fake: FakeGarminConnect) -> None:
    with pytest.raises(ValueError, match="unknown fault"):
        fake.inject("404")  # type: ignore[arg-type]
    with pytest.raises(RuntimeError, match="not running"):
        _ = FakeGarminConnect().url


def test_the_network_guard_refuses_anything_but_localhost(fake: FakeGarminConnect) -> None:
    with pytest.raises(requests.ConnectionError):
        requests.get("https://connectapi.garmin.com/userprofile-service/socialProfile", timeout=2)
    with pytest.raises(requests.ConnectionError):
        requests.get("http://192.0.2.1/", timeout=2)
    assert Api(fake)("GET", "/userprofile-service/socialProfile").status_code == 200
