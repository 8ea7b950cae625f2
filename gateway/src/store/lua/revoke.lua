-- Records one revocation and announces it; purges revocations whose time is over.
-- KEYS: 1 revoked hash, 2 expiry zset, 3 announcement stream
-- ARGV: 1 field (jti:<id> | session:<id> | user:<id>), 2 revoked_at, 3 expires_at, 4 now
-- (epoch seconds); an empty field only purges. Returns how many expired entries were purged.
if ARGV[1] ~= '' then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. ':' .. ARGV[3])
  redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
  redis.call('XADD', KEYS[3], 'MAXLEN', '~', 10000, '*', 'f', ARGV[1], 'at', ARGV[2])
end
local old = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[4], 'LIMIT', 0, 1000)
for _, f in ipairs(old) do
  redis.call('HDEL', KEYS[1], f)
end
if #old > 0 then
  redis.call('ZREM', KEYS[2], unpack(old))
end
return #old
