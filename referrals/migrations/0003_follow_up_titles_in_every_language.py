"""
The follow-ups referrals made before their titles were kept as a key: each was written in the
language of whoever made the referral. One still worded as the app wrote it, in any of our
languages, becomes the key and English labels (shown in each reader's language); one a person
reworded keeps their words.
"""

from django.db import migrations
from django.utils import translation
from django.utils.translation import gettext

TITLE = "Follow up the referral (%(service)s, %(kind)s)"
LANGUAGES = ("en", "ko", "zh-hans")


def keyed_titles(apps, schema_editor):
    from referrals.choices import ProviderKind, Service

    Referral = apps.get_model("referrals", "Referral")
    referrals = Referral.objects.filter(
        follow_up__isnull=False, follow_up__title_key=""
    ).select_related("follow_up", "provider")
    for referral in referrals.iterator(chunk_size=500):
        task = referral.follow_up
        with translation.override("en"):
            labels = {
                "service": str(Service(referral.service).label),
                "kind": str(ProviderKind(referral.provider.kind).label),
            }
        written = set()
        for language in LANGUAGES:
            with translation.override(language):
                written.add(gettext(TITLE) % {k: gettext(v) for k, v in labels.items()})
        if task.title not in written:
            continue
        task.title = TITLE % labels
        task.title_key = "referral"
        task.title_params = labels
        task.save(update_fields=["title", "title_key", "title_params"])


class Migration(migrations.Migration):
    dependencies = [
        ("casework", "0020_generated_follow_up_titles"),
        ("referrals", "0002_referral_goal_step"),
    ]

    operations = [migrations.RunPython(keyed_titles, migrations.RunPython.noop)]
