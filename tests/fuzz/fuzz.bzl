"""procmatch_fuzzer: one libFuzzer target (doc/reliability.md)."""

load("//tools:copts.bzl", "PROCMATCH_TEST_COPTS")

def procmatch_fuzzer(name, deps, dictionary = None):
    """A cc_binary `<name>_fuzzer` from `<name>_fuzzer.cc`, tagged fuzz and manual.

    With --config=fuzz (clang, which defines procmatch_fuzz=libfuzzer) it links
    with libFuzzer; otherwise with :fuzz_main, which replays the files given
    on the command line. It has :harness. Its seeds are corpus/<name>/ and, when given,
    `dictionary` is its libFuzzer dictionary; both are data for tools/fuzz.sh.
    """
    native.cc_binary(
        name = name + "_fuzzer",
        testonly = True,
        srcs = [name + "_fuzzer.cc"],
        copts = PROCMATCH_TEST_COPTS,
        data = native.glob(["corpus/" + name + "/**"]) +
               ([dictionary] if dictionary else []),
        linkopts = select({
            ":libfuzzer": ["-fsanitize=fuzzer"],
            "//conditions:default": [],
        }),
        tags = ["fuzz", "manual"],
        deps = [":harness"] + deps + select({
            ":libfuzzer": [],
            "//conditions:default": [":fuzz_main"],
        }),
    )
