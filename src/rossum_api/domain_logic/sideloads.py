"""Official import path of ``embed_sideloads`` (puts sideloaded objects into list results).

Unlike the official helper, a missing sideload key or object leaves the field's URL in place
instead of raising ``KeyError`` or putting ``[]`` there.
"""

from rossum_trio._base import embed_sideloads

__all__ = ["embed_sideloads"]
