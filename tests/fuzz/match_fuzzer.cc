// Fuzzes matching: a hostile Tender against the 150 suppliers of
// data/sample/suppliers.jsonl (compiled into the target, so it runs from any
// directory; the index is built once, before the first input).
//
// The input is kOptionBytes bytes that choose the match options, then one
// JSON line: the Tender, read with ReadRecords and checked by the Validator
// as `procmatch match` reads its tenders (a line that does not parse, or a
// tender the Validator refuses, ends the execution). Bytes missing from the
// option prefix count as 0, which is the defaults.
//
// The oracles, each an abort() on a difference:
//   - Matcher::Match (retrieval from postings, bounds, early stop) must
//     return what MatchExhaustive (every supplier scored) returns: the same
//     status, and the same matches and exclusions byte for byte in the
//     deterministic wire encoding (ids, order, scores to the bit,
//     explanations);
//   - Matcher::Explain (the rank by the same bounds as Match) of the first,
//     middle and last match must equal that match, rank included; of one
//     more supplier (any in the index, chosen by the options) it must be
//     that supplier's exclusion, a match equal to the listed one at its rank,
//     or a rank past the listed ones, either when top_k cut the list or with
//     a score that is not a match (at most Options::min_match_score, 0 here:
//     Match lists no such supplier, Explain ranks it among all eligible
//     ones); of an unknown id it must be NotFound.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/btree_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/message_lite.h"
#include "procmatch/matcher.h"
#include "procmatch/options.h"
#include "procmatch/record_io.h"
#include "procmatch/supplier_index.h"
#include "procmatch/v1/match.pb.h"
#include "procmatch/v1/supplier.pb.h"
#include "procmatch/v1/tender.pb.h"
#include "tests/fuzz/harness.h"

