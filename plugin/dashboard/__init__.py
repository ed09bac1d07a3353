"""The merchant's dashboard inside Saleor: page, JSON API, editor, sandbox, backtests."""
