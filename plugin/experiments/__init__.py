"""A/B tests of incentives: which variant each customer gets, and what each variant brought."""
