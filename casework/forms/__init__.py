"""
The caseworker's forms. They check the shape of the input (types, lengths, choices among what the
user may see); the rules are the services', which the views call with the cleaned data and whose
errors the views put back on the form.

The package is split by sub-domain, as casework.views is: `common` (the date and text widgets, the
fields that choose a person or a colleague, `VersionedForm`: what several forms and the referrals'
and legal aid's forms build on), `consent`, `people` (a person, their names, family ties, statuses
and benefits), `records` (incidents, notes, follow-ups, files), `timeline` (the case page's
filter), `cases`, `handover`, `corrections`, `checkins`, `plans` (goals, reviews, closing and
reopening) and `bulk` (the case list's bulk changes). Nothing is imported here: callers import
each form from the module that holds it.
"""
