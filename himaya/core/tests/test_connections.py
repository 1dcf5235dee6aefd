"""Database connections are kept between requests and checked before they are reused."""

from django.db import connection


def test_connections_are_kept_for_a_minute_and_checked_before_reuse() -> None:
    assert connection.settings_dict["CONN_MAX_AGE"] == 60
    assert connection.settings_dict["CONN_HEALTH_CHECKS"] is True
