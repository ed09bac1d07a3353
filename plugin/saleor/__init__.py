"""Talking to Saleor: signatures, tokens, the GraphQL client and documents, payload mappers."""
