"""Official import path of the URL helpers that parse object ids out of API URLs."""

from rossum_trio._endpoints.emails import EMAIL_IMPORT_PATH as EMAIL_IMPORT_URL
from rossum_trio._params import (
    parse_annotation_id_from_datapoint_url,
    parse_resource_id_from_url,
)

__all__ = [
    "EMAIL_IMPORT_URL",
    "parse_annotation_id_from_datapoint_url",
    "parse_resource_id_from_url",
]
