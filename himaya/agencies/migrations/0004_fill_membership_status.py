from django.db import migrations


def fill_membership_status(apps, schema_editor):
    """Memberships deactivated before statuses existed are marked deactivated."""
    membership = apps.get_model("agencies", "Membership")
    membership.objects.filter(is_active=False, status="active").update(status="inactive")


class Migration(migrations.Migration):
    dependencies = [("agencies", "0003_memberships_wait_for_a_second_administrator")]

    operations = [migrations.RunPython(fill_membership_status, migrations.RunPython.noop)]
