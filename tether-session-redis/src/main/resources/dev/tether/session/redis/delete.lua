-- Deletes a session with its index entries and tombstones the id for its idle timeout.
-- KEYS[1] session hash, KEYS[2] tombstone, KEYS[3] bucket expiry zset
-- ARGV[1] id, [2] now ms, [3] safety margin ms, [4] principal key prefix
-- Returns 1 when a live session was deleted, else 0.
local meta = redis.call('HMGET', KEYS[1], 'e', 'i', 'p')
if not meta[1] then return 0 end
local function fmt(n) return string.format('%.0f', n) end
local now, idle = tonumber(ARGV[2]), tonumber(meta[2])
if meta[3] then redis.call('SREM', ARGV[4] .. meta[3], ARGV[1]) end
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('DEL', KEYS[1])
redis.call('SET', KEYS[2], fmt(now + idle), 'PX', fmt(idle + tonumber(ARGV[3])))
if tonumber(meta[1]) > now then return 1 end
return 0
