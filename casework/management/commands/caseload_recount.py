"""`manage.py caseload_recount`: count the dashboard's open cases by risk again."""

from django.core.management.base import BaseCommand, CommandError

from casework.services.caseload import caseload_recount


class Command(BaseCommand):
    help = (
        "Count every team's and staff member's open cases by risk level again from the cases "
        "and their assignments (the dashboard's counts, which PostgreSQL's triggers keep as "
        "cases are written). Needed only after rows were written with the triggers disabled; "
        "--check reports counts that differ and changes nothing. Safe while the application runs."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="Report the counts that differ from a recount, keep them as they are, and fail "
            "if any does.",
        )

    def handle(self, *args, check, **options):
        differ = caseload_recount(dry_run=check)
        for (kind, user, team, risk), (kept, recounted) in sorted(
            differ.items(), key=lambda item: tuple(str(part) for part in item[0])
        ):
            self.stdout.write(
                f"{kind} user={user} team={team} {risk}: kept {kept}, recounted {recounted}"
            )
        if check and differ:
            raise CommandError(f"{len(differ)} counts differ from a recount.")
        verb = "differ from" if check else "corrected by"
        self.stdout.write(f"{len(differ)} counts {verb} the recount.")
