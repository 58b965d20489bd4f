"""The one shared list of compiler flags for procmatch's own code."""

PROCMATCH_COPTS = [
    "-Wall",
    "-Wextra",
    "-Wno-unused-parameter",
    "-Wno-sign-compare",
    "-Wnon-virtual-dtor",
    "-Werror",
]

# Tests and benchmarks: the same, minus -Werror for GoogleTest macro noise.
PROCMATCH_TEST_COPTS = [
    "-Wall",
    "-Wextra",
    "-Wno-unused-parameter",
    "-Wno-sign-compare",
]
