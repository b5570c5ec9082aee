"""Re-exports ``rossum_trio.models.annotation`` under the official path."""

from rossum_trio.models.annotation import Annotation, AnnotationProcessingDuration, Prediction
from rossum_trio.models.automation_blocker import AutomationBlocker
from rossum_trio.models.document import Document
from rossum_trio.models.user import User

__all__ = [
    "Annotation",
    "AnnotationProcessingDuration",
    "AutomationBlocker",
    "Document",
    "Prediction",
    "User",
]
