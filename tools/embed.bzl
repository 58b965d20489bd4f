"""embed_text: compiles a text file into a C++ source as a char array.

The library then needs no data files at run time: the CPV and NUTS lists are
part of the binary, and a caller can still load others from memory.
"""

def embed_text(name, src, symbol, namespace = "procmatch::internal"):
    """Generates `name`.cc defining `extern const char symbol[]` from `src`.

    The file's bytes become a raw string literal; `src` must not contain the
    delimiter `)embed"`.
    """
    native.genrule(
        name = name,
        srcs = [src],
        outs = [name + ".cc"],
        cmd = ("( echo '// Generated from $(location {src}); do not edit.'; " +
               "echo 'namespace {ns} {{'; " +
               "echo 'extern const char {sym}[];'; " +
               "printf 'const char {sym}[] = R\"embed('; " +
               "cat $(location {src}); " +
               "echo ')embed\";'; " +
               "echo '}}  // namespace {ns}' ) > $@").format(
            src = src,
            ns = namespace,
            sym = symbol,
        ),
    )
