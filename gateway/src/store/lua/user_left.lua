-- One connection of a user ended on this gateway.
-- KEYS: 1 user_conns:<user>; ARGV: 1 gateway id, 2 TTL (s). Returns what the gateway holds.
local n = redis.call('HINCRBY', KEYS[1], ARGV[1], -1)
if n <= 0 then
  redis.call('HDEL', KEYS[1], ARGV[1])
else
  redis.call('EXPIRE', KEYS[1], ARGV[2])
end
return n
