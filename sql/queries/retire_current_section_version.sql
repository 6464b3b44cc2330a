UPDATE section_version SET is_current = false
WHERE trust_code = $trust_code AND period_end = $period_end AND section = $section AND is_current
