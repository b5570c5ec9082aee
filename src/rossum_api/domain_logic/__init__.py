"""Official import path ``rossum_api.domain_logic`` (helper modules below it)."""
