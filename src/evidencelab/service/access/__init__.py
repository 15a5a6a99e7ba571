"""Who may do what: web users, sessions, tokens, and what a role may see."""
