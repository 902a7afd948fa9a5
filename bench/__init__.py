"""Benchmarks, kept out of the runtime package: `python -m bench.run`, `bench.nlu_compare`
and `bench.load` (the Makefile's bench, bench-nlu and bench-load). The YAML files beside
them are the pipelines they compare."""
