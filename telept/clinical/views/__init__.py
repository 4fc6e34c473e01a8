"""Pages of the clinical record. Each view adapts: parse, call one selector or service,
render. One module per part, plus `common` for the post-redirect helper."""
