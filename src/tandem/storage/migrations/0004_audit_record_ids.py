# Issue 13: a list read of non-patient records (the referrals list) records which
# records it showed. (0002 is taken by 0002_security_review, so this is 0003.)

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('storage', '0003_review_flag_acknowledgement'),
    ]

    operations = [
        migrations.AddField(
            model_name='auditevent',
            name='record_ids',
            field=models.TextField(blank=True, db_default='', default=''),
        ),
    ]
