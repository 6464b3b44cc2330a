INSERT INTO app_user (email, role, trust_code, password_hash, disabled, created_at)
VALUES ($email, $role, $trust_code, $password_hash, false, $created_at)
