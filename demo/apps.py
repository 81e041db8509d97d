from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The invented caseload and demo logins of `manage.py seed_demo`; no models, never for real data."""

    name = "demo"
