UPDATE app_user SET disabled = $disabled WHERE email = $email
