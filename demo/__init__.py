"""
The demo caseload behind `manage.py seed_demo`: staff, two field teams and invented households
like those the 2003-2005 policy papers describe. North Korean women live with Chinese men
without a registered marriage; their children are refused household registration and with it
kindergarten, school and medical care; there are raids, arrests, detention and deportation,
partners prosecuted for "illegal cohabitation" or bigamy, and some who reached South Korea.

Every name, place and contact is invented and goes through the encrypted fields like real data.
Everything random comes from the one `random.Random` handed in, so a seed always gives the same
names, counts and structure; primary keys, references and encryption nonces are fresh each run.
Rows are written with `bulk_create` in batches, one transaction per batch, and never through the
per-row services: a demo caseload is not a history of caseworkers' actions to audit.

The app: staff (teams, accounts, authenticators), names and places (the invented material),
paths (how a household's statuses unfold), caseload (the rows, saved and deleted in batches),
builder (the generator), with people and records (a household's people, its case and records).
Import from those modules: the package itself imports no models, as Django loads it before them.
Nothing but the commands `seed_demo` and `demo_code`, the tests and the benchmarks imports it.
"""
