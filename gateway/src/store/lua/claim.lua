-- Hands a session to a resuming connection when user and token match and the window has not
-- closed. KEYS: ws_conn:<id>. ARGV: user, token hash, new token hash, gateway, now.
-- Returns {epoch, subscriptions, previous gateway} or false.
local h = redis.call('HMGET', KEYS[1], 'user_id', 'resume_token', 'state', 'resume_deadline',
  'gateway_id', 'subscriptions')
if h[1] ~= ARGV[1] or h[2] ~= ARGV[2] then return false end
if h[3] == 'expiring' or (h[3] == 'detached' and tonumber(h[4]) < tonumber(ARGV[5])) then
  return false
end
local epoch = redis.call('HINCRBY', KEYS[1], 'epoch', 1)
redis.call('HSET', KEYS[1], 'gateway_id', ARGV[4], 'resume_token', ARGV[3], 'state', 'attached',
  'resumed_at', ARGV[5])
redis.call('HDEL', KEYS[1], 'resume_deadline')
return {epoch, h[6] or '{}', h[5] or ''}
