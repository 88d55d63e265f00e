#!/usr/bin/env bash
# Gives the PostgreSQL cluster "<ver> main" (port 5432, started by services.sh) a streaming replica:
# a second cluster "<ver> replica" on 127.0.0.1:5433, made with pg_basebackup -R over a replication
# slot, started, and waited for until it is in recovery and has replayed what the primary had
# written. Prints the environment the replica tests read. Idempotent: safe to run again (a replica
# left with replay paused is resumed).
#   source <(bash .ci/pg-replica.sh)
set -euo pipefail
log() { echo "pg-replica: $*" >&2; }

pgver=$(ls /usr/lib/postgresql | sort -n | tail -1)
port=5433
slot=tether_replica
repl_user=tether_replicator
repl_password=tether_replicator
primary() { su postgres -c "psql -p 5432 -qtAc \"$1\""; }
replica() { su postgres -c "psql -p $port -qtAc \"$1\""; }

# The primary: wal_level=replica and max_wal_senders>0 are PostgreSQL's defaults; Debian's pg_hba
# already admits "host replication all 127.0.0.1/32 scram-sha-256". Checked, not assumed.
[[ $(primary "show wal_level") != minimal ]] || { log "wal_level is minimal on the primary"; exit 1; }
[[ $(primary "show max_wal_senders") -gt 0 ]] || { log "max_wal_senders is 0 on the primary"; exit 1; }
hba=/etc/postgresql/$pgver/main/pg_hba.conf
if ! grep -Eq "^host[[:space:]]+replication[[:space:]]+(all|$repl_user)[[:space:]]+127\.0\.0\.1/32" "$hba"; then
  log "allowing replication connections from 127.0.0.1"
  echo "host replication $repl_user 127.0.0.1/32 scram-sha-256" >>"$hba"
  primary "select pg_reload_conf()" >/dev/null
fi
primary "select 1 from pg_roles where rolname='$repl_user'" | grep -q 1 \
  || primary "create role $repl_user login replication password '$repl_password'" >&2
# The lag tests pause and resume replay on the replica as the tether role; granted on the primary,
# the grant reaches the replica by replication.
su postgres -c "psql -p 5432 -d tether -qc 'grant execute on function pg_wal_replay_pause(),
  pg_wal_replay_resume(), pg_is_wal_replay_paused() to tether'" >&2

# The replica cluster.
if ! pg_lsclusters -h | grep -q "^$pgver replica "; then
  log "creating cluster $pgver replica on port $port from a base backup of the primary"
  pg_createcluster "$pgver" replica -p "$port" >&2
  data=$(pg_lsclusters -h | awk -v v="$pgver" '$1==v && $2=="replica" {print $6}')
  rm -rf "$data"
  if primary "select 1 from pg_replication_slots where slot_name='$slot'" | grep -q 1; then
    primary "select pg_drop_replication_slot('$slot')" >/dev/null
  fi
  su postgres -c "PGPASSWORD=$repl_password pg_basebackup -h 127.0.0.1 -p 5432 -U $repl_user \
    -D '$data' -R -X stream -C -S $slot -c fast" >&2
fi
pg_ctlcluster "$pgver" replica start >&2 2>/dev/null || true
for i in $(seq 1 100); do replica "select 1" >/dev/null 2>&1 && break; sleep 0.2; done
[[ $(replica "select pg_is_in_recovery()") == t ]] || { log "cluster $pgver replica is not in recovery"; exit 1; }
[[ $(replica "select pg_is_wal_replay_paused()") == f ]] || replica "select pg_wal_replay_resume()" >/dev/null

# Caught up: the replica has replayed at least the primary's WAL position of now.
target=$(primary "select pg_current_wal_lsn()")
for i in $(seq 1 150); do
  [[ $(replica "select pg_last_wal_replay_lsn() >= '$target'::pg_lsn") == t ]] && break
  sleep 0.2
done
[[ $(replica "select pg_last_wal_replay_lsn() >= '$target'::pg_lsn") == t ]] \
  || { log "the replica has not caught up with the primary ($target)"; exit 1; }

cat <<ENV
export TETHER_TEST_PG_REPLICA_URL=jdbc:postgresql://127.0.0.1:$port/tether
ENV
