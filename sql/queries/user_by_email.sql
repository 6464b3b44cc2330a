-- One account by its (normalised) email: (email, role, trust_code, password_hash, disabled).
SELECT email, role, trust_code, password_hash, disabled FROM app_user WHERE email = $email
