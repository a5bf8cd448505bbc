"""Outcome-based payments: the commissioner's payment rules (`definitions/payments.yml`,
`rules`), the one computation of a period's payment lines (`compute`), used by the dbt
build (`int_provider_payments_computed`) and by the what-if (`whatif`)
(docs/payments.md)."""
