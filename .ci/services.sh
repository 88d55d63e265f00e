#!/usr/bin/env bash
# Installs (from Debian packages) and starts the services the tests use, on loopback only, and
# prints the environment the tests read. Idempotent: safe to run again.
#   source <(bash .ci/services.sh)
set -euo pipefail
log() { echo "services: $*" >&2; }

missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || missing+=(postgresql)
command -v mysqld >/dev/null 2>&1 || command -v mariadbd >/dev/null 2>&1 || missing+=(mariadb-server)
# The browser tests drive Debian's Chromium through its chromedriver.
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
command -v memcached >/dev/null 2>&1 || missing+=(memcached)
# The session drop-in is tested in a real Tomcat 10.1 (its own process, a private CATALINA_BASE).
[[ -f /usr/share/tomcat10/bin/bootstrap.jar && -f /etc/tomcat10/web.xml ]] || missing+=(tomcat10)
# HTTP/2 and slow-client tests drive real clients: nghttp2's h2load and slowhttptest.
command -v h2load >/dev/null 2>&1 || missing+=(nghttp2-client)
command -v slowhttptest >/dev/null 2>&1 || missing+=(slowhttptest)
command -v curl >/dev/null 2>&1 || missing+=(curl)
if [[ ${#missing[@]} -gt 0 ]]; then
  log "installing ${missing[*]}"
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
fi

# Redis
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  log "starting redis"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save '' --appendonly no >&2
fi
for i in $(seq 1 50); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 0.2; done
redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null

# PostgreSQL
pgver=$(ls /usr/lib/postgresql | sort -n | tail -1)
if ! pg_lsclusters -h 2>/dev/null | grep -q "^$pgver main"; then
  pg_createcluster "$pgver" main >&2
fi
pg_ctlcluster "$pgver" main start >&2 2>/dev/null || true
for i in $(seq 1 50); do su postgres -c "psql -qtAc 'select 1'" >/dev/null 2>&1 && break; sleep 0.2; done
su postgres -c "psql -qtAc \"select 1 from pg_roles where rolname='tether'\"" | grep -q 1 \
  || su postgres -c "psql -qc \"create role tether login password 'tether'\"" >&2
su postgres -c "psql -qtAc \"select 1 from pg_database where datname='tether'\"" | grep -q 1 \
  || su postgres -c "psql -qc 'create database tether owner tether'" >&2

# A streaming replica of it on 5433, for the JDBC store's replica reads (prints its export line).
bash "$(dirname "${BASH_SOURCE[0]}")/pg-replica.sh"

# MariaDB
if ! mysqladmin ping >/dev/null 2>&1; then
  log "starting mariadb"
  mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld 2>/dev/null || true
  (setsid mysqld_safe --bind-address=127.0.0.1 --port=3306 >/dev/null 2>&1 &)
  for i in $(seq 1 100); do mysqladmin ping >/dev/null 2>&1 && break; sleep 0.2; done
fi
mysql -e "CREATE DATABASE IF NOT EXISTS tether; CREATE USER IF NOT EXISTS 'tether'@'127.0.0.1' IDENTIFIED BY 'tether'; GRANT ALL ON tether.* TO 'tether'@'127.0.0.1'; FLUSH PRIVILEGES;" >&2

# Memcached: three instances on 11211-11213 for the Memcached store and its backup node (prints its export line).
bash "$(dirname "${BASH_SOURCE[0]}")/memcached.sh"

cat <<ENV
export TETHER_TEST_REDIS_URI=redis://127.0.0.1:6379
export TETHER_TEST_PG_URL=jdbc:postgresql://127.0.0.1:5432/tether
export TETHER_TEST_PG_USER=tether
export TETHER_TEST_PG_PASSWORD=tether
export TETHER_TEST_MARIADB_URL=jdbc:mariadb://127.0.0.1:3306/tether
export TETHER_TEST_MARIADB_USER=tether
export TETHER_TEST_MARIADB_PASSWORD=tether
export TETHER_TEST_CHROMIUM=$(command -v chromium)
export TETHER_TEST_CHROMEDRIVER=$(command -v chromedriver)
export TETHER_TEST_CATALINA_HOME=/usr/share/tomcat10
export TETHER_TEST_H2LOAD=$(command -v h2load)
export TETHER_TEST_SLOWHTTPTEST=$(command -v slowhttptest)
export TETHER_TEST_CURL=$(command -v curl)
ENV
