from django.urls import path

from telept.scheduling import settings_views, views, views_calendar

app_name = "scheduling"

urlpatterns = [
    # Staff
    path("schedule/", views.calendar, name="calendar"),
    path("schedule/book/", views.book, name="book"),
    # The time grid's data and actions (static/js/calendar.js)
    path("schedule/calendar/events/", views_calendar.calendar_events, name="calendar_events"),
    path("schedule/calendar/availability/", views_calendar.calendar_availability,
         name="calendar_availability"),
    path("schedule/calendar/book/", views_calendar.calendar_book, name="calendar_book"),
    path("schedule/calendar/appointments/<int:appointment_id>/move/",
         views_calendar.calendar_move, name="calendar_move"),
    path("schedule/appointments/<int:appointment_id>/", views.appointment_detail,
         name="appointment"),
    path("schedule/appointments/<int:appointment_id>/cancel/", views.appointment_cancel,
         name="appointment_cancel"),
    path("schedule/appointments/<int:appointment_id>/reschedule/",
         views.appointment_reschedule, name="appointment_reschedule"),
    path("schedule/appointments/<int:appointment_id>/outcome/", views.appointment_outcome,
         name="appointment_outcome"),
    path("schedule/appointments/<int:appointment_id>/provider-link/",
         views.appointment_provider_link, name="appointment_provider_link"),
    path("schedule/appointments/<int:appointment_id>/revoke-links/",
         views.appointment_revoke_links, name="appointment_revoke_links"),
    path("schedule/patients/<int:patient_id>/care-plan/", views.care_plan_new,
         name="care_plan"),
    path("schedule/requests/<int:request_id>/handled/", views.request_handled,
         name="request_handled"),
    path("schedule/requests/<int:request_id>/convert/", views.request_convert,
         name="request_convert"),
    # Patients
    path("portal/appointments/", views.portal_appointments, name="portal_appointments"),
    path("portal/appointments/<int:appointment_id>/join/", views.portal_join,
         name="portal_join"),
    path("portal/appointments/<int:appointment_id>/cancel/", views.portal_cancel,
         name="portal_cancel"),
    path("portal/appointments/<int:appointment_id>/confirm/", views.portal_confirm,
         name="portal_confirm"),
    path("portal/book/", views.portal_book, name="portal_book"),
    path("portal/waitlist/", views.portal_waitlist, name="portal_waitlist"),
    # Public (no sign-in; no patient data)
    path("book/<slug:provider_slug>/", views.public_book, name="public_book"),
    path("book/<slug:provider_slug>/thanks/", views.public_book_thanks,
         name="public_book_thanks"),
    path("join/<str:token>/", views.join, name="join"),
    # Schedule settings (staff; holidays and visit types: admins)
    path("schedule/settings/", settings_views.settings_home, name="settings"),
    path("schedule/settings/providers/<int:provider_id>/availability/",
         settings_views.availability, name="settings_availability"),
    path("schedule/settings/availability/<int:window_id>/delete/",
         settings_views.availability_delete, name="settings_availability_delete"),
    path("schedule/settings/providers/<int:provider_id>/time-off/", settings_views.time_off,
         name="settings_time_off"),
    path("schedule/settings/time-off/<int:time_off_id>/delete/",
         settings_views.time_off_delete, name="settings_time_off_delete"),
    path("schedule/settings/holidays/", settings_views.holidays, name="settings_holidays"),
    path("schedule/settings/holidays/<int:holiday_id>/delete/", settings_views.holiday_delete,
         name="settings_holiday_delete"),
    path("schedule/settings/visit-types/", settings_views.visit_types,
         name="settings_visit_types"),
    path("schedule/settings/visit-types/<int:visit_type_id>/", settings_views.visit_type_edit,
         name="settings_visit_type"),
]
