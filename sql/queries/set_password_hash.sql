UPDATE app_user SET password_hash = $password_hash WHERE email = $email
