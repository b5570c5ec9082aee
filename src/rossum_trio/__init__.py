"""rossum-trio: a trio-native client for the Rossum document-processing API."""
