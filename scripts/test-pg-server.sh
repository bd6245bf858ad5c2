#!/usr/bin/env bash
# Runs a command against a throwaway Debian PostgreSQL 15 server reached over TLS only
# (sslmode=verify-full against a throwaway CA): `bash scripts/test-pg-server.sh npx vitest run …`.
# The command gets MANDATE_TEST_PG_URL (test/support/mandate.ts then gives each node a fresh database on
# that server instead of an embedded PostgreSQL). The cluster, its CA and keys live under $TMPDIR and are
# removed, and the server stopped, when the command ends. Issue 19 §3; docs/deploy.md.
set -euo pipefail
cd "$(dirname "$0")/.."
PG_BIN="${MANDATE_PG15_BIN:-/usr/lib/postgresql/15/bin}"
if [ ! -x "$PG_BIN/initdb" ]; then
  echo "PostgreSQL 15 is not installed ($PG_BIN/initdb): apt-get install postgresql-15 (.ci/run does)" >&2
  exit 1
fi

dir="$(mktemp -d "${TMPDIR:-/tmp}/mandate-pg15.XXXXXXXX")"
chmod 755 "$dir"
as_db=()
if [ "$(id -u)" = 0 ]; then
  chown postgres "$dir"
  as_db=(runuser -u postgres --)
fi
stop() {
  "${as_db[@]}" "$PG_BIN/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap stop EXIT

# A CA and a server certificate for localhost / 127.0.0.1, signed by it.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=mandate-test-ca" \
  -keyout "$dir/ca.key" -out "$dir/ca.crt" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=localhost" \
  -keyout "$dir/server.key" -out "$dir/server.csr" 2>/dev/null
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' > "$dir/san.ext"
openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial -days 2 \
  -extfile "$dir/san.ext" -out "$dir/server.crt" 2>/dev/null
password="$(openssl rand -hex 16)"
printf '%s\n' "$password" > "$dir/pw"
chmod 644 "$dir/ca.crt" "$dir/pw"
[ "$(id -u)" = 0 ] && chown postgres "$dir/server.key" "$dir/server.crt" "$dir/pw"
chmod 600 "$dir/server.key"

"${as_db[@]}" "$PG_BIN/initdb" -D "$dir/data" -U postgres --pwfile="$dir/pw" -A scram-sha-256 >/dev/null
cat > "$dir/data/pg_hba.conf" <<'HBA'
# TLS only, password (SCRAM); no plain TCP, no local socket login
hostssl all all 127.0.0.1/32 scram-sha-256
host    all all 0.0.0.0/0    reject
HBA
port="$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
"${as_db[@]}" "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/log" -w -o \
  "-p $port -k $dir -c listen_addresses=127.0.0.1 -c ssl=on -c ssl_cert_file=$dir/server.crt -c ssl_key_file=$dir/server.key -c max_connections=400 -c fsync=off" \
  start >/dev/null
echo "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$port, TLS only (verify-full against a throwaway CA)"

export MANDATE_TEST_PG_URL="postgresql://postgres:${password}@localhost:${port}/postgres?sslmode=verify-full&sslrootcert=${dir}/ca.crt"
"$@"
