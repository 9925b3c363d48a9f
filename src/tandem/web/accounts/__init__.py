"""Staff sign-in: password, then a TOTP second factor (django-otp) outside demo mode."""
