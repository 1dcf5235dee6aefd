"""Requests made before limits were kept on each request get the limits in force now, and
the number of approvals that those limits and their state call for."""

from django.db import migrations


def fill(apps, schema_editor):
    PaymentLimit = apps.get_model("fund", "PaymentLimit")
    PaymentRequest = apps.get_model("fund", "PaymentRequest")
    limits = {
        (limit.fiscal_year_id, limit.purpose): limit for limit in PaymentLimit.objects.all()
    }
    for payment in PaymentRequest.objects.select_related("budget_line").iterator():
        year = payment.budget_line.fiscal_year_id
        limit = limits.get((year, payment.purpose)) or limits.get((year, ""))
        per_request = limit.per_request if limit is not None else None
        per_survivor_year = limit.per_survivor_year if limit is not None else None
        if payment.status == "second_approval_needed" or payment.second_approved_by_id:
            required = 2
        elif payment.status == "requested":
            required = 2 if per_request is not None and payment.amount > per_request else 1
        else:
            required = 1
        PaymentRequest.objects.filter(pk=payment.pk).update(
            approvals_required=required,
            limit_per_request=per_request,
            limit_per_survivor_year=per_survivor_year,
        )


class Migration(migrations.Migration):
    dependencies = [("fund", "0002_snapshot_limits_and_propose_limit_changes")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
