-- Applies a delta exactly as SessionRecord.merge does, in one call.
-- KEYS[1] session hash, KEYS[2] bucket expiry zset
-- ARGV[1] id, [2] now ms, [3] base version, [4] safety margin ms, [5] principal key prefix,
-- [6] last access ms or '', [7] idle ms or '', [8] principal op ('' keep, 's' set, 'c' clear),
-- [9] principal, [10] n set, then n (name, bytes) pairs, then removed names.
-- Returns {0} (gone) or {1, version, conflicting names...}.
local key = KEYS[1]
local meta = redis.call('HMGET', key, 'v', 'e', 'c', 'a', 'i', 'x', 'p')
if not meta[1] then return {0} end
local now = tonumber(ARGV[2])
if tonumber(meta[2]) <= now then return {0} end
local function fmt(n) return string.format('%.0f', n) end
local base = tonumber(ARGV[3])
local nextv = tonumber(meta[1]) + 1
local vs = fmt(nextv)
local out = {1, nextv}
local i = 11
for _ = 1, tonumber(ARGV[10]) do
  local name = ARGV[i]
  local old = redis.call('HGET', key, 'w:' .. name)
  if old and tonumber(old) > base then out[#out + 1] = name end
  redis.call('HSET', key, 'b:' .. name, ARGV[i + 1], 'w:' .. name, vs)
  i = i + 2
end
for j = i, #ARGV do
  local name = ARGV[j]
  local old = redis.call('HGET', key, 'w:' .. name)
  if old then
    if tonumber(old) > base then out[#out + 1] = name end
    redis.call('HDEL', key, 'b:' .. name, 'w:' .. name)
  end
end
local created, access = tonumber(meta[3]), tonumber(meta[4])
local idle, absolute = tonumber(meta[5]), tonumber(meta[6])
if ARGV[6] ~= '' and tonumber(ARGV[6]) > access then
  access = tonumber(ARGV[6])
  redis.call('HSET', key, 'a', ARGV[6])
end
if ARGV[7] ~= '' then
  idle = tonumber(ARGV[7])
  redis.call('HSET', key, 'i', ARGV[7])
end
local principal = meta[7]
if ARGV[8] ~= '' then
  local wanted = false
  if ARGV[8] == 's' then wanted = ARGV[9] end
  if principal ~= wanted then
    if principal then redis.call('SREM', ARGV[5] .. principal, ARGV[1]) end
    if wanted then redis.call('HSET', key, 'p', wanted) else redis.call('HDEL', key, 'p') end
    principal = wanted
  end
end
local expires = math.min(access + idle, created + absolute)
redis.call('HSET', key, 'v', vs, 'e', fmt(expires))
redis.call('ZADD', KEYS[2], fmt(expires), ARGV[1])
local ttl = math.max(expires - now, 0) + tonumber(ARGV[4])
redis.call('PEXPIRE', key, fmt(ttl))
if principal then
  local pk = ARGV[5] .. principal
  redis.call('SADD', pk, ARGV[1])
  if redis.call('PTTL', pk) < ttl then redis.call('PEXPIRE', pk, fmt(ttl)) end
end
return out
