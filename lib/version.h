// File: lib/version.h
//
// The library's version and the exchange-schema package it speaks.
#ifndef PROCMATCH_LIB_VERSION_H_
#define PROCMATCH_LIB_VERSION_H_

namespace procmatch {

inline constexpr char kVersion[] = "0.1.0";
inline constexpr char kSchemaPackage[] = "procmatch.v1";

}  // namespace procmatch

#endif  // PROCMATCH_LIB_VERSION_H_
