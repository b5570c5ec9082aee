"""Official import path of the asynchronous client (re-exports ``rossum_trio``'s).

The client runs under trio: replace ``asyncio.run(main())`` with ``trio.run(main)``.
"""

from rossum_trio import (
    AsyncRossumAPIClient,
    AsyncRossumAPIClientWithDefaultDeserializer,
)

__all__ = ["AsyncRossumAPIClient", "AsyncRossumAPIClientWithDefaultDeserializer"]
