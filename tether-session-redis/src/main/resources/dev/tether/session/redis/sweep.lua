-- Claims up to a limit of the bucket's sessions expired at "now": re-checks each one's expiry in
-- its hash, removes it with its principal index entry and returns it. Atomic, so every expired
-- session is returned by exactly one caller.
-- KEYS[1] bucket expiry zset
-- ARGV[1] now ms, [2] limit, [3] session key prefix of the bucket, [4] principal key prefix
-- Returns {examined, id, {field, value, ...}, id, {...}, ...}; examined counts the members read.
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
local now = tonumber(ARGV[1])
local out = {#ids}
for _, id in ipairs(ids) do
  local key = ARGV[3] .. id
  local meta = redis.call('HMGET', key, 'e', 'p')
  if not meta[1] then
    redis.call('ZREM', KEYS[1], id)
  elseif tonumber(meta[1]) > now then
    redis.call('ZADD', KEYS[1], meta[1], id)
  else
    out[#out + 1] = id
    out[#out + 1] = redis.call('HGETALL', key)
    if meta[2] then redis.call('SREM', ARGV[4] .. meta[2], id) end
    redis.call('ZREM', KEYS[1], id)
    redis.call('DEL', key)
  end
end
return out
