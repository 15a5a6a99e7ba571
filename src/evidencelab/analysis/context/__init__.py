"""Geographic context: protected objects and possible military objectives near incidents."""
