-- Marks a session still held by this holder as expiring, returning its recorded subscriptions:
-- a connection that was resumed elsewhere meanwhile leaves the session alone.
-- KEYS: ws_conn:<id>. ARGV: gateway id, epoch.
local h = redis.call('HMGET', KEYS[1], 'gateway_id', 'epoch', 'subscriptions')
if h[1] ~= ARGV[1] or h[2] ~= ARGV[2] then return false end
redis.call('HSET', KEYS[1], 'state', 'expiring')
return h[3] or '{}'
