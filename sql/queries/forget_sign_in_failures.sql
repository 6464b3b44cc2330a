DELETE FROM sign_in_throttle WHERE email = $email
