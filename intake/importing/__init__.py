"""
Spreadsheet import, the writing end: checking each row with the intake's own step fields and
rules (intake.step_checks, without building the forms: a row is valid exactly when the same
intake typed in the wizard would be), and the services that check
(dry run) and import a batch. The file is read into rows by intake.import_reading, and their
cells into codes and dates by intake.import_values.

A row is one person who consented to have their details kept, with their own new case. A row
that may duplicate someone on file is not created: it becomes a submitted intake, for a
supervisor to approve or merge in the queue. Every row imported, or sent to the queue, leaves a
keyed fingerprint of its normalised content, so importing the same file again creates nothing
twice.

The package is split by job: `checking` (a row checked as the wizard would, its fingerprint),
`batches` (upload, reading options, discarding, progress), `dry_run` (`import_check`), `writing`
(`import_run`, `import_stop`) and `template` (the column template).
"""
