"""What one audit row costs in queries, for the tests that count the queries of a page."""

from django.db import connection

# The chain's head read and locked, then the event and the head written: by one statement
# on PostgreSQL (the head's update in a ``WITH`` part of the insert), by two on SQLite.
AUDIT_ROW_QUERIES = 2 if connection.vendor == "postgresql" else 3
