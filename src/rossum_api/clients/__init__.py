"""Official import path ``rossum_api.clients`` (the client modules live below it)."""
