-- KEYS: lease, epoch; ARGV: computer id, ttl ms. Returns the token or nil when taken.
if redis.call('EXISTS', KEYS[1]) == 1 then return false end
local token = ARGV[1] .. ':' .. redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], token, 'PX', ARGV[2])
return token
