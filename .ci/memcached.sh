#!/usr/bin/env bash
# Starts three Memcached instances on loopback for the memcached store's tests (idempotent: an
# instance already answering on its port is left alone) and prints the variable the tests read:
#   source <(bash .ci/memcached.sh)
set -euo pipefail
command -v memcached >/dev/null || { echo "memcached is not installed (apt-get install -y memcached)" >&2; exit 1; }
user=memcache
id -u "$user" >/dev/null 2>&1 || user=root
nodes=()
for port in 11211 11212 11213; do
  if ! (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null; then
    memcached -l 127.0.0.1 -p "$port" -U 0 -m 64 -d -u "$user" -P "/tmp/tether-memcached-$port.pid"
    for _ in $(seq 1 50); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done
  fi
  nodes+=("127.0.0.1:$port")
done
echo "export TETHER_TEST_MEMCACHED_NODES=$(IFS=,; echo "${nodes[*]}")"
