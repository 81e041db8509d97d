from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("security/", views.security, name="security"),
    path("time-zone/", views.time_zone, name="time_zone"),
    path("email/", views.email_notifications, name="email_notifications"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("verify/", views.VerifyView.as_view(), name="verify"),
    path("2fa/setup/", views.SetupView.as_view(), name="setup"),
    path("2fa/setup/qr.svg", views.setup_qr, name="setup_qr"),
    path("2fa/backup-codes/", views.BackupCodesView.as_view(), name="backup_codes"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("logout/everywhere/", views.logout_everywhere, name="logout_everywhere"),
    path("drafts/save/", views.save_draft, name="draft_save"),
    path("drafts/discard/", views.discard_draft, name="draft_discard"),
    path("notifications/", views.notification_list, name="notification_list"),
    path(
        "notifications/<uuid:notification_id>/",
        views.notification_open,
        name="notification_open",
    ),
    path("notifications/read/", views.notifications_read_all, name="notifications_read_all"),
    path("locked/", views.locked_accounts, name="locked_accounts"),
    path("locked/<int:user_id>/unlock/", views.unlock, name="unlock"),
]
