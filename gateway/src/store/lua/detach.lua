-- Keeps a session resumable until ARGV[3] (epoch ms) when its holder is ARGV[1] (and epoch
-- ARGV[2], '' for any): returns its subscriptions JSON, or false when someone else holds it.
-- KEYS: ws_conn:<id>.
local h = redis.call('HMGET', KEYS[1], 'gateway_id', 'epoch', 'state', 'subscriptions')
if h[1] ~= ARGV[1] or (ARGV[2] ~= '' and h[2] ~= ARGV[2]) or h[3] ~= 'attached' then
  return false
end
redis.call('HSET', KEYS[1], 'state', 'detached', 'resume_deadline', ARGV[3])
return h[4] or '{}'
