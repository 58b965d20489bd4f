"""Re-exports Bazel 4.2.3's native C++ rules under the rules_cc names.

Debian's packaged rules_cc needs a newer Bazel (use_cpp_toolchain); the native
rules are what Bazel 4 runs anyway.
"""

cc_binary = native.cc_binary
cc_import = native.cc_import
cc_library = native.cc_library
cc_proto_library = native.cc_proto_library
cc_test = native.cc_test
cc_toolchain = native.cc_toolchain
cc_toolchain_suite = native.cc_toolchain_suite
fdo_prefetch_hints = native.fdo_prefetch_hints
fdo_profile = native.fdo_profile
objc_library = native.objc_library
