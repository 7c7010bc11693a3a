"""The organisation admin's console: people, the record, certificates and progress."""
