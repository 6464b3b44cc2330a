UPDATE return_version SET is_current = false
WHERE trust_code = $trust_code AND period_end = $period_end AND is_current
