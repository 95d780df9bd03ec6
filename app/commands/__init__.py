"""The scripting commands of `customer-desk`: one module per group, sharing `common`."""
