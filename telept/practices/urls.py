from django.urls import path

from telept.practices import views

app_name = "practices"

urlpatterns = [
    path("staff/", views.staff, name="staff"),
    path("staff/<int:membership_id>/role/", views.member_role, name="member_role"),
]
