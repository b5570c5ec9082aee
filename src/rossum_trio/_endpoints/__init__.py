"""The client's methods, one module per API resource (mixins of ``AsyncRossumAPIClient``)."""
