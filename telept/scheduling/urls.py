from django.urls import path

from telept.scheduling import views

app_name = "scheduling"

urlpatterns = [
    path("join/<str:token>/", views.join, name="join"),
]
