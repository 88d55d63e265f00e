-- Second half of a rotation across buckets: stores the detached hash under the reserved new id,
-- one version later.
-- KEYS[1] session hash, KEYS[2] tombstone (the reservation), KEYS[3] bucket expiry zset
-- ARGV[1] id, [2] now ms, [3] safety margin ms, [4] principal key prefix, then (field, value) pairs
-- Returns the new version.
local function fmt(n) return string.format('%.0f', n) end
redis.call('DEL', KEYS[1])
for i = 5, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
local meta = redis.call('HMGET', KEYS[1], 'v', 'e', 'p')
local nextv = tonumber(meta[1]) + 1
redis.call('HSET', KEYS[1], 'v', fmt(nextv))
redis.call('DEL', KEYS[2])
redis.call('ZADD', KEYS[3], meta[2], ARGV[1])
local ttl = math.max(tonumber(meta[2]) - tonumber(ARGV[2]), 0) + tonumber(ARGV[3])
redis.call('PEXPIRE', KEYS[1], fmt(ttl))
if meta[3] then
  local pk = ARGV[4] .. meta[3]
  redis.call('SADD', pk, ARGV[1])
  if redis.call('PTTL', pk) < ttl then redis.call('PEXPIRE', pk, fmt(ttl)) end
end
return nextv
