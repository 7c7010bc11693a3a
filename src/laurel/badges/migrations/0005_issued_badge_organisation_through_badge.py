"""Issued badges lose their organisation column: it always named the badge's organisation,
and cost every award a foreign key check and an index entry. A person's badges in an
organisation go through the ``user`` index and the badge."""

import django.db.models.deletion
from django.db import migrations, models


def check_every_award_is_its_badges(apps, schema_editor):
    """The column goes only if it says nothing the badge does not."""
    IssuedBadge = apps.get_model("badges", "IssuedBadge")
    strays = IssuedBadge.objects.exclude(organisation_id=models.F("badge__organisation_id"))
    if strays.exists():
        raise RuntimeError(
            f"{strays.count()} issued badges name another organisation than their badge's"
            f" (ids {list(strays.values_list('pk', flat=True)[:10])}); correct them first."
        )


def organisation_from_badge(apps, schema_editor):
    IssuedBadge = apps.get_model("badges", "IssuedBadge")
    BadgeDefinition = apps.get_model("badges", "BadgeDefinition")
    IssuedBadge.objects.update(
        organisation_id=models.Subquery(
            BadgeDefinition.objects.filter(pk=models.OuterRef("badge_id")).values(
                "organisation_id"
            )[:1]
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("badges", "0004_issued_badge_counts_from_indexes"),
        ("programs", "0005_pairing_and_session_external_ids"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="issuedbadge",
            name="badges_issu_organis_815ee9_idx",
        ),
        # Nullable first, so that going back can add the column and fill it from the badge.
        migrations.AlterField(
            model_name="issuedbadge",
            name="organisation",
            field=models.ForeignKey(
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="programs.organisation",
            ),
        ),
        migrations.RunPython(check_every_award_is_its_badges, organisation_from_badge),
        migrations.RemoveField(
            model_name="issuedbadge",
            name="organisation",
        ),
    ]
