"""cli_test: an end-to-end shell test of the built procmatch binary."""

def cli_test(name, data = [], args = [], **kwargs):
    """A sh_test `name.sh` sourcing common.sh (its preamble).

    The script is run with the procmatch binary and the data directory as its
    first two arguments, then `args`; the binary and common.sh are in its
    runfiles beside `data`.

    Args:
      name: the test, whose script is `name + ".sh"`.
      data: the data targets the script reads (//data:sample, ...).
      args: arguments after the binary and the data directory.
      **kwargs: passed to sh_test (size, ...).
    """
    native.sh_test(
        name = name,
        srcs = [name + ".sh"],
        args = ["$(location //examples:procmatch)", "data"] + args,
        data = ["common.sh", "//examples:procmatch"] + data,
        **kwargs
    )
