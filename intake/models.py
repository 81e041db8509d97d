"""Intake: consent, the intake wizard, duplicate detection and spreadsheet import (to come)."""
