"""WebSocket routes. Each app's consumers are registered here explicitly."""

from django.urls import path

from telept.lib.consumers import HealthConsumer

websocket_urlpatterns = [
    path("ws/health/", HealthConsumer.as_asgi()),
]
