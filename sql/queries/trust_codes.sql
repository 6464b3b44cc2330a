SELECT trust_code FROM trust
