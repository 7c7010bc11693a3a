"""The ``(badge, status)`` index of issued badges goes: counting a badge's awards by status
read every row through it. Each badge's count of all its awards now comes from the unique
``(badge, user)`` index alone, and of revoked ones from a partial index of them, which
an enable (all valid) never writes to."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("badges", "0003_issued_badge_fewer_indexes"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="issuedbadge",
            name="badges_issu_badge_i_1f1eb3_idx",
        ),
        migrations.AddIndex(
            model_name="issuedbadge",
            index=models.Index(
                condition=models.Q(("status", "revoked")),
                fields=["badge"],
                name="issued_badge_revoked",
            ),
        ),
    ]
