"""
The README's run command uses SQLite: every migration must apply there, the demo seed must load,
and the pages a caseworker opens first must work on it, whatever database the suite itself runs
on (a PostgreSQL-only field once broke the migrations unnoticed; a timeline read by hand-written
SQL once showed every case as empty there).
"""

import json
import sqlite3

from .test_backup_sqlite import run

# One process on the SQLite file does what `make run` does in three (migrate, seed_demo, then the
# server): each process of its own would cost a Django start-up more. Then a demo caseworker's
# first pages, through the whole request stack. The last line printed is what the test reads.
SETUP_AND_WALK = """
import json
from django.core.management import call_command
from django.test import Client
from accounts.models import User
from casework.models import Case
from casework.selectors import case_timeline
from tests.conftest import sign_in

call_command("migrate", interactive=False, verbosity=0)
# A small caseload walks the same code as the README's default of 60 people, in half the time.
call_command("seed_demo", "--people", "20")

user = User.objects.get(username="yanbian.caseworker1")
client = sign_in(Client(SERVER_NAME="127.0.0.1"), user)
case = max(Case.objects.visible_to(user), key=lambda case: len(case_timeline(case)))
person = case.members.first().person
pages = {
    "dashboard": "/",
    "case list": "/cases/",
    "case page": f"/cases/{case.reference}/",
    "person page": f"/people/{person.reference}/",
}
answers = {name: client.get(url) for name, url in pages.items()}
print(json.dumps({
    "status": {name: answer.status_code for name, answer in answers.items()},
    "timeline": len(case_timeline(case)),
    "empty": "Nothing has been recorded in this case yet." in answers["case page"].content.decode(),
}))
"""


def test_the_development_database_migrates_and_takes_the_demo_data(tmp_path):
    walked = run(tmp_path, "shell", "-c", SETUP_AND_WALK)
    assert walked.returncode == 0, walked.stderr[-3000:]
    with sqlite3.connect(tmp_path / "db.sqlite3") as database:
        (cases,) = database.execute("SELECT count(*) FROM casework_case").fetchone()
    assert cases > 0, "seed_demo made no case"

    walk = json.loads(walked.stdout.strip().splitlines()[-1])
    assert walk["status"] == {
        "dashboard": 200,
        "case list": 200,
        "case page": 200,
        "person page": 200,
    }
    # The demo case with the most history shows it.
    assert walk["timeline"] > 0
    assert not walk["empty"]
