"""Trusted timestamps (RFC 3161): the authorities a case asks, timestamps of the items
added since the last one, and their offline check for `verify`."""
