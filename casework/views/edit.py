"""The forms that create and change casework records."""
