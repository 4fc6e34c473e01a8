from django.urls import path

from telept.imports import views

app_name = "imports"

urlpatterns = [
    path("", views.upload, name="upload"),
    path("template.csv", views.template, name="template"),
    path("<int:import_id>/", views.detail, name="detail"),
    path("<int:import_id>/apply/", views.apply, name="apply"),
]
