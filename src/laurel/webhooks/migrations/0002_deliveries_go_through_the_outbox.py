# Deliveries are sent by the outbox now: their claim, status, attempts and retries live in
# its message. Nothing was in production, so the table is made again rather than migrated.

import django.db.models.deletion
import uuid
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('certificates', '0004_audit_via'),
        ('outbox', '0001_initial'),
        ('webhooks', '0001_initial'),
    ]

    operations = [
        migrations.DeleteModel(name='WebhookAttempt'),
        migrations.DeleteModel(name='WebhookDelivery'),
        migrations.CreateModel(
            name='WebhookDelivery',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('event', models.CharField(choices=[('certificate.awarded', 'Certificate awarded'), ('certificate.revoked', 'Certificate revoked')], max_length=40)),
                ('event_id', models.UUIDField(default=uuid.uuid4, unique=True)),
                ('payload', models.JSONField()),
                ('created_at', models.DateTimeField()),
                ('award', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='certificates.issuedcertificate')),
                ('endpoint', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='deliveries', to='webhooks.webhookendpoint')),
                ('message', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='outbox.message')),
            ],
            options={
                'verbose_name_plural': 'webhook deliveries',
                'constraints': [models.UniqueConstraint(fields=('endpoint', 'event', 'award'), name='webhook_delivery_once')],
            },
        ),
    ]
