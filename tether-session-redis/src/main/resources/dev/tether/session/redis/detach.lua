-- First half of a rotation across buckets: removes a live session, tombstones its id and
-- returns its hash.
-- KEYS[1] session hash, KEYS[2] tombstone, KEYS[3] bucket expiry zset
-- ARGV[1] id, [2] now ms, [3] safety margin ms, [4] principal key prefix
-- Returns {0} (not live) or {1, {field, value, ...}}.
local meta = redis.call('HMGET', KEYS[1], 'e', 'i', 'p')
if not meta[1] then return {0} end
local now = tonumber(ARGV[2])
if tonumber(meta[1]) <= now then return {0} end
local function fmt(n) return string.format('%.0f', n) end
local idle = tonumber(meta[2])
local fields = redis.call('HGETALL', KEYS[1])
if meta[3] then redis.call('SREM', ARGV[4] .. meta[3], ARGV[1]) end
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('DEL', KEYS[1])
redis.call('SET', KEYS[2], fmt(now + idle), 'PX', fmt(idle + tonumber(ARGV[3])))
return {1, fields}
