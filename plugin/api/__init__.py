"""The storefront GraphQL API (graphene): a shopper's referral link, rewards, points, ranks."""
