"""procmatch_library: a cc_library of procmatch's own code.

Headers are included as "procmatch/<name>.h" (the folder stays lib/), with
the shared warning flags, and visible only to lib/, tests/ and benchmarks/
unless a visibility is given: embedders use the umbrella targets
//lib:procmatch and //lib:import (doc/embedding.md).
"""

load("//tools:copts.bzl", "PROCMATCH_COPTS")

INTERNAL_VISIBILITY = [
    "//lib:__subpackages__",
    "//tests:__subpackages__",
    "//benchmarks:__subpackages__",
]

def procmatch_library(name, visibility = None, copts = [], **kwargs):
    native.cc_library(
        name = name,
        copts = PROCMATCH_COPTS + copts,
        include_prefix = "procmatch",
        strip_include_prefix = "/lib",
        visibility = visibility if visibility != None else INTERNAL_VISIBILITY,
        **kwargs
    )
