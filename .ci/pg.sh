# Sourced by .ci/run: make a PostgreSQL answer on 127.0.0.1:$PGPORT and export PG_URL.
# Reuses a server that already answers (trust auth); otherwise starts a throwaway cluster and stops it on exit.
PGPORT=${PGPORT:-5432}
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)
if "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$PGPORT"; then
  echo "PostgreSQL already answers on 127.0.0.1:$PGPORT; reusing it."
else
  PGDATA=$(mktemp -d /tmp/ci-pg.XXXXXX)
  chown postgres:postgres "$PGDATA"
  chmod 700 "$PGDATA"
  runuser -u postgres -- "$PGBIN/initdb" -D "$PGDATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDATA" -l "$PGDATA/server.log" -w -t 60 -o \
    "-c listen_addresses=127.0.0.1 -p $PGPORT -k $PGDATA -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" start >/dev/null
  trap 'runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null; rm -rf "$PGDATA"' EXIT
  echo "Started a throwaway PostgreSQL on 127.0.0.1:$PGPORT."
fi
if ! "$PGBIN/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='test'" | grep -q 1; then
  "$PGBIN/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -qc "CREATE DATABASE test"
fi
export PG_URL="postgresql+psycopg://postgres@127.0.0.1:$PGPORT/test"
