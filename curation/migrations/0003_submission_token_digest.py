import hashlib

from django.db import migrations, models


def fill_digests(apps, schema_editor):
    Submission = apps.get_model("curation", "Submission")
    for submission in Submission.objects.only("pk", "token").iterator():
        digest = hashlib.sha256(submission.token.encode("utf-8")).hexdigest()
        Submission.objects.filter(pk=submission.pk).update(token_digest=digest)


class Migration(migrations.Migration):
    dependencies = [("curation", "0002_maintainers_group")]

    operations = [
        migrations.AddField(
            model_name="submission",
            name="token_digest",
            field=models.CharField(default="", editable=False, max_length=64),
            preserve_default=False,
        ),
        migrations.RunPython(fill_digests, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="submission",
            name="token_digest",
            field=models.CharField(editable=False, max_length=64, unique=True),
        ),
    ]
