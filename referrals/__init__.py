"""Service providers of a team and the referrals of people on cases to them (issue 21)."""
