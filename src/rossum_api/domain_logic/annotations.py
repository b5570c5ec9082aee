"""Official import path of ``ExportFileFormats`` and the export query helper."""

from rossum_trio import ExportFileFormats
from rossum_trio._params import export_query as build_export_query_params

__all__ = ["ExportFileFormats", "build_export_query_params"]
