"""The project's URLs plus the notifications pages, until telept/urls.py includes them."""

from django.urls import include, path

from telept import urls as project_urls

urlpatterns = list(project_urls.urlpatterns)
if not any(getattr(p, "namespace", None) == "notifications" for p in urlpatterns):
    urlpatterns.append(path("notifications/", include("telept.notifications.urls")))
