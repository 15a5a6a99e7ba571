"""Web captures: a URL captured as evidence (WACZ, screenshot, embedded media), with its
capture record in the custody log."""
