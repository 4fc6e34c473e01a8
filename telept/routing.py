"""WebSocket routes. Each app's consumers are registered here explicitly."""

from django.urls import path

from telept.groupvideo.consumers import ClassConsumer
from telept.lib.consumers import HealthConsumer
from telept.visits.consumers import LobbyConsumer, VisitConsumer

websocket_urlpatterns = [
    path("ws/health/", HealthConsumer.as_asgi()),
    path("ws/visits/lobby/", LobbyConsumer.as_asgi()),
    path("ws/visits/<int:visit_id>/", VisitConsumer.as_asgi()),
    path("ws/classes/<int:visit_id>/", ClassConsumer.as_asgi()),
]
