from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy
from django.views.i18n import JavaScriptCatalog

from telept.accounts import language, views

app_name = "accounts"

urlpatterns = [
    path("login/", views.login_view, name="login"),
    # The language switcher in the page header (patients and guests; staff stay English).
    path("language/", language.language_set, name="language_set"),
    # The patient pages' JS strings in the page's language, as a script file (no inline JS).
    path("jsi18n/", JavaScriptCatalog.as_view(domain="djangojs"), name="jsi18n"),
    path("login/confirm/", views.login_confirm, name="login_confirm"),
    path("logout/", views.logout_view, name="logout"),
    path("mfa/", views.mfa_verify, name="mfa_verify"),
    path("mfa/setup/", views.mfa_setup, name="mfa_setup"),
    path("magic/", views.magic_request, name="magic_request"),
    path("magic/<str:token>/", views.magic_consume, name="magic_consume"),
    path("password/", views.password_set, name="password_set"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
    path("invitation/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("portal-invitation/<str:token>/", views.portal_invitation, name="portal_invitation"),
    path("password/reset/", auth_views.PasswordResetView.as_view(
        template_name="accounts/password_reset.html",
        email_template_name="accounts/password_reset_email.txt",
        subject_template_name="accounts/password_reset_subject.txt",
        success_url=reverse_lazy("accounts:password_reset_done")), name="password_reset"),
    path("password/reset/sent/", auth_views.PasswordResetDoneView.as_view(
        template_name="accounts/password_reset_done.html"), name="password_reset_done"),
    path("password/reset/<uidb64>/<token>/", auth_views.PasswordResetConfirmView.as_view(
        template_name="accounts/password_reset_confirm.html",
        success_url=reverse_lazy("accounts:password_reset_complete")),
        name="password_reset_confirm"),
    path("password/reset/complete/", auth_views.PasswordResetCompleteView.as_view(
        template_name="accounts/password_reset_complete.html"), name="password_reset_complete"),
]
