"""
Read queries over the casework records. Callers pass people and cases they obtained through
`visible_to(user)`; selectors that reach beyond them (to relatives, to a search) take the user.

The package is split by sub-domain, and names nothing itself: import each selector from the
module that holds it. `people` (a person's statuses, benefits, family and consents), `search`
(the forgiving name search of people and cases), `dashboard` (the cases the user works and the
dashboard's lists), `case_list`, `case_page` (flags, which small lists have rows), `timeline`,
`plans` (the plan and closing), `checkins`, `workload`, `household`, `audit` (who may read which
events, who viewed a case) and `corrections` (records in force or voided, a record's history).
"""
