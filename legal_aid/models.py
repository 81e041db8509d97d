"""Legal aid: the citable corpus and advocacy documents (to come)."""
