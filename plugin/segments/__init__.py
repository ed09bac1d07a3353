"""Customer segments: recency, frequency and monetary value scored against each shop's own
order history, named segments (champions, loyal, new, promising, at risk, asleep), advocacy
and the ranked list of customers to invite first. The rules are in `plugin.segments.rules`."""
