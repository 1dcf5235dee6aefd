"""Two computations of the same days at once (the nightly job and the refresh of a changed
day, or the command beside the queue): both finish, and the values are those of one."""

import pytest
from django.db import connection

from himaya.core.tests.concurrency import at_once
from himaya.monitoring.actions import Computed, compute_indicators
from himaya.monitoring.models import DailyValue
from himaya.monitoring.tests.samples import DAYS, make_dataset

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_computations_of_the_same_days_at_once_both_finish_and_store_one_set_of_values() -> (
    None
):
    if connection.vendor != "postgresql":
        pytest.skip("needs two real connections")
    make_dataset(seed=3)

    outcomes = at_once(lambda: compute_indicators(start=DAYS[0], end=DAYS[-1]))

    assert all(isinstance(outcome, Computed) for outcome in outcomes), outcomes
    values = DailyValue.objects.count()
    # One wrote every value; the other, after it, found them all as it computed them.
    assert sorted(outcomes) == [Computed(values, 0), Computed(values, values)]  # type: ignore[type-var]
    stored = sorted(DailyValue.objects.values_list("indicator", "day", "cell", "value"))
    DailyValue.objects.all().delete()
    compute_indicators(start=DAYS[0], end=DAYS[-1])
    assert sorted(DailyValue.objects.values_list("indicator", "day", "cell", "value")) == stored
