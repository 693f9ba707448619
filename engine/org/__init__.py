"""The organisation side as pure logic: compliance, reminders, learning paths, renewals.

No Qt, no SQL, no network: the services layer reads rows, hands them here as plain values and
writes back what comes out. The vocabularies (roles, statuses) live in ``vocabulary`` and are
imported by ``sync.store.models`` for its CHECK constraints, so each is defined once.
"""
