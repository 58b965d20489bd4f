// File: tests/random_corpus.h
//
// Seeded random supplier profiles and tenders, valid by construction, built
// from real CPV codes (defence, security, IT, research, maintenance) and a
// small French/Dutch/German/English vocabulary. For oracle tests (indexed ==
// exhaustive) and benchmarks. The same seed gives the same records.
#ifndef PROCMATCH_TESTS_RANDOM_CORPUS_H_
#define PROCMATCH_TESTS_RANDOM_CORPUS_H_

#include <cstdint>
#include <vector>

#include "procmatch/v1/match.pb.h"
#include "procmatch/v1/supplier.pb.h"
#include "procmatch/v1/tender.pb.h"

namespace procmatch {
namespace testing {

// `n` suppliers with ids "S000000"..., seeded by `seed`.
std::vector<v1::SupplierProfile> RandomSuppliers(int n, uint32_t seed);

// `n` match requests for random tenders (some with lots, mandatory and
// desirable requirements of every kind, wanted tags), top_k 1-30, as-of
// 2026-06-01.
std::vector<v1::MatchRequest> RandomRequests(int n, uint32_t seed);

}  // namespace testing
}  // namespace procmatch

#endif  // PROCMATCH_TESTS_RANDOM_CORPUS_H_
