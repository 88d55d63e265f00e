-- Stores a new session unless its id is in use (live or expired but unswept) or tombstoned.
-- KEYS[1] session hash, KEYS[2] tombstone, KEYS[3] bucket expiry zset
-- ARGV[1] id, [2] now ms, [3] safety margin ms, [4] principal key prefix, [5] expires ms,
-- [6] principal or '', then (field, value) pairs of the hash.
-- Returns 1 (saved) or 0 (id taken).
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local now = tonumber(ARGV[2])
local tomb = redis.call('GET', KEYS[2])
if tomb then
  if tonumber(tomb) > now then return 0 end
  redis.call('DEL', KEYS[2])
end
local function fmt(n) return string.format('%.0f', n) end
for i = 7, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
local expires = tonumber(ARGV[5])
redis.call('ZADD', KEYS[3], ARGV[5], ARGV[1])
local ttl = math.max(expires - now, 0) + tonumber(ARGV[3])
redis.call('PEXPIRE', KEYS[1], fmt(ttl))
if ARGV[6] ~= '' then
  local pk = ARGV[4] .. ARGV[6]
  redis.call('SADD', pk, ARGV[1])
  if redis.call('PTTL', pk) < ttl then redis.call('PEXPIRE', pk, fmt(ttl)) end
end
return 1
