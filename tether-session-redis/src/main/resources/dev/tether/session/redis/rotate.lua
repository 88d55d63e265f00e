-- Moves a session to a new id in the same bucket (same hash slot), atomically.
-- KEYS[1] old hash, KEYS[2] old tombstone, KEYS[3] new hash, KEYS[4] new tombstone, KEYS[5] zset
-- ARGV[1] old id, [2] new id, [3] now ms, [4] safety margin ms, [5] principal key prefix
-- Returns {0} (old id not live), {2} (new id taken) or {1, version}.
local meta = redis.call('HMGET', KEYS[1], 'v', 'e', 'i', 'p')
if not meta[1] then return {0} end
local now = tonumber(ARGV[3])
local expires = tonumber(meta[2])
if expires <= now then return {0} end
if redis.call('EXISTS', KEYS[3]) == 1 then return {2} end
local tomb = redis.call('GET', KEYS[4])
if tomb then
  if tonumber(tomb) > now then return {2} end
  redis.call('DEL', KEYS[4])
end
local function fmt(n) return string.format('%.0f', n) end
local margin, idle = tonumber(ARGV[4]), tonumber(meta[3])
local nextv = tonumber(meta[1]) + 1
redis.call('RENAME', KEYS[1], KEYS[3])
redis.call('HSET', KEYS[3], 'v', fmt(nextv))
local ttl = expires - now + margin
redis.call('PEXPIRE', KEYS[3], fmt(ttl))
redis.call('ZREM', KEYS[5], ARGV[1])
redis.call('ZADD', KEYS[5], meta[2], ARGV[2])
if meta[4] then
  local pk = ARGV[5] .. meta[4]
  redis.call('SREM', pk, ARGV[1])
  redis.call('SADD', pk, ARGV[2])
  if redis.call('PTTL', pk) < ttl then redis.call('PEXPIRE', pk, fmt(ttl)) end
end
redis.call('SET', KEYS[2], fmt(now + idle), 'PX', fmt(idle + margin))
return {1, nextv}
