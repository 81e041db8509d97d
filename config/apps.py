from django.contrib.admin.apps import AdminConfig


class ShimteoAdminConfig(AdminConfig):
    """Django's admin app with the site of config/admin.py."""

    default_site = "config.admin.ShimteoAdminSite"
