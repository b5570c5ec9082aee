"""Official import path of ``ExportFileFormats`` and the annotation helpers."""

from rossum_trio import ExportFileFormats
from rossum_trio._annotation_rules import (
    get_http_method_for_annotation_export,
    is_annotation_imported,
    validate_list_annotations_params,
    validate_sideload_query_params,
)
from rossum_trio._params import export_query as build_export_query_params

__all__ = [
    "ExportFileFormats",
    "build_export_query_params",
    "get_http_method_for_annotation_export",
    "is_annotation_imported",
    "validate_list_annotations_params",
    "validate_sideload_query_params",
]
