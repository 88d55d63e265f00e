-- Reserves an id in its bucket for a rotation across buckets: a tombstone that blocks creation.
-- KEYS[1] session hash, KEYS[2] tombstone
-- ARGV[1] now ms, [2] reserved until ms, [3] reservation ttl ms
-- Returns 1 (reserved) or 0 (id taken).
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local tomb = redis.call('GET', KEYS[2])
if tomb and tonumber(tomb) > tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
return 1
