-- KEYS: lease; ARGV: token. Deletes the lease while the token holds it: 1, else 0.
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