namespace procmatch {
namespace fuzz {

extern const char kSampleSuppliersJsonl[];  // :sample_suppliers (BUILD).

namespace {

// The option prefix (see OptionsFrom).
inline constexpr size_t kOptionBytes = 8;

[[noreturn]] void Fail(const char* what, const v1::MatchRequest& request) {
  std::fprintf(stderr, "match fuzzer: %s\nrequest options: %s lot \"%s\"\n",
               what, request.options().ShortDebugString().c_str(),
               request.lot_id().c_str());
  std::abort();
}

// The sample index, its supplier ids in file order and the capability tags
// they use (the vocabulary wanted_tags picks from), built once.
struct Sample {
  std::unique_ptr<Matcher> matcher;
  std::vector<std::string> ids;
  std::vector<std::string> tags;
};

const Sample& SharedSample() {
  static const Sample* const sample = [] {
    Options options;
    options.build_threads = 1;
    SupplierIndex::Builder builder(options);
    auto* s = new Sample;
    absl::btree_set<std::string> tags;
    const absl::Status read = ReadRecords<v1::SupplierProfile>(
        "suppliers.jsonl", kSampleSuppliersJsonl, RecordFormat::kJsonLines,
        [&](int, v1::SupplierProfile profile) {
          s->ids.push_back(profile.id());
          for (const auto& capability : profile.capabilities()) {
            tags.insert(capability.tags().begin(), capability.tags().end());
          }
          const absl::Status added = builder.Add(std::move(profile));
          if (!added.ok()) {
            std::fprintf(stderr, "sample supplier refused: %s\n",
                         added.ToString().c_str());
            std::abort();
          }
        },
        [](absl::Status problem) {
          std::fprintf(stderr, "sample supplier unreadable: %s\n",
                       problem.ToString().c_str());
          std::abort();
        });
    absl::StatusOr<std::shared_ptr<const SupplierIndex>> index =
        std::move(builder).Build();
    if (!read.ok() || !index.ok() || s->ids.empty()) {
      std::fprintf(stderr, "sample index not built\n");
      std::abort();
    }
    s->matcher = std::make_unique<Matcher>(*std::move(index));
    s->tags.assign(tags.begin(), tags.end());
    return s;
  }();
  return *sample;
}

// The weights a component may be given besides its default (3 bits each:
// 0 leaves the default, k > 0 is kWeightChoices[k - 1]); tiny and huge ones
// test the bounds' arithmetic.
inline constexpr double kWeightChoices[7] = {0, 1e-300, 0.01, 0.5, 1, 3, 1e6};

// The match options of the prefix `o`:
//   o[0]      top_k, 1 + o[0] % 50;
//   o[1]      the lot: 0 the whole tender, k the (k-1)-th lot modulo the
//             tender's lots (the whole tender when it has none), 255 a lot
//             id the tender does not have;
//   o[2..5]   a weight for each of the nine components, 3 bits each, little
//             end first (kWeightChoices; 0 leaves the default);
//   o[6]      wanted tags: o[6] % 4 of them, from the sample's tags from
//             o[6] / 4 on, every seventh;
//   o[7]      bit 0 include_excluded, bits 1-2 max_excluded (unset, 1, 3,
//             200), bits 3-4 as_of (unset, 2020-02-29, 2026-06-01,
//             2199-12-31).
v1::MatchRequest RequestFrom(const uint8_t* o, v1::Tender tender,
                             const Sample& sample) {
  v1::MatchRequest request;
  v1::MatchOptions& options = *request.mutable_options();
  options.set_top_k(1 + o[0] % 50);
  if (o[1] == 255) {
    request.set_lot_id("no such lot");
  } else if (o[1] > 0 && tender.lots_size() > 0) {
    request.set_lot_id(tender.lots((o[1] - 1) % tender.lots_size()).id());
  }
  uint32_t weight_bits =
      o[2] | o[3] << 8 | o[4] << 16 | static_cast<uint32_t>(o[5]) << 24;
  v1::ScoreWeights& weights = *options.mutable_weights();
  const auto* fields = weights.GetDescriptor();
  const auto* reflection = weights.GetReflection();
  for (int i = 0; i < fields->field_count(); ++i, weight_bits >>= 3) {
    const int choice = weight_bits & 7;
    if (choice == 0) continue;
    reflection->SetDouble(&weights, fields->field(i),
                          kWeightChoices[choice - 1]);
  }
  for (int i = 0; i < o[6] % 4 && !sample.tags.empty(); ++i) {
    options.add_wanted_tags(
        sample.tags[(o[6] / 4 + 7 * i) % sample.tags.size()]);
  }
  options.set_include_excluded(o[7] & 1);
  constexpr int kMaxExcluded[4] = {0, 1, 3, 200};
  options.set_max_excluded(kMaxExcluded[(o[7] >> 1) & 3]);
  constexpr int kAsOf[4][3] = {
      {0, 0, 0}, {2020, 2, 29}, {2026, 6, 1}, {2199, 12, 31}};
  const int* as_of = kAsOf[(o[7] >> 3) & 3];
  if (as_of[0] != 0) {
    options.mutable_as_of()->set_year(as_of[0]);
    options.mutable_as_of()->set_month(as_of[1]);
    options.mutable_as_of()->set_day(as_of[2]);
  }
  *request.mutable_tender() = std::move(tender);
  return request;
}

// The deterministic wire encoding: equal bytes, equal messages (doubles to
// the bit).
std::string Bytes(const google::protobuf::MessageLite& m) {
  std::string out;
  google::protobuf::io::StringOutputStream stream(&out);
  google::protobuf::io::CodedOutputStream coded(&stream);
  coded.SetSerializationDeterministic(true);
  m.SerializeToCodedStream(&coded);
  coded.Trim();
  return out;
}

template <typename M>
bool SameLists(const google::protobuf::RepeatedPtrField<M>& a,
               const google::protobuf::RepeatedPtrField<M>& b) {
  if (a.size() != b.size()) return false;
  for (int i = 0; i < a.size(); ++i) {
    if (Bytes(a[i]) != Bytes(b[i])) return false;
  }
  return true;
}

// Explain(id) against the exhaustive response `all` (see the file comment):
// a supplier `all` lists must be ranked where `all` lists it, with the same
// match; any other may be excluded, or ranked past the list when top_k cut
// it or when its score is not a match (at most the index's min_match_score,
// the default 0 here).
void CheckExplain(const Matcher& matcher, const v1::MatchRequest& request,
                  const v1::MatchResponse& all, const std::string& id) {
  int listed = 0;  // Its rank in `all`, or 0.
  for (int i = 0; i < all.matches_size(); ++i) {
    if (all.matches(i).supplier_id() == id) listed = i + 1;
  }
  absl::StatusOr<v1::MatchResponse> explained = matcher.Explain(request, id);
  if (!explained.ok()) Fail("Explain failed where Match did not", request);
  if (explained->matches_size() + explained->excluded_size() != 1) {
    Fail("Explain answered with other than one supplier", request);
  }
  if (explained->excluded_size() == 1) {
    if (explained->excluded(0).supplier_id() != id) {
      Fail("Explain excluded another supplier", request);
    }
    if (listed > 0) Fail("Explain excluded a listed supplier", request);
    return;
  }
  const v1::SupplierMatch& match = explained->matches(0);
  if (match.supplier_id() != id || match.rank() < 1) {
    Fail("Explain ranked another supplier", request);
  }
  if (listed > 0) {
    if (match.rank() != listed ||
        Bytes(match) != Bytes(all.matches(listed - 1))) {
      Fail("Explain differs from the exhaustive match at its rank", request);
    }
  } else if (match.rank() <= all.matches_size()) {
    Fail("Explain ranks an unlisted supplier inside the list", request);
  } else if (all.matches_size() < request.options().top_k() &&
             match.score() > Options().min_match_score) {
    Fail("Explain ranks a match past a list that top_k did not cut", request);
  }
}

void FuzzMatch(const uint8_t* data, size_t size) {
  if (size > kMaxInputBytes) return;
  uint8_t o[kOptionBytes] = {};
  const size_t prefix = size < kOptionBytes ? size : kOptionBytes;
  for (size_t i = 0; i < prefix; ++i) o[i] = data[i];
  const absl::string_view line =
      SplitFirstLine(
          absl::string_view(reinterpret_cast<const char*>(data), size)
              .substr(prefix))
          .first;

  bool read = false;
  v1::Tender tender;
  ReadRecords<v1::Tender>(
      "tender", line, RecordFormat::kJsonLines,
      [&](int, v1::Tender t) {
        tender = std::move(t);
        read = true;
      },
      [](absl::Status) {}, FuzzRecordLimits())
      .IgnoreError();
  if (!read || !Check(tender).empty()) return;

  const Sample& sample = SharedSample();
  const Matcher& matcher = *sample.matcher;
  const v1::MatchRequest request = RequestFrom(o, std::move(tender), sample);
  absl::StatusOr<v1::MatchResponse> fast = matcher.Match(request);
  absl::StatusOr<v1::MatchResponse> slow = matcher.MatchExhaustive(request);
  if (fast.ok() != slow.ok()) {
    Fail(fast.ok() ? "MatchExhaustive failed, Match did not"
                   : "Match failed, MatchExhaustive did not",
         request);
  }
  if (!fast.ok()) {
    if (fast.status() != slow.status()) {
      Fail("Match and MatchExhaustive refuse differently", request);
    }
    return;
  }
  if (!SameLists(fast->matches(), slow->matches())) {
    Fail("Match differs from MatchExhaustive", request);
  }
  if (!SameLists(fast->excluded(), slow->excluded())) {
    Fail("Match excludes otherwise than MatchExhaustive", request);
  }

  const int n = slow->matches_size();
  if (n > 0) {
    for (int i : {0, n / 2, n - 1}) {
      CheckExplain(matcher, request, *slow, slow->matches(i).supplier_id());
    }
  }
  CheckExplain(matcher, request, *slow,
               sample.ids[(o[0] * 7 + o[6]) % sample.ids.size()]);
  if (matcher.Explain(request, "no such supplier").status().code() !=
      absl::StatusCode::kNotFound) {
    Fail("Explain of an unknown supplier is not NotFound", request);
  }
}

}  // namespace
}  // namespace fuzz
}  // namespace procmatch

// The index is built before the first input, outside libFuzzer's per-input
// timeout: niced on a busy machine, building it took more than its 10 s.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  procmatch::fuzz::SharedSample();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  procmatch::fuzz::FuzzMatch(data, size);
  return 0;
}
