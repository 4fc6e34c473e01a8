"""Twenty simultaneous bookings of one slot through the API of a real server: exactly one
wins, nineteen get 409 `slot_taken`. Runs on SQLite, and on PostgreSQL when DATABASE_URL
points there (the .ci/run second pass)."""

from __future__ import annotations

import datetime as dt
import json
import threading
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

from telept.tests.factories import local_today
from telept.tests.live import live_server_proc  # noqa: F401

_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _post(url: str, token: str, body: dict[str, object]) -> tuple[int, dict[str, object]]:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",  # noqa: S310
                                     headers={"Authorization": f"Bearer {token}",
                                              "Content-Type": "application/json"})
    try:
        with _opener.open(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def test_twenty_simultaneous_bookings_of_one_slot_give_one_201_and_nineteen_409s(
        live_server_proc):  # noqa: F811
    server = live_server_proc
    token = server.api_token("frontdesk@riverside.example")
    provider = next(p for p in server.get_json("/api/v1/practitioners", token=token)
                    if p["display_name"] == "Sam Chen")
    start_day = (local_today() + dt.timedelta(days=8)).isoformat()
    slots = server.get_json(f"/api/v1/practitioners/{provider['id']}/slots?start={start_day}"
                            "&days=7&visit_type=follow_up&modality=video", token=token)["slots"]
    slot = slots[len(slots) // 2]
    patients = server.get_json("/api/v1/patients?limit=200", token=token)["items"]
    patients = [p for p in patients if p["state"] in ("NY", "")] or patients
    barrier = threading.Barrier(20)

    def book(index: int) -> tuple[int, dict[str, object]]:
        body = {"practitioner_id": provider["id"], "patient_id": patients[index % len(patients)]
                ["id"], "visit_type": "follow_up", "start": slot["start"], "modality": "video",
                "patient_state": "NY"}
        barrier.wait(timeout=30)
        return _post(server.base_url + "/api/v1/appointments", token, body)

    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(book, range(20)))
    statuses = sorted(status for status, _ in results)
    assert statuses == [201] + [409] * 19, (results, server.log()[-3000:])
    assert all(body["code"] == "slot_taken" for status, body in results if status == 409)
    booked = [a for a in server.get_json(
        f"/api/v1/appointments?practitioner_id={provider['id']}&since={start_day}", token=token)
        if a["start"].replace("Z", "+00:00") == slot["start"].replace("Z", "+00:00")]
    assert len(booked) == 1
