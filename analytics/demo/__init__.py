"""Demo tooling: the demo database builder, the illustrative data generator and the app server used by tests and
benchmarks. The product never imports this package."""
