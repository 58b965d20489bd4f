// File: lib/options.h
//
// Options configure an index once: the code lists records are checked
// against and the limits that keep hostile or careless input from using
// unbounded memory. They are given to SupplierIndex::Builder, kept by every
// generation of the index built from it, and used by the Matcher over that
// index and by ApplyUpdate(): one place, checked once.
//
// Example:
//
//   procmatch::Options options;
//   options.max_top_k = 1000;              // this service lists at most 1000
//   options.max_pattern_memory = 256 << 10;
//   procmatch::SupplierIndex::Builder builder(options);
//
// Every field has a default that suits a national supplier base read from
// files its owner trusts to be well-formed but not to be small; a service
// that takes requests from many callers may want smaller limits.
//
// Threading: Options is a plain struct; copy it freely.
#ifndef PROCMATCH_LIB_OPTIONS_H_
#define PROCMATCH_LIB_OPTIONS_H_

#include <cstdint>

#include "procmatch/cpv.h"
#include "procmatch/nuts.h"

namespace procmatch {

struct Options {
  // The CPV vocabulary that supplier and tender codes must belong to.
  // Default: nullptr, meaning CpvTaxonomy::Builtin() (CPV 2008, compiled
  // into the library).
  // REQUIRES: when set, outlives every index built with these options.
  const CpvTaxonomy* cpv = nullptr;

  // The NUTS regions that locations and places of performance must belong
  // to. Default: nullptr, meaning NutsTaxonomy::Builtin() (NUTS 2021).
  // REQUIRES: when set, outlives every index built with these options.
  const NutsTaxonomy* nuts = nullptr;

  // Memory budget for compiling each RE2 keyword pattern of a requirement.
  // A pattern that needs more is refused when the request is validated, so
  // that a caller cannot make matching use unbounded memory. Raising it
  // admits larger alternations at the cost of memory per request.
  // Default: 1 MiB.
  int64_t max_pattern_memory = 1 << 20;

  // Most RE2 keyword patterns in one record: a tender's keyword
  // requirements (its lots' included), an alert rule's keyword and exclude
  // patterns. Each costs compiling (milliseconds for a 30-byte pattern with
  // counted repetitions), up to max_pattern_memory bytes and a search of
  // every text it is matched against, so without a bound a 100 KB record
  // could ask for minutes of matching. Validation refuses the record past
  // it, without compiling the rest. Default: 64.
  int max_keyword_patterns = 64;

  // Most RE2 patterns (keyword_patterns and exclude_patterns, disabled
  // rules' included) in one AlertIndex, all its rules together: each rule
  // is bounded by max_keyword_patterns and each pattern by
  // max_pattern_memory, but without this a rules file of many such rules
  // could still exhaust memory. A compiled pattern holds a few KB after
  // compiling and its searches' DFA states grow it up to max_pattern_memory,
  // so 100,000 patterns hold some hundreds of MB in a stream (twenty times
  // the ~5,000 of the 100k-rule benchmark, doc/alerts.md). The rule that
  // would exceed it is refused (AlertIndex::Builder::Add, ApplyUpdate) with
  // an error naming the rule and the bound. Default: 100,000.
  int max_alert_patterns = 100000;

  // Largest `top_k` a match request may ask for. Each listed match carries
  // explanations of a few hundred bytes; 10,000 keeps a response under a
  // few megabytes. Default: 10,000.
  int max_top_k = 10000;

  // Largest number of excluded suppliers a response may list
  // (MatchOptions.max_excluded). Default: 10,000.
  int max_listed_exclusions = 10000;

  // A match lists only suppliers whose score is above this: some positive
  // evidence is needed, and zero is not a match (a tender that fits nobody
  // lists nobody). In [0, 1); building an index with anything else is an
  // error. Default: 0.
  double min_match_score = 0;

  // Problems reported for one record by validation; past this many the
  // report ends with "(and N more problems)" and the rest are only counted,
  // so that a record with 100,000 bad codes costs little to reject.
  // Default: 100.
  int max_problems_per_record = 100;

  // Bytes of a record's id quoted in messages; a longer id is cut (on a
  // character boundary) and marked with "...". Default: 64.
  int max_id_bytes_in_messages = 64;

  // Threads that analyse supplier profiles when an index is built
  // (SupplierIndex::Builder::Build), updated (ApplyUpdate) or loaded from a
  // snapshot. Text analysis is most of a build, and each profile is
  // analysed on its own; the index (term ids, postings, snapshot bytes) is
  // the same for any number. 0 means one per core
  // (std::thread::hardware_concurrency()); 1 analyses on the calling thread
  // only. Negative numbers are an error when building. Default: 0.
  int build_threads = 0;

  // Whether the index computes the CPV concepts of each supplier's texts
  // and of each tender's text (lib/cpv_concepts.h): the cross-language
  // relevance of the `concepts` score component (doc/cross_language.md).
  // false skips that work when building, loading and matching, and the
  // component then scores 0 for everyone, whatever its weight; for a
  // single-language deployment, or to measure what the layer costs
  // (doc/benchmarks.md, issue 14). Default: true.
  bool cpv_concepts = true;
};

// The taxonomies of `options`, the builtin ones where unset.
inline const CpvTaxonomy& CpvOf(const Options& options) {
  return options.cpv != nullptr ? *options.cpv : CpvTaxonomy::Builtin();
}
inline const NutsTaxonomy& NutsOf(const Options& options) {
  return options.nuts != nullptr ? *options.nuts : NutsTaxonomy::Builtin();
}

}  // namespace procmatch

#endif  // PROCMATCH_LIB_OPTIONS_H_
