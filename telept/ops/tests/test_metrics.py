"""/metrics: Prometheus text that prometheus_client's own parser reads, counting requests."""

from __future__ import annotations

import pytest
from django.test import Client
from prometheus_client.parser import text_string_to_metric_families

from telept.ops.metrics import signaling_relay_observe, ws_connection_closed, ws_connection_opened


def _samples(client: Client, **headers) -> dict[tuple[str, tuple], float]:
    response = client.get("/metrics", **headers)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain")
    found = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


HEALTHZ_200 = ("telept_http_requests_total",
               (("method", "GET"), ("route", "ops:healthz"), ("status", "200")))


@pytest.mark.django_db
def test_the_exposition_parses_and_counts_a_request():
    client = Client()
    before = _samples(client).get(HEALTHZ_200, 0.0)
    assert client.get("/healthz").status_code == 200
    after = _samples(client)
    assert after[HEALTHZ_200] == before + 1
    assert after[("telept_metrics_database_up", ())] == 1
    assert ("telept_visits_in_progress", ()) in after


@pytest.mark.django_db
def test_database_figures_count_queue_reminders_and_visits(cast):
    from telept.notifications.tasks import deliver_notification

    deliver_notification.enqueue(notification_id=0)  # waits in the database queue
    samples = _samples(Client())
    depth = samples[("telept_task_queue_depth", (("queue", "default"), ("status", "ready")))]
    assert depth >= 1
    assert samples[("telept_task_queue_oldest_age_seconds", (("queue", "default"),))] >= 0


@pytest.mark.django_db
def test_the_websocket_gauge_goes_up_and_down():
    key = ("telept_websocket_connections", (("consumer", "visit"),))
    start = _samples(Client()).get(key, 0.0)
    ws_connection_opened()
    assert _samples(Client())[key] == start + 1
    ws_connection_closed()
    assert _samples(Client())[key] == start


@pytest.mark.django_db
def test_metrics_refuse_callers_through_the_proxy_or_off_loopback(settings):
    settings.OPS_METRICS_TOKEN = ""
    client = Client()
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9").status_code == 403
    assert client.get("/metrics", HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 403
    assert client.get("/metrics", REMOTE_ADDR="::1").status_code == 200


@pytest.mark.django_db
def test_with_a_token_metrics_need_it_from_anywhere(settings):
    settings.OPS_METRICS_TOKEN = "s3cret-metrics-token"
    client = Client()
    refused = client.get("/metrics")
    assert refused.status_code == 401 and refused.json()["code"] == "metrics_forbidden"
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401
    assert _samples(client, REMOTE_ADDR="203.0.113.9",
                    HTTP_AUTHORIZATION="Bearer s3cret-metrics-token")


@pytest.mark.django_db
def test_the_signaling_relay_histogram_counts_what_the_consumer_observes():
    key = ("telept_signaling_relay_seconds_count", ())
    start = _samples(Client()).get(key, 0.0)
    signaling_relay_observe(0.004)
    assert _samples(Client())[key] == start + 1
