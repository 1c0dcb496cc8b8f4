"""Django's PostgreSQL backend, with two additions for the pages read most.

A health check that needs no round trip when it can. Production keeps connections
(CONN_MAX_AGE) and checks each one before a request reuses it (CONN_HEALTH_CHECKS), so a
restarted database costs no request. Django checks with a `SELECT 1`, a round trip on every
request that reads the database. An idle connection has nothing to read, and when PostgreSQL
ends a session (a restart, a terminated backend, an idle timeout) it sends the reason and
closes the socket, which then becomes readable. So the check polls the socket first: nothing
to read, in no transaction, not known broken, means usable, without a query. Anything else
(the termination, a notice) gets Django's `SELECT 1`, which reads it and decides. The limit: a
server that vanishes without a word (a failover that moves the address, a firewall that drops
an idle flow) leaves the socket quiet, so the request's first query fails (a 503 page) and the
connection is then replaced; `SELECT 1` would have met the reset instead.

Prepared statements on request. `prepared_cursor()` is `cursor()` for a statement run with
different values again and again (the section page's): values are bound on the server and
PostgreSQL parses and plans the statement once per connection, where planning cost more than
running it. Only such statements: a search planned once for every word would keep a plan that
suits few of them. With `prepare_threshold` unset in the database OPTIONS (Django's default,
PG_PREPARED_STATEMENTS=false here) psycopg prepares nothing and it is a plain cursor.
"""

from __future__ import annotations

import select

import psycopg
from django.db.backends.postgresql import base
from psycopg import pq


def socket_has_input(fileno: int) -> bool:
    """Whether the socket has data, an end of file or an error waiting, without waiting."""
    if hasattr(select, "poll"):
        poller = select.poll()
        poller.register(fileno, select.POLLIN | select.POLLPRI)
        return bool(poller.poll(0))  # POLLHUP and POLLERR are reported too
    readable, _writable, failed = select.select([fileno], [], [fileno], 0)
    return bool(readable or failed)


RESULT_TYPE_CHANGED = "cached plan must not change result type"


class PreparedCursor(base.ServerBindingCursor):
    """A server-binding cursor whose statements psycopg prepares at their first run."""

    def execute(self, query, params=None, *, prepare=True, binary=None):
        try:
            return super().execute(query, params, prepare=prepare, binary=binary)
        except psycopg.errors.FeatureNotSupported as error:
            # A migration, run by another process, changed a column the statement returns:
            # PostgreSQL refuses the kept statement on this connection from then on. Outside
            # a transaction, forget every prepared statement (psycopg forgets its own names
            # with them) and run this one afresh.
            idle = self.connection.info.transaction_status == pq.TransactionStatus.IDLE
            if RESULT_TYPE_CHANGED not in str(error) or not idle:
                raise
            super().execute("DEALLOCATE ALL", prepare=False)
            return super().execute(query, params, prepare=prepare, binary=binary)


class DatabaseOperations(base.DatabaseOperations):
    def last_executed_query(self, cursor, sql, params):
        # A prepared statement leaves no client-side text of the query: compose it, as Django
        # does under server-side binding, so query logs and CaptureQueriesContext show it.
        if isinstance(cursor, PreparedCursor):
            try:
                return self.compose_sql(sql, params)
            except psycopg.errors.DataError:
                return None
        return super().last_executed_query(cursor, sql, params)


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations

    def is_usable(self) -> bool:
        connection = self.connection
        if connection is None or connection.closed or connection.broken:
            return False
        if connection.info.transaction_status == pq.TransactionStatus.IDLE and (
            not socket_has_input(connection.fileno())
        ):
            return True
        return super().is_usable()

    def prepared_cursor(self):
        """A cursor (as `cursor()` gives) whose statements are prepared: see above."""
        self.close_if_health_check_failed()
        self.ensure_connection()
        with self.wrap_database_errors:
            cursor = PreparedCursor(self.connection)
            # As Django's create_cursor: this connection's time zone for timestamps.
            loader = self.connection.adapters.get_loader(base.TIMESTAMPTZ_OID, base.Format.TEXT)
            if self.timezone != loader.timezone:
                base.register_tzloader(self.timezone, cursor)
            return self._prepare_cursor(cursor)
