"""The built-in domains: every module here with a `DOMAIN` attribute is one domain."""
