"""Who may see what: logins and their limits, accounts, roles on routes, response headers."""
